/* demo_learn.c — the learn part of `vertebra demo`: simulates a spine-surgery
 * cohort with a known SSI risk model, trains (auto) with cross-validation and
 * the optimism bootstrap, writes the metrics JSON and the HTML report (with the
 * true risk's own metrics and true vs estimated coefficients beside the
 * model's), validates on a second simulated hospital with case-mix and
 * calibration shift, and recalibrates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "learn/learn_internal.h"

#define NA 4000

static int fail(vt_error *err) { return vt_cli_fail(err); }

static double jnum(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

int vt_cli_demo_learn(const char *dir, FILE *out) {
  char a[1024], b[1024], model[1024], recal[1024], metrics[1024], val[1024], rep[1024],
      repj[1024], vrep[1024];
  snprintf(a, sizeof a, "%s/hospital_a.csv", dir);
  snprintf(b, sizeof b, "%s/hospital_b.csv", dir);
  snprintf(model, sizeof model, "%s/ssi_model.json", dir);
  snprintf(recal, sizeof recal, "%s/ssi_model_recalibrated.json", dir);
  snprintf(metrics, sizeof metrics, "%s/ssi_metrics.json", dir);
  snprintf(val, sizeof val, "%s/ssi_validation_hospital_b.json", dir);
  snprintf(rep, sizeof rep, "%s/ssi_report.html", dir);
  snprintf(repj, sizeof repj, "%s/ssi_report.html.json", dir);
  snprintf(vrep, sizeof vrep, "%s/ssi_validation_hospital_b.html", dir);
  vt_error err = {0};
  double *lpa = malloc(NA * sizeof *lpa);
  unsigned char *ya = malloc(NA);
  if (!lpa || !ya) { free(lpa); free(ya); return VT_EXIT_OSERR; }
  if (vt__simulate_cohort(a, NA, 2026, 0, lpa, &err) ||
      vt__simulate_cohort(b, 2000, 2026, 1, NULL, &err)) {
    free(lpa); free(ya);
    return fail(&err);
  }
  /* the true risk of each row: the best any model can reach, measured with
   * the same metrics as the model */
  vt__table *ta = NULL;
  vt__metrics *truth = NULL;
  vt_status st = vt__table_read(a, &ta, &err);
  if (!st) {
    size_t yc = vt__table_col(ta, "ssi");
    for (size_t i = 0; i < ta->nrows && i < NA; i++) {
      ya[i] = ta->cells[i * ta->ncols + yc][0] == '1';
      lpa[i] = 1 / (1 + exp(-lpa[i]));
    }
    vt__metrics_options mo;
    vt__metrics_options_init(&mo);
    mo.seed = 42;
    st = vt__metrics_compute(lpa, ya, ta->nrows < NA ? ta->nrows : NA, NULL, &mo, &truth, &err);
    vt__table_free(ta);
  }
  free(lpa);
  free(ya);
  if (st) return fail(&err);
  vt_learn_train_opts o;
  vt_learn_train_defaults(&o);
  o.data = a;
  o.outcome = "ssi";
  o.id = "id";
  o.exclude = "site";
  o.model = "auto";
  o.subgroup = "male";
  vt_learn_model *m = NULL;
  if (vt_learn_train(&o, &m, &err)) { vt__metrics_free(truth); return fail(&err); }
  char *mj = vt_learn_model_json(m, "metrics");
  st = mj ? vt__atomic_write(metrics, mj, strlen(mj), &err) : VT_ENOMEM;
  free(mj);
  if (!st) st = vt_learn_model_save(m, model, &err);
  if (st) { vt_learn_model_free(m); vt__metrics_free(truth); return fail(&err); }
  json_t *met = json_object_get(m->meta, "metrics"), *run = json_object_get(met, "run");
  json_t *auc = json_object_get(met, "auc"), *ci = json_object_get(auc, "ci95");
  json_t *ru = json_object_get(run, "runner_up");
  fprintf(out, "learn: simulated SSI cohort, hospital A n=%lld events=%lld; chosen %s "
               "(out-of-fold AUC %.3f, 95%% CI %.3f-%.3f), runner-up %s (mean fold AUC %.3f); "
               "AUC of the true risk %.3f\n",
          (long long)json_integer_value(json_object_get(met, "n")),
          (long long)json_integer_value(json_object_get(met, "events")),
          json_string_value(json_object_get(run, "model")), jnum(auc, "value"),
          json_real_value(json_array_get(ci, 0)), json_real_value(json_array_get(ci, 1)),
          json_string_value(json_object_get(ru, "model")), jnum(ru, "mean_fold_auc"),
          vt__metrics_auc(truth)->auc);
  /* true vs estimated per-unit coefficients: a logistic fit on the same data */
  vt_learn_model *lr = NULL;
  o.model = "logistic";
  o.C = 1e6; /* effectively unpenalised, to compare with the truth */
  o.optimism = 0;
  o.bootstrap = 0;
  o.subgroup = NULL;
  if (vt_learn_train(&o, &lr, &err)) { vt_learn_model_free(m); vt__metrics_free(truth); return fail(&err); }
  size_t nt;
  const vt__sim_coef *tr = vt__simulate_truth(&nt);
  json_t *coefs = json_array();
  char note[2048];
  int len = snprintf(note, sizeof note, "Simulated cohort: true vs estimated per-unit log-odds "
                     "coefficients (unpenalised logistic refit):");
  fprintf(out, "learn: %-14s %8s %9s  (per unit; logistic, C=1e6)\n", "coefficient", "true", "estimated");
  for (size_t k = 1; k < nt; k++) {
    for (size_t j = 0; j < lr->schema->ndesign; j++)
      if (!strcmp(lr->schema->design_names[j], tr[k].column)) {
        double est = lr->model.coef[j] / lr->model.scale[j];
        fprintf(out, "learn: %-14s %8.3f %9.3f  %s\n", tr[k].column, tr[k].beta, est, tr[k].unit);
        json_array_append_new(coefs, json_pack("{s:s, s:f, s:f, s:s}", "column", tr[k].column,
                                               "true", tr[k].beta, "estimated", est, "unit",
                                               tr[k].unit));
        if (len > 0 && (size_t)len < sizeof note)
          len += snprintf(note + len, sizeof note - (size_t)len, " %s %.3f vs %.3f;", tr[k].column,
                          tr[k].beta, est);
      }
  }
  vt_learn_model_free(lr);
  json_t *extra = json_pack("{s:o}", "simulation_truth", coefs);
  vt__report_metrics more = {"True risk (simulation oracle, same rows)", truth};
  st = vt__train_report(m, rep, repj, &more, 1, note, extra, &err);
  json_decref(extra);
  vt__metrics_free(truth);
  vt_learn_model_free(m);
  if (st) return fail(&err);
  json_t *vr = NULL;
  if (vt_learn_model_load(model, &m, &err)) return fail(&err);
  vt__validate_opts vo;
  vt__validate_opts_init(&vo);
  vo.data = b;
  vo.model_path = model;
  vo.recal_out = recal;
  vo.report_html = vrep;
  st = vt__validate(m, &vo, &vr, &err);
  vt_learn_model_free(m);
  if (st) return fail(&err);
  json_t *cal = json_object_get(vr, "calibration");
  fprintf(out, "learn: external validation, hospital B: AUC %.3f, calibration intercept %.3f, "
               "slope %.3f (truth: lp_B = 0.4 + 0.8 x lp_A); drift:",
          jnum(json_object_get(vr, "auc"), "value"), jnum(cal, "intercept"), jnum(cal, "slope"));
  size_t i;
  json_t *d;
  json_array_foreach(json_object_get(json_object_get(vr, "run"), "drift"), i, d) {
    const char *band = json_string_value(json_object_get(d, "psi_band"));
    if (band && strcmp(band, "stable"))
      fprintf(out, " %s PSI %.2f", json_string_value(json_object_get(d, "column")),
              jnum(d, "psi"));
  }
  fputc('\n', out);
  st = vt__json_write(val, vr, &err);
  json_decref(vr);
  if (st) return fail(&err);
  fprintf(out, "learn: wrote learn/ssi_report.html (+ .json), ssi_metrics.json, ssi_model.json, "
               "ssi_validation_hospital_b.json (+ .html), ssi_model_recalibrated.json, "
               "hospital_a/b.csv\n");
  return VT_EXIT_OK;
}
