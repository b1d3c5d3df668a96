/* text_output.h — writes text-engine results as JSONL, a FHIR R4 Bundle of
 * Observations, or OMOP CDM v5.4 NOTE_NLP CSV rows: one writer per output
 * stream, fed one document at a time in output order (docs/text-output.md). */
#ifndef VERTEBRA_TEXT_OUTPUT_H
#define VERTEBRA_TEXT_OUTPUT_H
#include <stdio.h>

#include "vertebra/status.h"
#include "vertebra/text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vt_text_format {
  VT_TEXT_FORMAT_JSONL = 0, /* one JSON object per line per document */
  VT_TEXT_FORMAT_FHIR,      /* one Bundle (type collection) of Observations */
  VT_TEXT_FORMAT_NOTE_NLP   /* CSV with header, columns of OMOP CDM v5.4 NOTE_NLP */
} vt_text_format;

/* "jsonl", "fhir" or "note-nlp" -> format. VT_EINVAL for anything else. */
VT_API vt_status vt_text_format_parse(const char *name, vt_text_format *out);
VT_API const char *vt_text_format_name(vt_text_format f);

typedef struct vt_text_output_options {
  vt_text_format format;
  /* NOTE_NLP: nlp_system (default "vertebra <version>") and nlp_date /
   * nlp_datetime (default: now, UTC, taken when the writer is made). */
  const char *nlp_system;
  const char *nlp_date;     /* "YYYY-MM-DD" */
  const char *nlp_datetime; /* "YYYY-MM-DD HH:MM:SS" */
  /* NOTE_NLP: note_id is an integer in OMOP. 0: every document id must be a
   * decimal integer in [1, 2^31-1] (else that document fails with VT_EINVAL).
   * 1: documents get note_id = note_id_start, +1, ... in output order and the
   * caller records the mapping through vt_text_output_last_note_id. */
  int assign_note_ids;
  long note_id_start; /* first assigned note_id (default 1 when 0) */
} vt_text_output_options;

typedef struct vt_text_output vt_text_output;

/* Makes a writer onto `fp` (borrowed; the caller opens, commits and closes it)
 * and writes the stream's header (FHIR: the Bundle's opening; NOTE_NLP: the CSV
 * header; JSONL: nothing). VT_EINVAL (bad options), VT_ENOMEM, VT_EIO. */
VT_API vt_status vt_text_output_new(vt_text_output **out, FILE *fp,
                                    const vt_text_output_options *opt, vt_error *err);

/* Writes one document: its id (any bytes; invalid UTF-8 is replaced by U+FFFD
 * in the output), its text (the exact bytes given to vt_text_extract) and its
 * result. Call in the order documents should appear. VT_EINVAL (NOTE_NLP
 * note id not an integer; nothing was written), VT_ENOMEM, VT_EIO. */
VT_API vt_status vt_text_output_document(vt_text_output *w, const char *id, const char *text,
                                         size_t len, const vt_text_result *res, vt_error *err);

/* The note_id given to the last document written in NOTE_NLP format (0 if none). */
VT_API long vt_text_output_last_note_id(const vt_text_output *w);

/* Writes the stream's end (FHIR: closes the Bundle) and flushes. VT_EIO. */
VT_API vt_status vt_text_output_finish(vt_text_output *w, vt_error *err);
VT_API void vt_text_output_free(vt_text_output *w);

/* Renders one document as its JSONL line (with the trailing newline) into a
 * malloc'd NUL-terminated string the caller frees; for front doors that keep
 * no stream (the HTTP service). VT_ENOMEM. */
VT_API vt_status vt_text_result_to_json(const char *id, const char *text, size_t len,
                                        const vt_text_result *res, char **json,
                                        size_t *json_len, vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
