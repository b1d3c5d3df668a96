/* doc_input.h — the stream of documents for `vertebra text extract`: plain-text
 * files, directories of them, JSONL ({"id":..,"text":..} per line), CSV with
 * id and text columns, and stdin. Streaming: one document in memory at a time;
 * a bad document is an item with an error, and the stream goes on. */
#ifndef VT_IO_DOC_INPUT_H
#define VT_IO_DOC_INPUT_H
#include <stddef.h>

#include "vertebra/status.h"

typedef enum vt__doc_format {
  VT_DOC_AUTO = 0, /* by extension: .jsonl/.ndjson JSONL, .csv CSV, .tsv TSV, else text;
                      stdin ("-") is text */
  VT_DOC_TEXT,     /* the whole file is one document */
  VT_DOC_JSONL,
  VT_DOC_CSV,
  VT_DOC_TSV
} vt__doc_format;

typedef struct vt__doc_input_options {
  vt__doc_format format; /* applies to every input when not AUTO */
  const char *id_col;    /* CSV/TSV column of the id; NULL = "id" */
  const char *text_col;  /* CSV/TSV column of the text; NULL = "text" */
  size_t max_doc;        /* bytes per document; 0 = VT_TEXT_MAX_DOC (64 MiB) */
  size_t max_files;      /* files found under directories; 0 = 10 000 000 */
} vt__doc_input_options;

/* One document, or one document's error. Everything is borrowed until the next
 * call of vt__doc_input_next. */
typedef struct vt__doc_item {
  vt_status status;  /* VT_OK: a document; otherwise `error` says what and where */
  vt_error error;
  const char *id;    /* "" when unknown (e.g. an unparsable JSONL line) */
  const char *text;  /* NUL-terminated; may hold NUL bytes (len counts them) */
  size_t len;
  const char *source; /* "reports.csv: line 12", "notes/a.txt", "<stdin>: line 3" */
} vt__doc_item;

typedef struct vt__doc_input vt__doc_input;

/* Opens the inputs: files, directories (walked recursively, sorted by path,
 * names starting with "." skipped) and "-" for stdin. Directories are listed
 * now; files are opened when reached. VT_EIO (an input does not exist),
 * VT_ELIMIT (too many files), VT_EINVAL (no inputs), VT_ENOMEM. */
vt_status vt__doc_input_open(const char *const *inputs, size_t ninputs,
                             const vt__doc_input_options *opts, vt__doc_input **out,
                             vt_error *err);
/* Next item: *item = NULL at the end. Per-document problems (unreadable file,
 * bad JSONL line, CSV record without the text column, a document over the
 * size limit, an unterminated CSV quote) come back as items with a status;
 * the function itself fails only with VT_ENOMEM. */
vt_status vt__doc_input_next(vt__doc_input *in, const vt__doc_item **item, vt_error *err);
void vt__doc_input_free(vt__doc_input *in);
#endif
