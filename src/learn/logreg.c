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
 * columns standardised with the training mean and population SD (ddof 0).
 *
 * Pure L2 (l1_ratio 0) has a smooth objective, so it is minimised by
 * Newton's method instead (a (p+1)-square Cholesky solve per step, with
 * step halving): the same optimum in a handful of passes over the rows,
 * where coordinate descent needs hundreds of sweeps on correlated columns. */
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

/* Cyclic coordinate descent on IRLS quadratic approximations (glmnet), on
 * the column-major standardised xs; b0 and beta start at the null model. */
static void fit_cd(const double *xs, const double *y, size_t n, size_t p, double lambda,
                   double a, const vt__logreg_opts *o, double *b0io, double *beta,
                   double *eta, double *w, double *r, double *xw) {
  double b0 = *b0io;
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
  *b0io = b0;
}

/* Cholesky solve of the q x q positive-definite h (row-major lower
 * triangle, overwritten) for h x = g, x written over g; *dec = g'h^-1 g (the
 * squared Newton decrement). 0 if h is not positive definite. */
static int chol_solve(double *h, double *g, size_t q, double *dec) {
  for (size_t j = 0; j < q; j++) {
    double d = h[j * q + j];
    for (size_t k = 0; k < j; k++) d -= h[j * q + k] * h[j * q + k];
    if (!(d > 0)) return 0;
    d = sqrt(d);
    h[j * q + j] = d;
    for (size_t i = j + 1; i < q; i++) {
      double v = h[i * q + j];
      for (size_t k = 0; k < j; k++) v -= h[i * q + k] * h[j * q + k];
      h[i * q + j] = v / d;
    }
  }
  *dec = 0;
  for (size_t i = 0; i < q; i++) { /* L z = g */
    for (size_t k = 0; k < i; k++) g[i] -= h[i * q + k] * g[k];
    g[i] /= h[i * q + i];
    *dec += g[i] * g[i];
  }
  for (size_t i = q; i-- > 0;) { /* L' x = z */
    for (size_t k = i + 1; k < q; k++) g[i] -= h[k * q + i] * g[k];
    g[i] /= h[i * q + i];
  }
  return 1;
}

static double log1pexp(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

/* sum a[i] b[i] with four partial sums: one sum waits on each addition's
 * latency, four keep the adder busy (Newton's Hessian is ~60 such dots). */
static double dot(const double *a, const double *b, size_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; i++) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

/* eta = the linear predictor at theta = (b0, beta); returns the L2 objective
 * (1/n) sum(logloss) + lambda/2 |beta|^2 if want_f, else 0. */
static double l2_objective(const double *xs, const double *y, size_t n, size_t p, double lambda,
                           const double *theta, double *eta, int want_f) {
  for (size_t i = 0; i < n; i++) eta[i] = theta[0];
  double pen = 0;
  for (size_t j = 0; j < p; j++) {
    const double *xj = xs + j * n;
    double bj = theta[j + 1];
    pen += bj * bj;
    for (size_t i = 0; i < n; i++) eta[i] += bj * xj[i];
  }
  if (!want_f) return 0;
  double f = 0;
  for (size_t i = 0; i < n; i++) f += log1pexp(eta[i]) - y[i] * eta[i];
  return f / (double)n + 0.5 * lambda * pen;
}

/* Newton's method on the L2 objective; theta = (b0, beta) starts at the null
 * model. Far from the optimum (Newton decrement > 1/4) steps are halved until
 * the objective decreases; within it the full step is taken, as the
 * quadratic model is then accurate (Boyd & Vandenberghe 2004, 9.5.3) and a
 * decrease would be lost in rounding. Stops when the step, scaled as
 * coordinate descent's, is below tol. h: (p+1)^2 and g, t: p+1 doubles of
 * scratch. */
static void fit_newton(const double *xs, const double *y, size_t n, size_t p, double lambda,
                       const vt__logreg_opts *o, double *theta, double *eta, double *w,
                       double *r, double *h, double *g, double *t) {
  size_t q = p + 1;
  double f = l2_objective(xs, y, n, p, lambda, theta, eta, 1);
  int f_known = 1;
  for (int it = 0; it < o->max_iter; it++) {
    double h00 = 0, g0 = 0;
    for (size_t i = 0; i < n; i++) {
      double pr = 1.0 / (1.0 + exp(-eta[i]));
      double wi = pr * (1 - pr);
      w[i] = (wi < 1e-5 ? 1e-5 : wi) / (double)n; /* IRLS's floor: moves steps, not the optimum */
      r[i] = (pr - y[i]) / (double)n;
      h00 += w[i];
      g0 += r[i];
    }
    /* gradient g and the lower triangle of the Hessian h; eta is free until
     * the step and holds w * x_j */
    h[0] = h00;
    g[0] = g0;
    for (size_t j = 0; j < p; j++) {
      const double *xj = xs + j * n;
      for (size_t i = 0; i < n; i++) eta[i] = w[i] * xj[i];
      h[(j + 1) * q] = dot(w, xj, n);
      g[j + 1] = dot(r, xj, n) + lambda * theta[j + 1];
      for (size_t k = 0; k <= j; k++)
        h[(j + 1) * q + k + 1] = dot(eta, xs + k * n, n) + (k == j ? lambda : 0);
    }
    double maxd = 0, dec;
    for (size_t j = 0; j < q; j++) t[j] = sqrt(h[j * q + j]);
    if (!chol_solve(h, g, q, &dec)) break; /* numerically singular: keep the last point */
    for (size_t j = 0; j < q; j++)
      if (fabs(g[j]) * t[j] > maxd) maxd = fabs(g[j]) * t[j];
    double step = 1;
    if (dec > 1.0 / 16) {
      if (!f_known) f = l2_objective(xs, y, n, p, lambda, theta, eta, 1);
      double fn = f;
      for (int half = 0; half < 40; half++, step *= 0.5) {
        for (size_t j = 0; j < q; j++) t[j] = theta[j] - step * g[j];
        if ((fn = l2_objective(xs, y, n, p, lambda, t, eta, 1)) <= f) break;
      }
      if (!(fn <= f)) break; /* no decrease along the Newton direction */
      f = fn;
      f_known = 1;
    } else {
      for (size_t j = 0; j < q; j++) t[j] = theta[j] - g[j];
      l2_objective(xs, y, n, p, lambda, t, eta, 0);
      f_known = 0;
    }
    memcpy(theta, t, q * sizeof *t);
    if (maxd * step < o->tol) break;
  }
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
  vt_status st = VT_OK;
  if (a == 0) {
    size_t q = p + 1;
    double *theta = calloc(q, sizeof *theta), *h = malloc(q * q * sizeof *h);
    double *g = malloc(q * sizeof *g), *t = malloc(q * sizeof *t);
    if (!theta || !h || !g || !t) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    else {
      theta[0] = b0;
      fit_newton(xs, y, n, p, lambda, o, theta, eta, w, r, h, g, t);
      b0 = theta[0];
      memcpy(beta, theta + 1, p * sizeof *beta);
    }
    free(theta); free(h); free(g); free(t);
  } else {
    fit_cd(xs, y, n, p, lambda, a, o, &b0, beta, eta, w, r, xw);
  }
  free(xs); free(eta); free(w); free(r); free(xw);
  if (st || !isfinite(b0)) {
    free(center); free(scale); free(beta);
    if (st) return st;
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
