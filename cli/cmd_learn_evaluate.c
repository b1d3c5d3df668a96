/* cmd_learn_evaluate.c — `vertebra learn evaluate`: the validation metrics for
 * any model's scores, so any model can be audited (issue 3). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "learn/metrics.h"
#include "learn/report.h"
#include "learn/scores.h"
#include "vertebra/vertebra.h"

#define CMD "learn evaluate"

static void usage(FILE *f) {
  fprintf(f,
          "usage: vertebra learn evaluate --scores FILE --label COL --score COL [options]\n"
          "\n"
          "Validation metrics for any binary risk model's scores: AUC with DeLong and\n"
          "bootstrap 95%% CIs, Brier and scaled Brier, calibration intercept and slope\n"
          "with CIs, binned and smoothed calibration curves, sensitivity/specificity/\n"
          "PPV/NPV at thresholds (Wilson CIs), decision curve, and the same per subgroup.\n"
          "\n"
          "  --scores FILE       CSV with a header (\"-\" = stdin)\n"
          "  --label COL         outcome column: 0/1, or two levels with --positive\n"
          "  --score COL         predicted probability column, in [0, 1]\n"
          "  --positive VALUE    the label value that marks an event\n"
          "  --logit             the scores are log-odds: converted with 1/(1+exp(-s))\n"
          "  --subgroup COL      the same metrics per level of COL (bias audit)\n"
          "  --thresholds LIST   classification thresholds (default 0.1,0.2,0.3,0.5)\n"
          "  --bootstrap B       stratified bootstrap replicates (default 1000; 0 = none)\n"
          "  --seed N            bootstrap seed (default 1)\n"
          "  --jobs N            bootstrap threads (default 1; results do not change)\n"
          "  --bins K            quantile bins of the calibration curve (default 10)\n"
          "  --json OUT          write the metrics JSON (\"-\" = stdout)\n"
          "  --report R.html     write a self-contained HTML report (+ R.html.json)\n"
          "  --title TEXT        the report's title\n"
          "  -v                  more messages on stderr\n"
          "\n"
          "Methods and limits: docs/learn-validation.md.\n");
}

/* A number for people: "n/a" where the metric is undefined for the data. */
static const char *fmt(char *buf, size_t size, double v, int decimals) {
  if (isfinite(v)) snprintf(buf, size, "%.*f", decimals, v);
  else snprintf(buf, size, "n/a");
  return buf;
}

static void summary(FILE *f, const vt__metrics *m) {
  char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];
  const vt__auc_delong *a = vt__metrics_auc(m);
  double blo, bhi;
  size_t b;
  vt__metrics_auc_bootstrap(m, &blo, &bhi, &b);
  const vt__calibration_fit *c = vt__metrics_calibration(m);
  fprintf(f, "n %zu, events %zu (%.1f %%)\n", vt__metrics_n(m), vt__metrics_events(m),
          100.0 * (double)vt__metrics_events(m) / (double)vt__metrics_n(m));
  fprintf(f, "AUC %s (DeLong 95%% CI %s-%s", fmt(b1, 32, a->auc, 4), fmt(b2, 32, a->ci_lo, 4),
          fmt(b3, 32, a->ci_hi, 4));
  if (b) fprintf(f, "; bootstrap %s-%s, B=%zu", fmt(b4, 32, blo, 4), fmt(b5, 32, bhi, 4), b);
  fprintf(f, ")\n");
  fprintf(f, "Brier %s, scaled Brier %s\n", fmt(b1, 32, vt__metrics_brier(m), 4),
          fmt(b2, 32, vt__metrics_scaled_brier(m), 4));
  fprintf(f, "calibration intercept %s (%s to %s), slope %s (%s to %s)\n",
          fmt(b1, 32, c->intercept, 3), fmt(b2, 32, c->intercept_lo, 3),
          fmt(b3, 32, c->intercept_hi, 3), fmt(b4, 32, c->slope, 3), fmt(b5, 32, c->slope_lo, 3),
          fmt(b6, 32, c->slope_hi, 3));
  size_t nt;
  const vt__threshold_metrics *t = vt__metrics_thresholds(m, &nt);
  for (size_t i = 0; i < nt; i++)
    fprintf(f, "at p >= %.3g: sensitivity %s, specificity %s, PPV %s, NPV %s\n", t[i].threshold,
            fmt(b1, 32, t[i].sensitivity, 3), fmt(b2, 32, t[i].specificity, 3),
            fmt(b3, 32, t[i].ppv, 3), fmt(b4, 32, t[i].npv, 3));
  for (size_t i = 0; i < vt__metrics_nsubgroups(m); i++) {
    const vt__metrics *s = vt__metrics_subgroup(m, i);
    const vt__auc_delong *sa = vt__metrics_auc(s);
    fprintf(f, "subgroup %s: n %zu, events %zu, AUC %s (%s-%s)\n",
            vt__metrics_subgroup_name(m, i), vt__metrics_n(s), vt__metrics_events(s),
            fmt(b1, 32, sa->auc, 4), fmt(b2, 32, sa->ci_lo, 4), fmt(b3, 32, sa->ci_hi, 4));
  }
  for (size_t i = 0; i < vt__metrics_nwarnings(m); i++)
    fprintf(f, "warning: %s\n", vt__metrics_warning(m, i));
}

