/* csv.c — streaming RFC 4180 reader with limits and precise error positions
 * (hand-written: see csv.h for why). */
#include "io/csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define CHUNK 65536

struct vt__csv {
  char *name;
  FILE *fp;           /* NULL when reading from memory */
  int own_fp;
  const char *mem;    /* memory input, or the chunk buffer for files */
  size_t mem_len;
  size_t pos;
  char *chunk;
  int eof;
  vt__csv_options o;
  size_t line;        /* current physical line (1-based) */
  size_t col;         /* byte column in the current line (1-based) */
  size_t rec_line;    /* line where the current record starts */
  vt_buf rec;         /* fields' bytes, each NUL-terminated */
  size_t *starts;     /* offsets of fields in rec */
  size_t *lens;
  size_t nfields, cap_fields;
  int started;        /* BOM check done */
};

static vt_status open_common(const char *name, const vt__csv_options *opts, vt__csv **out,
                             vt_error *err) {
  vt__csv *c = calloc(1, sizeof *c);
  if (!c) return vt_error_set(err, VT_ENOMEM, name, "out of memory");
  size_t n = strlen(name) + 1;
  c->name = malloc(n);
  if (!c->name) {
    free(c);
    return vt_error_set(err, VT_ENOMEM, name, "out of memory");
  }
  memcpy(c->name, name, n);
  if (opts) c->o = *opts;
  if (!c->o.delimiter) c->o.delimiter = ',';
  if (!c->o.quoting) c->o.quoting = 1;
  if (!c->o.max_field) c->o.max_field = (size_t)64 << 20;
  if (!c->o.max_fields) c->o.max_fields = 100000;
  if (!c->o.max_record) c->o.max_record = (size_t)256 << 20;
  c->line = 1;
  c->col = 1;
  vt__buf_init(&c->rec, c->o.max_record);
  *out = c;
  return VT_OK;
}

vt_status vt__csv_open_file(const char *path, const vt__csv_options *opts, vt__csv **out,
                            vt_error *err) {
  vt__csv *c;
  vt_status st = open_common(strcmp(path, "-") ? path : "<stdin>", opts, &c, err);
  if (st) return st;
  if (!strcmp(path, "-")) {
    c->fp = stdin;
  } else {
    c->fp = fopen(path, "rb");
    if (!c->fp) {
      st = vt_error_set(err, VT_EIO, path, "cannot open: %s", strerror(errno));
      vt__csv_free(c);
      return st;
    }
    c->own_fp = 1;
  }
  c->chunk = malloc(CHUNK);
  if (!c->chunk) {
    vt__csv_free(c);
    return vt_error_set(err, VT_ENOMEM, path, "out of memory");
  }
  c->mem = c->chunk;
  *out = c;
  return VT_OK;
}

vt_status vt__csv_open_mem(const char *name, const char *data, size_t len,
                           const vt__csv_options *opts, vt__csv **out, vt_error *err) {
  vt__csv *c;
  vt_status st = open_common(name, opts, &c, err);
  if (st) return st;
  c->mem = data;
  c->mem_len = len;
  c->eof = 1; /* no more refills after this buffer */
  *out = c;
  return VT_OK;
}

void vt__csv_free(vt__csv *c) {
  if (!c) return;
  if (c->own_fp && c->fp) fclose(c->fp);
  free(c->chunk);
  free(c->name);
  free(c->starts);
  free(c->lens);
  vt__buf_free(&c->rec);
  free(c);
}

/* Next byte, or -1 at end of input, or -2 on a read error. */
static int next_byte(vt__csv *c) {
  if (c->pos < c->mem_len) return (unsigned char)c->mem[c->pos++];
  if (c->eof || !c->fp) return -1;
  size_t n = fread(c->chunk, 1, CHUNK, c->fp);
  if (n == 0) {
    c->eof = 1;
    return ferror(c->fp) ? -2 : -1;
  }
  c->mem_len = n;
  c->pos = 0;
  return (unsigned char)c->mem[c->pos++];
}

static int peek_byte(vt__csv *c) {
  int b = next_byte(c);
  if (b >= 0) c->pos--;
  return b;
}

static vt_status fail(vt__csv *c, vt_error *err, vt_status st, size_t line, size_t col,
                      const char *fmt, ...) VT_PRINTF(6, 7);
static vt_status fail(vt__csv *c, vt_error *err, vt_status st, size_t line, size_t col,
                      const char *fmt, ...) {
  char where[VT_ERROR_WHERE_MAX];
  snprintf(where, sizeof where, "%s: line %zu, column %zu", c->name, line, col);
  va_list ap;
  va_start(ap, fmt);
  vt_error_setv(err, st, where, fmt, ap);
  va_end(ap);
  return st;
}

