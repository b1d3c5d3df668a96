/* metrics.h — performance of a binary risk model from probabilities and
 * outcomes: discrimination (AUC with DeLong and bootstrap CIs), overall
 * accuracy (Brier, scaled Brier), calibration (intercept, slope, binned and
 * smoothed curves), classification at thresholds (with Wilson CIs), decision
 * curves (net benefit) and the same per subgroup; and the one JSON shape that
 * train, validate and evaluate all write. Formulas and references:
 * docs/learn-validation.md. */
#ifndef VT_LEARN_METRICS_H
#define VT_LEARN_METRICS_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vertebra/progress.h"
#include "vertebra/status.h"

/* ---- single metrics (building blocks; no allocation visible to callers) ---- */

/* AUC (Mann–Whitney, ties count 1/2) with DeLong's (1988) variance computed by
 * the O(n log n) midrank algorithm of Sun & Xu (2014). The 95 % CI is built
 * on the logit scale: expit(logit(auc) ± 1.959964·se / (auc (1 - auc))), which
 * stays inside (0, 1) and covers better than the plain Wald interval when the
 * AUC is high or samples are small (Pepe 2003, §5.2; our simulations in
 * docs/learn-validation.md). The plain Wald interval auc ± 1.959964·se,
 * clipped to [0, 1] (pROC's), is kept in wald_lo/wald_hi. At AUC 0 or 1 both
 * are degenerate ([auc, auc]). */
typedef struct vt__auc_delong {
  double auc;
  double var; /* DeLong variance of the AUC: S10/m + S01/n */
  double se;
  double ci_lo, ci_hi;     /* logit-scale 95 % CI */
  double wald_lo, wald_hi; /* plain Wald 95 % CI, clipped */
  size_t npos, nneg;
} vt__auc_delong;

/* prob[i] is the score of row i (any real; only its order matters), y[i] is 0
 * or 1. VT_EINVAL when n is 0, a y is not 0/1, a score is not finite, or a
 * class is empty (the message says which); VT_ENOMEM. */
vt_status vt__auc_delong_compute(const double *score, const unsigned char *y, size_t n,
                                 vt__auc_delong *out, vt_error *err);

/* Brier score mean((p - y)^2); scaled Brier 1 - Brier / (prev (1 - prev)),
 * prev = events / n (NAN when one class). VT_EINVAL as above (p in [0, 1]). */
vt_status vt__brier(const double *prob, const unsigned char *y, size_t n, double *brier,
                    double *scaled, vt_error *err);

/* Logistic recalibration on lp = logit(p) (p clipped to [1e-15, 1 - 1e-15]):
 * calibration-in-the-large a in logit P(y) = a + offset(lp), and the slope b
 * in logit P(y) = a' + b lp (Cox 1958; Steyerberg 2019), by Newton–Raphson
 * (IRLS) with Wald 95 % CIs from the observed information. */
typedef struct vt__calibration_fit {
  double intercept, intercept_se, intercept_lo, intercept_hi;
  double slope, slope_se, slope_lo, slope_hi;
  double slope_intercept; /* a' of the slope model */
  int converged;          /* 0: separation or no convergence; values are the last iterate */
} vt__calibration_fit;
vt_status vt__calibration_fit_compute(const double *prob, const unsigned char *y, size_t n,
                                      vt__calibration_fit *out, vt_error *err);

/* One bin of a binned calibration curve; empty bins are omitted (as sklearn). */
typedef struct vt__calib_bin {
  double mean_predicted; /* mean p in the bin (sklearn prob_pred) */
  double observed;       /* events / n in the bin (sklearn prob_true) */
  double lo, hi;         /* Wilson 95 % CI of observed */
  size_t n, events;
} vt__calib_bin;

typedef enum vt__bin_strategy { VT_BINS_QUANTILE = 0, VT_BINS_UNIFORM = 1 } vt__bin_strategy;

/* Binned calibration curve equal to sklearn.calibration.calibration_curve(y,
 * p, n_bins, strategy) (same edges, numpy's linear percentile, same
 * searchsorted rule). *bins is malloc'd (caller frees), *nbins <= n_bins. */
