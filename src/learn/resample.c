/* resample.c — seeded RNG, stratified k-fold and held-out splits, cross-
 * validation and Harrell's optimism bootstrap over a model's fit_predict
 * callback, on a small pthread pool whose results do not depend on --jobs
 * (each task draws from its own RNG stream and writes its own slot). */
#include "learn/resample.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/metrics.h"

/* ---------------------------------------------------------------- RNG */

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void vt__rng_seed(vt__rng *r, uint64_t seed, uint64_t stream) {
  /* mix the stream into the seed through splitmix64 so neighbouring streams
   * start from unrelated states */
  uint64_t x = seed;
  uint64_t h = splitmix64(&x) ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&h);
}

double vt__rng_uniform(vt__rng *r) { return (double)(vt__rng_next(r) >> 11) * 0x1.0p-53; }

double vt__rng_normal(vt__rng *r) {
  for (;;) {
    double u = 2 * vt__rng_uniform(r) - 1, v = 2 * vt__rng_uniform(r) - 1;
    double s = u * u + v * v;
    if (s > 0 && s < 1) return u * sqrt(-2 * log(s) / s);
  }
}

static void shuffle(size_t *a, size_t n, vt__rng *r) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)vt__rng_below(r, i);
    size_t t = a[i - 1];
    a[i - 1] = a[j];
    a[j] = t;
  }
}

/* ------------------------------------------------------------- splits */

/* Rows of each class, in row order, then shuffled with the class's stream. */
static vt_status class_rows(const unsigned char *y, size_t n, uint64_t seed, size_t **pos,
                            size_t *npos, size_t **neg, size_t *nneg, vt_error *err) {
  size_t np = 0;
  for (size_t i = 0; i < n; i++) {
    if (y[i] > 1)
      return vt_error_set(err, VT_EINVAL, NULL, "row %zu: outcome %u is not 0 or 1", i + 1,
                          (unsigned)y[i]);
    np += y[i];
  }
  size_t *p = malloc((np ? np : 1) * sizeof *p), *q = malloc((n - np ? n - np : 1) * sizeof *q);
  if (!p || !q) {
    free(p);
    free(q);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory (%zu rows)", n);
  }
  size_t a = 0, b = 0;
  for (size_t i = 0; i < n; i++) {
    if (y[i]) p[a++] = i;
    else q[b++] = i;
  }
  vt__rng r;
  vt__rng_seed(&r, seed, 0x5eed0001);
  shuffle(p, np, &r);
  shuffle(q, n - np, &r);
  *pos = p;
  *neg = q;
  *npos = np;
  *nneg = n - np;
  return VT_OK;
}

vt_status vt__kfold_stratified(const unsigned char *y, size_t n, unsigned k, uint64_t seed,
                               unsigned *fold, vt_error *err) {
  if (k < 2 || k > n)
    return vt_error_set(err, VT_EINVAL, NULL, "%u folds for %zu rows: need 2 <= folds <= rows", k,
                        n);
  size_t *p, *q, np, nq;
  vt_status st = class_rows(y, n, seed, &p, &np, &q, &nq, err);
  if (st) return st;
  if (np < k || nq < k) {
    free(p);
    free(q);
    return vt_error_set(err, VT_EINVAL, NULL,
                        "%u-fold stratified cross-validation needs at least %u events and %u "
                        "non-events; the data have %zu and %zu",
                        k, k, k, np, nq);
  }
  /* events dealt 0,1,..,k-1,0,..; non-events continue where events stopped,
   * so fold sizes differ by at most one */
  for (size_t i = 0; i < np; i++) fold[p[i]] = (unsigned)(i % k);
  for (size_t i = 0; i < nq; i++) fold[q[i]] = (unsigned)((np + i) % k);
  free(p);
  free(q);
  return VT_OK;
}

