/* test_metrics.c — metrics on a case small enough to work out by hand (the
 * arithmetic is in the comments), and the error and degenerate paths. The
 * agreement with scikit-learn/statsmodels on real data is tests/learn/. */
#include <math.h>
#include <stdlib.h>

#include "learn/metrics.h"
#include "vt_test.h"

/* Eight patients. Events have p = 0.9, 0.8, 0.6, 0.3; non-events 0.7, 0.4, 0.2, 0.1. */
static const double P[8] = {0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1};
static const unsigned char Y[8] = {1, 1, 0, 1, 0, 1, 0, 0};

static void hand_checked(void) {
  vt_error err;
  /* AUC: pairs (event > non-event): 0.9 beats 4, 0.8 beats 4, 0.6 beats 3
   * (0.4, 0.2, 0.1), 0.3 beats 2 (0.2, 0.1): 13 / 16 = 0.8125.
   * DeLong components: V10 (events) = 1, 1, 0.75, 0.5; V01 (non-events, share
   * of events above) = 0.5, 0.75, 1, 1. S10 = [2(0.1875^2) + 0.0625^2 +
   * 0.3125^2] / 3 = 0.171875 / 3; S01 the same; var = S10/4 + S01/4 =
   * 0.171875 / 6 = 0.028645833. */
  vt__auc_delong d;
  CHECK_INT(vt__auc_delong_compute(P, Y, 8, &d, &err), VT_OK);
  CHECK_NEAR(d.auc, 0.8125, 1e-15);
  CHECK_NEAR(d.var, 0.171875 / 6, 1e-15);
  CHECK_NEAR(d.wald_lo, 0.8125 - 1.959963984540054 * sqrt(0.171875 / 6), 1e-12);
  CHECK_NEAR(d.wald_hi, 1.0, 0); /* 0.8125 + 0.3317 clipped to 1 */
  /* logit scale: logit(0.8125) = ln(13/3) = 1.466337, se/(auc(1-auc)) =
   * 0.1692508/0.1523438 = 1.1109795, ±1.959964 x that = ±2.177480 ->
   * expit(-0.711143) = 0.329346, expit(3.643817) = 0.974514 */
  CHECK_NEAR(d.ci_lo, 0.329346, 1e-6);
  CHECK_NEAR(d.ci_hi, 0.974514, 1e-6);

  /* Brier: squared errors 0.01 0.04 0.49 0.16 0.16 0.49 0.04 0.01 = 1.4; /8 =
   * 0.175. Prevalence 0.5, Brier_max 0.25, scaled 1 - 0.175/0.25 = 0.3. */
  double b, s;
  CHECK_INT(vt__brier(P, Y, 8, &b, &s, &err), VT_OK);
  CHECK_NEAR(b, 0.175, 1e-15);
  CHECK_NEAR(s, 0.3, 1e-14);

  /* Net benefit = TP/n - FP/n * pt/(1-pt), positive when p >= pt.
   * pt 0.25: p >= 0.25 are 0.9 0.8 0.7 0.6 0.4 0.3 -> TP 4, FP 2; odds 1/3:
   *   NB = 4/8 - 2/8 / 3 = 5/12; treat-all = 0.5 - 0.5/3 = 1/3.
   * pt 0.5: 0.9 0.8 0.7 0.6 -> TP 3, FP 1; odds 1: NB = 2/8 = 0.25; all = 0.
   * pt 0.75: 0.9 0.8 -> TP 2, FP 0: NB = 0.25; all = 0.5 - 0.5 * 3 = -1.
   * pt 0.7 (a tie with a non-event at 0.7, counted positive): TP 2, FP 1,
   *   odds 7/3: NB = 2/8 - 1/8 * 7/3 = -1/24. */
  const double thr[] = {0.25, 0.5, 0.75, 0.7};
  vt__dca_point dc[4];
  CHECK_INT(vt__decision_curve(P, Y, 8, thr, 4, dc, &err), VT_OK);
  CHECK_NEAR(dc[0].net_benefit, 5.0 / 12, 1e-15);
  CHECK_NEAR(dc[0].treat_all, 1.0 / 3, 1e-15);
  CHECK_NEAR(dc[1].net_benefit, 0.25, 1e-15);
  CHECK_NEAR(dc[1].treat_all, 0.0, 1e-15);
  CHECK_NEAR(dc[2].net_benefit, 0.25, 1e-15);
  CHECK_NEAR(dc[2].treat_all, -1.0, 1e-14);
  CHECK_NEAR(dc[3].net_benefit, -1.0 / 24, 1e-15);
  CHECK_INT(dc[3].tp, 2);
  CHECK_INT(dc[3].fp, 1);
  CHECK_NEAR(dc[1].treat_none, 0.0, 0);

  /* At 0.5: TP 3 FP 1 TN 3 FN 1 -> every rate 3/4. Wilson 95 % for 3/4:
   * z^2 = 3.841459, 1 + z^2/4 = 1.960365; centre (0.75 + z^2/8) / 1.960365 =
   * 0.627527; half-width z sqrt(0.75*0.25/4 + z^2/64) / 1.960365 = 0.326886
   * -> [0.300642, 0.954413] (statsmodels proportion_confint 'wilson' agrees). */
  vt__threshold_metrics t;
  vt__threshold_metrics_compute(P, Y, 8, 0.5, &t);
  CHECK_INT(t.tp, 3);
  CHECK_INT(t.tn, 3);
  CHECK_NEAR(t.sensitivity, 0.75, 1e-15);
  CHECK_NEAR(t.npv, 0.75, 1e-15);
  CHECK_NEAR(t.sens_lo, 0.300642, 1e-6);
  CHECK_NEAR(t.sens_hi, 0.954413, 1e-6);

  /* The whole set agrees with the pieces and its JSON has the keys. */
  vt__metrics_options o;
  vt__metrics_options_init(&o);
  o.bootstrap = 200;
  vt__metrics *m = NULL;
  const char *grp[8] = {"a", "b", "a", "b", "a", "b", "a", NULL};
  CHECK_INT(vt__metrics_compute(P, Y, 8, grp, &o, &m, &err), VT_OK);
  if (m) {
    CHECK_NEAR(vt__metrics_auc(m)->auc, 0.8125, 1e-15);
    CHECK_NEAR(vt__metrics_brier(m), 0.175, 1e-15);
    CHECK_INT(vt__metrics_nsubgroups(m), 3);
    CHECK_STR(vt__metrics_subgroup_name(m, 2), "(missing)");
    CHECK(vt__metrics_nwarnings(m) >= 3); /* every subgroup is tiny */
    double lo, hi;
    size_t bb;
    vt__metrics_auc_bootstrap(m, &lo, &hi, &bb);
    CHECK_INT(bb, 200);
    CHECK(lo <= 0.8125 && hi >= 0.8125 && lo >= 0 && hi <= 1);
    json_t *j = vt__metrics_to_json(m);
    CHECK(j != NULL);
    CHECK_INT(json_integer_value(json_object_get(j, "n")), 8);
    CHECK_INT(json_integer_value(json_object_get(j, "events")), 4);
    json_t *auc = json_object_get(j, "auc");
    CHECK_STR(json_string_value(json_object_get(auc, "method")), "delong");
    CHECK(json_array_size(json_object_get(auc, "ci95")) == 2);
    CHECK(json_is_object(json_object_get(json_object_get(j, "subgroups"), "a")));
    CHECK(json_is_array(json_object_get(json_object_get(j, "calibration"), "curve")));
    CHECK_INT(json_array_size(json_object_get(j, "decision_curve")), 99);
    json_decref(j);
    vt__metrics_free(m);
  }
}

