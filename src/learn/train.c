/* train.c — vt_learn_train: cohort to schema and design, quality report,
 * optional stratified held-out split, k-fold cross-validation of logistic
 * regression and/or XGBoost through resample.h, --model auto's choice by CV
 * AUC, the final fit, Harrell's optimism bootstrap, the shared metrics of
 * every set (metrics.h), explanations, and the training report (report.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/csv.h"
#include "learn/learn_internal.h"
#include "vertebra/learn.h"
#include "vertebra/vertebra.h"

void vt_learn_train_defaults(vt_learn_train_opts *o) {
  memset(o, 0, sizeof *o);
  o->model = "auto";
  o->folds = 5;
  o->seed = 42;
  o->jobs = 1;
  o->C = 1.0;
  o->l1_ratio = 0.0;
  o->max_depth = 3;
  o->n_estimators = 100;
  o->eta = 0.1;
  o->subsample = 1.0;
  o->colsample = 1.0;
  o->min_child_weight = 1.0;
  o->lambda = 1.0;
  o->tree_method = "hist";
  o->optimism = 200;
  o->bootstrap = 1000;
}

double vt__score_auc(const double *score, const double *y, size_t n) {
  unsigned char *yb = malloc(n + 1);
  if (!yb) return NAN;
  for (size_t i = 0; i < n; i++) yb[i] = y[i] > 0.5;
  vt__auc_delong a;
  vt_error e;
  double v = vt__auc_delong_compute(score, yb, n, &a, &e) ? NAN : a.auc;
  free(yb);
  return v;
}

vt_status vt__subgroup_labels(const vt__table *t, const char *column, const size_t *rows,
                              size_t n, const char ***out, vt_error *err) {
  size_t c = vt__table_col(t, column);
  if (c == (size_t)-1)
    return vt_error_set(err, VT_ENOTFOUND, t->path, "--subgroup: no column '%s' in the header",
                        column);
  const char **g = malloc((n + 1) * sizeof *g);
  if (!g) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const char *v = t->cells[(rows ? rows[i] : i) * t->ncols + c];
    g[i] = vt__is_missing(v) ? NULL : v;
  }
  *out = g;
  return VT_OK;
}

json_t *vt__metrics_document(const vt__metrics *m, json_t *run) {
  json_t *j = vt__metrics_to_json(m);
  if (!j || !run || json_object_set_new(j, "run", run)) {
    if (!j) json_decref(run);
    json_decref(j);
    return NULL;
  }
  return j;
}

struct vt__train_eval {
  vt__metrics *cv, *holdout, *apparent;
  vt__optimism opt;
  int has_opt;
  size_t ndev, ntest, nfeat;
  double *shap, *values, *importance; /* ndev x nfeat, ndev x nfeat, nfeat */
  const char **features;              /* borrowed from the model's schema */
  char cv_label[160], holdout_label[96], apparent_label[96];
  char model_text[1024], validation_text[1024];
};

void vt__train_eval_free(vt__train_eval *e) {
  if (!e) return;
  vt__metrics_free(e->cv);
  vt__metrics_free(e->holdout);
  vt__metrics_free(e->apparent);
  free(e->shap);
  free(e->values);
  free(e->importance);
  free(e->features);
  free(e);
}

/* The fit_predict callback of resample.h over the design matrix: callback
 * indices are positions in rows[] (the development rows). */
typedef struct fit_ctx {
  int kind;
  const vt_learn_train_opts *o;
  const vt__design *d;
  const size_t *rows;
  void *dm; /* gbdt: all design rows as one XGBoost DMatrix */
  int nthread;
} fit_ctx;

static vt_status fit_on(const fit_ctx *c, const size_t *r, size_t n, vt__model *m,
                        vt_error *err) {
  const vt_learn_train_opts *o = c->o;
  size_t p = c->d->p;
  memset(m, 0, sizeof *m);
  if (c->kind == VT_MODEL_GBDT) {
    vt__gbdt_opts go = {o->max_depth, o->n_estimators, (int)(o->seed & 0x7fffffff), c->nthread,
                        o->eta, o->subsample, o->colsample, o->min_child_weight, o->lambda,
                        !o->tree_method || strcmp(o->tree_method, "exact")};
    return vt__gbdt_fit_rows(c->dm, r, n, p, &go, m, err);
  }
  double *x = malloc((n * p + 1) * sizeof *x), *y = malloc((n + 1) * sizeof *y);
  vt_status st = VT_OK;
  if (!x || !y) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; !st && i < n; i++) {
    memcpy(x + i * p, c->d->x + r[i] * p, p * sizeof *x);
    y[i] = c->d->y[r[i]];
  }
  if (!st) {
    vt__logreg_opts lo;
    vt__logreg_defaults(&lo);
    lo.C = o->C;
    lo.l1_ratio = o->l1_ratio;
    st = vt__logreg_fit(x, y, n, p, &lo, m, err);
  }
  free(x);
  free(y);
  return st;
}

