/* model.c — the two model kinds behind one interface: gradient-boosted trees
 * through the XGBoost C API (exact TreeSHAP from pred_contribs), logistic
 * prediction and contributions (coefficient x standardised value), and their
 * JSON form inside the model file (XGBoost's own JSON embedded). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "learn/learn_internal.h"

void vt__gbdt_defaults(vt__gbdt_opts *o) {
  o->max_depth = 3;
  o->n_estimators = 100;
  o->seed = 0;
  o->nthread = 1;
  o->eta = 0.1;
  o->subsample = 1.0;
  o->colsample = 1.0;
  o->min_child_weight = 1.0;
  o->lambda = 1.0;
  o->hist = 1;
}

static vt_status xgb_err(vt_error *err, const char *what) {
  return vt_error_set(err, VT_EINTERNAL, "xgboost", "%s: %s", what, XGBGetLastError());
}

static vt_status make_dmatrix(const double *x, size_t n, size_t p, DMatrixHandle *dm,
                              vt_error *err) {
  float *f = malloc((n * p + 1) * sizeof *f);
  if (!f) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; i < n * p; i++) f[i] = (float)x[i];
  int rc = XGDMatrixCreateFromMat(f, n, p, NAN, dm);
  free(f);
  return rc ? xgb_err(err, "XGDMatrixCreateFromMat") : VT_OK;
}

static vt_status set_params(BoosterHandle b, const vt__gbdt_opts *o, vt_error *err) {
  char v[9][64];
  snprintf(v[0], 64, "%d", o->max_depth);
  snprintf(v[1], 64, "%.17g", o->eta);
  snprintf(v[2], 64, "%.17g", o->subsample);
  snprintf(v[3], 64, "%.17g", o->colsample);
  snprintf(v[4], 64, "%.17g", o->min_child_weight);
  snprintf(v[5], 64, "%.17g", o->lambda);
  snprintf(v[6], 64, "%d", o->seed);
  snprintf(v[7], 64, "%d", o->nthread > 0 ? o->nthread : 1);
  const char *k[] = {"max_depth", "eta", "subsample", "colsample_bytree", "min_child_weight",
                     "lambda", "seed", "nthread"};
  if (XGBoosterSetParam(b, "objective", "binary:logistic") ||
      XGBoosterSetParam(b, "tree_method", o->hist ? "hist" : "exact") ||
      XGBoosterSetParam(b, "base_score", "0.5") || XGBoosterSetParam(b, "verbosity", "0"))
    return xgb_err(err, "XGBoosterSetParam");
  for (int i = 0; i < 8; i++)
    if (XGBoosterSetParam(b, k[i], v[i])) return xgb_err(err, k[i]);
  return VT_OK;
}

/* Creates a booster on dm and runs the boosting rounds; *out only on success. */
static vt_status boost(DMatrixHandle dm, const vt__gbdt_opts *o, BoosterHandle *out,
                       vt_error *err) {
  BoosterHandle b = NULL;
  vt_status st = VT_OK;
  if (XGBoosterCreate(&dm, 1, &b)) return xgb_err(err, "XGBoosterCreate");
  st = set_params(b, o, err);
  for (int it = 0; !st && it < o->n_estimators; it++)
    if (XGBoosterUpdateOneIter(b, it, dm)) st = xgb_err(err, "XGBoosterUpdateOneIter");
  if (st) {
    XGBoosterFree(b);
    return st;
  }
  *out = b;
  return VT_OK;
}

vt_status vt__gbdt_fit(const double *x, const double *y, size_t n, size_t p,
                       const vt__gbdt_opts *o, vt__model *m, vt_error *err) {
  DMatrixHandle dm = NULL;
  BoosterHandle b = NULL;
  vt_status st = make_dmatrix(x, n, p, &dm, err);
  if (st) return st;
  float *lab = malloc(n * sizeof *lab);
  if (!lab) { XGDMatrixFree(dm); return vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); }
  for (size_t i = 0; i < n; i++) lab[i] = (float)y[i];
  if (XGDMatrixSetFloatInfo(dm, "label", lab, n)) st = xgb_err(err, "label");
  free(lab);
  if (!st) st = boost(dm, o, &b, err);
  XGDMatrixFree(dm);
  if (st) return st;
  m->kind = VT_MODEL_GBDT;
  m->p = p;
  m->booster = b;
  m->gb = *o;
  m->recal_a = 0;
  m->recal_b = 1;
  return VT_OK;
}