vt_status vt__calibration_curve(const double *prob, const unsigned char *y, size_t n,
                                size_t n_bins, vt__bin_strategy strategy,
                                vt__calib_bin **bins, size_t *nbins, vt_error *err);

/* Smoothed calibration: lowess of y on p (Cleveland 1979; span 2/3, tricube
 * weights over the floor(span n) nearest rows, local linear fit, no
 * robustness iterations — as rms::val.prob; equal to statsmodels'
 * lowess(y, p, frac=span, it=0, xvals=x)), evaluated at `npoints` p-values
 * evenly spread over [min p, max p]. Fitted values are not clipped to [0, 1]
 * (NAN where every weight is 0). x and fitted are malloc'd arrays of npoints
 * (caller frees). */
vt_status vt__calibration_lowess(const double *prob, const unsigned char *y, size_t n,
                                 double span, size_t npoints, double **x, double **fitted,
                                 vt_error *err);

/* Wilson score interval (Wilson 1927) for k successes of n at 95 %; NAN when n 0. */
void vt__wilson_ci(size_t k, size_t n, double *lo, double *hi);

/* Classification at a threshold t: predicted positive when p >= t. */
typedef struct vt__threshold_metrics {
  double threshold;
  size_t tp, fp, tn, fn;
  double sensitivity, sens_lo, sens_hi; /* NAN (JSON null) when undefined */
  double specificity, spec_lo, spec_hi;
  double ppv, ppv_lo, ppv_hi;
  double npv, npv_lo, npv_hi;
} vt__threshold_metrics;
void vt__threshold_metrics_compute(const double *prob, const unsigned char *y, size_t n,
                                   double threshold, vt__threshold_metrics *out);

/* Decision-curve analysis (Vickers & Elkin 2006): at threshold probability pt,
 * net benefit = TP/n - FP/n · pt/(1 - pt) (positive when p >= pt); treat-all
 * = prev - (1 - prev) · pt/(1 - pt); treat-none = 0. */
typedef struct vt__dca_point {
  double threshold, net_benefit, treat_all, treat_none;
  size_t tp, fp;
} vt__dca_point;
/* Fills out[0..nthr) for thresholds thr[] (each in (0, 1)); O(n log n + k log n). */
vt_status vt__decision_curve(const double *prob, const unsigned char *y, size_t n,
                             const double *thr, size_t nthr, vt__dca_point *out,
                             vt_error *err);

/* ---- the whole set, as written to JSON ---- */

typedef struct vt__metrics_options {
  size_t bootstrap;         /* replicates for the stratified percentile bootstrap CI of
                               the AUC (and Brier, ROC band); 0 = none. Default 1000. */
  uint64_t seed;            /* bootstrap seed (xoshiro256**, see resample.h) */
  const double *thresholds; /* classification thresholds; NULL = {0.1, 0.2, 0.3, 0.5} */
  size_t nthresholds;
  const double *dca_grid;   /* decision-curve thresholds; NULL = 0.01, 0.02, ..., 0.99 */
  size_t ndca;
  size_t calibration_bins;  /* quantile bins of the binned curve; 0 = 10 */
  size_t min_subgroup_events; /* warn below this many events or non-events; 0 = 10 */
  const vt_progress *progress; /* stage "bootstrap"; may be NULL */
  unsigned jobs;            /* bootstrap threads; 0/1 = the calling thread. The
                               result is the same for any value. */
} vt__metrics_options;

/* Sets the defaults above. */
void vt__metrics_options_init(vt__metrics_options *o);

/* One point of the ROC curve with its pointwise bootstrap 95 % band of the
 * sensitivity at that false-positive rate (NAN when no bootstrap). */
typedef struct vt__roc_point {
  double fpr, tpr, tpr_lo, tpr_hi;
} vt__roc_point;

typedef struct vt__metrics vt__metrics;

