/* schema.c — turns a cohort table into features: binary outcome, inferred or
 * overridden types, one-hot vocabularies, median/mode or indicator
 * imputation; builds the design matrix and stores/loads the schema as JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sort.h"
#include "learn/learn_internal.h"

static int in_list(const char *list, const char *name) {
  if (!list) return 0;
  size_t n = strlen(name);
  const char *p = list;
  while (*p) {
    const char *e = strchr(p, ',');
    size_t k = e ? (size_t)(e - p) : strlen(p);
    if (k == n && !strncmp(p, name, n)) return 1;
    if (!e) break;
    p = e + 1;
  }
  return 0;
}

/* Checks that every name in a comma list is a column. */
static vt_status check_list(const vt__table *t, const char *list, const char *opt,
                            vt_error *err) {
  if (!list) return VT_OK;
  char name[512];
  const char *p = list;
  while (*p) {
    const char *e = strchr(p, ',');
    size_t k = e ? (size_t)(e - p) : strlen(p);
    if (k >= sizeof name) k = sizeof name - 1;
    memcpy(name, p, k);
    name[k] = 0;
    if (k && vt__table_col(t, name) == (size_t)-1)
      return vt_error_set(err, VT_ENOTFOUND, t->path, "%s: no column '%s' in the header", opt,
                          name);
    if (!e) break;
    p = e + 1;
  }
  return VT_OK;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Positive label of a binary outcome, or 0 when v is not one of the pair. */
static int outcome_value(const vt__schema *s, const char *v, double *y) {
  if (!strcmp(v, s->positive)) { *y = 1; return 1; }
  if (!strcmp(v, s->negative)) { *y = 0; return 1; }
  return 0;
}

static const char *known_pos[] = {"1", "yes", "true", "present", "y", "t", "positive"};
static const char *known_neg[] = {"0", "no", "false", "absent", "n", "f", "negative"};

static vt_status infer_outcome(const vt__table *t, size_t oc, const char *positive,
                               vt__schema *s, vt_error *err) {
  const char *lv[2] = {NULL, NULL};
  char where[600];
  for (size_t i = 0; i < t->nrows; i++) {
    const char *v = t->cells[i * t->ncols + oc];
    snprintf(where, sizeof where, "%s: line %zu, column '%s'", t->path, t->lines[i],
             s->outcome);
    if (vt__is_missing(v))
      return vt_error_set(err, VT_EFORMAT, where, "outcome is missing in row %zu", i + 1);
    if (lv[0] && !strcmp(v, lv[0])) continue;
    if (lv[1] && !strcmp(v, lv[1])) continue;
    if (!lv[0]) { lv[0] = v; continue; }
    if (!lv[1]) { lv[1] = v; continue; }
    return vt_error_set(err, VT_EFORMAT, where,
                        "outcome is not binary: row %zu has a third value '%s' (after '%s' "
                        "and '%s')", i + 1, v, lv[0], lv[1]);
  }
  if (!lv[1]) {
    snprintf(where, sizeof where, "%s: column '%s'", t->path, s->outcome);
    return vt_error_set(err, VT_EFORMAT, where,
                        "outcome has one class only ('%s' in all %zu rows); a risk model "
                        "needs events and non-events", lv[0], t->nrows);
  }
  int pos = -1;
  if (positive) {
    for (int k = 0; k < 2; k++)
      if (!strcmp(lv[k], positive)) pos = k;
    if (pos < 0) {
      snprintf(where, sizeof where, "%s: column '%s'", t->path, s->outcome);
      return vt_error_set(err, VT_ENOTFOUND, where, "--positive '%s' is neither '%s' nor '%s'",
                          positive, lv[0], lv[1]);
    }
  } else {
    for (size_t q = 0; q < sizeof known_pos / sizeof *known_pos && pos < 0; q++)
      for (int k = 0; k < 2; k++)
        if (!strcasecmp(lv[k], known_pos[q]) && !strcasecmp(lv[1 - k], known_neg[q])) pos = k;
    if (pos < 0) {
      snprintf(where, sizeof where, "%s: column '%s'", t->path, s->outcome);
      return vt_error_set(err, VT_EINVAL, where,
                          "outcome labels '%s' and '%s' are not 0/1, yes/no, true/false or "
                          "present/absent: name the event with --positive", lv[0], lv[1]);
    }
  }
  s->positive = strdup(lv[pos]);
  s->negative = strdup(lv[1 - pos]);
  return s->positive && s->negative ? VT_OK : vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
}

int vt__psi_bin(const vt__feature *f, double v) {
  int b = 0;
  while (b < 9 && v > f->edges[b]) b++;
  return b;
}

static json_t *darr(const double *v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(a, json_real(v[i]));
  return a;
}

static int read_darr(json_t *a, double *out, size_t n) {
  if (!json_is_array(a) || json_array_size(a) != n) return 0;
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(a, i);
    if (!json_is_number(e)) return 0;
    out[i] = json_number_value(e);
  }
  return 1;
}