/* Probabilities of design rows r[0..n) under m. */
static vt_status prob_on(const fit_ctx *c, const vt__model *m, const size_t *r, size_t n,
                         double *out, vt_error *err) {
  vt_status st = VT_OK;
  if (m->kind == VT_MODEL_GBDT) st = vt__gbdt_logit_rows(m, c->dm, r, n, out, err);
  else
    for (size_t i = 0; i < n && !st; i++)
      st = vt__model_logit(m, c->d->x + r[i] * c->d->p, 1, &out[i], err);
  for (size_t i = 0; i < n && !st; i++) out[i] = 1 / (1 + exp(-out[i]));
  return st;
}

static vt_status fit_predict(void *ctx, const size_t *tr, size_t ntr, const size_t *ev,
                             size_t nev, double *prob, vt_error *err) {
  const fit_ctx *c = ctx;
  size_t *rt = malloc((ntr + 1) * sizeof *rt), *re = malloc((nev + 1) * sizeof *re);
  vt_status st = VT_OK;
  if (!rt || !re) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; !st && i < ntr; i++) rt[i] = c->rows[tr[i]];
  for (size_t i = 0; !st && i < nev; i++) re[i] = c->rows[ev[i]];
  vt__model m;
  memset(&m, 0, sizeof m);
  if (!st) st = fit_on(c, rt, ntr, &m, err);
  if (!st) st = prob_on(c, &m, re, nev, prob, err);
  vt__model_clear(&m);
  free(rt);
  free(re);
  return st;
}

/* Per-fold AUC (shared DeLong code) of the out-of-fold probabilities. */
static json_t *fold_aucs(const double *oof, const unsigned char *y, const unsigned *fold,
                         unsigned k, size_t n, double *mean) {
  json_t *arr = json_array();
  double *s = malloc((n + 1) * sizeof *s);
  unsigned char *ys = malloc(n + 1);
  double sum = 0;
  for (unsigned f = 0; s && ys && f < k; f++) {
    size_t m = 0, ev = 0;
    for (size_t i = 0; i < n; i++)
      if (fold[i] == f) {
        s[m] = oof[i];
        ev += y[i];
        ys[m++] = y[i];
      }
    vt__auc_delong a;
    vt_error e;
    double auc = vt__auc_delong_compute(s, ys, m, &a, &e) ? NAN : a.auc;
    sum += auc;
    json_array_append_new(arr, json_pack("{s:i, s:I, s:I, s:o}", "fold", (int)f, "n",
                                         (json_int_t)m, "events", (json_int_t)ev, "auc",
                                         isfinite(auc) ? json_real(auc) : json_null()));
  }
  free(s);
  free(ys);
  *mean = sum / k;
  return arr;
}

static vt_status read_folds(const char *path, size_t n, int *fold, int *k, vt_error *err) {
  vt__csv *c = NULL;
  vt_status st = vt__csv_open_file(path, NULL, &c, err);
  if (st) return st;
  size_t nf, seen = 0;
  for (size_t i = 0; i < n; i++) fold[i] = -1;
  *k = 0;
  while (!(st = vt__csv_next(c, &nf, err)) && nf) {
    double r, f;
    if (nf < 2 || !vt__parse_num(vt__csv_field(c, 0, NULL), &r) ||
        !vt__parse_num(vt__csv_field(c, 1, NULL), &f))
      continue; /* header */
    if (r < 1 || r > (double)n || f < 0 || f > 1000) {
      char where[600];
      snprintf(where, sizeof where, "%s: line %zu", path, vt__csv_line(c));
      st = vt_error_set(err, VT_EFORMAT, where, "row %g / fold %g out of range", r, f);
      break;
    }
    fold[(size_t)r - 1] = (int)f;
    if ((int)f + 1 > *k) *k = (int)f + 1;
    seen++;
  }
  vt__csv_free(c);
  if (!st && seen != n)
    st = vt_error_set(err, VT_EFORMAT, path, "assigns %zu rows, the cohort has %zu", seen, n);
  return st;
}

/* Explanations over the development rows: per-row contributions summed per
 * input column (TreeSHAP for trees; coefficient x standardised value for
 * logistic) for the report's SHAP summary, and global importance = mean
 * |contribution|, largest first, for the model file. */
