/* learn_internal.h — what the cohort, model and model-file modules of
 * src/learn share: the loaded table, the feature schema that turns it into a
 * design matrix, and the two model kinds.
 *
 * Every metric, split and resampling step comes from the evaluation modules
 * (metrics.h, resample.h, report.h): train.c supplies a fit_predict callback
 * to vt__cross_validate_folds / vt__optimism_bootstrap and hands the pooled
 * out-of-fold, held-out and apparent predictions to vt__metrics_compute;
 * validate.c does the same for a new cohort; both write the one metrics JSON
 * shape (vt__metrics_to_json plus a "run" object saying what produced it)
 * and the report through vt__report_write. No second AUC, Brier or
 * calibration lives here.
 */
#ifndef VT_LEARN_INTERNAL_H
#define VT_LEARN_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "learn/report.h"
#include "vertebra/learn.h"
#include "vertebra/status.h"

#define VT_LEARN_MAX_LEVELS 1000   /* categories per column before it is refused */
#define VT_LEARN_MAX_COLUMNS 10000 /* columns in a cohort file */
#define VT_LEARN_MAX_ROWS 10000000 /* rows in a cohort file */
#define VT_LEARN_FORMAT "vertebra-learn-model"
#define VT_LEARN_SCHEMA_VERSION 1

/* A cohort file held as text cells, row-major. */
typedef struct vt__table {
  char *path;
  size_t nrows, ncols;
  char **names; /* ncols */
  char **cells; /* nrows * ncols, each malloc'd */
  size_t *lines; /* 1-based file line of each row */
  unsigned char sha256[32];
} vt__table;

vt_status vt__table_read(const char *path, vt__table **out, vt_error *err);
void vt__table_free(vt__table *t);
/* Index of a column by name, or (size_t)-1. */
size_t vt__table_col(const vt__table *t, const char *name);
/* True for "", NA, NaN, ?, null (case-insensitive). */
int vt__is_missing(const char *s);
/* Parses a whole cell as a finite double; 1 on success. */
int vt__parse_num(const char *s, double *out);

enum { VT_IMPUTE_MEDIAN = 0, VT_IMPUTE_INDICATOR = 1 };

typedef struct vt__feature {
  char *name;
  int categorical;
  double impute;      /* numeric: median of the training column */
  size_t nlevels;
  char **levels;      /* categorical vocabulary, sorted */
  size_t mode_level;  /* most frequent level (median/mode imputation) */
  int has_indicator;  /* a "<name>=missing" design column follows */
  size_t nmissing;    /* in the training data */
  size_t design0, ndesign; /* its columns in the design matrix */
  /* training distribution, for drift at validation */
  size_t nobs;              /* non-missing training values */
  double quant[101];        /* numeric: percentiles 0..100 */
  double edges[9];          /* numeric: decile edges (PSI bins) */
  double bin_frac[10];      /* numeric: training share per PSI bin */
  double *level_frac;       /* categorical: training share per level */
} vt__feature;

/* The PSI bin of a numeric value under a feature's decile edges. */
int vt__psi_bin(const vt__feature *f, double v);

typedef struct vt__schema_opts {
  const char *outcome, *id, *positive;
  const char *exclude, *numeric, *categorical; /* comma lists, may be NULL */
  int impute;
} vt__schema_opts;

typedef struct vt__schema {
  char *outcome, *id, *positive, *negative;
  int impute;
  size_t nfeat;
  vt__feature *feat;
  size_t ndesign;
  char **design_names;
  char **dropped; size_t ndropped; /* all-missing columns dropped with a warning */
} vt__schema;

/* The design matrix of a table under a schema: x is n*p row-major doubles,
 * y (when the outcome column is present) 0/1, ids borrowed from the table. */
typedef struct vt__design {
  size_t n, p;
  double *x;
  double *y;   /* NULL when the table has no outcome column */
  const char **ids; /* borrowed row ids (id column or row number text) */
  char *idbuf; /* storage for generated ids */
  size_t unseen; /* categorical cells whose level was not in the vocabulary */
  size_t missing; /* cells imputed */
} vt__design;