static void bad_and_degenerate(void) {
  vt_error err;
  vt__metrics *m = NULL;
  double p[3] = {0.2, 1.5, 0.1};
  unsigned char y[3] = {0, 1, 0};
  CHECK_INT(vt__metrics_compute(p, y, 3, NULL, NULL, &m, &err), VT_EINVAL);
  CHECK(strstr(err.message, "row 2") != NULL);
  p[1] = NAN;
  CHECK_INT(vt__metrics_compute(p, y, 3, NULL, NULL, &m, &err), VT_EINVAL);
  p[1] = 0.5;
  y[2] = 2;
  CHECK_INT(vt__metrics_compute(p, y, 3, NULL, NULL, &m, &err), VT_EINVAL);
  CHECK(strstr(err.message, "row 3") != NULL);
  CHECK_INT(vt__metrics_compute(p, y, 0, NULL, NULL, &m, &err), VT_EINVAL);
  /* one class: no failure, undefined values and a warning */
  unsigned char y0[3] = {0, 0, 0};
  CHECK_INT(vt__metrics_compute(p, y0, 3, NULL, NULL, &m, &err), VT_OK);
  if (m) {
    CHECK(isnan(vt__metrics_auc(m)->auc));
    CHECK(vt__metrics_nwarnings(m) == 1);
    json_t *j = vt__metrics_to_json(m);
    CHECK(json_is_null(json_object_get(json_object_get(j, "auc"), "value")));
    json_decref(j);
    vt__metrics_free(m);
  }
  vt__auc_delong d;
  CHECK_INT(vt__auc_delong_compute(p, y0, 3, &d, &err), VT_EINVAL);
  /* perfect separation: AUC 1, calibration does not converge, warnings say so */
  double ps[4] = {0.1, 0.2, 0.8, 0.9};
  unsigned char ys[4] = {0, 0, 1, 1};
  CHECK_INT(vt__metrics_compute(ps, ys, 4, NULL, NULL, &m, &err), VT_OK);
  if (m) {
    CHECK_NEAR(vt__metrics_auc(m)->auc, 1.0, 0);
    CHECK(!vt__metrics_calibration(m)->converged);
    CHECK(vt__metrics_nwarnings(m) >= 1);
    vt__metrics_free(m);
  }
  /* all ties: AUC 0.5 */
  double pt[4] = {0.3, 0.3, 0.3, 0.3};
  CHECK_INT(vt__auc_delong_compute(pt, ys, 4, &d, &err), VT_OK);
  CHECK_NEAR(d.auc, 0.5, 0);
}