static vt_status explain(const vt__model *m, const vt__schema *s, const vt__design *d,
                         const size_t *rows, size_t n, vt__train_eval *e, json_t **out,
                         vt_error *err) {
  size_t p = d->p, q = p + 1, nf = s->nfeat;
  double *x = malloc((n * p + 1) * sizeof *x), *c = malloc((n * q + 1) * sizeof *c);
  e->shap = malloc((n * nf + 1) * sizeof *e->shap);
  e->values = malloc((n * nf + 1) * sizeof *e->values);
  e->importance = calloc(nf + 1, sizeof *e->importance);
  e->features = malloc((nf + 1) * sizeof *e->features);
  vt_status st = VT_OK;
  if (!x || !c || !e->shap || !e->values || !e->importance || !e->features) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) memcpy(x + i * p, d->x + rows[i] * p, p * sizeof *x);
  if ((st = vt__model_contrib(m, x, n, c, err))) goto done;
  e->nfeat = nf;
  for (size_t f = 0; f < nf; f++) e->features[f] = s->feat[f].name;
  for (size_t i = 0; i < n; i++)
    for (size_t f = 0; f < nf; f++) {
      const vt__feature *ft = &s->feat[f];
      double v = 0;
      for (size_t k = 0; k < ft->ndesign; k++) v += c[i * q + ft->design0 + k];
      e->shap[i * nf + f] = v;
      e->values[i * nf + f] = ft->categorical ? NAN : x[i * p + ft->design0];
      e->importance[f] += fabs(v) / (double)n;
    }
  double *imp = malloc((nf + 1) * sizeof *imp);
  json_t *arr = json_array();
  if (!imp || !arr) {
    free(imp);
    json_decref(arr);
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    goto done;
  }
  memcpy(imp, e->importance, nf * sizeof *imp);
  for (size_t r = 0; r < nf; r++) {
    size_t best = 0;
    for (size_t f = 1; f < nf; f++)
      if (imp[f] > imp[best]) best = f;
    json_array_append_new(arr, json_pack("{s:s, s:f}", "column", s->feat[best].name,
                                         "mean_abs_contribution", imp[best]));
    imp[best] = -1;
  }
  free(imp);
  *out = json_pack("{s:s, s:o}", "method", m->kind == VT_MODEL_GBDT
                   ? "mean |TreeSHAP| over training rows (log-odds)"
                   : "mean |coefficient x standardised value| over training rows (log-odds)",
                   "by_column", arr);
  if (!*out) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
done:
  free(x);
  free(c);
  return st;
}

static json_t *training_data(const vt__table *t, const vt__design *d, size_t ndev,
                             size_t ntest) {
  char hex[65];
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", t->sha256[i]);
  double ev = 0;
  for (size_t i = 0; i < d->n; i++) ev += d->y[i];
  return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "file", t->path, "sha256", hex,
                   "n", (json_int_t)d->n, "events", (json_int_t)ev, "imputed_cells",
                   (json_int_t)d->missing, "columns", (json_int_t)t->ncols, "development_rows",
                   (json_int_t)ndev, "test_rows", (json_int_t)ntest);
}

static json_t *apparent_json(const vt__metrics *m) {
  const vt__calibration_fit *c = vt__metrics_calibration(m);
  double v[4] = {vt__metrics_auc(m)->auc, vt__metrics_brier(m), c->intercept, c->slope};
  const char *k[4] = {"auc", "brier", "calibration_intercept", "calibration_slope"};
  json_t *o = json_object();
  for (int i = 0; o && i < 4; i++)
    json_object_set_new(o, k[i], isfinite(v[i]) ? json_real(v[i]) : json_null());
  return o;
}

static const char *kind_name(int kind) { return kind == VT_MODEL_LOGISTIC ? "logistic" : "gbdt"; }