vt_status vt__holdout_split(const unsigned char *y, size_t n, double test_fraction,
                            uint64_t seed, unsigned char *is_test, vt_error *err) {
  if (!(test_fraction > 0 && test_fraction < 1))
    return vt_error_set(err, VT_EINVAL, NULL, "held-out fraction %g is not in (0, 1)",
                        test_fraction);
  size_t *p, *q, np, nq;
  vt_status st = class_rows(y, n, seed, &p, &np, &q, &nq, err);
  if (st) return st;
  size_t tp = (size_t)llround(test_fraction * (double)np);
  size_t tq = (size_t)llround(test_fraction * (double)nq);
  if (tp == 0 || tq == 0 || tp == np || tq == nq) {
    free(p);
    free(q);
    return vt_error_set(err, VT_EINVAL, NULL,
                        "a held-out fraction of %g leaves a class empty on one side (%zu events, "
                        "%zu non-events)",
                        test_fraction, np, nq);
  }
  memset(is_test, 0, n);
  for (size_t i = 0; i < tp; i++) is_test[p[i]] = 1;
  for (size_t i = 0; i < tq; i++) is_test[q[i]] = 1;
  free(p);
  free(q);
  return VT_OK;
}

void vt__resample_options_init(vt__resample_options *o) {
  memset(o, 0, sizeof *o);
  o->folds = 5;
  o->bootstrap = 200;
  o->seed = 1;
  o->jobs = 1;
}

/* --------------------------------------------------------- task pool */

typedef vt_status (*task_fn)(void *ctx, size_t task, vt_error *err);

typedef struct pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  size_t next, done, ntasks;
  int stop;            /* a task failed and failures are fatal */
  int stop_on_error;
  task_fn fn;
  void *ctx;
  vt_status first_status;
  size_t first_task;
  vt_error first_err;
} pool;

static void *worker(void *arg) {
  pool *p = arg;
  for (;;) {
    pthread_mutex_lock(&p->mu);
    if (p->stop || p->next >= p->ntasks) {
      pthread_mutex_unlock(&p->mu);
      return NULL;
    }
    size_t t = p->next++;
    pthread_mutex_unlock(&p->mu);
    vt_error e;
    vt_error_clear(&e);
    vt_status st = p->fn(p->ctx, t, &e);
    pthread_mutex_lock(&p->mu);
    /* keep the failure of the lowest task so the message does not depend on
     * thread timing */
    if (st && (!p->first_status || t < p->first_task)) {
      p->first_status = st;
      p->first_task = t;
      p->first_err = e;
    }
    if (st && p->stop_on_error) p->stop = 1;
    p->done++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
  }
}

/* Runs fn(ctx, 0..ntasks-1) on `jobs` threads (the calling thread reports
 * progress). Returns the lowest failing task's status when stop_on_error. */
static vt_status run_pool(task_fn fn, void *ctx, size_t ntasks, unsigned jobs,
                          int stop_on_error, const vt_progress *prog, const char *stage,
                          size_t *failed_task, vt_error *err) {
  pool p;
  memset(&p, 0, sizeof p);
  p.fn = fn;
  p.ctx = ctx;
  p.ntasks = ntasks;
  p.stop_on_error = stop_on_error;
  if (jobs > ntasks) jobs = (unsigned)ntasks;
  if (jobs <= 1) {
    int failed = 0;
    for (size_t t = 0; t < ntasks; t++) {
      vt_error e;
      vt_error_clear(&e);
      vt_status st = fn(ctx, t, &e);
      if (st && !failed) { /* the first failure is the one reported */
        failed = 1;
        if (err) *err = e;
        *failed_task = t;
      }
      if (st && stop_on_error) return st;
      vt_progress_report(prog, stage, t + 1, ntasks);
    }
    return VT_OK;
  }
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.cv, NULL);
  pthread_t *th = malloc(jobs * sizeof *th);
  unsigned started = 0;
  if (th)
    for (; started < jobs; started++)
      if (pthread_create(&th[started], NULL, worker, &p)) break;
  if (started == 0) { /* no threads: run here */
    free(th);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    return run_pool(fn, ctx, ntasks, 1, stop_on_error, prog, stage, failed_task, err);
  }
  pthread_mutex_lock(&p.mu);
  size_t reported = 0;
  while (p.done < ntasks && !(p.stop && p.done >= p.next)) {
    pthread_cond_wait(&p.cv, &p.mu);
    if (p.done != reported) {
      reported = p.done;
      pthread_mutex_unlock(&p.mu);
      vt_progress_report(prog, stage, reported, ntasks);
      pthread_mutex_lock(&p.mu);
    }
  }
  pthread_mutex_unlock(&p.mu);
  for (unsigned i = 0; i < started; i++) pthread_join(th[i], NULL);
  free(th);
  pthread_mutex_destroy(&p.mu);
  pthread_cond_destroy(&p.cv);
  if (p.first_status) {
    if (err) *err = p.first_err;
    *failed_task = p.first_task;
    if (stop_on_error) return p.first_status;
  }
  return VT_OK;
}