void vt__schema_free(vt__schema *s) {
  if (!s) return;
  for (size_t f = 0; f < s->nfeat; f++) {
    free(s->feat[f].name);
    for (size_t l = 0; l < s->feat[f].nlevels; l++) free(s->feat[f].levels[l]);
    free(s->feat[f].levels);
    free(s->feat[f].level_frac);
  }
  for (size_t j = 0; j < s->ndesign; j++) free(s->design_names[j]);
  for (size_t j = 0; j < s->ndropped; j++) free(s->dropped[j]);
  free(s->dropped);
  free(s->design_names);
  free(s->feat);
  free(s->outcome);
  free(s->id);
  free(s->positive);
  free(s->negative);
  free(s);
}

/* Assigns design columns and their names once features are known. */
static vt_status layout(vt__schema *s, vt_error *err) {
  size_t p = 0;
  for (size_t f = 0; f < s->nfeat; f++) {
    vt__feature *ft = &s->feat[f];
    ft->design0 = p;
    ft->ndesign = (ft->categorical ? ft->nlevels : 1) + (ft->has_indicator ? 1 : 0);
    p += ft->ndesign;
  }
  s->ndesign = p;
  s->design_names = calloc(p ? p : 1, sizeof *s->design_names);
  if (!s->design_names) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t f = 0; f < s->nfeat; f++) {
    vt__feature *ft = &s->feat[f];
    size_t k = ft->design0;
    char buf[1200];
    if (ft->categorical)
      for (size_t l = 0; l < ft->nlevels; l++) {
        snprintf(buf, sizeof buf, "%s=%s", ft->name, ft->levels[l]);
        s->design_names[k++] = strdup(buf);
      }
    else
      s->design_names[k++] = strdup(ft->name);
    if (ft->has_indicator) {
      snprintf(buf, sizeof buf, "%s=missing", ft->name);
      s->design_names[k++] = strdup(buf);
    }
  }
  for (size_t j = 0; j < p; j++)
    if (!s->design_names[j]) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  return VT_OK;
}

