/* metrics.c — discrimination, calibration, classification, decision-curve and
 * subgroup metrics for binary risk models, and their JSON. Hand-written: no
 * Debian C library offers DeLong's variance, calibration slope/intercept or
 * net benefit (the formulas and references are in docs/learn-validation.md). */
#include "learn/metrics.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/sort.h"
#include "learn/resample.h"

#define Z975 1.959963984540054 /* Phi^-1(0.975) */
#define MAX_SUBGROUPS 100      /* more levels than this is not a subgroup audit */
#define ROC_GRID 101           /* ROC drawn at FPR 0, 0.01, ..., 1 */
#define SMOOTH_POINTS 50

/* ---------------------------------------------------------------- helpers */

double vt__norm_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

double vt__norm_quantile(double p) {
  /* Acklam's rational approximation (rel. error 1.15e-9), then one Halley
   * step against erfc, which brings it to machine precision. */
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  if (!(p > 0.0)) return -INFINITY;
  if (!(p < 1.0)) return INFINITY;
  double q, r, x;
  if (p < 0.02425) {
    q = sqrt(-2 * log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    q = sqrt(-2 * log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    q = p - 0.5;
    r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  double e = vt__norm_cdf(x) - p;
  double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

void vt__wilson_ci(size_t k, size_t n, double *lo, double *hi) {
  if (n == 0) {
    *lo = *hi = NAN;
    return;
  }
  double nn = (double)n, p = (double)k / nn, z2 = Z975 * Z975;
  double den = 1 + z2 / nn;
  double centre = (p + z2 / (2 * nn)) / den;
  double half = Z975 * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / den;
  *lo = fmax(0.0, centre - half);
  *hi = fmin(1.0, centre + half);
}

static vt_status check_inputs(const double *p, const unsigned char *y, size_t n, int prob,
                              vt_error *err) {
  if (n == 0) return vt_error_set(err, VT_EINVAL, NULL, "no rows to evaluate");
  for (size_t i = 0; i < n; i++) {
    if (y[i] > 1)
      return vt_error_set(err, VT_EINVAL, NULL, "row %zu: outcome %u is not 0 or 1", i + 1,
                          (unsigned)y[i]);
    if (!isfinite(p[i]))
      return vt_error_set(err, VT_EINVAL, NULL, "row %zu: score is not a finite number", i + 1);
    if (prob && (p[i] < 0.0 || p[i] > 1.0))
      return vt_error_set(err, VT_EINVAL, NULL, "row %zu: probability %.17g is outside [0, 1]",
                          i + 1, p[i]);
  }
  return VT_OK;
}

typedef struct sp {
  double s;
  unsigned char y;
} sp;

/* Scores with their outcomes, sorted ascending (stably: ties keep row order). */
static vt_status sorted_pairs(const double *s, const unsigned char *y, size_t n, sp **out,
                              vt_error *err) {
  sp *a = malloc((n + 1) * sizeof *a);
  size_t *order = malloc((n + 1) * sizeof *order);
  vt_status st = a && order ? vt__sort_order(s, n, order, err)
                            : vt_error_set(err, VT_ENOMEM, NULL, "out of memory sorting %zu scores", n);
  for (size_t i = 0; !st && i < n; i++) a[i] = (sp){s[order[i]], y[order[i]]};
  free(order);
  if (st) {
    free(a);
    return st;
  }
  *out = a;
  return VT_OK;
}

/* ------------------------------------------------------------ AUC, DeLong */

/* Sun & Xu (2014) showed DeLong's structural components are midrank
 * differences; with the rows sorted they reduce to counts per tie group:
 * V10 of a positive = (negatives below + half the tied negatives) / nneg,
 * V01 of a negative = (positives above + half the tied positives) / npos. */
static void delong_sorted(const sp *a, size_t n, vt__auc_delong *o) {
  size_t npos = 0;
  for (size_t i = 0; i < n; i++) npos += a[i].y;
  size_t nneg = n - npos;
  o->npos = npos;
  o->nneg = nneg;
  double m = (double)npos, nn = (double)nneg;
  double sum = 0;
  size_t cn = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i, gp = 0, gn = 0;
    while (j < n && a[j].s == a[i].s) gp += a[j++].y;
    gn = (j - i) - gp;
    sum += (double)gp * ((double)cn + 0.5 * (double)gn);
    cn += gn;
    i = j;
  }
  double auc = sum / (m * nn);
  double s10 = 0, s01 = 0;
  size_t cpos_above = npos;
  cn = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i, gp = 0, gn = 0;
    while (j < n && a[j].s == a[i].s) gp += a[j++].y;
    gn = (j - i) - gp;
    cpos_above -= gp;
    double v10 = ((double)cn + 0.5 * (double)gn) / nn;
    double v01 = ((double)cpos_above + 0.5 * (double)gp) / m;
    s10 += (double)gp * (v10 - auc) * (v10 - auc);
    s01 += (double)gn * (v01 - auc) * (v01 - auc);
    cn += gn;
    i = j;
  }
  o->auc = auc;
  if (npos >= 2 && nneg >= 2) {
    o->var = s10 / (m - 1) / m + s01 / (nn - 1) / nn;
    o->se = sqrt(o->var);
    o->wald_lo = fmax(0.0, auc - Z975 * o->se);
    o->wald_hi = fmin(1.0, auc + Z975 * o->se);
    if (auc > 0 && auc < 1) {
      double l = log(auc / (1 - auc)), h = Z975 * o->se / (auc * (1 - auc));
      o->ci_lo = 1 / (1 + exp(-(l - h)));
      o->ci_hi = 1 / (1 + exp(-(l + h)));
    } else {
      o->ci_lo = o->ci_hi = auc;
    }
  } else {
    o->var = o->se = o->ci_lo = o->ci_hi = o->wald_lo = o->wald_hi = NAN;
  }
}

vt_status vt__auc_delong_compute(const double *score, const unsigned char *y, size_t n,
                                 vt__auc_delong *out, vt_error *err) {
  vt_status st = check_inputs(score, y, n, 0, err);
  if (st) return st;
  size_t npos = 0;
  for (size_t i = 0; i < n; i++) npos += y[i];
  if (npos == 0 || npos == n)
    return vt_error_set(err, VT_EINVAL, NULL, "the AUC needs both outcomes: all %zu rows are %s",
                        n, npos ? "events" : "non-events");
  sp *a;
  if ((st = sorted_pairs(score, y, n, &a, err))) return st;
  delong_sorted(a, n, out);
  free(a);
  return VT_OK;
}

/* ------------------------------------------------------------------ Brier */

vt_status vt__brier(const double *prob, const unsigned char *y, size_t n, double *brier,
                    double *scaled, vt_error *err) {
  vt_status st = check_inputs(prob, y, n, 1, err);
  if (st) return st;
  double s = 0;
  size_t ev = 0;
  for (size_t i = 0; i < n; i++) {
    double d = prob[i] - y[i];
    s += d * d;
    ev += y[i];
  }
  double b = s / (double)n, prev = (double)ev / (double)n;
  if (brier) *brier = b;
  if (scaled) *scaled = (ev == 0 || ev == n) ? NAN : 1.0 - b / (prev * (1 - prev));
  return VT_OK;
}

/* ------------------------------------------------------------ calibration */

static double clip_logit(double p) {
  const double eps = 1e-15;
  if (p < eps) p = eps;
  if (p > 1 - eps) p = 1 - eps;
  return log(p / (1 - p));
}

static double log1pexp(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }
static double sigmoid(double x) {
  return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
}

/* Log-likelihood of logit P = a + b*lp; fills gradient and information. */
static double cal_loglik(const double *lp, const unsigned char *y, size_t n, double a, double b,
                         double g[2], double h[3]) {
  double ll = 0;
  g[0] = g[1] = h[0] = h[1] = h[2] = 0;
  for (size_t i = 0; i < n; i++) {
    double eta = a + b * lp[i];
    ll += y[i] * eta - log1pexp(eta);
    double mu = sigmoid(eta), w = mu * (1 - mu), r = y[i] - mu;
    g[0] += r;
    g[1] += r * lp[i];
    h[0] += w;
    h[1] += w * lp[i];
    h[2] += w * lp[i] * lp[i];
  }
  return ll;
}

/* Newton–Raphson with step halving; fit_slope 0 keeps b = 1 (offset model). */
static int cal_newton(const double *lp, const unsigned char *y, size_t n, int fit_slope,
                      double *a, double *b, double info[3]) {
  double g[2], h[3];
  double ll = cal_loglik(lp, y, n, *a, *b, g, h);
  for (int it = 0; it < 100; it++) {
    double da, db = 0;
    if (fit_slope) {
      double det = h[0] * h[2] - h[1] * h[1];
      if (!(det > 0)) return 0;
      da = (h[2] * g[0] - h[1] * g[1]) / det;
      db = (h[0] * g[1] - h[1] * g[0]) / det;
    } else {
      if (!(h[0] > 0)) return 0;
      da = g[0] / h[0];
    }
    double step = 1, na = *a, nb = *b, nll = ll, ng[2], nh[3];
    for (int k = 0; k < 60; k++) {
      na = *a + step * da;
      nb = *b + step * db;
      nll = cal_loglik(lp, y, n, na, nb, ng, nh);
      if (nll >= ll - 1e-12 * fabs(ll)) break;
      step /= 2;
    }
    int done = fabs(na - *a) < 1e-12 * (1 + fabs(na)) && fabs(nb - *b) < 1e-12 * (1 + fabs(nb));
    *a = na;
    *b = nb;
    ll = nll;
    memcpy(g, ng, sizeof g);
    memcpy(h, nh, sizeof h);
    if (done || (fabs(g[0]) < 1e-13 * n && (!fit_slope || fabs(g[1]) < 1e-13 * n))) {
      /* one more exact Newton step at the optimum is harmless; stop here */
      if (fabs(*a) > 30 || fabs(*b) > 1e3) return 0; /* separation: estimates diverge */
      memcpy(info, h, 3 * sizeof *h);
      return 1;
    }
  }
  return 0;
}

vt_status vt__calibration_fit_compute(const double *prob, const unsigned char *y, size_t n,
                                      vt__calibration_fit *out, vt_error *err) {
  vt_status st = check_inputs(prob, y, n, 1, err);
  if (st) return st;
  double *lp = malloc(n * sizeof *lp);
  if (!lp) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory (calibration, %zu rows)", n);
  size_t ev = 0;
  for (size_t i = 0; i < n; i++) {
    lp[i] = clip_logit(prob[i]);
    ev += y[i];
  }
  vt__calibration_fit o;
  for (double *v = &o.intercept; v <= &o.slope_intercept; v++) *v = NAN;
  o.converged = 0;
  if (ev > 0 && ev < n) {
    double a = 0, b = 1, info[3];
    int ok1 = cal_newton(lp, y, n, 0, &a, &b, info);
    if (ok1) {
      o.intercept = a;
      o.intercept_se = 1 / sqrt(info[0]);
      o.intercept_lo = a - Z975 * o.intercept_se;
      o.intercept_hi = a + Z975 * o.intercept_se;
    }
    /* when lp separates the outcomes the slope's MLE is infinite: say so
     * rather than report where Newton happened to stop */
    double max0 = -INFINITY, min1 = INFINITY, max1 = -INFINITY, min0 = INFINITY;
    for (size_t i = 0; i < n; i++) {
      if (y[i]) {
        min1 = fmin(min1, lp[i]);
        max1 = fmax(max1, lp[i]);
      } else {
        min0 = fmin(min0, lp[i]);
        max0 = fmax(max0, lp[i]);
      }
    }
    int separated = max0 <= min1 || max1 <= min0;
    double a2 = 0, b2 = 1;
    int ok2 = !separated && cal_newton(lp, y, n, 1, &a2, &b2, info);
    if (ok2) {
      double det = info[0] * info[2] - info[1] * info[1];
      o.slope = b2;
      o.slope_intercept = a2;
      o.slope_se = sqrt(info[0] / det);
      o.slope_lo = b2 - Z975 * o.slope_se;
      o.slope_hi = b2 + Z975 * o.slope_se;
    }
    o.converged = ok1 && ok2;
  }
  free(lp);
  *out = o;
  return VT_OK;
}

/* numpy.linspace(0, 1, nb + 1)[k] exactly: k * (1/nb), last = 1. */
static double np_linspace01(size_t k, size_t nb) {
  if (k == nb) return 1.0;
  double step = 1.0 / (double)nb;
  return (double)k * step + 0.0;
}

/* numpy.percentile(sorted, 100 * q) with the default 'linear' method, with
 * numpy's operation order (q*100/100, and its two-sided lerp). */
static double np_percentile(const double *s, size_t n, double q) {
  double qq = (q * 100.0) / 100.0;
  double virt = (double)(n - 1) * qq;
  if (virt >= (double)(n - 1)) return s[n - 1];
  if (virt < 0) return s[0];
  double fl = floor(virt);
  size_t prev = (size_t)fl;
  double t = virt - fl, a = s[prev], b = s[prev + 1], diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

vt_status vt__calibration_curve(const double *prob, const unsigned char *y, size_t n,
                                size_t n_bins, vt__bin_strategy strategy,
                                vt__calib_bin **bins, size_t *nbins, vt_error *err) {
  vt_status st = check_inputs(prob, y, n, 1, err);
  if (st) return st;
  if (n_bins < 1 || n_bins > 1000)
    return vt_error_set(err, VT_EINVAL, NULL, "calibration bins %zu not in [1, 1000]", n_bins);
  double *edges = malloc((n_bins + 1) * sizeof *edges);
  double *sum = calloc(n_bins, sizeof *sum);
  size_t *cnt = calloc(n_bins, sizeof *cnt), *evs = calloc(n_bins, sizeof *evs);
  double *sorted = strategy == VT_BINS_QUANTILE ? malloc(n * sizeof *sorted) : NULL;
  vt__calib_bin *out = NULL;
  if (!edges || !sum || !cnt || !evs || (strategy == VT_BINS_QUANTILE && !sorted)) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (calibration curve)");
    goto done;
  }
  if (strategy == VT_BINS_QUANTILE) {
    memcpy(sorted, prob, n * sizeof *sorted);
    if ((st = vt__sort_doubles(sorted, n, err))) goto done;
    for (size_t k = 0; k <= n_bins; k++) edges[k] = np_percentile(sorted, n, np_linspace01(k, n_bins));
  } else {
    for (size_t k = 0; k <= n_bins; k++) edges[k] = np_linspace01(k, n_bins);
  }
  /* np.searchsorted(edges[1:-1], p, side='left'): inner edges strictly below p. */
  for (size_t i = 0; i < n; i++) {
    size_t lo = 0, hi = n_bins - 1; /* search in edges[1 .. n_bins-1] */
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (edges[1 + mid] < prob[i]) lo = mid + 1;
      else hi = mid;
    }
    sum[lo] += prob[i];
    cnt[lo]++;
    evs[lo] += y[i];
  }
  size_t k = 0;
  for (size_t b = 0; b < n_bins; b++) k += cnt[b] != 0;
  out = malloc((k ? k : 1) * sizeof *out);
  if (!out) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (calibration curve)");
    goto done;
  }
  k = 0;
  for (size_t b = 0; b < n_bins; b++) {
    if (!cnt[b]) continue;
    vt__calib_bin *c = &out[k++];
    c->n = cnt[b];
    c->events = evs[b];
    c->mean_predicted = sum[b] / (double)cnt[b];
    c->observed = (double)evs[b] / (double)cnt[b];
    vt__wilson_ci(evs[b], cnt[b], &c->lo, &c->hi);
  }
  *bins = out;
  *nbins = k;
  out = NULL;
done:
  free(edges);
  free(sum);
  free(cnt);
  free(evs);
  free(sorted);
  free(out);
  return st;
}