/* ------------------------------------------------------ cross-validation */

typedef struct cv_ctx {
  vt__fit_predict_fn fp;
  void *ctx;
  const unsigned *fold;
  size_t n;
  double *oof;
} cv_ctx;

static vt_status cv_task(void *c_, size_t f, vt_error *err) {
  cv_ctx *c = c_;
  size_t ntr = 0, nte = 0;
  for (size_t i = 0; i < c->n; i++) nte += c->fold[i] == f;
  ntr = c->n - nte;
  size_t *tr = calloc(ntr + 1, sizeof *tr), *te = calloc(nte + 1, sizeof *te);
  double *pr = malloc(nte * sizeof *pr);
  vt_status st = VT_OK;
  if (!tr || !te || !pr) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (fold %zu)", f + 1);
    goto done;
  }
  size_t a = 0, b = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (c->fold[i] == f) te[b++] = i;
    else tr[a++] = i;
  }
  if ((st = c->fp(c->ctx, tr, ntr, te, nte, pr, err))) goto done;
  for (size_t i = 0; i < nte; i++) {
    if (!(pr[i] >= 0 && pr[i] <= 1)) {
      st = vt_error_set(err, VT_EINTERNAL, NULL, "row %zu: the model predicted %g, not a probability",
                        te[i] + 1, pr[i]);
      goto done;
    }
    c->oof[te[i]] = pr[i];
  }
done:
  free(tr);
  free(te);
  free(pr);
  return st;
}

static vt_status cv_run(vt__fit_predict_fn fit_predict, void *ctx, size_t n, const unsigned *f,
                        unsigned k, const vt__resample_options *opts, double *oof_prob,
                        vt_error *err) {
  cv_ctx c = {fit_predict, ctx, f, n, oof_prob};
  size_t bad = 0;
  vt_status st = run_pool(cv_task, &c, k, opts->jobs, 1, opts->progress, "cross-validation",
                          &bad, err);
  if (st) {
    char where[64];
    snprintf(where, sizeof where, "fold %zu of %u", bad + 1, k);
    vt_error_wrap(err, where);
  }
  return st;
}

vt_status vt__cross_validate(vt__fit_predict_fn fit_predict, void *ctx,
                             const unsigned char *y, size_t n,
                             const vt__resample_options *opts, double *oof_prob,
                             unsigned *fold, vt_error *err) {
  vt__resample_options def;
  if (!opts) {
    vt__resample_options_init(&def);
    opts = &def;
  }
  unsigned *f = fold ? fold : malloc(n * sizeof *f);
  if (!f) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory (%zu rows)", n);
  vt_status st = vt__kfold_stratified(y, n, opts->folds, opts->seed, f, err);
  if (!st) st = cv_run(fit_predict, ctx, n, f, opts->folds, opts, oof_prob, err);
  if (!fold) free(f);
  return st;
}