vt_status vt__schema_infer(const vt__table *t, const vt__schema_opts *o, vt__schema **out,
                           vt_error *err) {
  vt_status st;
  if (!o->outcome) return vt_error_set(err, VT_EINVAL, NULL, "no outcome column given");
  size_t oc = vt__table_col(t, o->outcome);
  if (oc == (size_t)-1)
    return vt_error_set(err, VT_ENOTFOUND, t->path, "--outcome: no column '%s' in the header",
                        o->outcome);
  size_t ic = (size_t)-1;
  if (o->id && (ic = vt__table_col(t, o->id)) == (size_t)-1)
    return vt_error_set(err, VT_ENOTFOUND, t->path, "--id: no column '%s' in the header", o->id);
  if ((st = check_list(t, o->exclude, "--exclude", err)) ||
      (st = check_list(t, o->numeric, "--numeric", err)) ||
      (st = check_list(t, o->categorical, "--categorical", err)))
    return st;
  vt__schema *s = calloc(1, sizeof *s);
  double *vals = malloc(t->nrows * sizeof *vals);
  char **strs = malloc(t->nrows * sizeof *strs);
  if (!s || !vals || !strs ||
      !(s->feat = calloc(t->ncols, sizeof *s->feat)) ||
      !(s->dropped = calloc(t->ncols, sizeof *s->dropped)) ||
      !(s->outcome = strdup(o->outcome)) || (o->id && !(s->id = strdup(o->id)))) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    goto fail;
  }
  s->impute = o->impute;
  if ((st = infer_outcome(t, oc, o->positive, s, err))) goto fail;
  /* duplicate ids */
  if (ic != (size_t)-1) {
    for (size_t i = 0; i < t->nrows; i++) strs[i] = t->cells[i * t->ncols + ic];
    qsort(strs, t->nrows, sizeof *strs, cmp_str);
    for (size_t i = 1; i < t->nrows; i++)
      if (!strcmp(strs[i], strs[i - 1])) {
        char where[600];
        snprintf(where, sizeof where, "%s: column '%s'", t->path, o->id);
        st = vt_error_set(err, VT_EFORMAT, where, "duplicate id '%s'", strs[i]);
        goto fail;
      }
  }
  for (size_t j = 0; j < t->ncols; j++) {
    const char *name = t->names[j];
    if (j == oc || j == ic || in_list(o->exclude, name)) continue;
    size_t nmiss = 0, nnum = 0, nobs = 0;
    for (size_t i = 0; i < t->nrows; i++) {
      const char *v = t->cells[i * t->ncols + j];
      double d;
      if (vt__is_missing(v)) { nmiss++; continue; }
      strs[nobs++] = t->cells[i * t->ncols + j];
      if (vt__parse_num(v, &d)) vals[nnum++] = d;
    }
    if (nobs == 0) {
      s->dropped[s->ndropped] = strdup(name);
      if (!s->dropped[s->ndropped++]) { st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); goto fail; }
      continue;
    }
    vt__feature *ft = &s->feat[s->nfeat];
    int categorical = in_list(o->categorical, name) ||
                      (!in_list(o->numeric, name) && nnum < nobs);
    if (!categorical && nnum < nobs) {
      for (size_t i = 0; i < t->nrows; i++) {
        const char *v = t->cells[i * t->ncols + j];
        double d;
        if (!vt__is_missing(v) && !vt__parse_num(v, &d)) {
          char where[600];
          snprintf(where, sizeof where, "%s: line %zu, column '%s'", t->path, t->lines[i], name);
          st = vt_error_set(err, VT_EFORMAT, where, "--numeric column has non-numeric value '%s'", v);
          goto fail;
        }
      }
    }
    ft->name = strdup(name);
    if (!ft->name) { st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); goto fail; }
    ft->categorical = categorical;
    ft->nmissing = nmiss;
    ft->has_indicator = o->impute == VT_IMPUTE_INDICATOR && nmiss > 0;
    s->nfeat++;
    ft->nobs = nobs;
    if (!categorical) {
      if ((st = vt__sort_doubles(vals, nnum, err))) goto fail;
      ft->impute = nnum % 2 ? vals[nnum / 2] : 0.5 * (vals[nnum / 2 - 1] + vals[nnum / 2]);
      for (int q = 0; q <= 100; q++) ft->quant[q] = vals[(size_t)((double)(nnum - 1) * q / 100.0 + 0.5)];
      for (int q = 0; q < 9; q++) ft->edges[q] = ft->quant[10 * (q + 1)];
      for (size_t i = 0; i < nnum; i++) ft->bin_frac[vt__psi_bin(ft, vals[i])] += 1.0 / (double)nnum;
      continue;
    }
    qsort(strs, nobs, sizeof *strs, cmp_str);
    size_t nl = 0, best = 0, bestn = 0, run = 0;
    for (size_t i = 0; i < nobs; i++) {
      if (i == 0 || strcmp(strs[i], strs[i - 1])) { nl++; run = 0; }
      if (++run > bestn) { bestn = run; best = nl - 1; }
    }
    if (nl > VT_LEARN_MAX_LEVELS) {
      char where[600];
      snprintf(where, sizeof where, "%s: column '%s'", t->path, name);
      st = vt_error_set(err, VT_ELIMIT, where,
                        "%zu distinct categories exceed the limit of %d (an identifier or free "
                        "text? use --exclude, or --numeric if it is a number)", nl,
                        VT_LEARN_MAX_LEVELS);
      goto fail;
    }
    ft->levels = calloc(nl, sizeof *ft->levels);
    if (!ft->levels) { st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); goto fail; }
    for (size_t i = 0; i < nobs; i++)
      if (i == 0 || strcmp(strs[i], strs[i - 1])) {
        if (!(ft->levels[ft->nlevels++] = strdup(strs[i]))) {
          st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
          goto fail;
        }
      }
    ft->mode_level = best;
    ft->level_frac = calloc(nl, sizeof *ft->level_frac);
    if (!ft->level_frac) { st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); goto fail; }
    for (size_t i = 0, l = 0; i < nobs; i++) {
      if (i && strcmp(strs[i], strs[i - 1])) l++;
      ft->level_frac[l] += 1.0 / (double)nobs;
    }
  }
  if (s->nfeat == 0) {
    st = vt_error_set(err, VT_EINVAL, t->path, "no predictor columns left after exclusions");
    goto fail;
  }
  if ((st = layout(s, err))) goto fail;
  free(vals);
  free(strs);
  *out = s;
  return VT_OK;
