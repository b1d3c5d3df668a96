/* scores.c — reads a score table for evaluation: one pass over the CSV, the
 * three named columns kept, every value checked and every error placed. */
#include "learn/scores.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"

void vt__scores_free(vt__scores *s) {
  if (!s) return;
  free(s->prob);
  free(s->y);
  if (s->group)
    for (size_t i = 0; i < s->n; i++) free(s->group[i]);
  free(s->group);
  free(s->positive);
  memset(s, 0, sizeof *s);
}

static int find_col(const vt__csv *c, size_t nf, const char *name, size_t *idx) {
  for (size_t i = 0; i < nf; i++)
    if (!strcmp(vt__csv_field(c, i, NULL), name)) {
      *idx = i;
      return 1;
    }
  return 0;
}

/* The header's names, for "columns present: a, b, c" (truncated politely). */
static void header_list(const vt__csv *c, size_t nf, char *buf, size_t size) {
  size_t len = 0;
  buf[0] = 0;
  for (size_t i = 0; i < nf && len + 8 < size; i++) {
    int k = snprintf(buf + len, size - len, "%s'%s'", i ? ", " : "", vt__csv_field(c, i, NULL));
    if (k < 0 || (size_t)k >= size - len) {
      snprintf(buf + (size > 5 ? size - 5 : 0), 5, "...");
      return;
    }
    len += (size_t)k;
  }
}

static const char *trim(const char *s, size_t *len) {
  size_t n = strlen(s);
  while (n && (*s == ' ' || *s == '\t')) s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
  *len = n;
  return s;
}

/* Parses a whole field as a finite double. 0 on success. */
static int parse_double(const char *s, double *out) {
  size_t n;
  s = trim(s, &n);
  if (n == 0 || n > 64) return -1;
  char tmp[72];
  memcpy(tmp, s, n);
  tmp[n] = 0;
  char *end;
  errno = 0;
  double v = strtod(tmp, &end);
  if (end != tmp + n || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

/* Subgroup names become JSON keys, which must be UTF-8 (RFC 8259). */
static int valid_utf8(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    unsigned c = s[i];
    size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!k || i + k > n || c == 0) return 0;
    if (k == 2 && c < 0xc2) return 0;                                 /* overlong */
    if (k == 3 && c == 0xe0 && s[i + 1] < 0xa0) return 0;             /* overlong */
    if (k == 3 && c == 0xed && s[i + 1] >= 0xa0) return 0;            /* surrogate */
    if (k == 4 && (c > 0xf4 || (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90)))
      return 0;
    for (size_t j = 1; j < k; j++)
      if ((s[i + j] & 0xc0) != 0x80) return 0;
    i += k;
  }
  return 1;
}

typedef struct grow {
  double *prob;
  unsigned char *y;
  char **group;
  size_t n, cap;
} grow;

static vt_status grow_push(grow *g, size_t max_rows, int with_group, const char *where,
                           vt_error *err) {
  if (g->n < g->cap) return VT_OK;
  if (g->n >= max_rows)
    return vt_error_set(err, VT_ELIMIT, where, "more than %zu rows (the limit)", max_rows);
  size_t cap = g->cap ? g->cap * 2 : 1024;
  if (cap > max_rows) cap = max_rows;
  double *p = realloc(g->prob, cap * sizeof *p);
  if (p) g->prob = p;
  unsigned char *y = p ? realloc(g->y, cap) : NULL;
  if (y) g->y = y;
  char **gr = (y && with_group) ? realloc(g->group, cap * sizeof *gr) : NULL;
  if (gr) g->group = gr;
  if (!p || !y || (with_group && !gr))
    return vt_error_set(err, VT_ENOMEM, where, "out of memory at %zu rows", g->n);
  g->cap = cap;
  return VT_OK;
}

static vt_status read_csv(vt__csv *c, const char *path, const vt__scores_options *o,
                          vt__scores *out, vt_error *err);

vt_status vt__scores_read(const char *path, const vt__scores_options *o, vt__scores *out,
                          vt_error *err) {
  if (!o || !o->label || !o->score)
    return vt_error_set(err, VT_EINVAL, NULL, "a label column and a score column are needed");
  vt__csv *c = NULL;
  vt_status st = vt__csv_open_file(path, NULL, &c, err);
  if (st) return st;
  return read_csv(c, path, o, out, err);
}

vt_status vt__scores_read_mem(const char *name, const char *data, size_t len,
                              const vt__scores_options *o, vt__scores *out, vt_error *err) {
  if (!o || !o->label || !o->score)
    return vt_error_set(err, VT_EINVAL, NULL, "a label column and a score column are needed");
  vt__csv *c = NULL;
  vt_status st = vt__csv_open_mem(name, data, len, NULL, &c, err);
  if (st) return st;
  return read_csv(c, name, o, out, err);
}