/* Computes every metric for probabilities prob[0..n) (each in [0, 1]) and
 * outcomes y[0..n) (0/1). When `group` is not NULL, group[i] names row i's
 * subgroup (borrowed strings; NULL or "" = missing, reported as its own
 * level "(missing)") and each level gets the same metrics (no bootstrap
 * band for the ROC; bootstrap CI of the AUC when opts->bootstrap > 0).
 * Degenerate cases (one class overall or in a subgroup, separation, tiny
 * subgroups) do not fail: the affected values are NAN (null in JSON) and a
 * warning says why. VT_EINVAL: n 0, a y not 0/1, a p outside [0, 1] or not
 * finite (the message names the 1-based row); VT_ENOMEM. *out is the
 * caller's, freed with vt__metrics_free. */
vt_status vt__metrics_compute(const double *prob, const unsigned char *y, size_t n,
                              const char *const *group, const vt__metrics_options *opts,
                              vt__metrics **out, vt_error *err);
void vt__metrics_free(vt__metrics *m);

/* Read access for reports and callers (borrowed, valid until free). */
size_t vt__metrics_n(const vt__metrics *m);
size_t vt__metrics_events(const vt__metrics *m);
const vt__auc_delong *vt__metrics_auc(const vt__metrics *m);
/* Bootstrap percentile CI of the AUC (NAN when none); *b gets the replicate count used. */
void vt__metrics_auc_bootstrap(const vt__metrics *m, double *lo, double *hi, size_t *b);
double vt__metrics_brier(const vt__metrics *m);
double vt__metrics_scaled_brier(const vt__metrics *m);
const vt__calibration_fit *vt__metrics_calibration(const vt__metrics *m);
const vt__calib_bin *vt__metrics_curve(const vt__metrics *m, size_t *nbins);
const vt__calib_bin *vt__metrics_curve_uniform(const vt__metrics *m, size_t *nbins);
/* Smoothed curve: x[i], fitted[i]. */
size_t vt__metrics_smooth(const vt__metrics *m, const double **x, const double **fitted);
const vt__roc_point *vt__metrics_roc(const vt__metrics *m, size_t *npoints);
const vt__threshold_metrics *vt__metrics_thresholds(const vt__metrics *m, size_t *count);
const vt__dca_point *vt__metrics_dca(const vt__metrics *m, size_t *count);
/* Subgroups in order of first appearance: name and metrics (NULL when a level
 * could not be computed, e.g. n 0). */
size_t vt__metrics_nsubgroups(const vt__metrics *m);
const char *vt__metrics_subgroup_name(const vt__metrics *m, size_t i);
const vt__metrics *vt__metrics_subgroup(const vt__metrics *m, size_t i);
/* Warnings (known limits hit by this data), e.g. "subgroup 'F': 4 events (< 10):
 * estimates unstable". */
size_t vt__metrics_nwarnings(const vt__metrics *m);
const char *vt__metrics_warning(const vt__metrics *m, size_t i);

/* The metrics JSON (new reference, caller json_decref's; NULL on ENOMEM):
 * {"n","events","prevalence","auc":{"value","ci95":[lo,hi],"method":"delong",
 * "ci_scale":"logit",
 * "se","wald_ci95","bootstrap_ci95":[lo,hi],"bootstrap_replicates"},"brier","scaled_brier",
 * "calibration":{"intercept","intercept_ci95","slope","slope_ci95","curve":
 * [{"mean_predicted","observed","n","events","ci95"}],"curve_uniform":[...],
 * "smooth":{"method":"lowess","span","x":[..],"fitted":[..]}},"roc":[{"fpr",
 * "tpr","tpr_ci95"}],"thresholds":[{"threshold","tp","fp","tn","fn",
 * "sensitivity":{"value","ci95"},"specificity":..,"ppv":..,"npv":..}],
 * "decision_curve":[{"threshold","net_benefit","treat_all","treat_none"}],
 * "subgroups":{"LEVEL":{same keys, no "subgroups"}},"warnings":[..]}.
 * NAN values are written as null. */
json_t *vt__metrics_to_json(const vt__metrics *m);

/* ---- shared numeric helpers ---- */

/* Standard normal CDF and its inverse (Acklam's algorithm refined by one
 * Halley step; |error| < 1e-12). */
double vt__norm_cdf(double x);
double vt__norm_quantile(double p);
#endif
