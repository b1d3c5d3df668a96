/* test_learn_data.c — cohort loading errors (ragged rows, non-binary and
 * one-class outcomes, all-missing columns, 10^5 categories, BOM), model-file
 * rejection (other version, truncated, missing column, no partial output),
 * and TreeSHAP / logistic contributions summing to each row's log-odds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt_test.h"
#include "learn/learn_internal.h"
#include "vertebra/learn.h"

static char dir[] = "/tmp/vt_learn_data_XXXXXX";

static const char *put(const char *name, const char *text) {
  static char path[8][256];
  static int k;
  char *p = path[k++ % 8];
  snprintf(p, 256, "%s/%s", dir, name);
  FILE *f = fopen(p, "wb");
  fputs(text, f);
  fclose(f);
  return p;
}

static vt_status train(const char *data, const char *outcome, const char *positive,
                       const char *model, vt_learn_model **m, vt_error *err) {
  vt_learn_train_opts o;
  vt_learn_train_defaults(&o);
  o.data = data;
  o.outcome = outcome;
  o.positive = positive;
  o.model = model;
  o.folds = 2;
  *m = NULL;
  memset(err, 0, sizeof *err);
  return vt_learn_train(&o, m, err);
}

#define HAS(s, sub) CHECK_MSG(strstr((s), (sub)) != NULL, "'%s' lacks '%s'", (s), (sub))

static void test_bad_cohorts(void) {
  vt_learn_model *m;
  vt_error err;
  const char *p = put("ragged.csv", "age,ssi\n50,1\n60,0\n70\n");
  CHECK_INT(train(p, "ssi", NULL, "logistic", &m, &err), VT_EFORMAT);
  HAS(err.where, "line 4");
  HAS(err.message, "expected 2 fields");
  HAS(err.message, "found 1");

  p = put("nonbinary.csv", "age,ssi\n50,1\n60,0\n70,2\n");
  CHECK_INT(train(p, "ssi", NULL, "logistic", &m, &err), VT_EFORMAT);
  HAS(err.where, "line 4, column 'ssi'");
  HAS(err.message, "not binary");

  p = put("oneclass.csv", "age,ssi\n50,no\n60,no\n70,no\n");
  CHECK_INT(train(p, "ssi", NULL, "logistic", &m, &err), VT_EFORMAT);
  HAS(err.where, "column 'ssi'");
  HAS(err.message, "one class");

  p = put("labels.csv", "age,ssi\n50,A\n60,B\n");
  CHECK_INT(train(p, "ssi", NULL, "logistic", &m, &err), VT_EINVAL);
  HAS(err.message, "--positive");

  /* 10^5 distinct categories in one column */
  char path[256];
  snprintf(path, sizeof path, "%s/many.csv", dir);
  FILE *f = fopen(path, "w");
  fputs("code,age,ssi\n", f);
  for (int i = 0; i < 100000; i++) fprintf(f, "c%d,%d,%d\n", i, 40 + i % 40, i % 3 == 0);
  fclose(f);
  CHECK_INT(train(path, "ssi", NULL, "logistic", &m, &err), VT_ELIMIT);
  HAS(err.where, "column 'code'");
  HAS(err.message, "100000 distinct categories");

  /* BOM stripped from the first header name; all-missing column dropped and reported */
  p = put("bom.csv", "\xEF\xBB\xBF" "age,empty,sex,ssi\n50,,M,1\n61,NA,F,0\n72,,F,1\n43,?,M,0\n"
                     "55,,F,0\n66,,M,1\n");
  CHECK_INT(train(p, "ssi", NULL, "logistic", &m, &err), VT_OK);
  if (m) {
    char *q = vt_learn_model_json(m, "quality");
    HAS(q, "all values missing: column dropped");
    HAS(q, "\"empty\"");
    free(q);
    CHECK_INT(m->schema->nfeat, 2);
    CHECK_STR(m->schema->feat[0].name, "age");
    CHECK_INT(m->schema->ndesign, 3); /* age, sex=F, sex=M */
    /* unseen level scores as all-zero one-hot and is counted */
    const char *pr = put("unseen.csv", "age,sex\n50,X\n60,M\n");
    size_t unseen = 0;
    char out[256];
    snprintf(out, sizeof out, "%s/pred.csv", dir);
    CHECK_INT(vt_learn_predict(m, pr, 1, "csv", out, &unseen, &err), VT_OK);
    CHECK_INT(unseen, 1);
    /* a cohort without a model column: error naming it, no output file */
    const char *miss = put("nosex.csv", "age\n50\n");
    snprintf(out, sizeof out, "%s/pred2.csv", dir);
    CHECK_INT(vt_learn_predict(m, miss, 0, "csv", out, NULL, &err), VT_ENOTFOUND);
    HAS(err.message, "column 'sex'");
    CHECK(access(out, F_OK) != 0);
    vt_learn_model_free(m);
  }
}

