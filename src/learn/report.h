/* report.h — the validation report: one self-contained HTML file (inline SVG
 * plots, no scripts, no external resources) organised along the TRIPOD+AI
 * items it answers, plus the same numbers as JSON. Model code fills a
 * vt__report with borrowed pointers; everything but `title` may be NULL/0
 * and the section then says "not reported". */
#ifndef VT_LEARN_REPORT_H
#define VT_LEARN_REPORT_H
#include <stddef.h>

#include <jansson.h>

#include "learn/metrics.h"
#include "learn/resample.h"
#include "vertebra/status.h"

/* A labelled set of metrics, e.g. "Apparent (all 310 rows)", "5-fold
 * cross-validation (out-of-fold)", "Held-out test (62 rows)", "External". The
 * first set is the primary one: its plots are drawn. */
typedef struct vt__report_metrics {
  const char *label;
  const vt__metrics *metrics;
} vt__report_metrics;

/* Missing data of one predictor: count, and how it was handled
 * ("median imputation (42.1)", "missing indicator", "mode: 'F'"). */
typedef struct vt__report_missing {
  const char *column;
  size_t missing;
  size_t n;
  const char *handling;
} vt__report_missing;

/* A predictor as used by the model. */
typedef struct vt__report_predictor {
  const char *name;
  const char *type;     /* "numeric", "categorical (4 levels)", "indicator" */
  const char *summary;  /* optional, e.g. "median 61 (IQR 52–70)" */
} vt__report_predictor;

/* Global importance: one value per feature (mean |SHAP| or |standardised
 * coefficient|); drawn as sorted bars. */
typedef struct vt__report_importance {
  const char *kind; /* "mean |SHAP| (log-odds)", "standardised coefficient" */
  size_t nfeatures;
  const char *const *features;
  const double *values;
} vt__report_importance;

/* SHAP summary ("beeswarm"): shap[r * nfeatures + f] for nrows rows and, when
 * not NULL, the feature's value in the same layout for the colour (low blue,
 * high red, per feature min–max). The top 15 features by mean |SHAP| are drawn;
 * at most 2,000 rows (an evenly spaced subset beyond that). */
typedef struct vt__report_shap {
  size_t nrows, nfeatures;
  const char *const *features;
  const double *shap;
  const double *values;
} vt__report_shap;

typedef struct vt__report {
  const char *title;            /* required */
  const char *software;         /* "vertebra 0.1.0" */
  const char *created;          /* ISO 8601 time; NULL = now (UTC) */
  /* TRIPOD+AI 5a/5b: source of data, dates */
  const char *data_source;
  /* 6a/13a: participants, eligibility, flow; counts come from metrics */
  const char *participants;
  /* 7a: outcome definition */
  const char *outcome;
  /* 8a: predictors */
  const vt__report_predictor *predictors;
  size_t npredictors;
  /* 9: missing data */
  const char *missing_summary;
  const vt__report_missing *missing;
  size_t nmissing;
  /* data-quality findings (constant columns, implausible values, leakage
   * suspects, duplicates), one line each */
  const char *const *quality;
  size_t nquality;
  /* 12: model type, hyper-parameters, selection (e.g. auto: chosen and runner-up) */
  const char *model;
  /* 12/17: validation method (k-fold, held-out, bootstrap B, seed) */
  const char *validation;
  /* 16: performance with CIs */
  const vt__report_metrics *sets;
  size_t nsets;
  const vt__optimism *optimism; /* may be NULL */
  /* explainability */
  const vt__report_importance *importance;
  const vt__report_shap *shap;
  /* 20: limitations; the report adds those the metrics warned about */
  const char *const *limitations;
  size_t nlimitations;
  /* anything else the caller wants in the JSON (model card, data-quality
   * JSON): borrowed object, embedded under "extra" */
  json_t *extra;
} vt__report;

/* The report's numbers as JSON: {"title","software","created","tripod":{...
 * texts},"metrics":[{"label",..metrics JSON..}],"optimism",{"importance"},
 * "limitations":[..],"extra"}. New reference or NULL (ENOMEM). */
json_t *vt__report_to_json(const vt__report *r);

/* Writes the HTML report to `path` atomically (temp + rename). When
 * `json_path` is not NULL also writes vt__report_to_json there (atomically).
 * VT_EINVAL (no title or no metrics set), VT_EIO, VT_ENOMEM. */
vt_status vt__report_write(const vt__report *r, const char *path, const char *json_path,
                           vt_error *err);
/* Writes `j` as indented JSON (keys in insertion order, 17 significant
 * digits) to `path` atomically; "-" = stdout. VT_EIO, VT_ENOMEM. Shared by
 * train, validate and evaluate so the files look the same. */
vt_status vt__json_write(const char *path, const json_t *j, vt_error *err);
#endif
