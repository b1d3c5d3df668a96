/* resample.h — the validation machinery every model shares: a seeded RNG,
 * stratified k-fold cross-validation, a stratified held-out split, and
 * Harrell's optimism-corrected bootstrap, all driven by one fit_predict
 * callback the model code supplies. Results do not depend on --jobs. */
#ifndef VT_LEARN_RESAMPLE_H
#define VT_LEARN_RESAMPLE_H
#include <stddef.h>
#include <stdint.h>

#include "vertebra/progress.h"
#include "vertebra/status.h"

/* ---- random numbers ----
 * xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64 (Steele et
 * al. 2014): small, fast, passes BigCrush, and published with reference code,
 * so a run can be reproduced outside Vertebra from the seed alone. Not for
 * cryptography. */
typedef struct vt__rng {
  uint64_t s[4];
} vt__rng;

/* Seeds the state from `seed` and a `stream` number (replicate, fold...), so
 * each replicate has its own stream whatever thread runs it. */
void vt__rng_seed(vt__rng *r, uint64_t seed, uint64_t stream);

/* Inline: the bootstrap draws tens of millions, and a call per draw keeps
 * the state in memory instead of registers (3x slower). */
static inline uint64_t vt__rng_next(vt__rng *r) {
  uint64_t *s = r->s;
  uint64_t result = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = s[3] << 45 | s[3] >> 19;
  return result;
}

/* Uniform double in [0, 1) with 53 random bits. */
double vt__rng_uniform(vt__rng *r);

/* Uniform integer in [0, bound) without modulo bias (Lemire 2019); bound > 0. */
static inline uint64_t vt__rng_below(vt__rng *r, uint64_t bound) {
  /* Lemire's multiply-shift with rejection (unbiased) */
  unsigned __int128 m = (unsigned __int128)vt__rng_next(r) * bound;
  uint64_t l = (uint64_t)m;
  if (l < bound) {
    uint64_t t = (0 - bound) % bound;
    while (l < t) {
      m = (unsigned __int128)vt__rng_next(r) * bound;
      l = (uint64_t)m;
    }
  }
  return (uint64_t)(m >> 64);
}
/* Standard normal deviate (Marsaglia polar method). */
double vt__rng_normal(vt__rng *r);

/* ---- splits ---- */

/* Stratified k-fold: fold[i] in [0, k) for each row, events and non-events
 * each shuffled (Fisher–Yates) and dealt round-robin so every fold's
 * prevalence matches within one row. VT_EINVAL: k < 2, k > n, y not 0/1, or
 * a class with fewer than k rows (the message gives the counts). */
vt_status vt__kfold_stratified(const unsigned char *y, size_t n, unsigned k, uint64_t seed,
                               unsigned *fold, vt_error *err);

/* Stratified held-out split: is_test[i] = 1 for round(test_fraction · count)
 * rows of each class. VT_EINVAL: fraction not in (0, 1), or a side empty. */
vt_status vt__holdout_split(const unsigned char *y, size_t n, double test_fraction,
                            uint64_t seed, unsigned char *is_test, vt_error *err);

/* ---- the callback models supply ----
 * Fit a model on rows train_idx[0..ntrain) (indices into the caller's cohort;
 * they MAY REPEAT — bootstrap samples) and write the predicted probability of
 * each of rows eval_idx[0..neval) into out_prob[0..neval). Return VT_OK or a
 * status with err filled. Called concurrently from `jobs` threads when
 * jobs > 1: it must then be thread-safe (no shared mutable state; pass
 * nthread 1 to XGBoost). */
typedef vt_status (*vt__fit_predict_fn)(void *ctx, const size_t *train_idx, size_t ntrain,
                                        const size_t *eval_idx, size_t neval,
                                        double *out_prob, vt_error *err);

typedef struct vt__resample_options {
  unsigned folds;              /* k of k-fold; default 5 */
  size_t bootstrap;            /* optimism bootstrap replicates; default 200 */
  uint64_t seed;               /* default 1 */
  unsigned jobs;               /* worker threads; 0 or 1 = the calling thread only */
  const vt_progress *progress; /* stages "cross-validation", "optimism bootstrap" */
} vt__resample_options;
void vt__resample_options_init(vt__resample_options *o);

/* Stratified k-fold cross-validation: fits on k-1 folds, predicts the held-out
 * one; oof_prob[i] is row i's out-of-fold probability and fold[i] its fold
 * (both caller-allocated, n each; fold may be NULL). Stops at the first
 * failing fold, with the fold named in err's where. */
vt_status vt__cross_validate(vt__fit_predict_fn fit_predict, void *ctx,
                             const unsigned char *y, size_t n,
                             const vt__resample_options *opts, double *oof_prob,
                             unsigned *fold, vt_error *err);

/* The same on folds the caller chose (fold[i] in [0, k), each fold non-empty
 * and not the whole cohort): `vertebra learn train --folds-file`, and train's
 * --model auto, which cross-validates both models on one assignment. */
vt_status vt__cross_validate_folds(vt__fit_predict_fn fit_predict, void *ctx, size_t n,
                                   const unsigned *fold, unsigned k,
                                   const vt__resample_options *opts, double *oof_prob,
                                   vt_error *err);

/* Harrell's optimism correction (Harrell, Lee & Mark 1996; Steyerberg 2019
 * ch. 5): for b = 1..B, draw a bootstrap sample (with replacement, stratified
 * by outcome), fit on it, and compute each metric on the sample itself and
 * on the original rows; optimism_b = boot - orig; corrected = apparent -
 * mean(optimism). One fit per replicate: eval_idx is the bootstrap sample
 * followed by all n original rows. Replicates whose fit fails, or whose
 * sample lacks a class, are counted in `failed` and skipped (the caller
 * should report them); VT_EINVAL when more than half fail. */
typedef struct vt__optimism_metric {
  double apparent;  /* on the original rows, model fitted on all rows */
  double optimism;  /* mean over replicates of (boot - orig) */
  double corrected; /* apparent - optimism */
  double sd;        /* SD over replicates of the optimism */
} vt__optimism_metric;

typedef struct vt__optimism {
  size_t replicates; /* B requested */
  size_t used;       /* replicates that entered the means */
  size_t failed;
  vt__optimism_metric auc, brier, intercept, slope;
} vt__optimism;

/* apparent_prob: the probabilities of the model fitted on all n rows, on
 * those rows (the caller has them already). */
vt_status vt__optimism_bootstrap(vt__fit_predict_fn fit_predict, void *ctx,
                                 const unsigned char *y, size_t n,
                                 const double *apparent_prob,
                                 const vt__resample_options *opts, vt__optimism *out,
                                 vt_error *err);

/* JSON of an optimism result: {"method":"harrell_bootstrap","replicates",
 * "used","failed","auc":{"apparent","optimism","corrected","sd"},"brier":..,
 * "calibration_intercept":..,"calibration_slope":..}. New reference or NULL. */
#include <jansson.h>
json_t *vt__optimism_to_json(const vt__optimism *o);
#endif