/* Quality report: implausible values by column name, duplicate rows. */
static void test_quality(void) {
  vt_learn_model *m;
  vt_error err;
  const char *p = put("quality.csv", "age,bmi,flag,ssi\n50,20,1,1\n60,25,0,0\n70,150,0,1\n"
                                     "-3,22,0,0\n55,24,0,1\n50,20,1,1\n");
  CHECK_INT(train(p, "ssi", NULL, "logistic", &m, &err), VT_OK);
  if (!m) return;
  json_t *q = json_object_get(m->meta, "quality");
  CHECK_INT(json_integer_value(json_object_get(q, "duplicate_rows")), 1);
  json_t *cols = json_object_get(q, "columns");
  CHECK_INT(json_integer_value(json_object_get(json_object_get(json_array_get(cols, 0), "implausible"), "count")), 1);
  CHECK_INT(json_integer_value(json_object_get(json_object_get(json_array_get(cols, 1), "implausible"), "count")), 1);
  vt_learn_model_free(m);
}

/* Recalibration writes a new version whose lineage names the parent's hash
 * and whose linear predictor is a + b*lp with the fitted a, b. */
static void test_recalibrate(void) {
  vt_learn_model *m, *r = NULL;
  vt_error err;
  char kyph[512], path[256], rpath[256];
  snprintf(kyph, sizeof kyph, "%s/tabular/rpart_kyphosis/kyphosis.csv", VT_SHARED_DATA);
  CHECK_INT(train(kyph, "Kyphosis", NULL, "logistic", &m, &err), VT_OK);
  if (!m) return;
  snprintf(path, sizeof path, "%s/parent.json", dir);
  snprintf(rpath, sizeof rpath, "%s/child.json", dir);
  CHECK_INT(vt_learn_model_save(m, path, &err), VT_OK);
  json_t *rep = NULL;
  vt__validate_opts vo;
  vt__validate_opts_init(&vo);
  vo.data = kyph;
  vo.model_path = path;
  vo.recal_out = rpath;
  vo.bootstrap = 50;
  CHECK_INT(vt__validate(m, &vo, &rep, &err), VT_OK);
  CHECK_INT(vt_learn_model_load(rpath, &r, &err), VT_OK);
  if (r && rep) {
    json_t *lin = json_object_get(r->meta, "lineage");
    const char *ph = json_string_value(json_object_get(lin, "parent_sha256"));
    CHECK(ph && strlen(ph) == 64);
    double slope = json_real_value(json_object_get(json_object_get(rep, "calibration"), "slope"));
    CHECK_NEAR(r->model.recal_b, slope, 1e-12);
    /* on its own data a refitted logistic model is already calibrated: slope ~ 1 */
    CHECK_NEAR(slope, 1.0, 0.2);
  }
  json_decref(rep);
  vt_learn_model_free(r);
  vt_learn_model_free(m);
}

/* --impute indicator: a COL=missing design column, set for missing cells. */
static void test_indicator(void) {
  vt_learn_model *m = NULL;
  vt_error err;
  const char *p = put("ind.csv", "alb,sex,ssi\n4.1,M,1\n,F,0\n3.2,,1\n4.4,F,0\n3.9,M,1\n4.0,F,0\n");
  vt_learn_train_opts o;
  vt_learn_train_defaults(&o);
  o.data = p;
  o.outcome = "ssi";
  o.model = "logistic";
  o.folds = 2;
  o.impute_indicator = 1;
  memset(&err, 0, sizeof err);
  CHECK_INT(vt_learn_train(&o, &m, &err), VT_OK);
  if (!m) return;
  CHECK_INT(m->schema->ndesign, 5); /* alb, alb=missing, sex=F, sex=M, sex=missing */
  CHECK_STR(m->schema->design_names[1], "alb=missing");
  CHECK_STR(m->schema->design_names[4], "sex=missing");
  vt__table *t = NULL;
  vt__design d;
  CHECK_INT(vt__table_read(p, &t, &err), VT_OK);
  CHECK_INT(vt__design_build(m->schema, t, 1, &d, &err), VT_OK);
  CHECK_NEAR(d.x[1 * 5 + 0], 4.0, 1e-12); /* median of 4.1 3.2 4.4 3.9 4.0 */
  CHECK_NEAR(d.x[1 * 5 + 1], 1, 0);
  CHECK_NEAR(d.x[2 * 5 + 4], 1, 0);
  CHECK_NEAR(d.x[2 * 5 + 2] + d.x[2 * 5 + 3], 0, 0); /* no level for a missing category */
  vt__design_free(&d);
  vt__table_free(t);
  vt_learn_model_free(m);
}

