/* text_source.h — where `vertebra text extract` gets its documents: files,
 * folders, JSONL, CSV or stdin, one document at a time, in input order. */
#ifndef VT_CLI_TEXT_SOURCE_H
#define VT_CLI_TEXT_SOURCE_H
#include <stddef.h>

#include "text_batch.h"
#include "vertebra/status.h"

typedef struct vt_cli_text_doc {
  char *id;     /* owned, NUL-terminated */
  char *text;   /* owned, may be NULL when st != VT_OK */
  size_t len;
  const char *path; /* JSONL/CSV: the file it came from (borrowed from the source) */
  size_t line;      /* and its line there, 0 for whole-file documents */
  vt_status st; /* VT_OK, or why this one document could not be read */
  vt_error err;
} vt_cli_text_doc;

typedef struct vt_cli_text_source vt_cli_text_source;

vt_status vt_cli_text_source_open(const vt_cli_text_batch_options *bo, vt_cli_text_source **out,
                                  vt_error *err);
/* The next document (a per-document read error comes back inside doc, the
 * batch goes on); *eof at the end. A failure of the input as a whole (stdin
 * unreadable) returns its status. */
vt_status vt_cli_text_source_next(vt_cli_text_source *src, vt_cli_text_doc *doc, int *eof,
                                  vt_error *err);
/* Documents expected, 0 when unknown (streams). */
size_t vt_cli_text_source_total(const vt_cli_text_source *src);
void vt_cli_text_doc_clear(vt_cli_text_doc *doc);
void vt_cli_text_source_free(vt_cli_text_source *src);
#endif
