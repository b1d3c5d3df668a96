/* learn_internal.h — what the cohort, model and model-file modules of
 * src/learn share: the loaded table, the feature schema that turns it into a
 * design matrix, and the two model kinds.
 *
 * For learn-eval (metrics.h/resample.h/report.h were not on main when this
 * was written): train.c uses its own stratified k-fold (vt__stratified_folds)
 * and a rank (Mann-Whitney) AUC, and validate.c its own Brier and
 * calibration intercept/slope. What this side needs from theirs:
 *  - a metrics call over (probability or log-odds, y, n[, subgroup labels])
 *    returning the shared metrics JSON object (auc with DeLong CI, brier,
 *    calibration, thresholds, net benefit, subgroups), used on the pooled
 *    out-of-fold predictions in train and on the new cohort in validate;
 *  - CV / Harrell bootstrap driven by a fit/predict callback: fit(x, y, n, p)
 *    -> model, predict(model, x, n) -> log-odds (fit() in train.c and
 *    vt__model_logit already have that shape);
 *  - a report call taking the metrics JSON plus this side's `quality`,
 *    `importance` and `schema` objects (see docs/learn.md).
 */
#ifndef VT_LEARN_INTERNAL_H
#define VT_LEARN_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

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

/* Rank (Mann-Whitney) AUC; NaN when a class is absent. */
double vt__rank_auc(const double *score, const double *y, size_t n);
/* Stratified fold labels 0..k-1, deterministic for a seed. */
void vt__stratified_folds(const double *y, size_t n, int k, uint64_t seed, int *fold);

/* The public vt_learn_model: schema, fitted model and the document's other
 * sections (training_data, metrics, quality, lineage, created). */
struct vt_learn_model {
  vt__schema *schema;
  vt__model model;
  json_t *meta; /* owned object */
};

/* Validation of a model on another cohort: metrics, drift per input and,
 * when recal_out is set, a recalibrated copy (logistic recalibration of the
 * linear predictor) with lineage. *report is a JSON object. */
vt_status vt__validate(const vt_learn_model *m, const char *data, const char *model_path,
                       const char *recal_out, json_t **report, vt_error *err);

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