static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = calloc((size_t)len + 1, 1);
  *n = fread(s, 1, (size_t)len, f);
  fclose(f);
  return s;
}

static void test_model_file(void) {
  vt_learn_model *m, *m2 = NULL;
  vt_error err;
  char kyph[512], path[256];
  snprintf(kyph, sizeof kyph, "%s/tabular/rpart_kyphosis/kyphosis.csv", VT_SHARED_DATA);
  CHECK_INT(train(kyph, "Kyphosis", NULL, "gbdt", &m, &err), VT_OK); /* present/absent */
  if (!m) return;
  snprintf(path, sizeof path, "%s/model.json", dir);
  CHECK_INT(vt_learn_model_save(m, path, &err), VT_OK);
  CHECK_INT(vt_learn_model_load(path, &m2, &err), VT_OK);
  /* the reloaded booster predicts exactly as the trained one */
  vt__table *t = NULL;
  vt__design d;
  CHECK_INT(vt__table_read(kyph, &t, &err), VT_OK);
  CHECK_INT(vt__design_build(m->schema, t, 1, &d, &err), VT_OK);
  double *a = malloc(d.n * sizeof *a), *b = malloc(d.n * sizeof *b);
  CHECK_INT(vt__model_logit(&m->model, d.x, d.n, a, &err), VT_OK);
  if (m2) CHECK_INT(vt__model_logit(&m2->model, d.x, d.n, b, &err), VT_OK);
  double maxd = 0;
  for (size_t i = 0; m2 && i < d.n; i++) maxd = fmax(maxd, fabs(a[i] - b[i]));
  CHECK_NEAR(maxd, 0, 1e-6);
  free(a);
  free(b);
  vt__design_free(&d);
  vt__table_free(t);
  vt_learn_model_free(m2);
  vt_learn_model_free(m);

  size_t n;
  char *text = slurp(path, &n);
  CHECK(text != NULL);
  if (!text) return;
  /* truncated */
  char tpath[256];
  snprintf(tpath, sizeof tpath, "%s/trunc.json", dir);
  FILE *f = fopen(tpath, "wb");
  fwrite(text, 1, n / 2, f);
  fclose(f);
  m2 = NULL;
  CHECK_INT(vt_learn_model_load(tpath, &m2, &err), VT_EFORMAT);
  HAS(err.message, "truncated");
  CHECK(m2 == NULL);
  /* another schema version */
  char *v = strstr(text, "\"schema_version\": 1");
  CHECK(v != NULL);
  if (v) {
    v[strlen("\"schema_version\": ")] = '9';
    f = fopen(tpath, "wb");
    fwrite(text, 1, n, f);
    fclose(f);
    CHECK_INT(vt_learn_model_load(tpath, &m2, &err), VT_EFORMAT);
    HAS(err.message, "schema_version");
  }
  free(text);
}

/* Every row's contributions (plus base) sum to its log-odds. */
static void check_contrib_sums(const char *model) {
  vt_learn_model *m;
  vt_error err;
  char uci[512];
  snprintf(uci, sizeof uci, "%s/tabular/uci_vertebral_column/column_2C_weka.csv", VT_SHARED_DATA);
  CHECK_INT(train(uci, "status", "Abnormal", model, &m, &err), VT_OK);
  if (!m) return;
  vt__table *t = NULL;
  vt__design d;
  CHECK_INT(vt__table_read(uci, &t, &err), VT_OK);
  CHECK_INT(vt__design_build(m->schema, t, 1, &d, &err), VT_OK);
  size_t q = d.p + 1;
  double *lp = malloc(d.n * sizeof *lp), *c = malloc(d.n * q * sizeof *c);
  CHECK_INT(vt__model_logit(&m->model, d.x, d.n, lp, &err), VT_OK);
  CHECK_INT(vt__model_contrib(&m->model, d.x, d.n, c, &err), VT_OK);
  double worst = 0;
  for (size_t i = 0; i < d.n; i++) {
    double s = 0;
    for (size_t j = 0; j < q; j++) s += c[i * q + j];
    worst = fmax(worst, fabs(s - lp[i]));
  }
  CHECK_MSG(worst <= 1e-5, "%s: worst |sum(contrib) - logit| = %g", model, worst);
  free(lp);
  free(c);
  vt__design_free(&d);
  vt__table_free(t);
  vt_learn_model_free(m);
}

int main(void) {
  if (!mkdtemp(dir)) return 1;
  test_bad_cohorts();
  test_model_file();
  test_quality();
  test_indicator();
  test_recalibrate();
  check_contrib_sums("gbdt");
  check_contrib_sums("logistic");
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd)) fprintf(stderr, "could not remove %s\n", dir);
  return VT_TEST_END();
}
