/* logreg.c — penalised logistic regression (L2, L1, elastic net) by cyclic
 * coordinate descent on a quadratic (IRLS) approximation, as in glmnet
 * (Friedman, Hastie & Tibshirani 2010, J Stat Softw 33(1)), with an
 * unpenalised intercept and standardised columns.
 *
 * Hand-written because Debian's liblinear has L1 and L2 but no elastic net,
 * and penalises the intercept. The objective matches scikit-learn's
 * LogisticRegression: sklearn minimises C*sum(logloss) + penalty(w) with
 * penalty = (1-r)/2*|w|^2 + r*|w|_1 (r = l1_ratio); dividing by C*n gives
 * glmnet's (1/n)*sum(logloss) + lambda*penalty(w) with lambda = 1/(C*n). As
 * in a sklearn Pipeline(StandardScaler, LogisticRegression), w applies to
 * columns standardised with the training mean and population SD (ddof 0). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/learn_internal.h"

void vt__logreg_defaults(vt__logreg_opts *o) {
  o->C = 1.0;
  o->l1_ratio = 0.0;
  o->tol = 1e-8;
  o->max_iter = 200;
}

static double soft(double z, double g) {
  return z > g ? z - g : z < -g ? z + g : 0.0;
}

vt_status vt__logreg_fit(const double *x, const double *y, size_t n, size_t p,
                         const vt__logreg_opts *o, vt__model *m, vt_error *err) {
  double *center = calloc(p + 1, sizeof *center), *scale = calloc(p + 1, sizeof *scale);
  double *xs = malloc((n * p + 1) * sizeof *xs), *beta = calloc(p + 1, sizeof *beta);
  double *eta = calloc(n, sizeof *eta), *w = calloc(n, sizeof *w), *r = calloc(n, sizeof *r);
  double *xw = calloc(p + 1, sizeof *xw);
  if (!center || !scale || !xs || !beta || !eta || !w || !r || !xw) {
    free(center); free(scale); free(xs); free(beta); free(eta); free(w); free(r); free(xw);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  /* column-major standardised copy */
  for (size_t j = 0; j < p; j++) {
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++) s += x[i * p + j];
    double mu = s / (double)n;
    for (size_t i = 0; i < n; i++) ss += (x[i * p + j] - mu) * (x[i * p + j] - mu);
    double sd = sqrt(ss / (double)n);
    center[j] = mu;
    scale[j] = sd > 1e-12 ? sd : 1.0; /* constant column: left at zero, coefficient 0 */
    for (size_t i = 0; i < n; i++) xs[j * n + i] = (x[i * p + j] - mu) / scale[j];
  }
  double lambda = 1.0 / (o->C * (double)n), a = o->l1_ratio;
  double ybar = 0;
  for (size_t i = 0; i < n; i++) ybar += y[i];
  ybar /= (double)n;
  double b0 = log(ybar / (1 - ybar));
  for (size_t i = 0; i < n; i++) eta[i] = b0;
  int outer;
  for (outer = 0; outer < o->max_iter; outer++) {
    double sw = 0;
    for (size_t i = 0; i < n; i++) {
      double pr = 1.0 / (1.0 + exp(-eta[i]));
      double wi = pr * (1 - pr);
      if (wi < 1e-5) wi = 1e-5;
      w[i] = wi / (double)n;
      r[i] = (y[i] - pr) / wi; /* working residual z - eta */
      sw += w[i];
    }
    for (size_t j = 0; j < p; j++) {
      double s = 0;
      for (size_t i = 0; i < n; i++) s += w[i] * xs[j * n + i] * xs[j * n + i];
      xw[j] = s;
    }
    double maxd_outer = 0;
    for (int sweep = 0; sweep < 10000; sweep++) {
      double maxd = 0, g = 0;
      for (size_t i = 0; i < n; i++) g += w[i] * r[i];
      double d0 = g / sw;
      b0 += d0;
      for (size_t i = 0; i < n; i++) r[i] -= d0;
      if (fabs(d0) > maxd) maxd = fabs(d0);
      for (size_t j = 0; j < p; j++) {
        const double *xj = xs + j * n;
        if (xw[j] <= 0) continue;
        double gj = 0;
        for (size_t i = 0; i < n; i++) gj += w[i] * xj[i] * r[i];
        double bnew = soft(gj + xw[j] * beta[j], lambda * a) / (xw[j] + lambda * (1 - a));
        double d = bnew - beta[j];
        if (d != 0) {
          for (size_t i = 0; i < n; i++) r[i] -= d * xj[i];
          beta[j] = bnew;
          if (fabs(d) * sqrt(xw[j]) > maxd) maxd = fabs(d) * sqrt(xw[j]);
        }
      }
      if (maxd > maxd_outer) maxd_outer = maxd;
      if (maxd < o->tol) break;
    }
    for (size_t i = 0; i < n; i++) {
      double e = b0;
      for (size_t j = 0; j < p; j++) e += beta[j] * xs[j * n + i];
      eta[i] = e;
    }
    if (maxd_outer < o->tol * 10) break;
  }
  free(xs); free(eta); free(w); free(r); free(xw);
  if (!isfinite(b0)) {
    free(center); free(scale); free(beta);
    return vt_error_set(err, VT_EINTERNAL, "logistic regression", "solver diverged");
  }
  m->kind = VT_MODEL_LOGISTIC;
  m->p = p;
  m->intercept = b0;
  m->coef = beta;
  m->center = center;
  m->scale = scale;
  m->lr = *o;
  m->recal_a = 0;
  m->recal_b = 1;
  return VT_OK;
}