vt_status vt__calibration_lowess(const double *prob, const unsigned char *y, size_t n,
                                 double span, size_t npoints, double **xo, double **fo,
                                 vt_error *err) {
  vt_status st = check_inputs(prob, y, n, 1, err);
  if (st) return st;
  if (!(span > 0 && span <= 1) || npoints < 2)
    return vt_error_set(err, VT_EINVAL, NULL, "lowess span %g must be in (0, 1], points >= 2",
                        span);
  sp *a = NULL;
  double *x = malloc(npoints * sizeof *x), *f = malloc(npoints * sizeof *f);
  if (!x || !f || (st = sorted_pairs(prob, y, n, &a, err))) {
    free(x);
    free(f);
    return st ? st : vt_error_set(err, VT_ENOMEM, NULL, "out of memory (lowess)");
  }
  /* neighbourhood size and weights as statsmodels' lowess (and Cleveland's):
   * k = floor(span n), tricube of distance / distance of the k-th nearest
   * (so the farthest neighbour has weight 0) */
  size_t k = (size_t)(span * (double)n + 1e-10);
  if (k < 2) k = 2;
  if (k > n) k = n;
  double lo = a[0].s, hi = a[n - 1].s;
  for (size_t p = 0; p < npoints; p++) {
    double x0 = lo + (hi - lo) * (double)p / (double)(npoints - 1);
    /* the k nearest neighbours of x0 form a window [l, r) of the sorted rows */
    size_t l = 0, r = n;
    { /* first row with s >= x0 */
      size_t a0 = 0, b0 = n;
      while (a0 < b0) {
        size_t mid = a0 + (b0 - a0) / 2;
        if (a[mid].s < x0) a0 = mid + 1;
        else b0 = mid;
      }
      l = r = a0;
    }
    while (r - l < k) {
      if (l == 0) r++;
      else if (r == n) l--;
      else if (x0 - a[l - 1].s <= a[r].s - x0) l--;
      else r++;
    }
    double h = fmax(x0 - a[l].s, a[r - 1].s - x0);
    double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = l; i < r; i++) {
      double w = 1;
      if (h > 0) {
        double u = fabs(a[i].s - x0) / h;
        double t = 1 - u * u * u;
        w = t * t * t;
      }
      sw += w;
      sx += w * a[i].s;
      sy += w * a[i].y;
      sxx += w * a[i].s * a[i].s;
      sxy += w * a[i].s * a[i].y;
    }
    double fit = NAN;
    if (sw > 0) {
      double mx = sx / sw, my = sy / sw, vxx = sxx / sw - mx * mx;
      fit = my;
      if (vxx > 1e-12 * (1 + mx * mx)) fit = my + (sxy / sw - mx * my) / vxx * (x0 - mx);
    }
    x[p] = x0;
    f[p] = fit; /* not clipped: a local line may leave [0, 1] near the ends */
  }
  free(a);
  *xo = x;
  *fo = f;
  return VT_OK;
}

