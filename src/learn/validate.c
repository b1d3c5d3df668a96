/* validate.c — external validation of a saved model on another cohort:
 * discrimination and calibration on the new data, drift of every input (PSI
 * with the usual 0.1/0.25 bands; Kolmogorov-Smirnov for numeric and
 * chi-square for categorical inputs, with p-values) and logistic
 * recalibration of the linear predictor into a new model version.
 *
 * The p-value functions are written here (Numerical Recipes' incomplete gamma
 * and the Kolmogorov series with Stephens' small-sample correction, 1970)
 * because no Debian C library already linked provides them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "learn/learn_internal.h"

/* Upper regularised incomplete gamma Q(a, x). */
static double gammq(double a, double x) {
  if (x <= 0) return 1.0;
  double gln = lgamma(a);
  if (x < a + 1) { /* series for P */
    double ap = a, sum = 1.0 / a, del = sum;
    for (int n = 0; n < 1000; n++) {
      del *= x / ++ap;
      sum += del;
      if (fabs(del) < fabs(sum) * 1e-15) break;
    }
    return 1.0 - sum * exp(-x + a * log(x) - gln);
  }
  double b = x + 1 - a, c = 1e300, d = 1 / b, h = d; /* Lentz continued fraction */
  for (int i = 1; i < 1000; i++) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (fabs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (fabs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (fabs(del - 1) < 1e-15) break;
  }
  return exp(-x + a * log(x) - gln) * h;
}

/* P(D > d) for the Kolmogorov distribution with effective size ne. */
static double ks_p(double d, double ne) {
  double sq = sqrt(ne), lam = (sq + 0.12 + 0.11 / sq) * d;
  if (lam < 0.2) return 1.0;
  double s = 0, sign = 1;
  for (int k = 1; k <= 100; k++) {
    double t = sign * exp(-2.0 * k * k * lam * lam);
    s += t;
    if (fabs(t) < 1e-12) break;
    sign = -sign;
  }
  s *= 2;
  return s < 0 ? 0 : s > 1 ? 1 : s;
}

static double psi_term(double e, double a) {
  if (e < 1e-4) e = 1e-4;
  if (a < 1e-4) a = 1e-4;
  return (a - e) * log(a / e);
}

static const char *psi_band(double psi) {
  return psi < 0.1 ? "stable" : psi < 0.25 ? "moderate shift" : "major shift";
}

/* Training CDF from the stored percentiles as a step function (right- and
 * left-limits), exact to 1 % and correct for discrete inputs with ties. */
static double train_cdf_le(const vt__feature *f, double v) {
  if (v < f->quant[0]) return 0;
  int q = 100;
  while (q > 0 && f->quant[q] > v) q--;
  return q / 100.0;
}
static double train_cdf_lt(const vt__feature *f, double v) {
  int q = 0;
  while (q <= 100 && f->quant[q] < v) q++;
  return q > 100 ? 1.0 : q / 100.0;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static json_t *drift(const vt__feature *f, const vt__table *t, size_t col) {
  size_t n = 0;
  if (!f->categorical) {
    double *v = malloc((t->nrows + 1) * sizeof *v), share[10] = {0};
    if (!v) return json_null();
    for (size_t i = 0; i < t->nrows; i++)
      if (vt__parse_num(t->cells[i * t->ncols + col], &v[n])) n++;
    if (n == 0) { free(v); return json_pack("{s:s, s:s}", "column", f->name, "note", "no values"); }
    for (size_t i = 0; i < n; i++) share[vt__psi_bin(f, v[i])] += 1.0 / (double)n;
    double psi = 0;
    for (int b = 0; b < 10; b++) psi += psi_term(f->bin_frac[b], share[b]);
    qsort(v, n, sizeof *v, cmp_dbl);
    double dmax = 0;
    for (size_t i = 0; i < n;) { /* at each distinct value: both one-sided limits */
      size_t j = i;
      while (j < n && v[j] == v[i]) j++;
      dmax = fmax(dmax, fabs((double)j / (double)n - train_cdf_le(f, v[i])));
      dmax = fmax(dmax, fabs((double)i / (double)n - train_cdf_lt(f, v[i])));
      i = j;
    }
    free(v);
    double ne = f->nobs ? (double)n * (double)f->nobs / ((double)n + (double)f->nobs) : (double)n;
    return json_pack("{s:s, s:s, s:I, s:f, s:s, s:{s:s, s:f, s:f, s:s}}", "column", f->name,
                     "type", "numeric", "n", (json_int_t)n, "psi", psi, "psi_band", psi_band(psi),
                     "test", "name", "kolmogorov-smirnov", "statistic", dmax, "p_value",
                     ks_p(dmax, ne), "note",
                     "two-sample KS against the training CDF stored as 101 percentiles (D exact to 0.01)");
  }
  double *cnt = calloc(f->nlevels + 2, sizeof *cnt);
  if (!cnt) return json_null();
  for (size_t i = 0; i < t->nrows; i++) {
    const char *v = t->cells[i * t->ncols + col];
    if (vt__is_missing(v)) continue;
    size_t l = 0;
    while (l < f->nlevels && strcmp(f->levels[l], v)) l++;
    cnt[l] += 1; /* l == nlevels: unseen */
    n++;
  }
  double psi = 0, chi = 0;
  int df = -1;
  double nt = (double)f->nobs;
  for (size_t l = 0; l <= f->nlevels && n; l++) {
    double e = l < f->nlevels ? f->level_frac[l] : 0, a = cnt[l] / (double)n;
    psi += psi_term(e, a);
    double o1 = e * nt, o2 = cnt[l], tot = o1 + o2;
    if (tot <= 0) continue;
    df++;
    double e1 = tot * nt / (nt + (double)n), e2 = tot * (double)n / (nt + (double)n);
    chi += (o1 - e1) * (o1 - e1) / e1 + (o2 - e2) * (o2 - e2) / e2;
  }
  free(cnt);
  double p = df > 0 ? gammq(df / 2.0, chi / 2.0) : 1.0;
  return json_pack("{s:s, s:s, s:I, s:f, s:s, s:{s:s, s:f, s:i, s:f}}", "column", f->name,
                   "type", "categorical", "n", (json_int_t)n, "psi", psi, "psi_band",
                   psi_band(psi), "test", "name", "chi-square (2 x levels)", "statistic", chi,
                   "df", df > 0 ? df : 0, "p_value", p);
}

/* Logistic regression of y on (1, lp) by Newton; slope fixed at 1 (offset)
 * when fix_slope. */
static void calib_fit(const double *lp, const double *y, size_t n, int fix_slope, double *a,
                      double *b) {
  *a = 0;
  *b = 1;
  for (int it = 0; it < 100; it++) {
    double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
    for (size_t i = 0; i < n; i++) {
      double p = 1 / (1 + exp(-(*a + *b * lp[i]))), w = p * (1 - p);
      g0 += y[i] - p;
      g1 += (y[i] - p) * lp[i];
      h00 += w;
      h01 += w * lp[i];
      h11 += w * lp[i] * lp[i];
    }
    double da, db = 0;
    if (fix_slope) da = g0 / h00;
    else {
      double det = h00 * h11 - h01 * h01;
      if (fabs(det) < 1e-300) break;
      da = (h11 * g0 - h01 * g1) / det;
      db = (h00 * g1 - h01 * g0) / det;
    }
    *a += da;
    *b += db;
    if (fabs(da) + fabs(db) < 1e-12) break;
  }
}

static vt_status file_sha256(const char *path, char hex[65], vt_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return vt_error_set(err, VT_EIO, path, "cannot open for hashing");
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned char buf[65536], md[32];
  unsigned int len = 0;
  size_t k;
  EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  while ((k = fread(buf, 1, sizeof buf, f)) > 0) EVP_DigestUpdate(ctx, buf, k);
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  fclose(f);
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
  return VT_OK;
}

vt_status vt__validate(const vt_learn_model *m, const char *data, const char *model_path,
                       const char *recal_out, json_t **report, vt_error *err) {
  vt__table *t = NULL;
  vt__design d;
  vt_status st = vt__table_read(data, &t, err);
  if (st) return st;
  if ((st = vt__design_build(m->schema, t, 1, &d, err))) { vt__table_free(t); return st; }
  double *lp = malloc((d.n + 1) * sizeof *lp);
  if (!lp) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  if (!st) st = vt__model_logit(&m->model, d.x, d.n, lp, err);
  if (st) { free(lp); vt__design_free(&d); vt__table_free(t); return st; }
  double ev = 0, brier = 0, a1, b1, a0, b0;
  for (size_t i = 0; i < d.n; i++) {
    double p = 1 / (1 + exp(-lp[i]));
    ev += d.y[i];
    brier += (p - d.y[i]) * (p - d.y[i]);
  }
  brier /= (double)d.n;
  double prev = ev / (double)d.n, bmax = prev * (1 - prev);
  calib_fit(lp, d.y, d.n, 1, &a1, &b0);
  calib_fit(lp, d.y, d.n, 0, &a0, &b1);
  json_t *metrics = json_pack(
      "{s:I, s:I, s:{s:f, s:n, s:s}, s:f, s:f, s:{s:f, s:f, s:s}}", "n", (json_int_t)d.n,
      "events", (json_int_t)ev, "auc", "value", vt__rank_auc(lp, d.y, d.n), "ci95", "method",
      "rank (Mann-Whitney); DeLong CI pending learn-eval", "brier", brier, "scaled_brier",
      bmax > 0 ? 1 - brier / bmax : NAN, "calibration", "intercept", a1, "slope", b1, "method",
      "logistic recalibration: intercept with slope fixed at 1 (offset), slope jointly with "
      "its own intercept");
  json_t *dr = json_array();
  for (size_t f = 0; f < m->schema->nfeat; f++)
    json_array_append_new(dr, drift(&m->schema->feat[f], t, vt__table_col(t, m->schema->feat[f].name)));
  *report = json_pack("{s:s, s:o, s:o, s:I}", "data", data, "metrics", metrics, "drift", dr,
                      "unseen_levels", (json_int_t)d.unseen);
  free(lp);
  vt__design_free(&d);
  vt__table_free(t);
  if (!recal_out) return VT_OK;
  /* a new version: lp' = a0 + b1 * lp (lp already includes any earlier recalibration) */
  char hex[65];
  if ((st = file_sha256(model_path, hex, err))) { json_decref(*report); return st; }
  /* reload the parent to get an independent copy of schema and model */
  vt_learn_model *copy = NULL;
  if ((st = vt_learn_model_load(model_path, &copy, err))) { json_decref(*report); return st; }
  copy->model.recal_a = a0 + b1 * copy->model.recal_a;
  copy->model.recal_b = b1 * copy->model.recal_b;
  json_t *old = json_object_get(copy->meta, "lineage");
  json_t *chain = json_array();
  json_t *prevchain = old ? json_object_get(old, "ancestors") : NULL;
  if (json_is_array(prevchain)) json_array_extend(chain, prevchain);
  json_array_append_new(chain, json_string(hex));
  char created[32];
  time_t now = time(NULL);
  struct tm tmv;
  gmtime_r(&now, &tmv);
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
  json_object_set_new(copy->meta, "lineage",
                      json_pack("{s:s, s:o, s:s, s:s, s:f, s:f}", "parent_sha256", hex,
                                "ancestors", chain, "change", "logistic recalibration",
                                "recalibration_data", data, "intercept", a0, "slope", b1));
  json_object_set_new(copy->meta, "created", json_string(created));
  json_object_set(copy->meta, "validation", *report);
  st = vt_learn_model_save(copy, recal_out, err);
  vt_learn_model_free(copy);
  if (st) json_decref(*report);
  return st;
}
