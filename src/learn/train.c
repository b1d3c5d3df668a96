/* train.c — vt_learn_train: cohort to schema and design, quality report,
 * stratified k-fold cross-validation of logistic regression and/or XGBoost,
 * --model auto's choice by CV AUC, and the final fit on all rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/csv.h"
#include "learn/learn_internal.h"
#include "vertebra/learn.h"

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
}

typedef struct { double s, y; } sy;
static int cmp_sy(const void *a, const void *b) {
  double x = ((const sy *)a)->s, z = ((const sy *)b)->s;
  return (x > z) - (x < z);
}

double vt__rank_auc(const double *score, const double *y, size_t n) {
  sy *v = malloc((n + 1) * sizeof *v);
  if (!v) return NAN;
  for (size_t i = 0; i < n; i++) v[i] = (sy){score[i], y[i]};
  qsort(v, n, sizeof *v, cmp_sy);
  double rsum = 0, npos = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && v[j].s == v[i].s) j++;
    double rank = 0.5 * (double)(i + 1 + j); /* mid-rank of ties */
    for (size_t k = i; k < j; k++)
      if (v[k].y > 0.5) { rsum += rank; npos++; }
    i = j;
  }
  free(v);
  double nneg = (double)n - npos;
  if (npos == 0 || nneg == 0) return NAN;
  return (rsum - npos * (npos + 1) / 2) / (npos * nneg);
}

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void vt__stratified_folds(const double *y, size_t n, int k, uint64_t seed, int *fold) {
  size_t *idx = malloc((n + 1) * sizeof *idx);
  if (!idx) { for (size_t i = 0; i < n; i++) fold[i] = (int)(i % (size_t)k); return; }
  uint64_t s = seed;
  size_t off = 0;
  for (int cls = 0; cls < 2; cls++) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if ((y[i] > 0.5) == cls) idx[m++] = i;
    for (size_t i = m; i > 1; i--) { /* Fisher-Yates */
      size_t j = (size_t)(splitmix(&s) % i);
      size_t t = idx[i - 1]; idx[i - 1] = idx[j]; idx[j] = t;
    }
    for (size_t i = 0; i < m; i++) fold[idx[i]] = (int)((off + i) % (size_t)k);
    off += m;
  }
  free(idx);
}

static vt_status fit(int kind, const vt_learn_train_opts *o, const double *x, const double *y,
                     size_t n, size_t p, vt__model *m, vt_error *err) {
  memset(m, 0, sizeof *m);
  if (kind == VT_MODEL_LOGISTIC) {
    vt__logreg_opts lo;
    vt__logreg_defaults(&lo);
    lo.C = o->C;
    lo.l1_ratio = o->l1_ratio;
    return vt__logreg_fit(x, y, n, p, &lo, m, err);
  }
  vt__gbdt_opts go = {o->max_depth, o->n_estimators, (int)(o->seed & 0x7fffffff), o->jobs,
                      o->eta, o->subsample, o->colsample, o->min_child_weight, o->lambda};
  return vt__gbdt_fit(x, y, n, p, &go, m, err);
}

/* Cross-validated AUC of one model kind: per-fold AUCs, their mean, and the
 * pooled out-of-fold AUC. */