/* Infers a schema from a training table (types, vocabularies, imputation). */
vt_status vt__schema_infer(const vt__table *t, const vt__schema_opts *o, vt__schema **out,
                           vt_error *err);
void vt__schema_free(vt__schema *s);
/* Builds the design matrix; need_outcome demands the outcome column. Every
 * schema feature must be a column of t (else VT_ENOTFOUND naming it). */
vt_status vt__design_build(const vt__schema *s, const vt__table *t, int need_outcome,
                           vt__design *d, vt_error *err);
void vt__design_free(vt__design *d);
json_t *vt__schema_to_json(const vt__schema *s);
vt_status vt__schema_from_json(json_t *j, vt__schema **out, vt_error *err);

/* Models. */
typedef enum { VT_MODEL_LOGISTIC = 1, VT_MODEL_GBDT = 2 } vt__model_kind;

typedef struct vt__logreg_opts {
  double C;        /* sklearn's C; lambda = 1/(C*n) */
  double l1_ratio; /* 0 = L2, 1 = L1, between = elastic net */
  double tol;
  int max_iter;
} vt__logreg_opts;

typedef struct vt__gbdt_opts {
  int max_depth, n_estimators, seed, nthread;
  double eta, subsample, colsample, min_child_weight, lambda;
  int hist; /* tree_method: 1 "hist" (256 bins), 0 "exact" */
} vt__gbdt_opts;

typedef struct vt__model {
  vt__model_kind kind;
  size_t p;
  /* logistic: on standardised design columns */
  double intercept, *coef, *center, *scale;
  vt__logreg_opts lr;
  /* recalibration of the linear predictor: lp' = a + b*lp */
  double recal_a, recal_b;
  /* gbdt */
  void *booster; /* BoosterHandle */
  vt__gbdt_opts gb;
} vt__model;

void vt__logreg_defaults(vt__logreg_opts *o);
void vt__gbdt_defaults(vt__gbdt_opts *o);
vt_status vt__logreg_fit(const double *x, const double *y, size_t n, size_t p,
                         const vt__logreg_opts *o, vt__model *m, vt_error *err);
vt_status vt__gbdt_fit(const double *x, const double *y, size_t n, size_t p,
                       const vt__gbdt_opts *o, vt__model *m, vt_error *err);
/* Fitting and scoring subsets of one cohort without re-copying it: the design
 * is converted to an XGBoost DMatrix (with labels) once, and each fit or
 * prediction slices the rows it needs (rows may repeat: bootstrap samples).
 * Slicing gives the same floats in the same order as a matrix built from the
 * gathered rows, so the trees are the same. Safe to call from several threads
 * on one data handle (XGBoost's slice only reads it). */
vt_status vt__gbdt_data_new(const double *x, const double *y, size_t n, size_t p, void **data,
                            vt_error *err);
void vt__gbdt_data_free(void *data);
vt_status vt__gbdt_fit_rows(void *data, const size_t *rows, size_t nrows, size_t p,
                            const vt__gbdt_opts *o, vt__model *m, vt_error *err);
vt_status vt__gbdt_logit_rows(const vt__model *m, void *data, const size_t *rows, size_t nrows,
                              double *out, vt_error *err);
/* Linear predictor (log-odds) per row, recalibration applied. */
vt_status vt__model_logit(const vt__model *m, const double *x, size_t n, double *out,
                          vt_error *err);
/* Per-row contributions: n*(p+1), last column the base (intercept / bias);
 * each row sums to the row's log-odds before recalibration. */
vt_status vt__model_contrib(const vt__model *m, const double *x, size_t n, double *out,
                            vt_error *err);
void vt__model_clear(vt__model *m);
json_t *vt__model_to_json(const vt__model *m, const vt__schema *s, vt_error *err);
vt_status vt__model_from_json(json_t *j, size_t p, vt__model *m, vt_error *err);

