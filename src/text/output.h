/* output.h — what the text output writers share: UTF-8-safe JSON strings,
 * verified terminology, the report-level summary and one renderer per format. */
#ifndef VT_TEXT_OUTPUT_H
#define VT_TEXT_OUTPUT_H
#include <stddef.h>

#include "core/buf.h"
#include "vertebra/text.h"
#include "vertebra/text_output.h"

/* Appends s[0..n) as the body of a JSON string, replacing each invalid UTF-8
 * sequence (and NUL) by U+FFFD so the output is always valid JSON. */
vt_status vt__json_str_utf8(vt_buf *b, const char *s, size_t n);
/* A malloc'd NUL-terminated copy of s[0..n) with invalid UTF-8 and NUL bytes
 * replaced by U+FFFD (NULL when out of memory). */
char *vt__utf8_dup(const char *s, size_t n);
/* Length of the longest prefix of s[0..n) that is valid UTF-8 of at most
 * max_chars code points (never cuts a sequence). */
size_t vt__utf8_prefix(const char *s, size_t n, size_t max_chars);
/* Number of code points in s[0..n) (valid UTF-8 assumed; stray bytes count 1). */
size_t vt__utf8_count(const char *s, size_t n);

/* ---- terminology.c: SNOMED CT codes verified in shared/data/terminology/spine_snomed.tsv ---- */
typedef struct vt__snomed {
  const char *key;     /* our name: "L4-L5", "mild", "present" */
  const char *code;    /* SNOMED CT concept id */
  const char *display; /* the display given in the table */
} vt__snomed;
/* NULL when the level/severity/qualifier has no verified code. */
const vt__snomed *vt__snomed_level(const char *level);
const vt__snomed *vt__snomed_severity(const char *severity);
const vt__snomed *vt__snomed_qualifier(int present);
/* Every embedded code, for the test that checks them against the table. */
const vt__snomed *vt__snomed_all(size_t *n);

/* ---- summary.c: the report label (LIRE-style, Tan et al. 2018) ---- */
/* True when a mention asserts the finding for the patient now: not negated,
 * not uncertain, not historical, not hypothetical, experiencer patient. */
int vt__finding_present(const vt_finding *f);
/* Appends the summary object {"label": bool, ...} for one document. */
vt_status vt__summary_json(vt_buf *b, const vt_text_result *res);

/* ---- renderers (one document each) ---- */
vt_status vt__render_jsonl(vt_buf *b, const char *id, size_t id_len, const char *text,
                           size_t len, const vt_text_result *res);
/* Appends the Bundle entries of one document, each preceded by ",\n" unless
 * *first (then clears it). */
vt_status vt__render_fhir(vt_buf *b, int *first, const char *id, size_t id_len,
                          const char *text, size_t len, const vt_text_result *res,
                          vt_error *err);
typedef struct vt__note_nlp_ctx {
  long next_row_id;     /* note_nlp_id of the next row */
  const char *system, *date, *datetime;
} vt__note_nlp_ctx;
vt_status vt__render_note_nlp(vt_buf *b, vt__note_nlp_ctx *ctx, long note_id, const char *text,
                              size_t len, const vt_text_result *res);
extern const char vt__note_nlp_header[];
#endif
