/* buf.h — a growable byte buffer with a hard maximum, for everything that grows
 * from untrusted input (a report, a CSV field, a JSON line). */
#ifndef VT_CORE_BUF_H
#define VT_CORE_BUF_H
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "vertebra/status.h"

typedef struct vt_buf {
  char *data; /* always NUL-terminated when non-NULL */
  size_t len;
  size_t cap;
  size_t max; /* growth past this returns VT_ELIMIT; 0 means SIZE_MAX/2 */
} vt_buf;

void vt__buf_init(vt_buf *b, size_t max);
void vt__buf_free(vt_buf *b);
void vt__buf_reset(vt_buf *b); /* len = 0, keeps memory */
/* Makes room for `extra` more bytes (plus NUL). VT_ENOMEM or VT_ELIMIT. */
vt_status vt__buf_reserve(vt_buf *b, size_t extra);
vt_status vt__buf_append(vt_buf *b, const void *data, size_t n);
vt_status vt__buf_putc(vt_buf *b, char c);
vt_status vt__buf_puts(vt_buf *b, const char *s);
vt_status vt__buf_printf(vt_buf *b, const char *fmt, ...) VT_PRINTF(2, 3);
/* Appends s[0..n) as the body of a JSON string (no quotes), escaping as RFC 8259. */
vt_status vt__buf_json_escape(vt_buf *b, const char *s, size_t n);
/* Appends s[0..n) as one CSV field (RFC 4180: quoted when needed, "" doubled). */
vt_status vt__buf_csv_field(vt_buf *b, const char *s, size_t n);
/* Gives the bytes to the caller (who frees them) and empties the buffer. */
char *vt__buf_take(vt_buf *b, size_t *len);

/* Reads exactly `size` bytes from the start position of f into dst and
 * checks that the file ends there: 1 when it does, 0 on a short or longer
 * file or a read error (the file changed since its size was taken). */
int vt__fread_exact(FILE *f, void *dst, size_t size);

/* Reads a whole file into a NUL-terminated buffer of at most `max` bytes.
 * VT_EIO (with errno text), VT_ELIMIT (names the size and the limit). */
vt_status vt__read_file(const char *path, size_t max, char **data, size_t *len,
                        vt_error *err);
#endif