fail:
  free(vals);
  free(strs);
  vt__schema_free(s);
  return st;
}

void vt__design_free(vt__design *d) {
  free(d->x);
  free(d->y);
  free(d->ids);
  free(d->idbuf);
  memset(d, 0, sizeof *d);
}

vt_status vt__design_build(const vt__schema *s, const vt__table *t, int need_outcome,
                           vt__design *d, vt_error *err) {
  memset(d, 0, sizeof *d);
  size_t *col = calloc(s->nfeat ? s->nfeat : 1, sizeof *col);
  if (!col) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t f = 0; f < s->nfeat; f++) {
    col[f] = vt__table_col(t, s->feat[f].name);
    if (col[f] == (size_t)-1) {
      free(col);
      return vt_error_set(err, VT_ENOTFOUND, t->path,
                          "column '%s' used by the model is not in this cohort's header",
                          s->feat[f].name);
    }
  }
  size_t oc = vt__table_col(t, s->outcome);
  if (need_outcome && oc == (size_t)-1) {
    free(col);
    return vt_error_set(err, VT_ENOTFOUND, t->path, "outcome column '%s' is not in the header",
                        s->outcome);
  }
  size_t ic = s->id ? vt__table_col(t, s->id) : (size_t)-1;
  d->n = t->nrows;
  d->p = s->ndesign;
  d->x = calloc(d->n * d->p + 1, sizeof *d->x);
  d->ids = calloc(d->n, sizeof *d->ids);
  if (oc != (size_t)-1) d->y = calloc(d->n, sizeof *d->y);
  if (ic == (size_t)-1) d->idbuf = calloc(d->n, 21);
  if (!d->x || !d->ids || (oc != (size_t)-1 && !d->y) || (ic == (size_t)-1 && !d->idbuf)) {
    free(col);
    vt__design_free(d);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  for (size_t i = 0; i < d->n; i++) {
    char **row = t->cells + i * t->ncols;
    double *xr = d->x + i * d->p;
    if (ic != (size_t)-1) d->ids[i] = row[ic];
    else {
      snprintf(d->idbuf + 21 * i, 21, "%zu", i + 1);
      d->ids[i] = d->idbuf + 21 * i;
    }
    if (d->y && !outcome_value(s, row[oc], &d->y[i])) {
      char where[600];
      snprintf(where, sizeof where, "%s: line %zu, column '%s'", t->path, t->lines[i], s->outcome);
      free(col);
      vt__design_free(d);
      return vt_error_set(err, VT_EFORMAT, where,
                          "outcome value '%s' is neither '%s' nor '%s' (the model's labels)",
                          row[oc], s->positive, s->negative);
    }
    for (size_t f = 0; f < s->nfeat; f++) {
      const vt__feature *ft = &s->feat[f];
      const char *v = row[col[f]];
      double *xf = xr + ft->design0;
      int miss = vt__is_missing(v);
      if (miss) d->missing++;
      if (ft->has_indicator) xf[ft->ndesign - 1] = miss;
      if (!ft->categorical) {
        double val;
        if (miss) val = ft->has_indicator || s->impute == VT_IMPUTE_MEDIAN ? ft->impute : ft->impute;
        else if (!vt__parse_num(v, &val)) {
          char where[600];
          snprintf(where, sizeof where, "%s: line %zu, column '%s'", t->path, t->lines[i], ft->name);
          free(col);
          vt__design_free(d);
          return vt_error_set(err, VT_EFORMAT, where, "numeric column has non-numeric value '%s'", v);
        }
        xf[0] = val;
        continue;
      }
      if (miss) {
        if (!ft->has_indicator) xf[ft->mode_level] = 1;
        continue;
      }
      size_t lo = 0, hi = ft->nlevels;
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(ft->levels[mid], v);
        if (c == 0) { lo = mid; hi = mid; break; }
        if (c < 0) lo = mid + 1; else hi = mid;
      }
      if (lo < ft->nlevels && !strcmp(ft->levels[lo], v)) xf[lo] = 1;
      else d->unseen++; /* unseen level: all-zero one-hot, counted and reported */
    }
  }
  free(col);
  return VT_OK;
}

