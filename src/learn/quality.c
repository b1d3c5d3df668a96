/* quality.c — the data-quality report before training: missingness per
 * column, constant and near-constant columns, implausible values by column
 * name, duplicate rows and leakage suspects (one column alone with AUC > 0.99).
 *
 * Plausibility rules, keyed on the lower-cased column name: "age" < 0 or
 * > 120 years; "bmi" < 10 or > 100 kg/m2; "height" (cm) outside 50-250;
 * "weight" (kg) outside 2-400. */
#define _GNU_SOURCE /* qsort_r */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sort.h"
#include "learn/learn_internal.h"

static const struct { const char *name; double lo, hi; } rules[] = {
    {"age", 0, 120}, {"bmi", 10, 100}, {"height", 50, 250}, {"weight", 2, 400}};

static int cmp_rows(const void *a, const void *b, void *ctx) {
  const vt__table *t = ctx;
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  for (size_t c = 0; c < t->ncols; c++) {
    int r = strcmp(t->cells[i * t->ncols + c], t->cells[j * t->ncols + c]);
    if (r) return r;
  }
  return 0;
}

static size_t duplicate_rows(const vt__table *t) {
  /* O(n log n) via sorting row indices; ties are identical rows */
  size_t *idx = malloc((t->nrows + 1) * sizeof *idx), dup = 0;
  if (!idx) return 0;
  for (size_t i = 0; i < t->nrows; i++) idx[i] = i;
  qsort_r(idx, t->nrows, sizeof *idx, cmp_rows, (void *)t);
  for (size_t i = 1; i < t->nrows; i++)
    if (!cmp_rows(&idx[i - 1], &idx[i], (void *)t)) dup++;
  free(idx);
  return dup;
}

json_t *vt__quality_json(const vt__table *t, const vt__schema *s, const vt__design *d) {
  json_t *cols = json_array(), *warn = json_array();
  for (size_t f = 0; f < s->nfeat; f++) {
    const vt__feature *ft = &s->feat[f];
    size_t jc = vt__table_col(t, ft->name), nimpl = 0;
    double frac = (double)ft->nmissing / (double)t->nrows;
    json_t *o = json_pack("{s:s, s:s, s:I, s:f}", "column", ft->name, "type",
                          ft->categorical ? "categorical" : "numeric", "missing",
                          (json_int_t)ft->nmissing, "missing_fraction", frac);
    /* constant / near-constant: the commonest design value covers >= 99 % */
    size_t ndc = ft->categorical ? ft->nlevels : 1;
    double top = 0;
    if (ft->categorical) {
      for (size_t l = 0; l < ndc; l++) {
        double c = 0;
        for (size_t i = 0; i < d->n; i++) c += d->x[i * d->p + ft->design0 + l];
        if (c > top) top = c;
      }
    } else { /* longest run of equal values in the sorted column */
      double *v = malloc((d->n + 1) * sizeof *v);
      for (size_t i = 0; v && i < d->n; i++) v[i] = d->x[i * d->p + ft->design0];
      if (v && vt__sort_doubles(v, d->n, NULL)) {
        free(v);
        v = NULL;
      }
      for (size_t i = 0, run = 0; v && i < d->n; i++) {
        run = i && v[i] == v[i - 1] ? run + 1 : 1;
        if ((double)run > top) top = (double)run;
      }
      free(v);
    }
    double share = top / (double)d->n;
    const char *flag = share >= 1.0 ? "constant" : share >= 0.99 ? "near-constant" : NULL;
    if (flag) {
      json_object_set_new(o, "variability", json_string(flag));
      json_array_append_new(warn, json_pack("{s:s, s:s}", "column", ft->name, "issue", flag));
    }
    if (!ft->categorical && jc != (size_t)-1)
      for (size_t r = 0; r < sizeof rules / sizeof *rules; r++)
        if (!strcasecmp(ft->name, rules[r].name)) {
          for (size_t i = 0; i < t->nrows; i++) {
            double v;
            if (vt__parse_num(t->cells[i * t->ncols + jc], &v) && (v < rules[r].lo || v > rules[r].hi))
              nimpl++;
          }
          json_object_set_new(o, "implausible", json_pack("{s:I, s:f, s:f}", "count",
                                                          (json_int_t)nimpl, "low", rules[r].lo,
                                                          "high", rules[r].hi));
          if (nimpl)
            json_array_append_new(warn, json_pack("{s:s, s:s, s:I}", "column", ft->name, "issue",
                                                  "implausible values", "rows", (json_int_t)nimpl));
        }
    /* leakage: the best single design column of this feature alone (the shared
     * AUC of metrics.h) */
    double best = 0.5;
    double *col = malloc((d->n + 1) * sizeof *col);
    for (size_t c = 0; col && d->y && c < ft->ndesign; c++) {
      for (size_t i = 0; i < d->n; i++) col[i] = d->x[i * d->p + ft->design0 + c];
      double a = vt__score_auc(col, d->y, d->n);
      if (isfinite(a) && fmax(a, 1 - a) > best) best = fmax(a, 1 - a);
    }
    free(col);
    json_object_set_new(o, "single_column_auc", json_real(best));
    if (best > 0.99)
      json_array_append_new(warn, json_pack("{s:s, s:s, s:f}", "column", ft->name, "issue",
                                            "leakage suspect: alone predicts the outcome",
                                            "auc", best));
    json_array_append_new(cols, o);
  }
  json_t *dropped = json_array();
  for (size_t j = 0; j < s->ndropped; j++) {
    json_array_append_new(dropped, json_string(s->dropped[j]));
    json_array_append_new(warn, json_pack("{s:s, s:s}", "column", s->dropped[j], "issue",
                                          "all values missing: column dropped"));
  }
  return json_pack("{s:I, s:I, s:o, s:o, s:I, s:o}", "rows", (json_int_t)t->nrows,
                   "duplicate_rows", (json_int_t)duplicate_rows(t), "columns", cols,
                   "dropped_all_missing", dropped, "unseen_levels", (json_int_t)d->unseen,
                   "warnings", warn);
}