static vt_status end_field(vt__csv *c, size_t start, vt_error *err) {
  if (c->nfields >= c->o.max_fields) {
    return fail(c, err, VT_ELIMIT, c->rec_line, c->col, "record has more than %zu fields",
                c->o.max_fields);
  }
  if (c->nfields == c->cap_fields) {
    size_t cap = c->cap_fields ? c->cap_fields * 2 : 32;
    size_t *s = realloc(c->starts, cap * sizeof *s);
    if (!s) return vt_error_set(err, VT_ENOMEM, c->name, "out of memory");
    c->starts = s;
    size_t *l = realloc(c->lens, cap * sizeof *l);
    if (!l) return vt_error_set(err, VT_ENOMEM, c->name, "out of memory");
    c->lens = l;
    c->cap_fields = cap;
  }
  c->starts[c->nfields] = start;
  c->lens[c->nfields] = c->rec.len - start;
  c->nfields++;
  if (vt__buf_putc(&c->rec, '\0'))
    return fail(c, err, VT_ELIMIT, c->rec_line, c->col, "record longer than %zu bytes",
                c->o.max_record);
  return VT_OK;
}

static vt_status put(vt__csv *c, size_t start, int b, vt_error *err) {
  if (c->rec.len - start >= c->o.max_field) {
    return fail(c, err, VT_ELIMIT, c->line, c->col, "field longer than %zu bytes",
                c->o.max_field);
  }
  vt_status st = vt__buf_putc(&c->rec, (char)b);
  if (st == VT_ELIMIT) {
    return fail(c, err, VT_ELIMIT, c->rec_line, c->col, "record longer than %zu bytes",
                c->o.max_record);
  }
  if (st) return vt_error_set(err, st, c->name, "out of memory");
  return VT_OK;
}

/* Consumes the line break that begins with byte b ('\r' or '\n'). */
static void eat_newline(vt__csv *c, int b) {
  if (b == '\r' && peek_byte(c) == '\n') next_byte(c);
  c->line++;
  c->col = 1;
}

vt_status vt__csv_next(vt__csv *c, size_t *nfields, vt_error *err) {
  vt__buf_reset(&c->rec);
  c->nfields = 0;
  vt_status st;
  if (!c->started) {
    c->started = 1;
    if (peek_byte(c) == 0xEF) { /* UTF-8 byte-order mark */
      next_byte(c);
      if (peek_byte(c) == 0xBB) {
        next_byte(c);
        if (peek_byte(c) == 0xBF) {
          next_byte(c);
        } else {
          return fail(c, err, VT_EFORMAT, 1, 1, "invalid UTF-8 byte-order mark");
        }
      } else {
        c->pos--; /* not a BOM: put 0xEF back (same chunk) */
      }
    }
  }
  int b = next_byte(c);
  if (b == -2) return vt_error_set(err, VT_EIO, c->name, "read error");
  if (b == -1) {
    *nfields = 0;
    return VT_OK;
  }
  c->rec_line = c->line;
  const char d = c->o.delimiter;
  const int quoting = c->o.quoting > 0;
  for (;;) {
    size_t start = c->rec.len;
    if (quoting && b == '"') {
      size_t qline = c->line, qcol = c->col;
      c->col++;
      for (;;) {
        b = next_byte(c);
        if (b == -2) return vt_error_set(err, VT_EIO, c->name, "read error");
        if (b == -1)
          return fail(c, err, VT_EFORMAT, qline, qcol,
                      "unterminated quoted field (no closing '\"' before end of file)");
        if (b == '"') {
          if (peek_byte(c) == '"') {
            next_byte(c);
            c->col += 2;
            if ((st = put(c, start, '"', err))) return st;
            continue;
          }
          c->col++;
          break;
        }
        if (b == '\n' || b == '\r') {
          if ((st = put(c, start, b, err))) return st;
          if (b == '\r' && peek_byte(c) == '\n') {
            next_byte(c);
            if ((st = put(c, start, '\n', err))) return st;
          }
          c->line++;
          c->col = 1;
          continue;
        }
        c->col++;
        if ((st = put(c, start, b, err))) return st;
      }
      b = next_byte(c);
      if (b >= 0 && b != d && b != '\n' && b != '\r')
        return fail(c, err, VT_EFORMAT, c->line, c->col,
                    "unexpected text after a closing quote (a quote inside a quoted field "
                    "must be doubled)");
    } else {
      while (b >= 0 && b != d && b != '\n' && b != '\r') {
        c->col++;
        if ((st = put(c, start, b, err))) return st;
        b = next_byte(c);
      }
    }
    if (b == -2) return vt_error_set(err, VT_EIO, c->name, "read error");
    if ((st = end_field(c, start, err))) return st;
    if (b == d) {
      c->col++;
      b = next_byte(c);
      if (b == -2) return vt_error_set(err, VT_EIO, c->name, "read error");
      if (b == -1 || b == '\n' || b == '\r') { /* trailing delimiter: one more empty field */
        if ((st = end_field(c, c->rec.len, err))) return st;
        if (b >= 0) eat_newline(c, b);
        break;
      }
      continue;
    }
    if (b >= 0) eat_newline(c, b);
    break;
  }
  *nfields = c->nfields;
  return VT_OK;
}

const char *vt__csv_field(const vt__csv *c, size_t i, size_t *len) {
  if (i >= c->nfields) {
    if (len) *len = 0;
    return "";
  }
  if (len) *len = c->lens[i];
  return c->rec.data + c->starts[i];
}

size_t vt__csv_line(const vt__csv *c) { return c->rec_line; }

const char *vt__csv_name(const vt__csv *c) { return c->name; }