json_t *vt__schema_to_json(const vt__schema *s) {
  json_t *feats = json_array();
  for (size_t f = 0; f < s->nfeat; f++) {
    const vt__feature *ft = &s->feat[f];
    json_t *o = json_pack("{s:s, s:s, s:b, s:I}", "name", ft->name, "type",
                          ft->categorical ? "categorical" : "numeric", "missing_indicator",
                          ft->has_indicator, "training_missing", (json_int_t)ft->nmissing);
    if (ft->categorical) {
      json_t *lv = json_array();
      for (size_t l = 0; l < ft->nlevels; l++) json_array_append_new(lv, json_string(ft->levels[l]));
      json_object_set_new(o, "levels", lv);
      json_object_set_new(o, "impute_level", json_string(ft->levels[ft->mode_level]));
      json_object_set_new(o, "level_share", darr(ft->level_frac, ft->nlevels));
    } else {
      json_object_set_new(o, "impute_value", json_real(ft->impute));
      json_object_set_new(o, "percentiles", darr(ft->quant, 101));
      json_object_set_new(o, "psi_edges", darr(ft->edges, 9));
      json_object_set_new(o, "psi_share", darr(ft->bin_frac, 10));
    }
    json_object_set_new(o, "training_observed", json_integer((json_int_t)ft->nobs));
    json_array_append_new(feats, o);
  }
  json_t *dropped = json_array();
  for (size_t j = 0; j < s->ndropped; j++) json_array_append_new(dropped, json_string(s->dropped[j]));
  json_t *dn = json_array();
  for (size_t j = 0; j < s->ndesign; j++) json_array_append_new(dn, json_string(s->design_names[j]));
  return json_pack("{s:{s:s, s:s, s:s}, s:o, s:s, s:o, s:o, s:o}", "outcome", "column", s->outcome,
                   "positive", s->positive, "negative", s->negative, "id_column",
                   s->id ? json_string(s->id) : json_null(), "imputation",
                   s->impute == VT_IMPUTE_INDICATOR ? "indicator" : "median",
                   "features", feats, "design_columns", dn, "dropped_all_missing", dropped);
}