vt_status vt__cross_validate_folds(vt__fit_predict_fn fit_predict, void *ctx, size_t n,
                                   const unsigned *fold, unsigned k,
                                   const vt__resample_options *opts, double *oof_prob,
                                   vt_error *err) {
  vt__resample_options def;
  if (!opts) {
    vt__resample_options_init(&def);
    opts = &def;
  }
  if (k < 2) return vt_error_set(err, VT_EINVAL, NULL, "%u folds: need at least 2", k);
  size_t *count = calloc(k, sizeof *count);
  if (!count) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory (%u folds)", k);
  vt_status st = VT_OK;
  for (size_t i = 0; i < n && !st; i++) {
    if (fold[i] >= k) st = vt_error_set(err, VT_EINVAL, NULL, "row %zu: fold %u is not below %u",
                                        i + 1, fold[i], k);
    else count[fold[i]]++;
  }
  for (unsigned f = 0; f < k && !st; f++)
    if (count[f] == 0 || count[f] == n)
      st = vt_error_set(err, VT_EINVAL, NULL, "fold %u has %zu of %zu rows: every fold needs "
                        "rows on both sides of the split", f, count[f], n);
  free(count);
  if (!st) st = cv_run(fit_predict, ctx, n, fold, k, opts, oof_prob, err);
  return st;
}

/* ----------------------------------------------------- optimism bootstrap */

typedef struct boot_ctx {
  vt__fit_predict_fn fp;
  void *ctx;
  const unsigned char *y;
  size_t n;
  uint64_t seed;
  size_t *pos, *neg, npos, nneg;
  double *opt; /* B x 4: auc, brier, intercept, slope optimism; NAN = failed */
} boot_ctx;

static void four_metrics(const double *p, const unsigned char *y, size_t n, double out[4]) {
  vt__auc_delong d;
  vt__calibration_fit c;
  vt_error e;
  out[0] = out[1] = out[2] = out[3] = NAN;
  if (!vt__auc_delong_compute(p, y, n, &d, &e)) out[0] = d.auc;
  vt__brier(p, y, n, &out[1], NULL, &e);
  if (!vt__calibration_fit_compute(p, y, n, &c, &e) && c.converged) {
    out[2] = c.intercept;
    out[3] = c.slope;
  }
}

static vt_status boot_task(void *c_, size_t b, vt_error *err) {
  boot_ctx *c = c_;
  size_t n = c->n;
  double *row = c->opt + 4 * b;
  for (int k = 0; k < 4; k++) row[k] = NAN;
  size_t *idx = malloc(2 * n * sizeof *idx);
  double *pr = malloc(2 * n * sizeof *pr);
  unsigned char *yb = malloc(n);
  vt_status st = VT_OK;
  if (!idx || !pr || !yb) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (bootstrap replicate %zu)", b + 1);
    goto done;
  }
  vt__rng r;
  vt__rng_seed(&r, c->seed, 0xb0075000ULL + b);
  size_t k = 0;
  for (size_t i = 0; i < c->npos; i++) idx[k++] = c->pos[vt__rng_below(&r, c->npos)];
  for (size_t i = 0; i < c->nneg; i++) idx[k++] = c->neg[vt__rng_below(&r, c->nneg)];
  for (size_t i = 0; i < n; i++) idx[n + i] = i;
  if ((st = c->fp(c->ctx, idx, n, idx, 2 * n, pr, err))) goto done;
  for (size_t i = 0; i < 2 * n; i++)
    if (!(pr[i] >= 0 && pr[i] <= 1)) {
      st = vt_error_set(err, VT_EINTERNAL, NULL, "the model predicted %g, not a probability",
                        pr[i]);
      goto done;
    }
  for (size_t i = 0; i < n; i++) yb[i] = c->y[idx[i]];
  double mb[4], mo[4];
  four_metrics(pr, yb, n, mb);
  four_metrics(pr + n, c->y, n, mo);
  for (int q = 0; q < 4; q++) row[q] = mb[q] - mo[q];
done:
  free(idx);
  free(pr);
  free(yb);
  return st;
}