static vt_status cross_validate(int kind, const vt_learn_train_opts *o, const vt__design *d,
                                const int *fold, int k, json_t **out, double *mean_auc,
                                vt_error *err) {
  size_t p = d->p;
  double *xt = malloc((d->n * p + 1) * sizeof *xt), *yt = malloc((d->n + 1) * sizeof *yt);
  double *oof = malloc((d->n + 1) * sizeof *oof), *ys = malloc((d->n + 1) * sizeof *ys);
  double *sc = malloc((d->n + 1) * sizeof *sc);
  json_t *folds = json_array();
  vt_status st = VT_OK;
  double sum = 0;
  if (!xt || !yt || !oof || !ys || !sc) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (int f = 0; f < k && !st; f++) {
    size_t nt = 0, nv = 0;
    for (size_t i = 0; i < d->n; i++)
      if (fold[i] != f) {
        memcpy(xt + nt * p, d->x + i * p, p * sizeof *xt);
        yt[nt++] = d->y[i];
      }
    vt__model m;
    if ((st = fit(kind, o, xt, yt, nt, p, &m, err))) break;
    for (size_t i = 0; i < d->n; i++)
      if (fold[i] == f) {
        memcpy(xt + nv * p, d->x + i * p, p * sizeof *xt);
        ys[nv++] = d->y[i];
      }
    st = vt__model_logit(&m, xt, nv, sc, err);
    vt__model_clear(&m);
    if (st) break;
    size_t q = 0;
    for (size_t i = 0; i < d->n; i++)
      if (fold[i] == f) oof[i] = sc[q++];
    double auc = vt__rank_auc(sc, ys, nv);
    sum += auc;
    json_array_append_new(folds, json_pack("{s:i, s:I, s:f}", "fold", f, "n", (json_int_t)nv,
                                           "auc", auc));
  }
  if (!st) {
    *mean_auc = sum / k;
    *out = json_pack("{s:s, s:i, s:f, s:f, s:o}", "model",
                     kind == VT_MODEL_LOGISTIC ? "logistic" : "gbdt", "folds", k, "mean_fold_auc",
                     *mean_auc, "pooled_oof_auc", vt__rank_auc(oof, d->y, d->n), "per_fold",
                     folds);
    folds = NULL;
  }
  json_decref(folds);
  free(xt); free(yt); free(oof); free(ys); free(sc);
  return st;
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

/* Global importance: mean |contribution| per input column over the training
 * rows (mean |SHAP| for trees; mean |coefficient x standardised value| for
 * logistic), largest first, with the standardised coefficients for logistic. */
static json_t *importance(const vt__model *m, const vt__schema *s, const vt__design *d) {
  size_t q = d->p + 1;
  double *c = malloc((d->n * q + 1) * sizeof *c), *imp = calloc(s->nfeat + 1, sizeof *imp);
  vt_error err;
  json_t *arr = json_array();
  if (!c || !imp || vt__model_contrib(m, d->x, d->n, c, &err)) {
    free(c);
    free(imp);
    return arr;
  }
  for (size_t i = 0; i < d->n; i++)
    for (size_t f = 0; f < s->nfeat; f++) {
      double v = 0;
      for (size_t k = 0; k < s->feat[f].ndesign; k++) v += c[i * q + s->feat[f].design0 + k];
      imp[f] += fabs(v) / (double)d->n;
    }
  for (size_t r = 0; r < s->nfeat; r++) {
    size_t best = 0;
    for (size_t f = 1; f < s->nfeat; f++)
      if (imp[f] > imp[best]) best = f;
    json_array_append_new(arr, json_pack("{s:s, s:f}", "column", s->feat[best].name,
                                         "mean_abs_contribution", imp[best]));
    imp[best] = -1;
  }
  free(c);
  free(imp);
  return json_pack("{s:s, s:o}", "method", m->kind == VT_MODEL_GBDT
                   ? "mean |TreeSHAP| over training rows (log-odds)"
                   : "mean |coefficient x standardised value| over training rows (log-odds)",
                   "by_column", arr);
}

static json_t *training_data(const vt__table *t, const vt__design *d) {
  char hex[65];
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", t->sha256[i]);
  double ev = 0;
  for (size_t i = 0; i < d->n; i++) ev += d->y[i];
  return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "file", t->path, "sha256", hex, "n",
                   (json_int_t)d->n, "events", (json_int_t)ev, "imputed_cells",
                   (json_int_t)d->missing, "columns", (json_int_t)t->ncols);
}