/* ----------------------------------------------- thresholds, decision curve */

/* Ascending probabilities and, for each index i, the events among rows < i. */
typedef struct cum {
  sp *a;
  size_t *pos_before; /* n + 1 */
  size_t n, events;
} cum;

static vt_status cum_build(const double *p, const unsigned char *y, size_t n, cum *c,
                           vt_error *err) {
  vt_status st = sorted_pairs(p, y, n, &c->a, err);
  if (st) return st;
  c->pos_before = malloc((n + 1) * sizeof *c->pos_before);
  if (!c->pos_before) {
    free(c->a);
    c->a = NULL;
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory (%zu rows)", n);
  }
  c->pos_before[0] = 0;
  for (size_t i = 0; i < n; i++) c->pos_before[i + 1] = c->pos_before[i] + c->a[i].y;
  c->n = n;
  c->events = c->pos_before[n];
  return VT_OK;
}

static void cum_free(cum *c) {
  free(c->a);
  free(c->pos_before);
}

/* Rows with p >= t: tp events and fp non-events. */
static void cum_at(const cum *c, double t, size_t *tp, size_t *fp) {
  size_t lo = 0, hi = c->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->a[mid].s < t) lo = mid + 1;
    else hi = mid;
  }
  *tp = c->events - c->pos_before[lo];
  *fp = (c->n - lo) - *tp;
}