vt_status vt_learn_train(const vt_learn_train_opts *o, vt_learn_model **out, vt_error *err) {
  int want_lr = 1, want_gb = 1;
  if (!o->data || !o->outcome) return vt_error_set(err, VT_EINVAL, NULL, "data and outcome are required");
  if (o->model && !strcmp(o->model, "logistic")) want_gb = 0;
  else if (o->model && !strcmp(o->model, "gbdt")) want_lr = 0;
  else if (o->model && strcmp(o->model, "auto"))
    return vt_error_set(err, VT_EINVAL, "--model", "'%s' is not logistic, gbdt or auto", o->model);
  if (o->C <= 0 || o->l1_ratio < 0 || o->l1_ratio > 1)
    return vt_error_set(err, VT_EINVAL, NULL, "C must be > 0 and l1_ratio in [0, 1]");
  if (o->tree_method && strcmp(o->tree_method, "hist") && strcmp(o->tree_method, "exact"))
    return vt_error_set(err, VT_EINVAL, "--tree-method", "'%s' is not hist or exact",
                        o->tree_method);
  if (!(o->holdout >= 0 && o->holdout < 1))
    return vt_error_set(err, VT_EINVAL, "--holdout", "%g is not a fraction in [0, 1)", o->holdout);
  if (o->holdout > 0 && o->folds_file)
    return vt_error_set(err, VT_EINVAL, "--holdout",
                        "cannot be combined with --folds-file (which assigns every row)");
  if (o->optimism == 1)
    return vt_error_set(err, VT_EINVAL, "--optimism", "needs 0 (none) or at least 2 replicates");
  vt__table *t = NULL;
  vt__schema *s = NULL;
  vt__design d = {0};
  vt_learn_model *lm = NULL;
  vt__train_eval *E = NULL;
  int *ifold = NULL;
  unsigned *fold = NULL;
  unsigned char *yb = NULL, *is_test = NULL, *ydev = NULL, *ytest = NULL;
  size_t *dev = NULL, *test = NULL, ndev = 0, ntest = 0;
  const char **grp = NULL, **gdev = NULL, **gtest = NULL;
  double *oof[3] = {NULL, NULL, NULL}, *app = NULL, *ptest = NULL;
  json_t *cv[3] = {NULL, NULL, NULL}, *imp = NULL;
  void *dm = NULL;
  vt_status st = vt__table_read(o->data, &t, err);
  if (st) return st;
  /* the --date column is fingerprinted, never a predictor */
  char excl[4096];
  snprintf(excl, sizeof excl, "%s%s%s", o->exclude ? o->exclude : "",
           o->exclude && o->date ? "," : "", o->date ? o->date : "");
  vt__schema_opts so = {o->outcome, o->id, o->positive, excl[0] ? excl : NULL, o->numeric,
                        o->categorical,
                        o->impute_indicator ? VT_IMPUTE_INDICATOR : VT_IMPUTE_MEDIAN};
  if ((st = vt__schema_infer(t, &so, &s, err))) goto done;
  if ((st = vt__design_build(s, t, 1, &d, err))) goto done;
  size_t n = d.n;
  yb = malloc(n + 1);
  is_test = calloc(n + 1, 1);
  dev = malloc((n + 1) * sizeof *dev);
  test = malloc((n + 1) * sizeof *test);
  ydev = malloc(n + 1);
  ytest = malloc(n + 1);
  fold = malloc((n + 1) * sizeof *fold);
  ifold = malloc((n + 1) * sizeof *ifold);
  E = calloc(1, sizeof *E);
  if (!yb || !is_test || !dev || !test || !ydev || !ytest || !fold || !ifold || !E) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) yb[i] = d.y[i] > 0.5;
  if (o->subgroup && (st = vt__subgroup_labels(t, o->subgroup, NULL, n, &grp, err))) goto done;
  if (o->holdout > 0 && (st = vt__holdout_split(yb, n, o->holdout, o->seed, is_test, err))) {
    vt_error_wrap(err, "--holdout");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    if (is_test[i]) {
      ytest[ntest] = yb[i];
      test[ntest++] = i;
    } else {
      ydev[ndev] = yb[i];
      dev[ndev++] = i;
    }
  }
  if (grp) {
    gdev = malloc((ndev + 1) * sizeof *gdev);
    gtest = malloc((ntest + 1) * sizeof *gtest);
    if (!gdev || !gtest) {
      st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
      goto done;
    }
    for (size_t i = 0; i < ndev; i++) gdev[i] = grp[dev[i]];
    for (size_t i = 0; i < ntest; i++) gtest[i] = grp[test[i]];
  }
  int k = o->folds;
  if (o->folds_file) {
    if ((st = read_folds(o->folds_file, n, ifold, &k, err))) goto done;
    for (size_t i = 0; i < n; i++) fold[i] = (unsigned)ifold[i];
  } else if ((st = vt__kfold_stratified(ydev, ndev, (unsigned)(k > 0 ? k : 0), o->seed, fold,
                                        err))) {
    vt_error_wrap(err, "--folds");
    goto done;
  }
  if (want_gb && (st = vt__gbdt_data_new(d.x, d.y, n, d.p, &dm, err))) goto done;
  vt__resample_options ro;
  vt__resample_options_init(&ro);
  ro.folds = (unsigned)k;
  ro.seed = o->seed;
  ro.jobs = o->jobs > 1 ? (unsigned)o->jobs : 1;
  ro.progress = o->progress;
  /* inside the resampling pool each XGBoost fit gets one thread: the pool
   * already runs --jobs fits at once */
  fit_ctx ctx = {0, o, &d, dev, dm, 1};
  double mean[3] = {-1, -1, -1};
  for (int kind = VT_MODEL_LOGISTIC; kind <= VT_MODEL_GBDT; kind++) {
    if ((kind == VT_MODEL_LOGISTIC && !want_lr) || (kind == VT_MODEL_GBDT && !want_gb)) continue;
    ctx.kind = kind;
    if (!(oof[kind] = malloc((ndev + 1) * sizeof *oof[kind]))) {
      st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
      goto done;
    }
    if ((st = vt__cross_validate_folds(fit_predict, &ctx, ndev, fold, (unsigned)k, &ro, oof[kind],
                                       err))) {
      vt_error_wrap(err, kind_name(kind));
      goto done;
    }
    json_t *pf = fold_aucs(oof[kind], ydev, fold, (unsigned)k, ndev, &mean[kind]);
    cv[kind] = json_pack("{s:s, s:i, s:o, s:o}", "model", kind_name(kind), "folds", k,
                         "mean_fold_auc", isfinite(mean[kind]) ? json_real(mean[kind]) : json_null(),
                         "per_fold", pf);
  }
  int kind = !want_gb || (want_lr && !(mean[VT_MODEL_GBDT] > mean[VT_MODEL_LOGISTIC]))
                 ? VT_MODEL_LOGISTIC : VT_MODEL_GBDT;
  ctx.kind = kind;
  lm = calloc(1, sizeof *lm);
  app = malloc((ndev + 1) * sizeof *app);
  ptest = malloc((ntest + 1) * sizeof *ptest);
  if (!lm || !app || !ptest) { st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); goto done; }
  ctx.nthread = o->jobs > 0 ? o->jobs : 1;
  if ((st = fit_on(&ctx, dev, ndev, &lm->model, err))) goto done;
  ctx.nthread = 1;
  if ((st = prob_on(&ctx, &lm->model, dev, ndev, app, err))) goto done;
  /* the same metrics for every set (metrics.h) */
  vt__metrics_options mo;
  vt__metrics_options_init(&mo);
  mo.bootstrap = o->bootstrap;
  mo.seed = o->seed;
  mo.jobs = ro.jobs;
  mo.progress = o->progress;
  mo.thresholds = o->thresholds;
  mo.nthresholds = o->nthresholds;
  if ((st = vt__metrics_compute(oof[kind], ydev, ndev, gdev, &mo, &E->cv, err))) goto done;
  vt__metrics_options mq = mo;
  mq.bootstrap = 0; /* apparent performance is optimistic: no CI drawn for it */
  mq.progress = NULL;
  if ((st = vt__metrics_compute(app, ydev, ndev, gdev, &mq, &E->apparent, err))) goto done;
  if (o->optimism >= 2) {
    ro.bootstrap = o->optimism;
    if ((st = vt__optimism_bootstrap(fit_predict, &ctx, ydev, ndev, app, &ro, &E->opt, err)))
      goto done;
    E->has_opt = 1;
  }
  if (ntest) {
    if ((st = prob_on(&ctx, &lm->model, test, ntest, ptest, err))) goto done;
    if ((st = vt__metrics_compute(ptest, ytest, ntest, gtest, &mo, &E->holdout, err))) {
      vt_error_wrap(err, "held-out test set");
      goto done;
    }
  }
  if ((st = explain(&lm->model, s, &d, dev, ndev, E, &imp, err))) goto done;
  E->ndev = ndev;
  E->ntest = ntest;
  char folds_src[600];
  if (o->folds_file) snprintf(folds_src, sizeof folds_src, "file %s", o->folds_file);
  else snprintf(folds_src, sizeof folds_src, "stratified, seed %llu", (unsigned long long)o->seed);
  snprintf(E->cv_label, sizeof E->cv_label, "%d-fold cross-validation, pooled out-of-fold (%zu rows)",
           k, ndev);
  snprintf(E->apparent_label, sizeof E->apparent_label, "Apparent (final model on its %zu training rows)",
           ndev);
  snprintf(E->holdout_label, sizeof E->holdout_label, "Held-out test (%zu rows)", ntest);
  char trees[400] = "";
  if (kind == VT_MODEL_GBDT)
    snprintf(trees, sizeof trees, "XGBoost %s: max_depth %d, %d trees, eta %g, subsample %g, "
             "colsample_bytree %g, min_child_weight %g, lambda %g, tree_method %s, seed %llu",
             "binary:logistic", o->max_depth, o->n_estimators, o->eta, o->subsample, o->colsample,
             o->min_child_weight, o->lambda, o->tree_method ? o->tree_method : "hist",
             (unsigned long long)o->seed);
  else
    snprintf(trees, sizeof trees, "penalised logistic regression (%s, C %g, l1_ratio %g) on "
             "standardised inputs", o->l1_ratio == 0 ? "L2" : o->l1_ratio == 1 ? "L1" : "elastic net",
             o->C, o->l1_ratio);
  char sel[300];
  if (want_lr && want_gb)
    snprintf(sel, sizeof sel, "--model auto: the higher mean fold AUC won (logistic %.4f, trees "
             "%.4f)", mean[VT_MODEL_LOGISTIC], mean[VT_MODEL_GBDT]);
  else snprintf(sel, sizeof sel, "fixed by --model");
  snprintf(E->model_text, sizeof E->model_text, "%s. %s. Imputation: %s.", trees, sel,
           o->impute_indicator ? "median/mode plus missing indicators" : "median (numeric) / mode (categorical)");
  char opt_txt[200] = "no optimism bootstrap";
  if (E->has_opt)
    snprintf(opt_txt, sizeof opt_txt, "Harrell optimism bootstrap with %zu replicates (%zu used)",
             E->opt.replicates, E->opt.used);
  char ho_txt[200] = "";
  if (ntest)
    snprintf(ho_txt, sizeof ho_txt, "; a stratified %.0f %% held-out test set (%zu rows) was set "
             "aside before cross-validation and scored once by the final model", 100 * o->holdout, ntest);
  snprintf(E->validation_text, sizeof E->validation_text,
           "%d-fold cross-validation (folds: %s) on %zu development rows; metrics on the pooled "
           "out-of-fold predictions; %s%s. AUC with DeLong 95 %% CI (logit scale) and a stratified "
           "percentile bootstrap CI (%zu replicates, seed %llu); Wald CIs for calibration intercept "
           "and slope; Wilson CIs for rates. The final model was refitted on all development rows.",
           k, folds_src, ndev, opt_txt, ho_txt, mo.bootstrap, (unsigned long long)o->seed);
  json_t *run = json_pack(
      "{s:s, s:s, s:s, s:s, s:i, s:s, s:O, s:O, s:o, s:o, s:o, s:I, s:I}", "command", "train",
      "set", "cross_validation_out_of_fold", "model", kind_name(kind), "selection",
      want_lr && want_gb ? "auto: higher mean cross-validated AUC" : "fixed by --model", "folds", k,
      "fold_assignment", folds_src, "cross_validation", cv[kind], "runner_up",
      cv[3 - kind] ? cv[3 - kind] : json_null(), "apparent", apparent_json(E->apparent),
      "optimism", E->has_opt ? vt__optimism_to_json(&E->opt) : json_null(), "holdout",
      E->holdout ? vt__metrics_to_json(E->holdout) : json_null(), "development_rows",
      (json_int_t)ndev, "test_rows", (json_int_t)ntest);
  json_t *metrics = vt__metrics_document(E->cv, run);
  char created[32];
  time_t now = time(NULL);
  struct tm tmv;
  gmtime_r(&now, &tmv);
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
  json_t *td = training_data(t, &d, ndev, ntest);
  if (o->date) {
    size_t dc = vt__table_col(t, o->date);
    if (dc == (size_t)-1) {
      json_decref(td);
      json_decref(metrics);
      st = vt_error_set(err, VT_ENOTFOUND, t->path, "--date: no column '%s' in the header", o->date);
      goto done;
    }
    const char *lo = NULL, *hi = NULL; /* ISO 8601 dates sort as text */
    for (size_t i = 0; i < t->nrows; i++) {
      const char *v = t->cells[i * t->ncols + dc];
      if (vt__is_missing(v)) continue;
      if (!lo || strcmp(v, lo) < 0) lo = v;
      if (!hi || strcmp(v, hi) > 0) hi = v;
    }
    json_object_set_new(td, "date_range", json_pack("{s:s, s:s?, s:s?}", "column", o->date,
                                                    "first", lo, "last", hi));
  }
  lm->meta = json_pack("{s:s, s:o, s:o, s:o, s:o, s:{s:n}}", "created", created, "training_data",
                       td, "metrics", metrics, "quality", vt__quality_json(t, s, &d),
                       "importance", imp, "lineage", "parent_sha256");
  imp = NULL;
  if (!lm->meta || !metrics) { st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); goto done; }
  lm->schema = s;
  s = NULL;
  lm->eval = E;
  E = NULL;
  *out = lm;
  lm = NULL;
