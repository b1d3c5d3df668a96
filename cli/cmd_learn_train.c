/* cmd_learn_train.c — `vertebra learn train`: cohort CSV to a cross-validated
 * model file, metrics JSON and HTML report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "vertebra/learn.h"

static const char *usage =
    "usage: vertebra learn train --data F --outcome COL [--model logistic|gbdt|auto]\n"
    "         [--folds K] [--holdout FRAC] [--optimism B] [--bootstrap B] [--seed N]\n"
    "         [--jobs N] [--subgroup COL] [--thresholds 0.1,0.2] --out MODEL\n"
    "         [--report R.html] [--json METRICS.json] [--id COL] [--positive LABEL]\n"
    "         [--exclude COLS] [--numeric COLS] [--categorical COLS]\n"
    "         [--impute median|indicator] [--date COL] [--folds-file F] [--C X] [--l1-ratio X]\n"
    "         [--max-depth N] [--n-estimators N] [--eta X] [--subsample X]\n"
    "         [--colsample X] [--min-child-weight X] [--lambda X] [--tree-method hist|exact]\n"
    "  --holdout FRAC   stratified held-out test set scored once by the final model\n"
    "  --optimism B     Harrell optimism-bootstrap refits (default 200; 0 = none)\n"
    "  --bootstrap B    bootstrap replicates of the metric CIs (default 1000; 0 = none)\n"
    "  --report R.html  self-contained HTML report (TRIPOD+AI items) + R.html.json\n"
    "Methods: docs/learn.md, docs/learn-validation.md.\n";

static int parse_double(const char *opt, const char *v, double *out) {
  char *end;
  double d = strtod(v, &end);
  if (*end || end == v) return vt_cli_usage_error("learn train", "%s: '%s' is not a number", opt, v);
  *out = d;
  return 0;
}

int vt_cli_learn_train(int argc, char **argv) {
  vt_learn_train_opts o;
  vt_learn_train_defaults(&o);
  const char *out = NULL, *report = NULL, *json = NULL;
  double thr[VT_CLI_MAX_THRESHOLDS];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (vt_cli_is_help(a)) { fputs(usage, stdout); return VT_EXIT_OK; }
    if (i + 1 >= argc) return vt_cli_usage_error("learn train", "%s needs a value (or unknown option)", a);
    const char *v = argv[++i];
    long l;
    int rc = 0;
    if (!strcmp(a, "--data")) o.data = v;
    else if (!strcmp(a, "--outcome")) o.outcome = v;
    else if (!strcmp(a, "--model")) o.model = v;
    else if (!strcmp(a, "--out")) out = v;
    else if (!strcmp(a, "--report")) report = v;
    else if (!strcmp(a, "--json")) json = v;
    else if (!strcmp(a, "--subgroup")) o.subgroup = v;
    else if (!strcmp(a, "--tree-method")) o.tree_method = v;
    else if (!strcmp(a, "--thresholds")) {
      rc = vt_cli_parse_thresholds("learn train", v, thr, &o.nthresholds);
      o.thresholds = thr;
    } else if (!strcmp(a, "--holdout")) rc = parse_double(a, v, &o.holdout);
    else if (!strcmp(a, "--optimism")) { rc = vt_cli_parse_long("learn train", a, v, 0, 100000, &l); o.optimism = (size_t)l; }
    else if (!strcmp(a, "--bootstrap")) { rc = vt_cli_parse_long("learn train", a, v, 0, 100000, &l); o.bootstrap = (size_t)l; }
    else if (!strcmp(a, "--id")) o.id = v;
    else if (!strcmp(a, "--positive")) o.positive = v;
    else if (!strcmp(a, "--exclude")) o.exclude = v;
    else if (!strcmp(a, "--numeric")) o.numeric = v;
    else if (!strcmp(a, "--categorical")) o.categorical = v;
    else if (!strcmp(a, "--folds-file")) o.folds_file = v;
    else if (!strcmp(a, "--date")) o.date = v;
    else if (!strcmp(a, "--impute")) {
      if (!strcmp(v, "indicator")) o.impute_indicator = 1;
      else if (strcmp(v, "median")) return vt_cli_usage_error("learn train", "--impute: median or indicator");
    } else if (!strcmp(a, "--folds")) { rc = vt_cli_parse_long("learn train", a, v, 2, 100, &l); o.folds = (int)l; }
    else if (!strcmp(a, "--seed")) { rc = vt_cli_parse_long("learn train", a, v, 0, 2147483647L, &l); o.seed = (uint64_t)l; }
    else if (!strcmp(a, "--jobs")) { rc = vt_cli_parse_long("learn train", a, v, 1, 256, &l); o.jobs = (int)l; }
    else if (!strcmp(a, "--max-depth")) { rc = vt_cli_parse_long("learn train", a, v, 1, 30, &l); o.max_depth = (int)l; }
    else if (!strcmp(a, "--n-estimators")) { rc = vt_cli_parse_long("learn train", a, v, 1, 100000, &l); o.n_estimators = (int)l; }
    else if (!strcmp(a, "--C")) rc = parse_double(a, v, &o.C);
    else if (!strcmp(a, "--l1-ratio")) rc = parse_double(a, v, &o.l1_ratio);
    else if (!strcmp(a, "--eta")) rc = parse_double(a, v, &o.eta);
    else if (!strcmp(a, "--subsample")) rc = parse_double(a, v, &o.subsample);
    else if (!strcmp(a, "--colsample")) rc = parse_double(a, v, &o.colsample);
    else if (!strcmp(a, "--min-child-weight")) rc = parse_double(a, v, &o.min_child_weight);
    else if (!strcmp(a, "--lambda")) rc = parse_double(a, v, &o.lambda);
    else return vt_cli_usage_error("learn train", "unknown option %s", a);
    if (rc) return rc;
  }
  if (!o.data || !o.outcome || !out)
    return vt_cli_usage_error("learn train", "--data, --outcome and --out are required");
  o.progress = isatty(STDERR_FILENO) ? &vt_cli_progress_bar : NULL;
  vt_error err = {0};
  vt_learn_model *m = NULL;
  vt_status st = vt_learn_train(&o, &m, &err);
  vt_cli_progress_clear();
  if (st) return vt_cli_fail(&err);
  char *metrics = vt_learn_model_json(m, "metrics");
  if (!metrics) { vt_learn_model_free(m); return VT_EXIT_SOFTWARE; }
  if (json && (st = vt__atomic_write(json, metrics, strlen(metrics), &err))) {
    free(metrics);
    vt_learn_model_free(m);
    return vt_cli_fail(&err);
  }
  if (report) {
    size_t jl = strlen(report) + 6;
    char *jp = malloc(jl);
    if (jp) snprintf(jp, jl, "%s.json", report);
    st = jp ? vt_learn_report(m, report, jp, &err) : vt_error_set(&err, VT_ENOMEM, NULL, "out of memory");
    free(jp);
    if (st) {
      free(metrics);
      vt_learn_model_free(m);
      return vt_cli_fail(&err);
    }
  }
  st = vt_learn_model_save(m, out, &err);
  vt_learn_model_free(m);
  if (!st && !json) puts(metrics);
  free(metrics);
  return st ? vt_cli_fail(&err) : VT_EXIT_OK;
}