vt_status vt__gbdt_data_new(const double *x, const double *y, size_t n, size_t p, void **data,
                            vt_error *err) {
  if (n > (size_t)INT32_MAX)
    return vt_error_set(err, VT_ELIMIT, NULL, "%zu rows: XGBoost slices index rows with int", n);
  DMatrixHandle dm = NULL;
  vt_status st = make_dmatrix(x, n, p, &dm, err);
  if (st) return st;
  float *lab = malloc((n + 1) * sizeof *lab);
  if (!lab) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; lab && i < n; i++) lab[i] = (float)y[i];
  if (!st && XGDMatrixSetFloatInfo(dm, "label", lab, n)) st = xgb_err(err, "label");
  free(lab);
  if (st) {
    XGDMatrixFree(dm);
    return st;
  }
  *data = dm;
  return VT_OK;
}

void vt__gbdt_data_free(void *data) {
  if (data) XGDMatrixFree(data);
}

static vt_status slice(void *data, const size_t *rows, size_t nrows, DMatrixHandle *out,
                       vt_error *err) {
  int *idx = malloc((nrows + 1) * sizeof *idx);
  if (!idx) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; i < nrows; i++) idx[i] = (int)rows[i];
  int rc = XGDMatrixSliceDMatrix(data, idx, nrows, out);
  free(idx);
  return rc ? xgb_err(err, "XGDMatrixSliceDMatrix") : VT_OK;
}

vt_status vt__gbdt_fit_rows(void *data, const size_t *rows, size_t nrows, size_t p,
                            const vt__gbdt_opts *o, vt__model *m, vt_error *err) {
  DMatrixHandle dm = NULL;
  BoosterHandle b = NULL;
  vt_status st = slice(data, rows, nrows, &dm, err);
  if (st) return st;
  st = boost(dm, o, &b, err);
  XGDMatrixFree(dm);
  if (st) return st;
  memset(m, 0, sizeof *m);
  m->kind = VT_MODEL_GBDT;
  m->p = p;
  m->booster = b;
  m->gb = *o;
  m->recal_b = 1;
  return VT_OK;
}

vt_status vt__gbdt_logit_rows(const vt__model *m, void *data, const size_t *rows, size_t nrows,
                              double *out, vt_error *err) {
  DMatrixHandle dm = NULL;
  vt_status st = slice(data, rows, nrows, &dm, err);
  if (st) return st;
  bst_ulong len = 0;
  const float *res = NULL;
  if (XGBoosterPredict(m->booster, dm, 1, 0, 0, &len, &res)) st = xgb_err(err, "predict");
  else if (len != nrows)
    st = vt_error_set(err, VT_EINTERNAL, "xgboost", "prediction has %lu values, expected %zu",
                      (unsigned long)len, nrows);
  else
    for (size_t i = 0; i < nrows; i++) out[i] = m->recal_a + m->recal_b * res[i];
  XGDMatrixFree(dm);
  return st;
}

void vt__model_clear(vt__model *m) {
  free(m->coef);
  free(m->center);
  free(m->scale);
  if (m->booster) XGBoosterFree(m->booster);
  memset(m, 0, sizeof *m);
}

static vt_status gbdt_predict(const vt__model *m, const double *x, size_t n, int mask,
                              double *out, size_t per_row, vt_error *err) {
  DMatrixHandle dm = NULL;
  vt_status st = make_dmatrix(x, n, m->p, &dm, err);
  if (st) return st;
  bst_ulong len = 0;
  const float *res = NULL;
  if (XGBoosterPredict(m->booster, dm, mask, 0, 0, &len, &res)) st = xgb_err(err, "predict");
  else if (len != n * per_row)
    st = vt_error_set(err, VT_EINTERNAL, "xgboost", "prediction has %lu values, expected %zu",
                      (unsigned long)len, n * per_row);
  else
    for (size_t i = 0; i < n * per_row; i++) out[i] = res[i];
  XGDMatrixFree(dm);
  return st;
}

