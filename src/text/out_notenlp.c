/* out_notenlp.c — rows of the OMOP CDM v5.4 NOTE_NLP table as CSV (header,
 * RFC 4180 quoting) ready for PostgreSQL `COPY ... CSV HEADER`: one row per
 * finding mention, with the CDM's meaning of term_exists, term_temporal and
 * term_modifiers (docs/text-output.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text/output.h"
#include "text/result.h"

const char vt__note_nlp_header[] =
    "note_nlp_id,note_id,section_concept_id,snippet,offset,lexical_variant,note_nlp_concept_id,"
    "note_nlp_source_concept_id,nlp_system,nlp_date,nlp_datetime,term_exists,term_temporal,"
    "term_modifiers\n";

/* Column limits of the v5.4 DDL, in characters (PostgreSQL varchar(n)). */
#define SNIPPET_MAX 250
#define LEXICAL_MAX 250
#define MODIFIERS_MAX 2000

static int span_ok(vt_text_span s, size_t len) {
  return s.start != VT_SPAN_NONE && s.end != VT_SPAN_NONE && s.start <= s.end && s.end <= len;
}

/* A text field cut to `max` characters on a character boundary (invalid UTF-8
 * replaced, so COPY never rejects the encoding). */
static vt_status put_text(vt_buf *b, const char *s, size_t n, size_t max_chars) {
  char *clean = vt__utf8_dup(s, n);
  if (!clean) return VT_ENOMEM;
  size_t cn = strlen(clean);
  vt_status st = vt__buf_csv_field(b, clean, vt__utf8_prefix(clean, cn, max_chars));
  free(clean);
  return st;
}

/* The snippet: the sentence when it fits in 250 characters, else a window of
 * 250 characters that starts up to 100 bytes before the target. */
static vt_status put_snippet(vt_buf *b, const vt_finding *f, const char *text, size_t len) {
  vt_text_span s = span_ok(f->sentence, len) ? f->sentence : f->span;
  if (!span_ok(s, len)) return VT_OK; /* empty = NULL */
  size_t start = s.start;
  if (span_ok(f->span, len) && f->span.start >= s.start &&
      vt__utf8_count(text + s.start, f->span.end > s.end ? 0 : f->span.end - s.start) > SNIPPET_MAX) {
    start = f->span.start > s.start + 100 ? f->span.start - 100 : s.start;
    while (start < f->span.start && ((unsigned char)text[start] & 0xC0) == 0x80) start++;
  }
  return put_text(b, text + start, s.end - start, SNIPPET_MAX);
}

static const char *tf(int v) { return v ? "true" : "false"; }

static vt_status put_modifiers(vt_buf *b, const vt_finding *f) {
  vt_buf m;
  vt__buf_init(&m, 0);
  vt_status st = vt__buf_printf(&m, "finding=%s", f->finding ? f->finding : "");
  if (!st && f->snomed) st = vt__buf_printf(&m, ",snomed=%s", f->snomed);
  if (!st && f->level[0]) st = vt__buf_printf(&m, ",level=%s", f->level);
  if (!st && f->side[0]) st = vt__buf_printf(&m, ",side=%s", f->side);
  if (!st && f->severity[0]) st = vt__buf_printf(&m, ",severity=%s", f->severity);
  if (!st && f->listhesis_grade > 0)
    st = vt__buf_printf(&m, ",listhesis_grade=%d", f->listhesis_grade);
  if (!st && f->size_mm >= 0 && isfinite(f->size_mm))
    st = vt__buf_printf(&m, ",size_mm=%.6g", f->size_mm);
  if (!st)
    st = vt__buf_printf(&m, ",negated=%s,uncertain=%s,historical=%s,hypothetical=%s,experiencer=%s",
                        tf(f->negated), tf(f->uncertain), tf(f->historical), tf(f->hypothetical),
                        f->experiencer == VT_EXPERIENCER_FAMILY  ? "family"
                        : f->experiencer == VT_EXPERIENCER_OTHER ? "other"
                                                                 : "patient");
  if (!st && f->section) st = vt__buf_printf(&m, ",section=%s", f->section);
  if (!st && f->trigger_category) st = vt__buf_printf(&m, ",trigger=%s", f->trigger_category);
  if (!st) st = put_text(b, m.data, m.len, MODIFIERS_MAX);
  vt__buf_free(&m);
  return st;
}

vt_status vt__render_note_nlp(vt_buf *b, vt__note_nlp_ctx *ctx, long note_id, const char *text,
                              size_t len, const vt_text_result *res) {
  vt_status st = VT_OK;
  /* "offset" is a character offset in the CDM; mentions come sorted by start,
   * so the count of characters before each start is carried forward. */
  size_t byte_pos = 0, char_pos = 0;
  for (size_t i = 0; i < res->list.n && !st; i++) {
    const vt_finding *f = &res->list.v[i];
    if (ctx->next_row_id > 2147483647L) return VT_ELIMIT; /* note_nlp_id is a 32-bit integer */
    st = vt__buf_printf(b, "%ld,%ld,0,", ctx->next_row_id, note_id);
    if (!st) st = put_snippet(b, f, text, len);
    if (!st) st = vt__buf_putc(b, ',');
    if (!st && span_ok(f->span, len)) {
      if (f->span.start < byte_pos) byte_pos = char_pos = 0;
      char_pos += vt__utf8_count(text + byte_pos, f->span.start - byte_pos);
      byte_pos = f->span.start;
      st = vt__buf_printf(b, "%zu", char_pos);
    }
    if (!st) st = vt__buf_putc(b, ',');
    if (!st) {
      if (span_ok(f->span, len) && f->span.end > f->span.start)
        st = put_text(b, text + f->span.start, f->span.end - f->span.start, LEXICAL_MAX);
      else /* lexical_variant is NOT NULL */
        st = put_text(b, f->finding ? f->finding : "finding", strlen(f->finding ? f->finding : "finding"),
                      LEXICAL_MAX);
    }
    /* No OMOP vocabulary is bundled, so no concept_id can be looked up: 0 is
     * the CDM's "no matching concept"; the SNOMED code is in term_modifiers. */
    if (!st) st = vt__buf_puts(b, ",0,0,");
    if (!st) st = put_text(b, ctx->system, strlen(ctx->system), 250);
    if (!st) st = vt__buf_printf(b, ",%s,%s,", ctx->date, ctx->datetime);
    /* term_exists (CDM): false for negated, other subject, conditional
     * (hypothetical), rule-out/uncertain; term_temporal: past when historical. */
    int exists = !f->negated && !f->uncertain && !f->hypothetical &&
                 f->experiencer == VT_EXPERIENCER_PATIENT;
    if (!st)
      st = vt__buf_printf(b, "%s,%s,", exists ? "Y" : "N", f->historical ? "past" : "present");
    if (!st) st = put_modifiers(b, f);
    if (!st) st = vt__buf_putc(b, '\n');
    ctx->next_row_id++;
  }
  return st;
}
