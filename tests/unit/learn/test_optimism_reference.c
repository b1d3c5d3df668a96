/* test_optimism_reference.c — Harrell's optimism bootstrap against an
 * independent implementation: tests/learn/reference_optimism.py redraws the
 * same bootstrap samples from the published xoshiro256** and splitmix64
 * algorithms (written there from Vigna's reference code, not from ours),
 * refits the model with statsmodels and recomputes every metric with
 * scikit-learn/statsmodels. Model: univariate logistic regression of kyphosis
 * on Start (rpart's kyphosis data, read in place). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/csv.h"
#include "learn/metrics.h"
#include "learn/resample.h"
#include "vt_test.h"

#define MAXN 200

typedef struct uni {
  const double *x;
  const unsigned char *y;
} uni;

static double sig(double t) { return t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)); }

/* Fits logit P(y) = a + b x by maximum likelihood (the calibration-slope
 * solver, given p = expit(x) so that its lp is x) and predicts. */
static vt_status uni_fit(void *ctx, const size_t *tr, size_t ntr, const size_t *ev, size_t nev,
                         double *out, vt_error *err) {
  uni *u = ctx;
  double p[2 * MAXN];
  unsigned char yy[2 * MAXN];
  for (size_t i = 0; i < ntr; i++) {
    p[i] = sig(u->x[tr[i]]);
    yy[i] = u->y[tr[i]];
  }
  vt__calibration_fit c;
  vt_status st = vt__calibration_fit_compute(p, yy, ntr, &c, err);
  if (st) return st;
  if (!c.converged) return vt_error_set(err, VT_EINVAL, NULL, "logistic fit did not converge");
  for (size_t i = 0; i < nev; i++) out[i] = sig(c.slope_intercept + c.slope * u->x[ev[i]]);
  return VT_OK;
}

int main(void) {
  vt__csv *csv;
  vt_error err;
  double x[MAXN];
  unsigned char y[MAXN];
  size_t n = 0, nf;
  if (vt__csv_open_file(VT_SHARED_DATA "/tabular/rpart_kyphosis/kyphosis.csv", NULL, &csv,
                        &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  vt__csv_next(csv, &nf, &err); /* header: rownames,Kyphosis,Age,Number,Start */
  while (vt__csv_next(csv, &nf, &err) == VT_OK && nf == 5 && n < MAXN) {
    y[n] = !strcmp(vt__csv_field(csv, 1, NULL), "present");
    x[n] = strtod(vt__csv_field(csv, 4, NULL), NULL);
    n++;
  }
  vt__csv_free(csv);
  CHECK_INT(n, 81);

  uni u = {x, y};
  size_t all[MAXN];
  for (size_t i = 0; i < n; i++) all[i] = i;
  double app[MAXN];
  CHECK_INT(uni_fit(&u, all, n, all, n, app, &err), VT_OK);
  vt__resample_options o;
  vt__resample_options_init(&o);
  o.bootstrap = 40;
  o.seed = 2024;
  o.jobs = 2;
  vt__optimism op;
  CHECK_INT(vt__optimism_bootstrap(uni_fit, &u, y, n, app, &o, &op, &err), VT_OK);
  printf("kyphosis ~ Start: apparent AUC %.4f, optimism %.4f, corrected %.4f; slope corrected "
         "%.4f (%zu replicates used)\n",
         op.auc.apparent, op.auc.optimism, op.auc.corrected, op.slope.corrected, op.used);

  json_t *xs = json_array(), *ys = json_array();
  for (size_t i = 0; i < n; i++) {
    json_array_append_new(xs, json_real(x[i]));
    json_array_append_new(ys, json_integer(y[i]));
  }
  json_t *res = vt__optimism_to_json(&op);
  json_t *j = json_pack("{s:o,s:o,s:I,s:I,s:o}", "x", xs, "y", ys, "seed", (json_int_t)o.seed,
                        "B", (json_int_t)o.bootstrap, "result", res);
  char path[] = "/tmp/vt_optimism_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd >= 0) {
    close(fd);
    CHECK(json_dump_file(j, path, JSON_REAL_PRECISION(17)) == 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/learn/reference_optimism.py %s",
             VT_SOURCE_DIR, path);
    int rc = system(cmd);
    CHECK_MSG(rc == 0, "reference_optimism.py failed (%d)", rc);
    unlink(path);
  }
  json_decref(j);
  return VT_TEST_END();
}
