/* csv.h — a streaming RFC 4180 reader (quoted fields with newlines, doubled
 * quotes, CRLF, UTF-8 BOM) with hard limits, used for cohorts, report tables
 * and TSV files. Errors name the file, the line and the column. Written here
 * because no Debian C library reads RFC 4180 with these limits and error
 * positions (libcsv is not packaged for Debian 12). */
#ifndef VT_IO_CSV_H
#define VT_IO_CSV_H
#include <stddef.h>

#include "vertebra/status.h"

typedef struct vt__csv_options {
  char delimiter;     /* ',' (default when 0), '\t', ';' ... */
  int quoting;        /* 1 (default): RFC 4180 quotes; -1: quotes are plain characters (TSV) */
  size_t max_field;   /* bytes per field; 0 = 64 MiB */
  size_t max_fields;  /* fields per record; 0 = 100000 */
  size_t max_record;  /* bytes per record; 0 = 256 MiB */
} vt__csv_options;

typedef struct vt__csv vt__csv;

/* Opens a file ("-" = stdin). `opts` may be NULL. VT_EIO. */
vt_status vt__csv_open_file(const char *path, const vt__csv_options *opts, vt__csv **out,
                            vt_error *err);
/* Reads from memory (borrowed; must outlive the reader). `name` is used in errors. */
vt_status vt__csv_open_mem(const char *name, const char *data, size_t len,
                           const vt__csv_options *opts, vt__csv **out, vt_error *err);
void vt__csv_free(vt__csv *csv);

/* Reads the next record. On success *nfields is its field count, or 0 at end
 * of input. A blank line is a record with one empty field. VT_EFORMAT
 * (unterminated quote, text after a closing quote), VT_ELIMIT, VT_EIO; the
 * error's where is "file: line L, column C". */
vt_status vt__csv_next(vt__csv *csv, size_t *nfields, vt_error *err);
/* Field i of the current record: NUL-terminated, borrowed until the next call
 * of vt__csv_next. *len (if not NULL) is its length (it may hold NUL bytes). */
const char *vt__csv_field(const vt__csv *csv, size_t i, size_t *len);
/* 1-based line on which the current record starts. */
size_t vt__csv_line(const vt__csv *csv);
/* The name given at open (file path or label). */
const char *vt__csv_name(const vt__csv *csv);
#endif
