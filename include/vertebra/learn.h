/* learn.h — clinical risk models from a cohort CSV: train (penalised logistic
 * regression or XGBoost trees, or both with the better chosen by
 * cross-validated AUC), save/load a self-describing versioned model file, and
 * predict with per-row contributions as CSV, JSON or FHIR R4 RiskAssessment. */
#ifndef VERTEBRA_LEARN_H
#define VERTEBRA_LEARN_H
#include <stddef.h>
#include <stdint.h>

#include "vertebra/progress.h"
#include "vertebra/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options of vt_learn_train; fill with vt_learn_train_defaults first. All
 * strings are borrowed. Comma lists name columns. */
typedef struct vt_learn_train_opts {
  const char *data;        /* cohort CSV with a header */
  const char *outcome;     /* binary outcome column */
  const char *positive;    /* the event label when not 1/yes/true/present */
  const char *id;          /* row id column, or NULL */
  const char *exclude;     /* columns not used as predictors */
  const char *numeric;     /* force numeric */
  const char *categorical; /* force categorical (one-hot) */
  const char *model;       /* "logistic", "gbdt" or "auto" (default) */
  const char *date;        /* optional ISO 8601 date column: its range is fingerprinted */
  const char *folds_file;  /* optional CSV "row,fold" (1-based row, 0-based fold) */
  int impute_indicator;    /* 0: median/mode imputation; 1: missing indicators */
  int folds;               /* stratified CV folds (default 5) */
  uint64_t seed;           /* folds and XGBoost seed (default 42) */
  int jobs;                /* XGBoost threads (default 1) */
  double C, l1_ratio;      /* logistic: sklearn's C (default 1) and l1_ratio (0 = L2) */
  int max_depth, n_estimators;                           /* trees: 3, 100 */
  double eta, subsample, colsample, min_child_weight, lambda; /* 0.1, 1, 1, 1, 1 */
  const char *tree_method; /* trees: "hist" (default) or "exact" */
  double holdout;          /* fraction held out (stratified) for a test set; 0 = none */
  size_t optimism;         /* Harrell optimism-bootstrap replicates (default 200; 0 = none) */
  size_t bootstrap;        /* bootstrap replicates of the metric CIs (default 1000; 0 = none) */
  const char *subgroup;    /* column whose levels get their own metrics, or NULL */
  const double *thresholds; /* classification thresholds; NULL = 0.1, 0.2, 0.3, 0.5 */
  size_t nthresholds;
  const vt_progress *progress; /* stages "cross-validation", "optimism bootstrap",
                                  "bootstrap"; may be NULL */
} vt_learn_train_opts;

typedef struct vt_learn_model vt_learn_model;

VT_API void vt_learn_train_defaults(vt_learn_train_opts *o);

/* Reads the cohort, checks it (quality report), cross-validates the chosen
 * model kind(s) and fits the final model on all rows. *out is the caller's
 * (vt_learn_model_free). VT_EFORMAT / VT_ENOTFOUND / VT_ELIMIT naming the
 * file, row and column for bad cohorts; VT_EINVAL for bad options. */
VT_API vt_status vt_learn_train(const vt_learn_train_opts *o, vt_learn_model **out,
                                vt_error *err);

/* Writes the training report of a model just returned by vt_learn_train: one
 * self-contained HTML file (inline SVG: ROC with bootstrap band, calibration,
 * decision curve, SHAP summary) along the TRIPOD+AI items, and, when
 * json_path is not NULL, its numbers as JSON. Atomic. VT_EINVAL for a model
 * loaded from a file (the resampling results are not stored), VT_EIO,
 * VT_ENOMEM. */
VT_API vt_status vt_learn_report(const vt_learn_model *m, const char *html_path,
                                 const char *json_path, vt_error *err);

/* The model file document (metrics, quality report, schema, model) as JSON
 * text, malloc'd, caller frees. `part` NULL for all, or "metrics",
 * "quality". NULL on allocation failure or an unknown part. */
VT_API char *vt_learn_model_json(const vt_learn_model *m, const char *part);

/* Writes the model file atomically. VT_EIO. */
VT_API vt_status vt_learn_model_save(const vt_learn_model *m, const char *path, vt_error *err);
/* Loads a model file; refuses another format or schema version, a truncated
 * or corrupt file and missing fields, naming the field. VT_EFORMAT, VT_EIO. */
VT_API vt_status vt_learn_model_load(const char *path, vt_learn_model **out, vt_error *err);
VT_API void vt_learn_model_free(vt_learn_model *m);

/* Scores a cohort and writes `out_path` atomically ("-" = stdout) as
 * "csv" (id,probability[,top-K contribution name/value pairs]), "json" or
 * "fhir" (an R4 Bundle of RiskAssessment). A cohort lacking a model column is
 * VT_ENOTFOUND naming it. *unseen (if not NULL) counts categorical values
 * not in the training vocabulary (scored as all-zero one-hot). */
VT_API vt_status vt_learn_predict(const vt_learn_model *m, const char *data, int explain_k,
                                  const char *format, const char *out_path, size_t *unseen,
                                  vt_error *err);
#ifdef __cplusplus
}
#endif
#endif
