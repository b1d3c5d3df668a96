/* test_report.c — the HTML report and its JSON: every TRIPOD+AI section is
 * present, caller text is escaped, plots are inline SVG with no external
 * resource, the JSON carries the same numbers, and a failed write leaves
 * nothing behind. */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "learn/report.h"
#include "learn/resample.h"
#include "vt_test.h"

#define N 600

static int exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

int main(void) {
  static double p[N], shap[N * 3], vals[N * 3];
  static unsigned char y[N];
  static const char *grp[N];
  vt__rng r;
  vt__rng_seed(&r, 3, 0);
  for (int i = 0; i < N; i++) {
    double x1 = vt__rng_normal(&r), x2 = vt__rng_normal(&r), x3 = vt__rng_uniform(&r);
    double lp = -1 + 1.2 * x1 - 0.6 * x2 + 0.2 * x3;
    p[i] = 1 / (1 + exp(-lp));
    y[i] = vt__rng_uniform(&r) < p[i];
    grp[i] = i % 3 == 0 ? "female" : i % 7 == 0 ? "<b>site&3</b>" : "male";
    double v[3] = {x1, x2, x3}, c[3] = {1.2, -0.6, 0.2};
    for (int f = 0; f < 3; f++) {
      vals[i * 3 + f] = v[f];
      shap[i * 3 + f] = c[f] * v[f];
    }
  }
  vt__metrics_options o;
  vt__metrics_options_init(&o);
  o.bootstrap = 100;
  vt__metrics *m = NULL, *m2 = NULL;
  vt_error err;
  CHECK_INT(vt__metrics_compute(p, y, N, grp, &o, &m, &err), VT_OK);
  CHECK_INT(vt__metrics_compute(p, y, N / 2, NULL, &o, &m2, &err), VT_OK);
  if (!m || !m2) return VT_TEST_END();

  const char *feat[3] = {"age", "bmi <kg/m2>", "asa"};
  double imp[3] = {0.9, 0.45, -0.1};
  vt__report_importance im = {"mean |SHAP| (log-odds)", 3, feat, imp};
  vt__report_shap sh = {N, 3, feat, shap, vals};
  vt__report_predictor pred[2] = {{"age", "numeric", "median 61"}, {"asa", "categorical", NULL}};
  vt__report_missing miss[1] = {{"bmi <kg/m2>", 12, N, "median imputation"}};
  const char *lim[1] = {"Single-centre data & retrospective."};
  const char *qual[1] = {"column 'x' is constant"};
  vt__report_metrics sets[2] = {{"5-fold cross-validation", m}, {"Held-out", m2}};
  vt__optimism opt = {200, 198, 2, {0.8, 0.02, 0.78, 0.01}, {0.15, -0.01, 0.16, 0.005},
                      {0, 0.01, -0.01, 0.05}, {1, 0.1, 0.9, 0.05}};
  json_t *extra = json_pack("{s:s}", "model_card", "x");
  vt__report rep = {0};
  rep.title = "SSI risk <model> & validation";
  rep.software = "vertebra test";
  rep.created = "2026-11-22T20:00:00Z";
  rep.data_source = "Simulated cohort";
  rep.outcome = "Surgical-site infection within 90 days";
  rep.predictors = pred;
  rep.npredictors = 2;
  rep.missing = miss;
  rep.nmissing = 1;
  rep.quality = qual;
  rep.nquality = 1;
  rep.model = "Logistic regression, L2";
  rep.validation = "Stratified 5-fold CV, seed 1";
  rep.sets = sets;
  rep.nsets = 2;
  rep.optimism = &opt;
  rep.importance = &im;
  rep.shap = &sh;
  rep.limitations = lim;
  rep.nlimitations = 1;
  rep.extra = extra;

  char dir[] = "/tmp/vt_report_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char html[256], js[256], bad[256];
  snprintf(html, sizeof html, "%s/r.html", dir);
  snprintf(js, sizeof js, "%s/r.json", dir);
  snprintf(bad, sizeof bad, "%s/no/such/dir/r.html", dir);
  CHECK_INT(vt__report_write(&rep, html, js, &err), VT_OK);
  char *text = NULL;
  size_t len = 0;
  CHECK_INT(vt__read_file(html, 1 << 26, &text, &len, &err), VT_OK);
  if (text) {
    const char *needles[] = {"<!DOCTYPE html>", "Source of data", "Participants", "Outcome",
                             "Predictors", "Missing data", "Model", "Validation method",
                             "Performance with confidence intervals", "Subgroups and fairness",
                             "Limitations", "TRIPOD+AI", "ROC curve", "Calibration",
                             "Decision curve", "SHAP summary", "Global importance",
                             "Optimism correction", "SSI risk &lt;model&gt; &amp; validation",
                             "&lt;b&gt;site&amp;3&lt;/b&gt;", "bmi &lt;kg/m2&gt;",
                             "Single-centre data &amp; retrospective.", "Held-out", "</html>"};
    for (size_t i = 0; i < sizeof needles / sizeof *needles; i++)
      CHECK_MSG(strstr(text, needles[i]) != NULL, "missing '%s'", needles[i]);
    CHECK(strstr(text, "<b>site") == NULL); /* escaped */
    CHECK(strstr(text, "<script") == NULL);
    CHECK(strstr(text, "src=") == NULL && strstr(text, "href=") == NULL);
    free(text);
  }
  json_error_t je;
  json_t *j = json_load_file(js, 0, &je);
  CHECK(j != NULL);
  if (j) {
    json_t *ms = json_object_get(j, "metrics");
    CHECK_INT(json_array_size(ms), 2);
    CHECK_NEAR(json_real_value(json_object_get(json_object_get(json_array_get(ms, 0), "auc"),
                                               "value")),
               vt__metrics_auc(m)->auc, 0);
    CHECK_STR(json_string_value(json_object_get(json_array_get(ms, 1), "label")), "Held-out");
    CHECK(json_is_object(json_object_get(j, "optimism")));
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "extra"), "model_card")), "x");
    CHECK_STR(json_string_value(json_object_get(j, "created")), "2026-11-22T20:00:00Z");
    json_decref(j);
  }
  /* failures: nothing written */
  CHECK_INT(vt__report_write(&rep, bad, NULL, &err), VT_EIO);
  CHECK(!exists(bad));
  vt__report empty = {0};
  CHECK_INT(vt__report_write(&empty, html, NULL, &err), VT_EINVAL);
  if (getenv("VT_KEEP_REPORT")) { /* to look at it: VT_KEEP_REPORT=1 ./learn_test_report */
    printf("report kept in %s\n", html);
  } else {
    unlink(html);
    unlink(js);
    rmdir(dir);
  }
  json_decref(extra);
  vt__metrics_free(m);
  vt__metrics_free(m2);
  return VT_TEST_END();
}