vt_status vt__model_logit(const vt__model *m, const double *x, size_t n, double *out,
                          vt_error *err) {
  if (m->kind == VT_MODEL_GBDT) {
    vt_status st = gbdt_predict(m, x, n, 1, out, 1, err);
    if (st) return st;
  } else {
    for (size_t i = 0; i < n; i++) {
      double e = m->intercept;
      for (size_t j = 0; j < m->p; j++)
        e += m->coef[j] * (x[i * m->p + j] - m->center[j]) / m->scale[j];
      out[i] = e;
    }
  }
  for (size_t i = 0; i < n; i++) out[i] = m->recal_a + m->recal_b * out[i];
  return VT_OK;
}

vt_status vt__model_contrib(const vt__model *m, const double *x, size_t n, double *out,
                            vt_error *err) {
  size_t q = m->p + 1;
  if (m->kind == VT_MODEL_GBDT) return gbdt_predict(m, x, n, 4, out, q, err);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < m->p; j++)
      out[i * q + j] = m->coef[j] * (x[i * m->p + j] - m->center[j]) / m->scale[j];
    out[i * q + m->p] = m->intercept;
  }
  return VT_OK;
}

static json_t *darr(const double *v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(a, json_real(v[i]));
  return a;
}

json_t *vt__model_to_json(const vt__model *m, const vt__schema *s, vt_error *err) {
  json_t *recal = json_pack("{s:f, s:f}", "intercept", m->recal_a, "slope", m->recal_b);
  if (m->kind == VT_MODEL_LOGISTIC) {
    json_t *named = json_object();
    for (size_t j = 0; j < m->p; j++)
      json_object_set_new(named, s->design_names[j], json_real(m->coef[j]));
    const char *pen = m->lr.l1_ratio == 0 ? "l2" : m->lr.l1_ratio == 1 ? "l1" : "elasticnet";
    return json_pack("{s:s, s:s, s:f, s:f, s:s, s:f, s:o, s:o, s:o, s:o, s:o}", "type",
                     "logistic", "penalty", pen, "C", m->lr.C, "l1_ratio", m->lr.l1_ratio,
                     "lambda_rule", "1/(C*n_train)", "intercept", m->intercept,
                     "coefficients_standardised", darr(m->coef, m->p), "coefficients_by_column",
                     named, "center", darr(m->center, m->p), "scale", darr(m->scale, m->p),
                     "recalibration", recal);
  }
  bst_ulong len = 0;
  const char *buf = NULL;
  if (XGBoosterSaveModelToBuffer(m->booster, "{\"format\":\"json\"}", &len, &buf)) {
    json_decref(recal);
    xgb_err(err, "XGBoosterSaveModelToBuffer");
    return NULL;
  }
  json_error_t je;
  json_t *xj = json_loadb(buf, len, 0, &je);
  if (!xj) {
    json_decref(recal);
    vt_error_set(err, VT_EINTERNAL, "xgboost", "its model JSON does not parse: %s", je.text);
    return NULL;
  }
  return json_pack("{s:s, s:{s:i, s:f, s:i, s:f, s:f, s:f, s:f, s:i, s:s}, s:o, s:o}", "type",
                   "gbdt", "params", "max_depth", m->gb.max_depth, "eta", m->gb.eta,
                   "n_estimators", m->gb.n_estimators, "subsample", m->gb.subsample,
                   "colsample_bytree", m->gb.colsample, "min_child_weight",
                   m->gb.min_child_weight, "lambda", m->gb.lambda, "seed", m->gb.seed,
                   "tree_method", m->gb.hist ? "hist" : "exact", "xgboost_model", xj,
                   "recalibration", recal);
}