static void ratio_ci(size_t k, size_t n, double *v, double *lo, double *hi) {
  *v = n ? (double)k / (double)n : NAN;
  vt__wilson_ci(k, n, lo, hi);
}

static void fill_threshold(double t, size_t tp, size_t fp, size_t events, size_t n,
                           vt__threshold_metrics *o) {
  o->threshold = t;
  o->tp = tp;
  o->fp = fp;
  o->fn = events - tp;
  o->tn = (n - events) - fp;
  ratio_ci(o->tp, o->tp + o->fn, &o->sensitivity, &o->sens_lo, &o->sens_hi);
  ratio_ci(o->tn, o->tn + o->fp, &o->specificity, &o->spec_lo, &o->spec_hi);
  ratio_ci(o->tp, o->tp + o->fp, &o->ppv, &o->ppv_lo, &o->ppv_hi);
  ratio_ci(o->tn, o->tn + o->fn, &o->npv, &o->npv_lo, &o->npv_hi);
}

void vt__threshold_metrics_compute(const double *prob, const unsigned char *y, size_t n,
                                   double threshold, vt__threshold_metrics *out) {
  size_t tp = 0, fp = 0, ev = 0;
  for (size_t i = 0; i < n; i++) {
    ev += y[i] != 0;
    if (prob[i] >= threshold) {
      if (y[i]) tp++;
      else fp++;
    }
  }
  fill_threshold(threshold, tp, fp, ev, n, out);
}

static void dca_point(double t, size_t tp, size_t fp, size_t events, size_t n,
                      vt__dca_point *o) {
  double nn = (double)n, odds = t / (1 - t), prev = (double)events / nn;
  o->threshold = t;
  o->tp = tp;
  o->fp = fp;
  o->net_benefit = (double)tp / nn - (double)fp / nn * odds;
  o->treat_all = prev - (1 - prev) * odds;
  o->treat_none = 0;
}

vt_status vt__decision_curve(const double *prob, const unsigned char *y, size_t n,
                             const double *thr, size_t nthr, vt__dca_point *out,
                             vt_error *err) {
  vt_status st = check_inputs(prob, y, n, 1, err);
  if (st) return st;
  for (size_t k = 0; k < nthr; k++)
    if (!(thr[k] > 0 && thr[k] < 1))
      return vt_error_set(err, VT_EINVAL, NULL,
                          "decision-curve threshold %g is not in (0, 1)", thr[k]);
  cum c;
  if ((st = cum_build(prob, y, n, &c, err))) return st;
  for (size_t k = 0; k < nthr; k++) {
    size_t tp, fp;
    cum_at(&c, thr[k], &tp, &fp);
    dca_point(thr[k], tp, fp, c.events, n, &out[k]);
  }
  cum_free(&c);
  return VT_OK;
}

/* ------------------------------------------------------ the whole metrics */

struct vt__metrics {
  size_t n, events;
  vt__auc_delong auc;
  double boot_lo, boot_hi, brier_boot_lo, brier_boot_hi;
  size_t boot_b;
  double brier, scaled;
  vt__calibration_fit cal;
  vt__calib_bin *curve, *curve_u;
  size_t ncurve, ncurve_u;
  double *sx, *sy, span;
  size_t nsmooth;
  vt__roc_point *roc;
  size_t nroc;
  vt__threshold_metrics *thr;
  size_t nthr;
  vt__dca_point *dca;
  size_t ndca;
  char **sub_names;
  vt__metrics **subs;
  size_t nsubs;
  char **warn;
  size_t nwarn;
};

static const double default_thresholds[] = {0.1, 0.2, 0.3, 0.5};

void vt__metrics_options_init(vt__metrics_options *o) {
  memset(o, 0, sizeof *o);
  o->bootstrap = 1000;
  o->seed = 1;
  o->calibration_bins = 10;
  o->min_subgroup_events = 10;
}

void vt__metrics_free(vt__metrics *m) {
  if (!m) return;
  free(m->curve);
  free(m->curve_u);
  free(m->sx);
  free(m->sy);
  free(m->roc);
  free(m->thr);
  free(m->dca);
  for (size_t i = 0; i < m->nsubs; i++) {
    free(m->sub_names[i]);
    vt__metrics_free(m->subs[i]);
  }
  free(m->sub_names);
  free(m->subs);
  for (size_t i = 0; i < m->nwarn; i++) free(m->warn[i]);
  free(m->warn);
  free(m);
}

static vt_status warnf(vt__metrics *m, vt_error *err, const char *fmt, ...) VT_PRINTF(3, 4);
static vt_status warnf(vt__metrics *m, vt_error *err, const char *fmt, ...) {
  vt_buf b;
  vt__buf_init(&b, 4096);
  va_list ap;
  va_start(ap, fmt);
  vt_status st = vt__buf_reserve(&b, 256);
  if (!st) {
    int k = vsnprintf(b.data, b.cap, fmt, ap);
    b.len = k < 0 ? 0 : ((size_t)k < b.cap ? (size_t)k : b.cap - 1);
  }
  va_end(ap);
  char **w = st ? NULL : realloc(m->warn, (m->nwarn + 1) * sizeof *w);
  if (!w) {
    vt__buf_free(&b);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory (warnings)");
  }
  m->warn = w;
  m->warn[m->nwarn++] = vt__buf_take(&b, NULL);
  return VT_OK;
}

/* Row flags of the ascending scores a[0..n) for the AUC/ROC pass: bit 0 the
 * outcome, bit 1 set on the lowest row of each tie group. */
static void row_flags(const sp *a, size_t n, unsigned char *flag) {
  for (size_t i = 0; i < n; i++)
    flag[i] = (unsigned char)(a[i].y | (i == 0 || a[i - 1].s != a[i].s) << 1);
}

/* first[g] = the least non-event count c with g/(ROC_GRID-1) < c/nneg in
 * double arithmetic (nneg + 1 if none): c/nneg rounds monotonically in c, so
 * the ROC sweep can test "grid point g lies below FPR c/nneg" on counts.
 * first[ROC_GRID] = SIZE_MAX ends the sweep. */
static void roc_first(size_t nneg, size_t first[ROC_GRID + 1]) {
  size_t c = 0;
  for (size_t g = 0; g < ROC_GRID; g++) {
    double f = (double)g / (ROC_GRID - 1);
    while (c <= nneg && !(f < (double)c / (double)nneg)) c++;
    first[g] = c;
  }
  first[ROC_GRID] = SIZE_MAX;
}

/* Fills the ROC grid points from g on that the tie group just swept passes
 * (gp events and gn > 0 non-events; tp, fp the totals with it; last = the
 * lowest group): the curve is linear within the group, and at an FPR where
 * it is vertical the upper point is taken. Returns the next grid point. */
