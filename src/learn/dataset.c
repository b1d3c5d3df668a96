/* dataset.c — reads a cohort CSV into text cells (ragged rows refused with
 * row and field counts) and fingerprints it with SHA-256 (OpenSSL). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "core/buf.h"
#include "io/csv.h"
#include "learn/learn_internal.h"

int vt__is_missing(const char *s) {
  while (*s == ' ') s++;
  if (*s && *s != 'n' && *s != 'N' && *s != '?') return 0; /* every token starts so */
  return *s == '\0' || !strcasecmp(s, "NA") || !strcasecmp(s, "NaN") || !strcmp(s, "?") ||
         !strcasecmp(s, "null") || !strcasecmp(s, "N/A");
}

int vt__parse_num(const char *s, double *out) {
  char *end;
  while (*s == ' ') s++;
  if (!*s) return 0;
  double v = strtod(s, &end);
  while (*end == ' ') end++;
  if (*end || !isfinite(v)) return 0;
  *out = v;
  return 1;
}

size_t vt__table_col(const vt__table *t, const char *name) {
  for (size_t j = 0; j < t->ncols; j++)
    if (!strcmp(t->names[j], name)) return j;
  return (size_t)-1;
}

void vt__table_free(vt__table *t) {
  if (!t) return;
  for (size_t i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
  for (size_t j = 0; j < t->ncols; j++) free(t->names[j]);
  free(t->cells);
  free(t->names);
  free(t->lines);
  free(t->path);
  free(t);
}

static vt_status hash_file(const char *path, unsigned char out[32], vt_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return vt_error_set(err, VT_EIO, path, "cannot open for hashing");
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned char buf[65536];
  size_t k;
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  while ((k = fread(buf, 1, sizeof buf, f)) > 0) EVP_DigestUpdate(ctx, buf, k);
  EVP_DigestFinal_ex(ctx, out, &len);
  EVP_MD_CTX_free(ctx);
  fclose(f);
  return VT_OK;
}

vt_status vt__table_read(const char *path, vt__table **out, vt_error *err) {
  vt__csv *csv = NULL;
  vt_status st = vt__csv_open_file(path, NULL, &csv, err);
  if (st) return st;
  vt__table *t = calloc(1, sizeof *t);
  size_t cap = 0, nf;
  if (!t) { st = vt_error_set(err, VT_ENOMEM, path, "out of memory"); goto fail; }
  t->path = strdup(path);
  if ((st = vt__csv_next(csv, &nf, err))) goto fail;
  if (nf == 0) { st = vt_error_set(err, VT_EFORMAT, path, "empty file: no header"); goto fail; }
  if (nf > VT_LEARN_MAX_COLUMNS) {
    st = vt_error_set(err, VT_ELIMIT, path, "%zu columns exceed the limit of %d", nf,
                      VT_LEARN_MAX_COLUMNS);
    goto fail;
  }
  t->ncols = nf;
  t->names = calloc(nf, sizeof *t->names);
  if (!t->names) { st = vt_error_set(err, VT_ENOMEM, path, "out of memory"); goto fail; }
  for (size_t j = 0; j < nf; j++) {
    const char *h = vt__csv_field(csv, j, NULL);
    while (*h == ' ') h++;
    t->names[j] = strdup(h);
    if (!t->names[j]) { st = vt_error_set(err, VT_ENOMEM, path, "out of memory"); goto fail; }
    for (size_t k2 = 0; k2 < j; k2++)
      if (!strcmp(t->names[k2], t->names[j])) {
        st = vt_error_set(err, VT_EFORMAT, path, "column '%s' appears twice in the header",
                          t->names[j]);
        goto fail;
      }
  }
  for (;;) {
    if ((st = vt__csv_next(csv, &nf, err))) goto fail;
    if (nf == 0) break;
    size_t line = vt__csv_line(csv);
    if (nf == 1 && t->ncols > 1 && !*vt__csv_field(csv, 0, NULL)) continue; /* blank line */
    if (nf != t->ncols) {
      char where[64];
      snprintf(where, sizeof where, "%s: line %zu", path, line);
      st = vt_error_set(err, VT_EFORMAT, where,
                        "ragged row %zu: expected %zu fields (as in the header), found %zu",
                        t->nrows + 1, t->ncols, nf);
      goto fail;
    }
    if (t->nrows >= VT_LEARN_MAX_ROWS) {
      st = vt_error_set(err, VT_ELIMIT, path, "more than %d rows", VT_LEARN_MAX_ROWS);
      goto fail;
    }
    if (t->nrows == cap) {
      size_t nc = cap ? cap * 2 : 256;
      char **c = realloc(t->cells, nc * t->ncols * sizeof *c);
      size_t *l = c ? realloc(t->lines, nc * sizeof *l) : NULL;
      if (c) t->cells = c;
      if (!c || !l) { st = vt_error_set(err, VT_ENOMEM, path, "out of memory"); goto fail; }
      t->lines = l;
      cap = nc;
    }
    for (size_t j = 0; j < nf; j++) {
      const char *v = vt__csv_field(csv, j, NULL);
      t->cells[t->nrows * t->ncols + j] = strdup(v);
      if (!t->cells[t->nrows * t->ncols + j]) {
        for (size_t k2 = 0; k2 < j; k2++) free(t->cells[t->nrows * t->ncols + k2]);
        st = vt_error_set(err, VT_ENOMEM, path, "out of memory");
        goto fail;
      }
    }
    t->lines[t->nrows++] = line;
  }
  vt__csv_free(csv);
  csv = NULL;
  if (t->nrows == 0) { st = vt_error_set(err, VT_EFORMAT, path, "no data rows"); goto fail; }
  if ((st = hash_file(path, t->sha256, err))) goto fail;
  *out = t;
  return VT_OK;
fail:
  vt__csv_free(csv);
  vt__table_free(t);
  return st;
}