/* AUC of a score against a 0/1 double outcome through the shared DeLong code
 * (metrics.h); NaN when a class is absent or memory runs out. */
double vt__score_auc(const double *score, const double *y, size_t n);

/* What training measured beyond the model file: the metric sets, the
 * optimism bootstrap and the per-row explanations the report draws (train.c;
 * NULL for a model loaded from a file). */
typedef struct vt__train_eval vt__train_eval;
void vt__train_eval_free(vt__train_eval *e);

/* The public vt_learn_model: schema, fitted model and the document's other
 * sections (training_data, metrics, quality, lineage, created). */
struct vt_learn_model {
  vt__schema *schema;
  vt__model model;
  json_t *meta; /* owned object */
  vt__train_eval *eval; /* owned; set by vt_learn_train only */
};

/* vt_learn_report with more: extra metric sets after the model's own (e.g.
 * the demo's true risk), a sentence added to the model section, and a JSON
 * object embedded under "extra" (all borrowed, may be NULL/0). */
vt_status vt__train_report(const vt_learn_model *m, const char *html_path,
                           const char *json_path, const vt__report_metrics *more, size_t nmore,
                           const char *model_note, json_t *extra, vt_error *err);

/* The "run" object of the metrics JSON is built by each command; the rest is
 * vt__metrics_to_json. This joins them (steals run); NULL on ENOMEM. */
json_t *vt__metrics_document(const vt__metrics *m, json_t *run);

typedef struct vt__validate_opts {
  const char *data;        /* the new cohort (required) */
  const char *model_path;  /* the model file (lineage hash; required with recal_out) */
  const char *recal_out;   /* write a recalibrated version here, or NULL */
  const char *report_html; /* HTML report, or NULL */
  const char *report_json; /* its JSON, or NULL */
  const char *subgroup;    /* column for per-level metrics, or NULL */
  size_t bootstrap;        /* metric CI replicates (default 1000) */
  uint64_t seed;
  unsigned jobs;
  const double *thresholds;
  size_t nthresholds;
  const vt_progress *progress;
} vt__validate_opts;
void vt__validate_opts_init(vt__validate_opts *o);

/* Validation of a model on another cohort: the shared metrics (with
 * subgroups), drift per input and, when recal_out is set, a recalibrated
 * copy (logistic recalibration of the linear predictor) with lineage.
 * *report is the metrics JSON whose "run" holds drift and recalibration. */
vt_status vt__validate(const vt_learn_model *m, const vt__validate_opts *o, json_t **report,
                       vt_error *err);

/* Subgroup labels of a table column (borrowed cells; NULL for missing) for
 * rows[0..n) (all rows when rows is NULL); *out malloc'd. VT_ENOTFOUND naming
 * the column. */
vt_status vt__subgroup_labels(const vt__table *t, const char *column, const size_t *rows,
                              size_t n, const char ***out, vt_error *err);

/* Simulated spine-surgery cohort with a known logistic risk structure for
 * surgical-site infection (simulate.c). hospital 0: development site;
 * 1: an external site with older, heavier, more diabetic patients and a
 * different baseline risk and slope. Written atomically as CSV with columns
 * id, age, male, bmi, diabetes, smoker, asa, levels_fused, op_time_min,
 * albumin, site, ssi. true_lp (n values, may be NULL) receives each row's
 * true log-odds. */
typedef struct vt__sim_coef { const char *column; double beta; const char *unit; } vt__sim_coef;
vt_status vt__simulate_cohort(const char *path, size_t n, uint64_t seed, int hospital,
                              double *true_lp, vt_error *err);
/* The true per-unit coefficients on the log-odds scale (intercept first). */
const vt__sim_coef *vt__simulate_truth(size_t *n);

/* Data-quality report of a table under a schema (JSON object). */
json_t *vt__quality_json(const vt__table *t, const vt__schema *s, const vt__design *d);
#endif