int vt_cli_learn_evaluate(int argc, char **argv) {
  vt__scores_options so = {0};
  vt__metrics_options mo;
  vt__metrics_options_init(&mo);
  const char *scores = NULL, *json_out = NULL, *report = NULL, *title = NULL;
  double thr[VT_CLI_MAX_THRESHOLDS];
  size_t nthr = 0;
  int verbose = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    long n;
    if (vt_cli_is_help(a)) {
      usage(stdout);
      return VT_EXIT_OK;
    } else if (!strcmp(a, "-v")) {
      verbose++;
      continue;
    } else if (!strcmp(a, "--logit")) {
      so.logit = 1;
      continue;
    }
    if (!v) return vt_cli_usage_error(CMD, "%s needs a value", a);
    if (!strcmp(a, "--scores")) scores = v;
    else if (!strcmp(a, "--label")) so.label = v;
    else if (!strcmp(a, "--score")) so.score = v;
    else if (!strcmp(a, "--subgroup")) so.subgroup = v;
    else if (!strcmp(a, "--positive")) so.positive = v;
    else if (!strcmp(a, "--json")) json_out = v;
    else if (!strcmp(a, "--report")) report = v;
    else if (!strcmp(a, "--title")) title = v;
    else if (!strcmp(a, "--thresholds")) {
      int rc = vt_cli_parse_thresholds(CMD, v, thr, &nthr);
      if (rc) return rc;
      mo.thresholds = thr;
      mo.nthresholds = nthr;
    } else if (!strcmp(a, "--bootstrap")) {
      int rc = vt_cli_parse_long(CMD, a, v, 0, 100000, &n);
      if (rc) return rc;
      mo.bootstrap = (size_t)n;
    } else if (!strcmp(a, "--seed")) {
      int rc = vt_cli_parse_long(CMD, a, v, 0, 0x7fffffffL, &n);
      if (rc) return rc;
      mo.seed = (uint64_t)n;
    } else if (!strcmp(a, "--jobs")) {
      int rc = vt_cli_parse_long(CMD, a, v, 1, 64, &n);
      if (rc) return rc;
      mo.jobs = (unsigned)n;
    } else if (!strcmp(a, "--bins")) {
      int rc = vt_cli_parse_long(CMD, a, v, 2, 100, &n);
      if (rc) return rc;
      mo.calibration_bins = (size_t)n;
    } else {
      return vt_cli_usage_error(CMD, "unknown option '%s'", a);
    }
    i++;
  }
  if (!scores) return vt_cli_usage_error(CMD, "--scores FILE is required");
  if (!so.label) return vt_cli_usage_error(CMD, "--label COL is required");
  if (!so.score) return vt_cli_usage_error(CMD, "--score COL is required");
  vt_cli_set_verbosity(verbose);
  mo.progress = &vt_cli_progress_bar;

  vt_error err;
  vt_error_clear(&err);
  vt__scores sc = {0};
  vt__metrics *m = NULL;
  json_t *j = NULL;
  vt_status st = vt__scores_read(scores, &so, &sc, &err);
  if (st) return vt_cli_fail(&err);
  st = vt__metrics_compute(sc.prob, sc.y, sc.n, (const char *const *)sc.group, &mo, &m, &err);
  vt_cli_progress_clear();
  if (st) {
    if (!err.where[0]) vt_error_wrap(&err, scores);
    goto done;
  }
  if (json_out) {
    j = vt__metrics_to_json(m);
    /* the same shape as train's and validate's: metrics plus "run" */
    if (j && json_object_set_new(j, "run", json_pack("{s:s, s:s, s:s, s:s, s:b, s:s?}", "command",
                                                     "evaluate", "scores", scores, "label",
                                                     so.label, "score", so.score, "logit",
                                                     so.logit, "subgroup", so.subgroup))) {
      json_decref(j);
      j = NULL;
    }
    if (!j) {
      st = vt_error_set(&err, VT_ENOMEM, NULL, "out of memory writing the metrics JSON");
      goto done;
    }
    if ((st = vt__json_write(json_out, j, &err))) goto done;
  }
  if (report) {
    char sw[64], src[1024], val[512];
    snprintf(sw, sizeof sw, "vertebra %s", vt_version());
    snprintf(src, sizeof src,
             "Scores file %s: label column '%s' (event = '%s'), score column '%s'%s.", scores,
             so.label, sc.positive, so.score,
             so.logit ? " (log-odds, converted to probabilities)" : "");
    snprintf(val, sizeof val,
             "Evaluation of existing scores (no model fitted here). DeLong 95%% CI for the AUC "
             "(logit scale), stratified percentile bootstrap with %zu replicates (seed %llu); "
             "Wald CIs for calibration intercept and slope; Wilson CIs for rates.",
             mo.bootstrap, (unsigned long long)mo.seed);
    vt__report_metrics set = {"Evaluated scores", m};
    vt__report r = {0};
    r.title = title ? title : "Model evaluation";
    r.software = sw;
    r.data_source = src;
    r.participants = "Every row of the scores file (rows are not filtered; a row with an "
                     "empty score or label is an error).";
    r.outcome = so.positive ? NULL : "Binary outcome as given in the label column (1 = event).";
    r.model = "External scores: the model that produced them is not described by this file.";
    r.validation = val;
    r.sets = &set;
    r.nsets = 1;
    size_t jl = strlen(report) + 6;
    char *jp = malloc(jl);
    if (!jp) {
      st = vt_error_set(&err, VT_ENOMEM, NULL, "out of memory");
      goto done;
    }
    snprintf(jp, jl, "%s.json", report);
    st = vt__report_write(&r, report, jp, &err);
    free(jp);
    if (st) goto done;
  }
  if (!json_out || strcmp(json_out, "-")) summary(stdout, m);
done:
  json_decref(j);
  vt__metrics_free(m);
  vt__scores_free(&sc);
  return st ? vt_cli_fail(&err) : VT_EXIT_OK;
}