static size_t roc_fill(size_t g, size_t tp, size_t fp, size_t gp, size_t gn, int last,
                       double wpos, double wneg, double *tpr) {
  double f0 = (double)(fp - gn) / wneg, t0 = (double)(tp - gp) / wpos;
  double f1 = (double)fp / wneg, t1 = (double)tp / wpos;
  for (; g < ROC_GRID; g++) {
    double f = (double)g / (ROC_GRID - 1);
    if (!(f < f1 || (last && f <= f1 + 1e-12))) break;
    tpr[g] = f <= f0 ? t0 : t0 + (t1 - t0) * (f - f0) / (f1 - f0);
  }
  return g;
}

/* One pass over the rows from the highest score down, tie group by tie
 * group (flag: row_flags()), rows weighted by w (npos and nneg are the
 * weighted totals). Returns twice the AUC's numerator (sum over events of
 * the non-events below + half the tied ones), exact in integers. If tpr is
 * not NULL it receives the ROC at FPR grid points g/(ROC_GRID-1). After a
 * group fp < next = first[g] holds, so a group that reaches no new grid
 * point costs a compare. */
static uint64_t auc_roc_pass(const unsigned char *flag, const unsigned *w, size_t n,
                             size_t npos, size_t nneg, const size_t *first, double *tpr) {
  double wpos = (double)npos, wneg = (double)nneg;
  size_t tp = 0, fp = 0, g = tpr ? 0 : ROC_GRID, gp = 0, gt = 0, next = first[g];
  uint64_t auc2 = 0;
  for (size_t k = n; k > 0; k--) {
    size_t wk = w[k - 1];
    gt += wk;
    gp += wk & -(size_t)(flag[k - 1] & 1); /* no branch on the outcome */
    if (!(flag[k - 1] & 2)) continue;      /* the group goes on below */
    size_t gn = gt - gp;
    auc2 += (uint64_t)gp * (2 * (nneg - fp) - gn);
    tp += gp;
    fp += gn;
    if ((fp >= next || k == 1) && gn && g < ROC_GRID) {
      g = roc_fill(g, tp, fp, gp, gn, k == 1, wpos, wneg, tpr);
      next = first[g];
    }
    gp = gt = 0;
  }
  for (; tpr && g < ROC_GRID; g++) tpr[g] = 1.0;
  return auc2;
}

/* Percentile of sorted v[0..b) (linear, as numpy), for the bootstrap CIs. */
static double pct(const double *v, size_t b, double q) { return np_percentile(v, b, q); }

/* Stratified bootstrap: events and non-events are resampled separately (so
 * each replicate keeps the observed prevalence and has both classes, as
 * pROC's stratified bootstrap). Per replicate the AUC and ROC grid come from
 * one weighted pass over the tie groups, the Brier score from one over the
 * rows in order: O(n). Replicate b draws from RNG stream b and writes slot
 * b, so the result does not depend on the thread count. */
typedef struct boot_job {
  const unsigned char *flag; /* row_flags() of the sorted rows */
  const double *resid;       /* their probability minus outcome */
  const size_t *posi, *negi, *first; /* events, non-events; roc_first() */
  size_t n, npos, nneg, B;
  uint64_t seed;
  int with_roc;
  double *aucs, *briers, *rocs;
  unsigned stride, first_b;    /* this worker does b = first_b, first_b + stride, ... */
  const vt_progress *progress; /* only the calling thread's job reports */
  int oom;
} boot_job;

/* m draws with replacement from the rows idx[0..m), counted in w. A function
 * of its own so the generator's state stays in registers (inlined into the
 * replicate loop it was spilled to the stack: 2x slower). */
static void draw(vt__rng *r, const size_t *idx, size_t m, unsigned *w) {
  vt__rng s = *r;
  for (size_t k = 0; k < m; k++) w[idx[vt__rng_below(&s, m)]]++;
  *r = s;
}

static void *boot_run(void *arg) {
  boot_job *j = arg;
  size_t n = j->n;
  unsigned *w = malloc((n ? n : 1) * sizeof *w);
  if (!w) {
    j->oom = 1;
    return NULL;
  }
  size_t step = j->B / 100 ? j->B / 100 : 1;
  for (size_t b = j->first_b; b < j->B; b += j->stride) {
    vt__rng r;
    vt__rng_seed(&r, j->seed, b);
    memset(w, 0, n * sizeof *w);
    draw(&r, j->posi, j->npos, w);
    draw(&r, j->negi, j->nneg, w);
    double bs = 0;
    for (size_t k = 0; k < n; k++) bs += w[k] * j->resid[k] * j->resid[k];
    uint64_t auc2 = auc_roc_pass(j->flag, w, n, j->npos, j->nneg, j->first,
                                 j->with_roc ? j->rocs + b * ROC_GRID : NULL);
    j->aucs[b] = (double)auc2 * 0.5 / ((double)j->npos * (double)j->nneg);
    j->briers[b] = bs / (double)n;
    if (j->progress && ((b + 1) % step < j->stride || b + j->stride >= j->B))
      vt_progress_report(j->progress, "bootstrap", b + 1 < j->B ? b + 1 : j->B, j->B);
  }
  free(w);
  return NULL;
}

/* a: the sorted rows, flag their row_flags(); first: roc_first(). */
static vt_status bootstrap(vt__metrics *m, const sp *a, const unsigned char *flag, size_t n,
                           const size_t *first, const vt__metrics_options *o, int with_roc,
                           vt_error *err) {
  size_t B = o->bootstrap, npos = m->auc.npos, nneg = m->auc.nneg;
  unsigned jobs = o->jobs > 1 ? o->jobs : 1;
  if (jobs > B) jobs = (unsigned)B;
  if (jobs > 64) jobs = 64;
  size_t *posi = malloc((npos ? npos : 1) * sizeof *posi);
  size_t *negi = malloc((nneg ? nneg : 1) * sizeof *negi);
  double *resid = malloc((n ? n : 1) * sizeof *resid);
  double *aucs = malloc(B * sizeof *aucs), *briers = malloc(B * sizeof *briers);
  double *rocs = with_roc ? malloc(B * ROC_GRID * sizeof *rocs) : NULL;
  double *col = with_roc ? malloc(B * sizeof *col) : NULL;
  boot_job jb[64];
  pthread_t th[64];
  unsigned started = 1;
  vt_status st = VT_OK;
  if (!posi || !negi || !resid || !aucs || !briers || (with_roc && (!rocs || !col))) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (bootstrap of %zu replicates)", B);
    goto done;
  }
  size_t ip = 0, in = 0;
  for (size_t i = 0; i < n; i++) {
    resid[i] = a[i].s - a[i].y; /* scores are the probabilities */
    if (a[i].y) posi[ip++] = i;
    else negi[in++] = i;
  }
  for (unsigned t = 0; t < jobs; t++)
    jb[t] = (boot_job){flag, resid, posi, negi, first, n, npos, nneg, B, o->seed, with_roc,
                       aucs, briers, rocs, jobs, t, t == 0 ? o->progress : NULL, 0};
  for (; started < jobs; started++)
    if (pthread_create(&th[started], NULL, boot_run, &jb[started])) break;
  /* stripes whose thread could not start run here, after the caller's own */
  boot_run(&jb[0]);
  for (unsigned t = started; t < jobs; t++) boot_run(&jb[t]);
  for (unsigned t = 1; t < started; t++) pthread_join(th[t], NULL);
  for (unsigned t = 0; t < jobs; t++)
    if (jb[t].oom) {
      st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (bootstrap)");
      goto done;
    }
  if ((st = vt__sort_doubles(aucs, B, err)) || (st = vt__sort_doubles(briers, B, err))) goto done;
  m->boot_lo = pct(aucs, B, 0.025);
  m->boot_hi = pct(aucs, B, 0.975);
  m->brier_boot_lo = pct(briers, B, 0.025);
  m->brier_boot_hi = pct(briers, B, 0.975);
  m->boot_b = B;
  if (with_roc) {
    for (size_t g = 0; g < ROC_GRID; g++) {
      for (size_t b = 0; b < B; b++) col[b] = rocs[b * ROC_GRID + g];
      if ((st = vt__sort_doubles(col, B, err))) goto done;
      m->roc[g].tpr_lo = pct(col, B, 0.025);
      m->roc[g].tpr_hi = pct(col, B, 0.975);
    }
  }