static vt_status read_darr(json_t *a, size_t p, double **out, const char *field, vt_error *err) {
  if (!json_is_array(a) || json_array_size(a) != p)
    return vt_error_set(err, VT_EFORMAT, "model file",
                        "field 'model.%s' must be an array of %zu numbers", field, p);
  double *v = calloc(p + 1, sizeof *v);
  if (!v) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; i < p; i++) {
    json_t *e = json_array_get(a, i);
    if (!json_is_number(e)) {
      free(v);
      return vt_error_set(err, VT_EFORMAT, "model file", "field 'model.%s[%zu]' is not a number",
                          field, i);
    }
    v[i] = json_number_value(e);
  }
  *out = v;
  return VT_OK;
}

vt_status vt__model_from_json(json_t *j, size_t p, vt__model *m, vt_error *err) {
  memset(m, 0, sizeof *m);
  const char *type = json_string_value(json_object_get(j, "type"));
  json_t *rc = json_object_get(j, "recalibration");
  if (!type) return vt_error_set(err, VT_EFORMAT, "model file", "field 'model.type' is missing");
  if (json_unpack(rc, "{s:F, s:F}", "intercept", &m->recal_a, "slope", &m->recal_b))
    return vt_error_set(err, VT_EFORMAT, "model file", "field 'model.recalibration' is invalid");
  m->p = p;
  if (!strcmp(type, "logistic")) {
    m->kind = VT_MODEL_LOGISTIC;
    vt_status st;
    json_t *ic = json_object_get(j, "intercept");
    if (!json_is_number(ic))
      return vt_error_set(err, VT_EFORMAT, "model file", "field 'model.intercept' is missing");
    m->intercept = json_number_value(ic);
    m->lr.C = json_number_value(json_object_get(j, "C"));
    m->lr.l1_ratio = json_number_value(json_object_get(j, "l1_ratio"));
    if ((st = read_darr(json_object_get(j, "coefficients_standardised"), p, &m->coef,
                        "coefficients_standardised", err)) ||
        (st = read_darr(json_object_get(j, "center"), p, &m->center, "center", err)) ||
        (st = read_darr(json_object_get(j, "scale"), p, &m->scale, "scale", err))) {
      vt__model_clear(m);
      return st;
    }
    return VT_OK;
  }
  if (strcmp(type, "gbdt"))
    return vt_error_set(err, VT_EFORMAT, "model file", "field 'model.type' is '%s', not "
                        "'logistic' or 'gbdt'", type);
  m->kind = VT_MODEL_GBDT;
  json_t *xj = json_object_get(j, "xgboost_model"), *pr = json_object_get(j, "params");
  if (!json_is_object(xj) || !json_is_object(pr))
    return vt_error_set(err, VT_EFORMAT, "model file", "field 'model.xgboost_model' is missing");
  json_unpack(pr, "{s?i, s?F, s?i, s?F, s?F, s?F, s?F, s?i}", "max_depth", &m->gb.max_depth,
              "eta", &m->gb.eta, "n_estimators", &m->gb.n_estimators, "subsample",
              &m->gb.subsample, "colsample_bytree", &m->gb.colsample, "min_child_weight",
              &m->gb.min_child_weight, "lambda", &m->gb.lambda, "seed", &m->gb.seed);
  const char *tm = json_string_value(json_object_get(pr, "tree_method"));
  m->gb.hist = tm && !strcmp(tm, "hist");
  char *txt = json_dumps(xj, JSON_COMPACT);
  if (!txt) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  BoosterHandle b = NULL;
  int bad = XGBoosterCreate(NULL, 0, &b) || XGBoosterLoadModelFromBuffer(b, txt, strlen(txt));
  free(txt);
  if (bad) {
    if (b) XGBoosterFree(b);
    return vt_error_set(err, VT_EFORMAT, "model file: model.xgboost_model",
                        "XGBoost refused the embedded model: %s", XGBGetLastError());
  }
  bst_ulong nf = 0;
  if (XGBoosterGetNumFeature(b, &nf) == 0 && nf != p) {
    XGBoosterFree(b);
    return vt_error_set(err, VT_EFORMAT, "model file: model.xgboost_model",
                        "the booster has %lu features but the schema %zu", (unsigned long)nf, p);
  }
  m->booster = b;
  return VT_OK;
}