static void normal_quantile(void) {
  CHECK_NEAR(vt__norm_quantile(0.975), 1.959963984540054, 1e-13);
  CHECK_NEAR(vt__norm_quantile(0.5), 0.0, 1e-15);
  CHECK_NEAR(vt__norm_quantile(1e-10), -6.361340902404056, 1e-10);
  CHECK_NEAR(vt__norm_cdf(1.0), 0.8413447460685429, 1e-15);
}

/* The bootstrap gives bit-identical results on 1 and 4 threads. */
static void jobs_invariance(void) {
  enum { N = 500 };
  static double p[N];
  static unsigned char y[N];
  for (int i = 0; i < N; i++) {
    p[i] = (double)((i * 7919) % 1000) / 1000.0;
    y[i] = (i * 104729) % 1000 < 1000 * p[i] * 0.8 + 100;
  }
  vt__metrics_options o;
  vt__metrics_options_init(&o);
  o.bootstrap = 101;
  vt__metrics *m1 = NULL, *m4 = NULL;
  vt_error err;
  CHECK_INT(vt__metrics_compute(p, y, N, NULL, &o, &m1, &err), VT_OK);
  o.jobs = 4;
  CHECK_INT(vt__metrics_compute(p, y, N, NULL, &o, &m4, &err), VT_OK);
  if (m1 && m4) {
    json_t *a = vt__metrics_to_json(m1), *b = vt__metrics_to_json(m4);
    CHECK(json_equal(a, b));
    double lo, hi;
    vt__metrics_auc_bootstrap(m4, &lo, &hi, NULL);
    CHECK(isfinite(lo) && lo < hi);
    json_decref(a);
    json_decref(b);
  }
  vt__metrics_free(m1);
  vt__metrics_free(m4);
}

int main(void) {
  jobs_invariance();
  hand_checked();
  bad_and_degenerate();
  normal_quantile();
  return VT_TEST_END();
}
