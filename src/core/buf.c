/* buf.c — bounded growable buffer and whole-file reading. */
#include "core/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void vt__buf_init(vt_buf *b, size_t max) {
  b->data = NULL;
  b->len = b->cap = 0;
  b->max = max ? max : SIZE_MAX / 2;
}

void vt__buf_free(vt_buf *b) {
  if (!b) return;
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void vt__buf_reset(vt_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

vt_status vt__buf_reserve(vt_buf *b, size_t extra) {
  if (extra > b->max || b->len > b->max - extra) return VT_ELIMIT;
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return VT_OK;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *p = realloc(b->data, cap);
  if (!p) return VT_ENOMEM;
  b->data = p;
  b->cap = cap;
  return VT_OK;
}

vt_status vt__buf_append(vt_buf *b, const void *data, size_t n) {
  vt_status st = vt__buf_reserve(b, n);
  if (st) return st;
  if (n) memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
  return VT_OK;
}

vt_status vt__buf_putc(vt_buf *b, char c) { return vt__buf_append(b, &c, 1); }

vt_status vt__buf_puts(vt_buf *b, const char *s) {
  return vt__buf_append(b, s, strlen(s));
}

vt_status vt__buf_printf(vt_buf *b, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    va_end(ap2);
    return VT_EINTERNAL;
  }
  vt_status st = vt__buf_reserve(b, (size_t)n);
  if (!st) {
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    b->len += (size_t)n;
  }
  va_end(ap2);
  return st;
}

vt_status vt__buf_json_escape(vt_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t start = 0;
  vt_status st = VT_OK;
  for (size_t i = 0; i < n && !st; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    st = vt__buf_append(b, s + start, i - start);
    if (st) break;
    start = i + 1;
    switch (c) {
    case '"': st = vt__buf_append(b, "\\\"", 2); break;
    case '\\': st = vt__buf_append(b, "\\\\", 2); break;
    case '\n': st = vt__buf_append(b, "\\n", 2); break;
    case '\r': st = vt__buf_append(b, "\\r", 2); break;
    case '\t': st = vt__buf_append(b, "\\t", 2); break;
    case '\b': st = vt__buf_append(b, "\\b", 2); break;
    case '\f': st = vt__buf_append(b, "\\f", 2); break;
    default: {
      char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      st = vt__buf_append(b, u, 6);
    }
    }
  }
  if (!st) st = vt__buf_append(b, s + start, n - start);
  return st;
}

vt_status vt__buf_csv_field(vt_buf *b, const char *s, size_t n) {
  int quote = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = 1;
  if (!quote) return vt__buf_append(b, s, n);
  vt_status st = vt__buf_putc(b, '"');
  size_t start = 0;
  for (size_t i = 0; i < n && !st; i++) {
    if (s[i] != '"') continue;
    st = vt__buf_append(b, s + start, i + 1 - start);
    if (!st) st = vt__buf_putc(b, '"');
    start = i + 1;
  }
  if (!st) st = vt__buf_append(b, s + start, n - start);
  if (!st) st = vt__buf_putc(b, '"');
  return st;
}

char *vt__buf_take(vt_buf *b, size_t *len) {
  char *p = b->data;
  if (len) *len = b->len;
  if (!p) p = calloc(1, 1);
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}

int vt__fread_exact(FILE *f, void *dst, size_t size) {
  return fread(dst, 1, size, f) == size && fgetc(f) == EOF && !ferror(f);
}

vt_status vt__read_file(const char *path, size_t max, char **data, size_t *len,
                        vt_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return vt_error_set(err, VT_EIO, path, "cannot open: %s", strerror(errno));
  struct stat sb;
  if (fstat(fileno(f), &sb) != 0) memset(&sb, 0, sizeof sb);
  if (S_ISDIR(sb.st_mode)) {
    fclose(f);
    return vt_error_set(err, VT_EINVAL, path, "is a directory, not a file");
  }
  if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > max) {
    fclose(f);
    return vt_error_set(err, VT_ELIMIT, path, "file is %llu bytes, over the limit of %zu",
                        (unsigned long long)sb.st_size, max);
  }
  /* A regular file of known size is read in one piece into a buffer of that
   * size (no chunk copy, no growth); if it grew meanwhile, the rest is read
   * the general way below. */
  if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
    size_t want = (size_t)sb.st_size;
    char *d = malloc(want + 1);
    if (!d) {
      fclose(f);
      return vt_error_set(err, VT_ENOMEM, path, "out of memory reading file");
    }
    if (vt__fread_exact(f, d, want)) {
      fclose(f);
      d[want] = 0;
      *data = d;
      *len = want;
      return VT_OK;
    }
    free(d);
    if (ferror(f)) {
      fclose(f);
      return vt_error_set(err, VT_EIO, path, "read error");
    }
    rewind(f); /* shorter or longer than stat said: read it in chunks */
  }
  vt_buf b;
  vt__buf_init(&b, max);
  char chunk[65536];
  size_t n;
  vt_status st = VT_OK;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    st = vt__buf_append(&b, chunk, n);
    if (st) break;
  }
  int rerr = ferror(f);
  fclose(f);
  if (st == VT_ELIMIT) {
    vt__buf_free(&b);
    return vt_error_set(err, st, path, "file is over the limit of %zu bytes", max);
  }
  if (st) {
    vt__buf_free(&b);
    return vt_error_set(err, st, path, "out of memory reading file");
  }
  if (rerr) {
    vt__buf_free(&b);
    return vt_error_set(err, VT_EIO, path, "read error");
  }
  *data = vt__buf_take(&b, len);
  if (!*data) return vt_error_set(err, VT_ENOMEM, path, "out of memory");
  return VT_OK;
}