done:
  free(posi);
  free(negi);
  free(resid);
  free(aucs);
  free(briers);
  free(rocs);
  free(col);
  return st;
}

static vt_status compute_one(const double *prob, const unsigned char *y, size_t n,
                             const vt__metrics_options *o, int top, const char *label,
                             vt__metrics **out, vt_error *err);

typedef struct grp {
  const char *name;
  size_t row;
} grp;

static int grp_cmp(const void *a, const void *b) {
  const grp *x = a, *z = b;
  int c = strcmp(x->name, z->name);
  if (c) return c;
  return (x->row > z->row) - (x->row < z->row);
}

typedef struct lvl {
  size_t first, start, count; /* first row; range in the sorted grp array */
} lvl;

static int lvl_cmp(const void *a, const void *b) {
  const lvl *x = a, *z = b;
  return (x->first > z->first) - (x->first < z->first);
}

static vt_status subgroups(vt__metrics *m, const double *prob, const unsigned char *y, size_t n,
                           const char *const *group, const vt__metrics_options *o,
                           vt_error *err) {
  grp *g = malloc(n * sizeof *g);
  lvl *lv = NULL;
  double *sp_ = NULL;
  unsigned char *sy = NULL;
  vt_status st = VT_OK;
  if (!g) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory (subgroups)");
  for (size_t i = 0; i < n; i++)
    g[i] = (grp){group[i] && group[i][0] ? group[i] : "(missing)", i};
  qsort(g, n, sizeof *g, grp_cmp);
  size_t nl = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp(g[i].name, g[i - 1].name)) nl++;
  if (nl > MAX_SUBGROUPS) {
    st = vt_error_set(err, VT_ELIMIT, NULL,
                      "subgroup column has %zu levels (at most %d): is it an identifier?", nl,
                      MAX_SUBGROUPS);
    goto done;
  }
  lv = malloc(nl * sizeof *lv);
  sp_ = malloc(n * sizeof *sp_);
  sy = malloc(n);
  m->sub_names = calloc(nl, sizeof *m->sub_names);
  m->subs = calloc(nl, sizeof *m->subs);
  if (!lv || !sp_ || !sy || !m->sub_names || !m->subs) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (subgroups)");
    goto done;
  }
  nl = 0;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || strcmp(g[i].name, g[i - 1].name)) lv[nl++] = (lvl){g[i].row, i, 0};
    lv[nl - 1].count++;
  }
  qsort(lv, nl, sizeof *lv, lvl_cmp);
  for (size_t l = 0; l < nl; l++) {
    size_t k = lv[l].count, ev = 0;
    for (size_t j = 0; j < k; j++) {
      size_t row = g[lv[l].start + j].row;
      sp_[j] = prob[row];
      sy[j] = y[row];
      ev += y[row];
    }
    const char *name = g[lv[l].start].name;
    m->sub_names[l] = strdup(name);
    if (!m->sub_names[l]) {
      st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (subgroups)");
      goto done;
    }
    m->nsubs = l + 1;
    if ((st = compute_one(sp_, sy, k, o, 0, name, &m->subs[l], err))) goto done;
    if (ev < o->min_subgroup_events || k - ev < o->min_subgroup_events) {
      if ((st = warnf(m, err,
                      "subgroup '%s': %zu event(s) and %zu non-event(s) (fewer than %zu): "
                      "its estimates are unstable and its CIs wide",
                      name, ev, k - ev, o->min_subgroup_events)))
        goto done;
    }
  }
done:
  free(g);
  free(lv);
  free(sp_);
  free(sy);
  return st;
}