/* Reads every record of `c` (which it frees). */
static vt_status read_csv(vt__csv *c, const char *path, const vt__scores_options *o,
                          vt__scores *out, vt_error *err) {
  size_t max_rows = o->max_rows ? o->max_rows : 50000000;
  vt_status st;
  grow g = {0};
  char *lev[2] = {NULL, NULL}; /* label levels seen (without --positive) */
  char where[VT_ERROR_WHERE_MAX];
  size_t nf, li = 0, si = 0, gi = 0, hdr_n;
  if ((st = vt__csv_next(c, &nf, err))) goto fail;
  if (nf == 0) {
    st = vt_error_set(err, VT_EFORMAT, path, "the file is empty (a header row is needed)");
    goto fail;
  }
  hdr_n = nf;
  const char *need[3] = {o->label, o->score, o->subgroup};
  size_t *idx[3] = {&li, &si, &gi};
  for (int k = 0; k < 3; k++) {
    if (!need[k]) continue;
    if (!find_col(c, nf, need[k], idx[k])) {
      char cols[600];
      header_list(c, nf, cols, sizeof cols);
      st = vt_error_set(err, VT_ENOTFOUND, path, "no column '%s' (the %s column); columns: %s",
                        need[k], k == 0 ? "label" : k == 1 ? "score" : "subgroup", cols);
      goto fail;
    }
  }
  size_t seen_pos = 0;
  for (;;) {
    if ((st = vt__csv_next(c, &nf, err))) goto fail;
    if (nf == 0) break;
    size_t line = vt__csv_line(c);
    snprintf(where, sizeof where, "%s: line %zu", path, line);
    if (nf == 1 && vt__csv_field(c, 0, NULL)[0] == 0) continue; /* blank line */
    if (nf != hdr_n) {
      st = vt_error_set(err, VT_EFORMAT, where, "%zu fields where the header has %zu", nf, hdr_n);
      goto fail;
    }
    if ((st = grow_push(&g, max_rows, o->subgroup != NULL, where, err))) goto fail;
    /* score */
    const char *sv = vt__csv_field(c, si, NULL);
    double s;
    if (parse_double(sv, &s)) {
      size_t tl;
      const char *t = trim(sv, &tl);
      st = tl == 0 ? vt_error_set(err, VT_EFORMAT, where, "column '%s': the score is empty",
                                  o->score)
                   : vt_error_set(err, VT_EFORMAT, where,
                                  "column '%s': '%.40s' is not a number", o->score, t);
      goto fail;
    }
    if (o->logit) {
      s = s >= 0 ? 1 / (1 + exp(-s)) : exp(s) / (1 + exp(s));
    } else if (s < 0 || s > 1) {
      st = vt_error_set(err, VT_EFORMAT, where,
                        "column '%s': score %.17g is outside [0, 1]: the metrics need "
                        "probabilities (use --logit if the scores are log-odds)",
                        o->score, s);
      goto fail;
    }
    /* label */
    size_t ll;
    const char *lv = trim(vt__csv_field(c, li, NULL), &ll);
    if (ll == 0) {
      st = vt_error_set(err, VT_EFORMAT, where, "column '%s': the label is empty", o->label);
      goto fail;
    }
    unsigned char y;
    if (o->positive) {
      y = strlen(o->positive) == ll && !memcmp(lv, o->positive, ll);
      if (!y) {
        if (!lev[0]) {
          lev[0] = strndup(lv, ll);
          if (!lev[0]) {
            st = vt_error_set(err, VT_ENOMEM, where, "out of memory");
            goto fail;
          }
        } else if (strlen(lev[0]) != ll || memcmp(lev[0], lv, ll)) {
          st = vt_error_set(err, VT_EFORMAT, where,
                            "column '%s': a third level '%.*s' besides '%s' and '%s': the "
                            "outcome must be binary",
                            o->label, (int)(ll > 40 ? 40 : ll), lv, o->positive, lev[0]);
          goto fail;
        }
      }
    } else {
      double v;
      if (parse_double(lv, &v) || (v != 0 && v != 1)) {
        st = vt_error_set(err, VT_EFORMAT, where,
                          "column '%s': label '%.*s' is not 0 or 1 (name the event level "
                          "with --positive)",
                          o->label, (int)(ll > 40 ? 40 : ll), lv);
        goto fail;
      }
      y = v == 1;
    }
    seen_pos += y;
    g.prob[g.n] = s;
    g.y[g.n] = y;
    if (o->subgroup) {
      size_t gl;
      const char *gv = trim(vt__csv_field(c, gi, NULL), &gl);
      if (!valid_utf8((const unsigned char *)gv, gl)) {
        st = vt_error_set(err, VT_EFORMAT, where, "column '%s': the subgroup value is not valid "
                          "UTF-8", o->subgroup);
        goto fail;
      }
      g.group[g.n] = strndup(gv, gl);
      if (!g.group[g.n]) {
        st = vt_error_set(err, VT_ENOMEM, where, "out of memory");
        goto fail;
      }
    }
    g.n++;
  }
  if (g.n == 0) {
    st = vt_error_set(err, VT_EFORMAT, path, "no data rows after the header");
    goto fail;
  }
  if (seen_pos == 0 || seen_pos == g.n) {
    st = vt_error_set(err, VT_EFORMAT, path,
                      "column '%s': all %zu rows are %s: discrimination and calibration need "
                      "both outcomes",
                      o->label, g.n,
                      seen_pos ? "events" : o->positive ? "not the event level" : "0");
    goto fail;
  }
  out->n = g.n;
  out->prob = g.prob;
  out->y = g.y;
  out->group = g.group;
  out->positive = strdup(o->positive ? o->positive : "1");
  if (!out->positive) {
    memset(out, 0, sizeof *out);
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    goto fail;
  }
  free(lev[0]);
  free(lev[1]);
  vt__csv_free(c);
  return VT_OK;
fail:
  if (g.group)
    for (size_t i = 0; i < g.n; i++) free(g.group[i]);
  free(g.group);
  free(g.prob);
  free(g.y);
  free(lev[0]);
  free(lev[1]);
  vt__csv_free(c);
  return st;
}