vt_status vt_learn_train(const vt_learn_train_opts *o, vt_learn_model **out, vt_error *err) {
  int want_lr = 1, want_gb = 1;
  if (!o->data || !o->outcome) return vt_error_set(err, VT_EINVAL, NULL, "data and outcome are required");
  if (o->model && !strcmp(o->model, "logistic")) want_gb = 0;
  else if (o->model && !strcmp(o->model, "gbdt")) want_lr = 0;
  else if (o->model && strcmp(o->model, "auto"))
    return vt_error_set(err, VT_EINVAL, "--model", "'%s' is not logistic, gbdt or auto", o->model);
  if (o->C <= 0 || o->l1_ratio < 0 || o->l1_ratio > 1)
    return vt_error_set(err, VT_EINVAL, NULL, "C must be > 0 and l1_ratio in [0, 1]");
  vt__table *t = NULL;
  vt__schema *s = NULL;
  vt__design d = {0};
  vt_learn_model *lm = NULL;
  int *fold = NULL;
  json_t *cv_lr = NULL, *cv_gb = NULL;
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
  fold = malloc((d.n + 1) * sizeof *fold);
  if (!fold) { st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); goto done; }
  int k = o->folds;
  if (o->folds_file) {
    if ((st = read_folds(o->folds_file, d.n, fold, &k, err))) goto done;
  } else {
    double ev = 0;
    for (size_t i = 0; i < d.n; i++) ev += d.y[i];
    if (k < 2 || (double)k > ev || (double)k > (double)d.n - ev) {
      st = vt_error_set(err, VT_EINVAL, "--folds",
                        "%d folds need at least %d events and %d non-events (have %.0f, %.0f)",
                        k, k, k, ev, (double)d.n - ev);
      goto done;
    }
    vt__stratified_folds(d.y, d.n, k, o->seed, fold);
  }
  double auc_lr = -1, auc_gb = -1;
  if (want_lr && (st = cross_validate(VT_MODEL_LOGISTIC, o, &d, fold, k, &cv_lr, &auc_lr, err)))
    goto done;
  if (want_gb && (st = cross_validate(VT_MODEL_GBDT, o, &d, fold, k, &cv_gb, &auc_gb, err)))
    goto done;
  int kind = auc_lr >= auc_gb ? VT_MODEL_LOGISTIC : VT_MODEL_GBDT;
  lm = calloc(1, sizeof *lm);
  if (!lm) { st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); goto done; }
  if ((st = fit(kind, o, d.x, d.y, d.n, d.p, &lm->model, err))) goto done;
  double *lp = malloc((d.n + 1) * sizeof *lp);
  if (!lp) { st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); goto done; }
  if ((st = vt__model_logit(&lm->model, d.x, d.n, lp, err))) { free(lp); goto done; }
  double apparent = vt__rank_auc(lp, d.y, d.n);
  free(lp);
  json_t *chosen = kind == VT_MODEL_LOGISTIC ? cv_lr : cv_gb;
  json_t *runner = kind == VT_MODEL_LOGISTIC ? cv_gb : cv_lr;
  double ev = 0;
  for (size_t i = 0; i < d.n; i++) ev += d.y[i];
  json_t *metrics = json_pack(
      "{s:I, s:I, s:{s:f, s:n, s:s}, s:f, s:O, s:o, s:s}", "n", (json_int_t)d.n, "events",
      (json_int_t)ev, "auc", "value", json_real_value(json_object_get(chosen, "mean_fold_auc")),
      "ci95", "method", "cross-validated mean of fold AUCs (rank); DeLong CI pending learn-eval",
      "apparent_auc", apparent, "cross_validation", chosen, "runner_up",
      runner ? json_incref(runner) : json_null(), "selection",
      want_lr && want_gb ? "auto: higher mean cross-validated AUC" : "fixed by --model");
  char created[32];
  time_t now = time(NULL);
  struct tm tmv;
  gmtime_r(&now, &tmv);
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
  json_t *td = training_data(t, &d);
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
                       "importance", importance(&lm->model, s, &d), "lineage", "parent_sha256");
  if (!lm->meta) { st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); goto done; }
  lm->schema = s;
  s = NULL;
  *out = lm;
  lm = NULL;
done:
  json_decref(cv_lr);
  json_decref(cv_gb);
  free(fold);
  vt__design_free(&d);
  vt__schema_free(s);
  vt__table_free(t);
  vt_learn_model_free(lm);
  return st;
}