static vt_status compute_one(const double *prob, const unsigned char *y, size_t n,
                             const vt__metrics_options *o, int top, const char *label,
                             vt__metrics **out, vt_error *err) {
  vt__metrics *m = calloc(1, sizeof *m);
  cum c = {0};
  unsigned char *flag = NULL; /* row_flags() of the sorted rows */
  unsigned *ones = NULL;
  vt_status st;
  if (!m) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory (metrics)");
  m->n = n;
  m->boot_lo = m->boot_hi = m->brier_boot_lo = m->brier_boot_hi = NAN;
  m->auc.auc = m->auc.var = m->auc.se = m->auc.ci_lo = m->auc.ci_hi = NAN;
  m->auc.wald_lo = m->auc.wald_hi = NAN;
  if ((st = cum_build(prob, y, n, &c, err))) goto fail;
  m->events = c.events;
  m->auc.npos = c.events;
  m->auc.nneg = n - c.events;
  int both = c.events > 0 && c.events < n;
  if ((st = vt__brier(prob, y, n, &m->brier, &m->scaled, err))) goto fail;
  if ((st = vt__calibration_fit_compute(prob, y, n, &m->cal, err))) goto fail;
  size_t nb = o->calibration_bins ? o->calibration_bins : 10;
  if ((st = vt__calibration_curve(prob, y, n, nb, VT_BINS_QUANTILE, &m->curve, &m->ncurve, err)))
    goto fail;
  if ((st = vt__calibration_curve(prob, y, n, nb, VT_BINS_UNIFORM, &m->curve_u, &m->ncurve_u,
                                  err)))
    goto fail;
  m->span = 2.0 / 3.0;
  if (n >= 3) {
    if ((st = vt__calibration_lowess(prob, y, n, m->span, SMOOTH_POINTS, &m->sx, &m->sy, err)))
      goto fail;
    m->nsmooth = SMOOTH_POINTS;
  }
  /* classification and decision curve */
  const double *thr = o->thresholds ? o->thresholds : default_thresholds;
  size_t nthr = o->thresholds ? o->nthresholds : sizeof default_thresholds / sizeof *thr;
  m->thr = calloc(nthr ? nthr : 1, sizeof *m->thr);
  size_t ndca = o->dca_grid ? o->ndca : 99;
  m->dca = calloc(ndca ? ndca : 1, sizeof *m->dca);
  if (!m->thr || !m->dca) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (metrics)");
    goto fail;
  }
  for (size_t k = 0; k < nthr; k++) {
    size_t tp, fp;
    cum_at(&c, thr[k], &tp, &fp);
    fill_threshold(thr[k], tp, fp, c.events, n, &m->thr[k]);
  }
  m->nthr = nthr;
  for (size_t k = 0; k < ndca; k++) {
    double t = o->dca_grid ? o->dca_grid[k] : (double)(k + 1) / 100.0;
    if (!(t > 0 && t < 1)) {
      st = vt_error_set(err, VT_EINVAL, NULL, "decision-curve threshold %g is not in (0, 1)", t);
      goto fail;
    }
    size_t tp, fp;
    cum_at(&c, t, &tp, &fp);
    dca_point(t, tp, fp, c.events, n, &m->dca[k]);
  }
  m->ndca = ndca;
  if (both) {
    delong_sorted(c.a, n, &m->auc);
    m->roc = calloc(ROC_GRID, sizeof *m->roc);
    double *tpr = malloc(ROC_GRID * sizeof *tpr);
    flag = malloc(n);
    ones = malloc(n * sizeof *ones);
    if (!m->roc || !tpr || !flag || !ones) {
      free(tpr);
      st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (ROC)");
      goto fail;
    }
    size_t first[ROC_GRID + 1];
    roc_first(n - c.events, first);
    row_flags(c.a, n, flag);
    for (size_t i = 0; i < n; i++) ones[i] = 1;
    auc_roc_pass(flag, ones, n, c.events, n - c.events, first, tpr);
    for (size_t g = 0; g < ROC_GRID; g++)
      m->roc[g] = (vt__roc_point){(double)g / (ROC_GRID - 1), tpr[g], NAN, NAN};
    free(tpr);
    m->nroc = ROC_GRID;
    if (o->bootstrap > 0 && (st = bootstrap(m, c.a, flag, n, first, o, top, err))) goto fail;
    if (m->auc.npos < 2 || m->auc.nneg < 2)
      if ((st = warnf(m, err, "%s%s%s: fewer than 2 events or non-events: no DeLong CI",
                      label ? "subgroup '" : "all rows", label ? label : "", label ? "'" : "")))
        goto fail;
    if (m->auc.auc == 1.0 || m->auc.auc == 0.0)
      if ((st = warnf(m, err, "%s%s%s: the scores separate the outcomes perfectly (AUC %g): the "
                              "DeLong CI is degenerate and the calibration slope cannot be "
                              "estimated",
                      label ? "subgroup '" : "all rows", label ? label : "", label ? "'" : "",
                      m->auc.auc)))
        goto fail;
    if (!m->cal.converged && m->auc.auc != 1.0 && m->auc.auc != 0.0)
      if ((st = warnf(m, err, "%s%s%s: the calibration model did not converge (separation?)",
                      label ? "subgroup '" : "all rows", label ? label : "", label ? "'" : "")))
        goto fail;
  } else {
    if ((st = warnf(m, err, "%s%s%s: only %s: AUC, calibration and scaled Brier are undefined",
                    label ? "subgroup '" : "all rows", label ? label : "", label ? "'" : "",
                    c.events ? "events" : "non-events")))
      goto fail;
  }
  free(flag);
  free(ones);
  cum_free(&c);
  *out = m;
  return VT_OK;
fail:
  free(flag);
  free(ones);
  cum_free(&c);
  vt__metrics_free(m);
  return st;
}

vt_status vt__metrics_compute(const double *prob, const unsigned char *y, size_t n,
                              const char *const *group, const vt__metrics_options *opts,
                              vt__metrics **out, vt_error *err) {
  vt__metrics_options def;
  if (!opts) {
    vt__metrics_options_init(&def);
    opts = &def;
  }
  vt_status st = check_inputs(prob, y, n, 1, err);
  if (st) return st;
  vt__metrics *m;
  if ((st = compute_one(prob, y, n, opts, 1, NULL, &m, err))) return st;
  if (group && (st = subgroups(m, prob, y, n, group, opts, err))) {
    vt__metrics_free(m);
    return st;
  }
  /* a subgroup's warnings are repeated at the top, where readers look */
  for (size_t s = 0; s < m->nsubs; s++)
    for (size_t w = 0; w < m->subs[s]->nwarn; w++)
      if ((st = warnf(m, err, "%s", m->subs[s]->warn[w]))) {
        vt__metrics_free(m);
        return st;
      }
  *out = m;
  return VT_OK;
}

/* ----------------------------------------------------------------- access */

size_t vt__metrics_n(const vt__metrics *m) { return m->n; }
size_t vt__metrics_events(const vt__metrics *m) { return m->events; }
const vt__auc_delong *vt__metrics_auc(const vt__metrics *m) { return &m->auc; }
void vt__metrics_auc_bootstrap(const vt__metrics *m, double *lo, double *hi, size_t *b) {
  if (lo) *lo = m->boot_lo;
  if (hi) *hi = m->boot_hi;
  if (b) *b = m->boot_b;
}
double vt__metrics_brier(const vt__metrics *m) { return m->brier; }
double vt__metrics_scaled_brier(const vt__metrics *m) { return m->scaled; }
const vt__calibration_fit *vt__metrics_calibration(const vt__metrics *m) { return &m->cal; }
const vt__calib_bin *vt__metrics_curve(const vt__metrics *m, size_t *nbins) {
  *nbins = m->ncurve;
  return m->curve;
}
const vt__calib_bin *vt__metrics_curve_uniform(const vt__metrics *m, size_t *nbins) {
  *nbins = m->ncurve_u;
  return m->curve_u;
}
size_t vt__metrics_smooth(const vt__metrics *m, const double **x, const double **fitted) {
  *x = m->sx;
  *fitted = m->sy;
  return m->nsmooth;
}
const vt__roc_point *vt__metrics_roc(const vt__metrics *m, size_t *npoints) {
  *npoints = m->nroc;
  return m->roc;
}
const vt__threshold_metrics *vt__metrics_thresholds(const vt__metrics *m, size_t *count) {
  *count = m->nthr;
  return m->thr;
}
const vt__dca_point *vt__metrics_dca(const vt__metrics *m, size_t *count) {
  *count = m->ndca;
  return m->dca;
}
size_t vt__metrics_nsubgroups(const vt__metrics *m) { return m->nsubs; }
const char *vt__metrics_subgroup_name(const vt__metrics *m, size_t i) {
  return i < m->nsubs ? m->sub_names[i] : NULL;
}
const vt__metrics *vt__metrics_subgroup(const vt__metrics *m, size_t i) {
  return i < m->nsubs ? m->subs[i] : NULL;
}
size_t vt__metrics_nwarnings(const vt__metrics *m) { return m->nwarn; }
const char *vt__metrics_warning(const vt__metrics *m, size_t i) {
  return i < m->nwarn ? m->warn[i] : NULL;
}

