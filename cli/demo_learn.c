/* demo_learn.c — the learn part of `vertebra demo`: simulates a spine-surgery
 * cohort with a known SSI risk model, trains (auto), validates on a second
 * simulated hospital with case-mix and calibration shift, recalibrates, and
 * prints true vs estimated coefficients. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "learn/learn_internal.h"

static int fail(vt_error *err) { return vt_cli_fail(err); }

int vt_cli_demo_learn(const char *dir, FILE *out) {
  char a[1024], b[1024], model[1024], recal[1024], metrics[1024], val[1024];
  snprintf(a, sizeof a, "%s/hospital_a.csv", dir);
  snprintf(b, sizeof b, "%s/hospital_b.csv", dir);
  snprintf(model, sizeof model, "%s/ssi_model.json", dir);
  snprintf(recal, sizeof recal, "%s/ssi_model_recalibrated.json", dir);
  snprintf(metrics, sizeof metrics, "%s/ssi_metrics.json", dir);
  snprintf(val, sizeof val, "%s/ssi_validation_hospital_b.json", dir);
  vt_error err = {0};
  double *lpa = malloc(4000 * sizeof *lpa), *ya = malloc(4000 * sizeof *ya);
  if (!lpa || !ya) { free(lpa); free(ya); return VT_EXIT_OSERR; }
  if (vt__simulate_cohort(a, 4000, 2026, 0, lpa, &err) ||
      vt__simulate_cohort(b, 2000, 2026, 1, NULL, &err)) {
    free(lpa); free(ya);
    return fail(&err);
  }
  /* the AUC of the true risk on the same rows: the best any model can reach */
  vt__table *ta = NULL;
  double oracle = NAN;
  if (vt__table_read(a, &ta, &err) == VT_OK) {
    size_t yc = vt__table_col(ta, "ssi");
    for (size_t i = 0; i < ta->nrows && i < 4000; i++) ya[i] = ta->cells[i * ta->ncols + yc][0] == '1';
    oracle = vt__rank_auc(lpa, ya, ta->nrows);
    vt__table_free(ta);
  }
  free(lpa);
  free(ya);
  vt_learn_train_opts o;
  vt_learn_train_defaults(&o);
  o.data = a;
  o.outcome = "ssi";
  o.id = "id";
  o.exclude = "site";
  o.model = "auto";
  vt_learn_model *m = NULL;
  if (vt_learn_train(&o, &m, &err)) return fail(&err);
  char *mj = vt_learn_model_json(m, "metrics");
  vt_status st = mj ? vt__atomic_write(metrics, mj, strlen(mj), &err) : VT_ENOMEM;
  free(mj);
  if (!st) st = vt_learn_model_save(m, model, &err);
  if (st) { vt_learn_model_free(m); return fail(&err); }
  json_t *met = json_object_get(m->meta, "metrics");
  json_t *run = json_object_get(met, "runner_up");
  fprintf(out, "learn: simulated SSI cohort, hospital A n=%lld events=%lld; chosen %s "
               "(CV AUC %.3f), runner-up %s (CV AUC %.3f); AUC of the true risk %.3f\n",
          (long long)json_integer_value(json_object_get(met, "n")),
          (long long)json_integer_value(json_object_get(met, "events")),
          json_string_value(json_object_get(json_object_get(met, "cross_validation"), "model")),
          json_real_value(json_object_get(json_object_get(met, "auc"), "value")),
          json_string_value(json_object_get(run, "model")),
          json_real_value(json_object_get(run, "mean_fold_auc")), oracle);
  /* true vs estimated per-unit coefficients: a logistic fit on the same data */
  vt_learn_model *lr = NULL;
  o.model = "logistic";
  o.C = 1e6; /* effectively unpenalised, to compare with the truth */
  if (vt_learn_train(&o, &lr, &err)) { vt_learn_model_free(m); return fail(&err); }
  size_t nt;
  const vt__sim_coef *tr = vt__simulate_truth(&nt);
  fprintf(out, "learn: %-14s %8s %9s  (per unit; logistic, C=1e6)\n", "coefficient", "true", "estimated");
  for (size_t k = 1; k < nt; k++) {
    for (size_t j = 0; j < lr->schema->ndesign; j++)
      if (!strcmp(lr->schema->design_names[j], tr[k].column))
        fprintf(out, "learn: %-14s %8.3f %9.3f  %s\n", tr[k].column, tr[k].beta,
                lr->model.coef[j] / lr->model.scale[j], tr[k].unit);
  }
  vt_learn_model_free(lr);
  vt_learn_model_free(m);
  json_t *rep = NULL;
  if (vt_learn_model_load(model, &m, &err)) return fail(&err);
  st = vt__validate(m, b, model, recal, &rep, &err);
  vt_learn_model_free(m);
  if (st) return fail(&err);
  char *rs = json_dumps(rep, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  json_t *vm = json_object_get(rep, "metrics"), *cal = json_object_get(vm, "calibration");
  fprintf(out, "learn: external validation, hospital B: AUC %.3f, calibration intercept %.3f, "
               "slope %.3f (truth: lp_B = 0.4 + 0.8 x lp_A); drift:",
          json_real_value(json_object_get(json_object_get(vm, "auc"), "value")),
          json_real_value(json_object_get(cal, "intercept")),
          json_real_value(json_object_get(cal, "slope")));
  size_t i;
  json_t *d;
  json_array_foreach(json_object_get(rep, "drift"), i, d) {
    if (strcmp(json_string_value(json_object_get(d, "psi_band")), "stable"))
      fprintf(out, " %s PSI %.2f", json_string_value(json_object_get(d, "column")),
              json_real_value(json_object_get(d, "psi")));
  }
  fputc('\n', out);
  json_decref(rep);
  st = rs ? vt__atomic_write(val, rs, strlen(rs), &err) : VT_ENOMEM;
  free(rs);
  if (st) return fail(&err);
  fprintf(out, "learn: wrote learn/ssi_model.json, ssi_metrics.json, "
               "ssi_validation_hospital_b.json, ssi_model_recalibrated.json, hospital_a/b.csv\n");
  return VT_EXIT_OK;
}