vt_status vt__optimism_bootstrap(vt__fit_predict_fn fit_predict, void *ctx,
                                 const unsigned char *y, size_t n,
                                 const double *apparent_prob,
                                 const vt__resample_options *opts, vt__optimism *out,
                                 vt_error *err) {
  vt__resample_options def;
  if (!opts) {
    vt__resample_options_init(&def);
    opts = &def;
  }
  size_t B = opts->bootstrap;
  if (B < 2) return vt_error_set(err, VT_EINVAL, NULL, "optimism bootstrap needs >= 2 replicates");
  double app[4];
  vt_status st = vt__brier(apparent_prob, y, n, &app[1], NULL, err);
  if (st) return st;
  four_metrics(apparent_prob, y, n, app);
  boot_ctx c = {fit_predict, ctx, y, n, opts->seed, NULL, NULL, 0, 0, NULL};
  /* stratified draws (as the metric bootstrap): every replicate has both
   * classes in the observed proportion */
  if ((st = class_rows(y, n, opts->seed, &c.pos, &c.npos, &c.neg, &c.nneg, err))) return st;
  if (c.npos < 2 || c.nneg < 2) {
    st = vt_error_set(err, VT_EINVAL, NULL,
                      "optimism bootstrap needs at least 2 events and 2 non-events (%zu, %zu)",
                      c.npos, c.nneg);
    goto done;
  }
  c.opt = malloc(4 * B * sizeof *c.opt);
  if (!c.opt) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory (%zu replicates)", B);
    goto done;
  }
  size_t bad = 0;
  vt_error first;
  vt_error_clear(&first);
  run_pool(boot_task, &c, B, opts->jobs, 0, opts->progress, "optimism bootstrap", &bad, &first);
  vt__optimism o;
  memset(&o, 0, sizeof o);
  o.replicates = B;
  vt__optimism_metric *mm[4] = {&o.auc, &o.brier, &o.intercept, &o.slope};
  for (int q = 0; q < 4; q++) {
    double s = 0, ss = 0;
    size_t k = 0;
    for (size_t b = 0; b < B; b++) {
      double v = c.opt[4 * b + q];
      if (isfinite(v)) {
        s += v;
        k++;
      }
    }
    double mean = k ? s / (double)k : NAN;
    for (size_t b = 0; b < B; b++) {
      double v = c.opt[4 * b + q];
      if (isfinite(v)) ss += (v - mean) * (v - mean);
    }
    mm[q]->apparent = app[q];
    mm[q]->optimism = mean;
    mm[q]->corrected = app[q] - mean;
    mm[q]->sd = k > 1 ? sqrt(ss / (double)(k - 1)) : NAN;
  }
  for (size_t b = 0; b < B; b++) o.used += isfinite(c.opt[4 * b]) && isfinite(c.opt[4 * b + 1]);
  o.failed = B - o.used;
  if (o.used * 2 < B) {
    char msg[VT_ERROR_WHERE_MAX + VT_ERROR_MESSAGE_MAX + 4];
    st = vt_error_set(err, VT_EINVAL, NULL,
                      "optimism bootstrap: %zu of %zu replicates failed (first: %s)", o.failed, B,
                      first.status ? vt_error_format(&first, msg, sizeof msg) : "no AUC");
    goto done;
  }
  *out = o;
done:
  free(c.pos);
  free(c.neg);
  free(c.opt);
  return st;
}

static json_t *om_json(const vt__optimism_metric *m) {
  json_t *o = json_object();
  const char *k[] = {"apparent", "optimism", "corrected", "sd"};
  double v[] = {m->apparent, m->optimism, m->corrected, m->sd};
  for (int i = 0; o && i < 4; i++)
    if (json_object_set_new(o, k[i], isfinite(v[i]) ? json_real(v[i]) : json_null())) {
      json_decref(o);
      return NULL;
    }
  return o;
}

json_t *vt__optimism_to_json(const vt__optimism *o) {
  if (!o) return NULL;
  return json_pack("{s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "method", "harrell_bootstrap",
                   "replicates", (json_int_t)o->replicates, "used", (json_int_t)o->used,
                   "failed", (json_int_t)o->failed, "auc", om_json(&o->auc), "brier",
                   om_json(&o->brier), "calibration_intercept", om_json(&o->intercept),
                   "calibration_slope", om_json(&o->slope));
}