/* ------------------------------------------------------------------- JSON */

/* Numbers that are undefined for this data are null. Every json_*_set_new
 * below takes its value even when NULL (jansson then fails the set), and a
 * failed set makes the whole result NULL through `ok`. */
static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }
static json_t *jpair(double a, double b) { return json_pack("[oo]", jnum(a), jnum(b)); }

static json_t *bins_json(const vt__calib_bin *c, size_t k) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < k; i++) {
    json_t *o = json_pack("{s:o,s:o,s:I,s:I,s:o}", "mean_predicted", jnum(c[i].mean_predicted),
                          "observed", jnum(c[i].observed), "n", (json_int_t)c[i].n, "events",
                          (json_int_t)c[i].events, "ci95", jpair(c[i].lo, c[i].hi));
    if (!o || json_array_append_new(arr, o)) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

static json_t *darr(const double *v, size_t k) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < k; i++)
    if (json_array_append_new(arr, jnum(v[i]))) {
      json_decref(arr);
      return NULL;
    }
  return arr;
}

static json_t *rate_json(double v, double lo, double hi) {
  return json_pack("{s:o,s:o}", "value", jnum(v), "ci95", jpair(lo, hi));
}

static json_t *metrics_json(const vt__metrics *m, int top) {
  int ok = 1;
  json_t *j = json_object();
  if (!j) return NULL;
  ok &= !json_object_set_new(j, "n", json_integer((json_int_t)m->n));
  ok &= !json_object_set_new(j, "events", json_integer((json_int_t)m->events));
  ok &= !json_object_set_new(j, "prevalence", jnum((double)m->events / (double)m->n));
  json_t *auc = json_pack("{s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:I}", "value", jnum(m->auc.auc),
                          "ci95", jpair(m->auc.ci_lo, m->auc.ci_hi), "method", "delong",
                          "ci_scale", "logit", "se", jnum(m->auc.se), "variance",
                          jnum(m->auc.var), "wald_ci95", jpair(m->auc.wald_lo, m->auc.wald_hi),
                          "bootstrap_ci95", jpair(m->boot_lo, m->boot_hi),
                          "bootstrap_replicates", (json_int_t)m->boot_b);
  ok &= !json_object_set_new(j, "auc", auc);
  ok &= !json_object_set_new(j, "brier", jnum(m->brier));
  ok &= !json_object_set_new(j, "brier_bootstrap_ci95", jpair(m->brier_boot_lo, m->brier_boot_hi));
  ok &= !json_object_set_new(j, "scaled_brier", jnum(m->scaled));
  json_t *smooth = json_pack("{s:s,s:o,s:o,s:o}", "method", "lowess", "span", jnum(m->span), "x",
                             darr(m->sx, m->nsmooth), "fitted", darr(m->sy, m->nsmooth));
  json_t *cal = json_pack(
      "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o}", "intercept", jnum(m->cal.intercept),
      "intercept_ci95", jpair(m->cal.intercept_lo, m->cal.intercept_hi), "slope",
      jnum(m->cal.slope), "slope_ci95", jpair(m->cal.slope_lo, m->cal.slope_hi),
      "slope_model_intercept", jnum(m->cal.slope_intercept), "converged",
      json_boolean(m->cal.converged), "curve", bins_json(m->curve, m->ncurve), "curve_strategy",
      "quantile", "curve_uniform", bins_json(m->curve_u, m->ncurve_u), "bins",
      json_integer((json_int_t)(m->ncurve)), "smooth", smooth);
  ok &= !json_object_set_new(j, "calibration", cal);
  json_t *roc = json_array();
  for (size_t i = 0; roc && i < m->nroc; i++)
    ok &= !json_array_append_new(roc, json_pack("{s:o,s:o,s:o}", "fpr", jnum(m->roc[i].fpr), "tpr",
                                                 jnum(m->roc[i].tpr), "tpr_ci95",
                                                 jpair(m->roc[i].tpr_lo, m->roc[i].tpr_hi)));
  ok &= !json_object_set_new(j, "roc", roc);
  json_t *th = json_array();
  for (size_t i = 0; th && i < m->nthr; i++) {
    const vt__threshold_metrics *t = &m->thr[i];
    ok &= !json_array_append_new(
        th, json_pack("{s:o,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "threshold", jnum(t->threshold),
                      "tp", (json_int_t)t->tp, "fp", (json_int_t)t->fp, "tn", (json_int_t)t->tn,
                      "fn", (json_int_t)t->fn, "sensitivity",
                      rate_json(t->sensitivity, t->sens_lo, t->sens_hi), "specificity",
                      rate_json(t->specificity, t->spec_lo, t->spec_hi), "ppv",
                      rate_json(t->ppv, t->ppv_lo, t->ppv_hi), "npv",
                      rate_json(t->npv, t->npv_lo, t->npv_hi)));
  }
  ok &= !json_object_set_new(j, "thresholds", th);
  json_t *dc = json_array();
  for (size_t i = 0; dc && i < m->ndca; i++) {
    const vt__dca_point *d = &m->dca[i];
    ok &= !json_array_append_new(
        dc, json_pack("{s:o,s:o,s:o,s:o}", "threshold", jnum(d->threshold), "net_benefit",
                      jnum(d->net_benefit), "treat_all", jnum(d->treat_all), "treat_none",
                      jnum(d->treat_none)));
  }
  ok &= !json_object_set_new(j, "decision_curve", dc);
  if (top) {
    json_t *sg = json_object();
    for (size_t i = 0; sg && i < m->nsubs; i++)
      ok &= !json_object_set_new(sg, m->sub_names[i], metrics_json(m->subs[i], 0));
    ok &= !json_object_set_new(j, "subgroups", sg);
  }
  json_t *w = json_array();
  for (size_t i = 0; w && i < m->nwarn; i++) ok &= !json_array_append_new(w, json_string(m->warn[i]));
  ok &= !json_object_set_new(j, "warnings", w);
  if (!ok) {
    json_decref(j);
    return NULL;
  }
  return j;
}

json_t *vt__metrics_to_json(const vt__metrics *m) { return m ? metrics_json(m, 1) : NULL; }