static vt_status field_err(vt_error *err, const char *field) {
  return vt_error_set(err, VT_EFORMAT, "model file", "field '%s' is missing or has the wrong type",
                      field);
}

vt_status vt__schema_from_json(json_t *j, vt__schema **out, vt_error *err) {
  const char *oc = NULL, *pos = NULL, *neg = NULL, *imp = NULL;
  json_t *idc = NULL, *feats = NULL;
  json_error_t je;
  if (json_unpack_ex(j, &je, 0, "{s:{s:s, s:s, s:s}, s:o, s:s, s:o}", "outcome", "column", &oc,
                     "positive", &pos, "negative", &neg, "id_column", &idc, "imputation", &imp,
                     "features", &feats) || !json_is_array(feats))
    return vt_error_set(err, VT_EFORMAT, "model file: schema", "%s", je.text[0] ? je.text : "features is not an array");
  vt__schema *s = calloc(1, sizeof *s);
  size_t nf = json_array_size(feats);
  if (!s || !(s->feat = calloc(nf ? nf : 1, sizeof *s->feat))) {
    free(s);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  s->outcome = strdup(oc);
  s->positive = strdup(pos);
  s->negative = strdup(neg);
  s->id = json_is_string(idc) ? strdup(json_string_value(idc)) : NULL;
  s->impute = !strcmp(imp, "indicator") ? VT_IMPUTE_INDICATOR : VT_IMPUTE_MEDIAN;
  vt_status st = VT_OK;
  for (size_t f = 0; f < nf && !st; f++) {
    json_t *o = json_array_get(feats, f);
    const char *name = NULL, *type = NULL;
    int ind = 0;
    vt__feature *ft = &s->feat[s->nfeat];
    if (json_unpack(o, "{s:s, s:s, s:b}", "name", &name, "type", &type, "missing_indicator", &ind)) {
      st = field_err(err, "features[].name/type/missing_indicator");
      break;
    }
    ft->name = strdup(name);
    s->nfeat++;
    ft->has_indicator = ind;
    ft->categorical = !strcmp(type, "categorical");
    if (!ft->categorical) {
      json_t *iv = json_object_get(o, "impute_value");
      if (!json_is_number(iv)) { st = field_err(err, "features[].impute_value"); break; }
      ft->impute = json_number_value(iv);
      if (!read_darr(json_object_get(o, "percentiles"), ft->quant, 101) ||
          !read_darr(json_object_get(o, "psi_edges"), ft->edges, 9) ||
          !read_darr(json_object_get(o, "psi_share"), ft->bin_frac, 10)) {
        st = field_err(err, "features[].percentiles/psi_edges/psi_share");
        break;
      }
      ft->nobs = (size_t)json_integer_value(json_object_get(o, "training_observed"));
      continue;
    }
    json_t *lv = json_object_get(o, "levels");
    const char *il = json_string_value(json_object_get(o, "impute_level"));
    if (!json_is_array(lv) || !il || json_array_size(lv) > VT_LEARN_MAX_LEVELS) {
      st = field_err(err, "features[].levels");
      break;
    }
    ft->levels = calloc(json_array_size(lv) + 1, sizeof *ft->levels);
    for (size_t l = 0; ft->levels && l < json_array_size(lv); l++) {
      const char *v = json_string_value(json_array_get(lv, l));
      if (!v) { st = field_err(err, "features[].levels[]"); break; }
      ft->levels[ft->nlevels++] = strdup(v);
      if (!strcmp(v, il)) ft->mode_level = l;
    }
    if (st) break;
    ft->level_frac = calloc(ft->nlevels + 1, sizeof *ft->level_frac);
    if (!ft->level_frac || !read_darr(json_object_get(o, "level_share"), ft->level_frac, ft->nlevels)) {
      st = field_err(err, "features[].level_share");
      break;
    }
    ft->nobs = (size_t)json_integer_value(json_object_get(o, "training_observed"));
  }
  if (!st) st = layout(s, err);
  if (st) {
    vt__schema_free(s);
    return st;
  }
  *out = s;
  return VT_OK;
}