done:
  for (int i = 0; i < 3; i++) {
    json_decref(cv[i]);
    free(oof[i]);
  }
  json_decref(imp);
  vt__gbdt_data_free(dm);
  vt__train_eval_free(E);
  free(ifold); free(fold); free(yb); free(is_test); free(ydev); free(ytest); free(dev);
  free(test); free(grp); free(gdev); free(gtest); free(app); free(ptest);
  vt__design_free(&d);
  vt__schema_free(s);
  vt__table_free(t);
  vt_learn_model_free(lm);
  return st;
}

/* ------------------------------------------------------------ report */

static const char *feature_summary(const vt__feature *f, char *buf, size_t size) {
  if (f->categorical)
    snprintf(buf, size, "%zu levels; mode '%s'", f->nlevels,
             f->nlevels ? f->levels[f->mode_level] : "");
  else
    snprintf(buf, size, "median %.4g (IQR %.4g to %.4g; range %.4g to %.4g)", f->quant[50],
             f->quant[25], f->quant[75], f->quant[0], f->quant[100]);
  return buf;
}

vt_status vt__train_report(const vt_learn_model *m, const char *html_path,
                           const char *json_path, const vt__report_metrics *more, size_t nmore,
                           const char *model_note, json_t *extra, vt_error *err) {
  const vt__train_eval *E = m ? m->eval : NULL;
  if (!E)
    return vt_error_set(err, VT_EINVAL, NULL, "a training report needs a model just trained "
                        "(a loaded model file does not keep its resampling results)");
  const vt__schema *s = m->schema;
  size_t nf = s->nfeat;
  vt_status st = VT_OK;
  vt__report_predictor *pred = calloc(nf + 1, sizeof *pred);
  vt__report_missing *miss = calloc(nf + 1, sizeof *miss);
  char (*ptype)[64] = calloc(nf + 1, sizeof *ptype), (*psum)[160] = calloc(nf + 1, sizeof *psum);
  char (*mhand)[200] = calloc(nf + 1, sizeof *mhand);
  vt__report_metrics *sets = calloc(3 + nmore, sizeof *sets);
  json_t *qw = json_object_get(json_object_get(m->meta, "quality"), "warnings");
  size_t nq = json_array_size(qw);
  char (*qtext)[300] = calloc(nq + 1, sizeof *qtext);
  const char **qptr = calloc(nq + 1, sizeof *qptr);
  json_t *ex = json_object();
  if (!pred || !miss || !ptype || !psum || !mhand || !sets || !qtext || !qptr || !ex) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    goto done;
  }
  size_t nmiss = 0, nmissing_cells = 0;
  json_t *td = json_object_get(m->meta, "training_data");
  size_t nrows = (size_t)json_integer_value(json_object_get(td, "n"));
  for (size_t f = 0; f < nf; f++) {
    const vt__feature *ft = &s->feat[f];
    pred[f].name = ft->name;
    if (ft->categorical) snprintf(ptype[f], 64, "categorical (%zu levels, one-hot)", ft->nlevels);
    else snprintf(ptype[f], 64, "numeric");
    pred[f].type = ptype[f];
    pred[f].summary = feature_summary(ft, psum[f], 160);
    if (ft->nmissing) {
      if (ft->categorical)
        snprintf(mhand[nmiss], 200, "mode '%s'%s", ft->nlevels ? ft->levels[ft->mode_level] : "",
                 ft->has_indicator ? " + missing indicator" : "");
      else
        snprintf(mhand[nmiss], 200, "median imputation (%.4g)%s", ft->impute,
                 ft->has_indicator ? " + missing indicator" : "");
      miss[nmiss] = (vt__report_missing){ft->name, ft->nmissing, nrows, mhand[nmiss]};
      nmiss++;
      nmissing_cells += ft->nmissing;
    }
  }
  size_t i;
  json_t *w;
  json_array_foreach(qw, i, w) {
    json_t *rows = json_object_get(w, "rows"), *auc = json_object_get(w, "auc");
    int len = snprintf(qtext[i], 300, "%s: %s", json_string_value(json_object_get(w, "column")),
                       json_string_value(json_object_get(w, "issue")));
    if (len > 0 && len < 300 && rows)
      snprintf(qtext[i] + len, (size_t)(300 - len), " (%lld rows)", (long long)json_integer_value(rows));
    else if (len > 0 && len < 300 && auc)
      snprintf(qtext[i] + len, (size_t)(300 - len), " (single-column AUC %.4f)", json_real_value(auc));
    qptr[i] = qtext[i];
  }
  long long dup = json_integer_value(json_object_get(json_object_get(m->meta, "quality"), "duplicate_rows"));
  char src[1400], part[600], outc[400], misstxt[300], model[1800], title[300], sw[64];
  json_t *dr = json_object_get(td, "date_range");
  snprintf(src, sizeof src, "Cohort file %s (SHA-256 %s): %zu rows, %lld columns%s%s%s%s%s.",
           json_string_value(json_object_get(td, "file")),
           json_string_value(json_object_get(td, "sha256")), nrows,
           (long long)json_integer_value(json_object_get(td, "columns")),
           dr ? "; dates " : "", dr ? json_string_value(json_object_get(dr, "first")) : "",
           dr ? " to " : "", dr ? json_string_value(json_object_get(dr, "last")) : "",
           dr ? "" : "; no date column given (--date)");
  size_t events = (size_t)json_integer_value(json_object_get(td, "events"));
  snprintf(part, sizeof part, "All %zu rows of the file (%zu events, %.1f %%); a row with a "
           "missing outcome is refused, not dropped. Development: %zu rows%s. Duplicate rows: %lld.",
           nrows, events, nrows ? 100.0 * (double)events / (double)nrows : 0.0, E->ndev,
           E->ntest ? "; held-out test: see the test set below" : "", dup);
  snprintf(outc, sizeof outc, "%s = '%s' is the event; '%s' the non-event.", s->outcome,
           s->positive, s->negative ? s->negative : "other");
  snprintf(misstxt, sizeof misstxt, "%zu of %zu predictor cells missing, imputed with the "
           "training %s.", nmissing_cells, nrows * nf,
           s->impute == VT_IMPUTE_INDICATOR ? "median/mode plus a missing-indicator column"
                                            : "median (numeric) or mode (categorical)");
  snprintf(model, sizeof model, "%s%s%s", E->model_text, model_note ? " " : "",
           model_note ? model_note : "");
  snprintf(title, sizeof title, "Risk model for %s = %s: development and internal validation",
           s->outcome, s->positive);
  snprintf(sw, sizeof sw, "vertebra %s", vt_version());
  size_t ns = 0;
  sets[ns++] = (vt__report_metrics){E->cv_label, E->cv};
  if (E->holdout) sets[ns++] = (vt__report_metrics){E->holdout_label, E->holdout};
  sets[ns++] = (vt__report_metrics){E->apparent_label, E->apparent};
  for (size_t j = 0; j < nmore; j++) sets[ns++] = more[j];
  vt__report_importance im = {m->model.kind == VT_MODEL_GBDT ? "mean |SHAP| (log-odds)"
                                                              : "mean |coefficient x standardised value| (log-odds)",
                              nf, E->features, E->importance};
  vt__report_shap sh = {E->ndev, nf, E->features, E->shap, E->values};
  const char *lim[] = {
      "Internal validation only: cross-validated, held-out and optimism-corrected estimates "
      "describe patients like the development cohort. Validate externally (vertebra learn "
      "validate) before use at another site or period.",
      "Bootstrap optimism correction under-corrects for learners that can memorise the data "
      "(deep trees); prefer the cross-validated estimates for tree models.",
      "Missing values were imputed with training medians/modes, which assumes they are missing "
      "at random given the other predictors; no multiple imputation."};
  vt__report r = {0};
  r.title = title;
  r.software = sw;
  r.data_source = src;
  r.participants = part;
  r.outcome = outc;
  r.predictors = pred;
  r.npredictors = nf;
  r.missing_summary = misstxt;
  r.missing = miss;
  r.nmissing = nmiss;
  r.quality = qptr;
  r.nquality = nq;
  r.model = model;
  r.validation = E->validation_text;
  r.sets = sets;
  r.nsets = ns;
  r.optimism = E->has_opt ? &E->opt : NULL;
  r.importance = &im;
  r.shap = &sh;
  r.limitations = lim;
  r.nlimitations = 3;
  json_object_set(ex, "training_data", td);
  json_object_set(ex, "quality", json_object_get(m->meta, "quality"));
  json_object_set(ex, "importance", json_object_get(m->meta, "importance"));
  json_object_set(ex, "run", json_object_get(json_object_get(m->meta, "metrics"), "run"));
  if (extra) json_object_update(ex, extra);
  r.extra = ex;
  st = vt__report_write(&r, html_path, json_path, err);
done:
  free(pred); free(miss); free(ptype); free(psum); free(mhand); free(sets); free(qtext); free(qptr);
  json_decref(ex);
  return st;
}

vt_status vt_learn_report(const vt_learn_model *m, const char *html_path, const char *json_path,
                          vt_error *err) {
  return vt__train_report(m, html_path, json_path, NULL, 0, NULL, NULL, err);
}
