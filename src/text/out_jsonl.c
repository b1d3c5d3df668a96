/* out_jsonl.c — one JSON line per document: every finding with its attributes,
 * assertion, section, exact spans and words, then the report-level summary. */
#include <math.h>
#include <string.h>

#include "text/output.h"
#include "text/result.h"

static int span_ok(vt_text_span s, size_t len) {
  return s.start != VT_SPAN_NONE && s.end != VT_SPAN_NONE && s.start <= s.end && s.end <= len;
}

static vt_status put_str_or_null(vt_buf *b, const char *s) {
  if (!s || !*s) return vt__buf_puts(b, "null");
  vt_status st = vt__buf_putc(b, '"');
  if (!st) st = vt__json_str_utf8(b, s, strlen(s));
  if (!st) st = vt__buf_putc(b, '"');
  return st;
}

static vt_status put_span(vt_buf *b, const char *key, vt_text_span s, size_t len) {
  if (!span_ok(s, len)) return vt__buf_printf(b, ",\"%s\":null", key);
  return vt__buf_printf(b, ",\"%s\":[%zu,%zu]", key, s.start, s.end);
}

static vt_status put_text(vt_buf *b, const char *key, const char *text, vt_text_span s,
                          size_t len) {
  if (!span_ok(s, len)) return vt__buf_printf(b, ",\"%s\":null", key);
  vt_status st = vt__buf_printf(b, ",\"%s\":\"", key);
  if (!st) st = vt__json_str_utf8(b, text + s.start, s.end - s.start);
  if (!st) st = vt__buf_putc(b, '"');
  return st;
}

static const char *level_kind_name(vt_level_kind k) {
  switch (k) {
  case VT_LEVEL_VERTEBRA: return "vertebra";
  case VT_LEVEL_DISC: return "disc";
  case VT_LEVEL_RANGE: return "range";
  case VT_LEVEL_NONE: break;
  }
  return NULL;
}

static const char *experiencer_name(vt_experiencer e) {
  switch (e) {
  case VT_EXPERIENCER_FAMILY: return "family";
  case VT_EXPERIENCER_OTHER: return "other";
  case VT_EXPERIENCER_PATIENT: break;
  }
  return "patient";
}

static vt_status put_finding(vt_buf *b, const vt_finding *f, const char *text, size_t len) {
  vt_status st = vt__buf_puts(b, "{\"finding\":");
  if (!st) st = put_str_or_null(b, f->finding);
  if (!st) st = vt__buf_puts(b, ",\"snomed\":");
  if (!st) st = put_str_or_null(b, f->snomed);
  if (!st) st = vt__buf_puts(b, ",\"level\":");
  if (!st) st = put_str_or_null(b, f->level[0] ? f->level : NULL);
  if (!st) st = vt__buf_puts(b, ",\"level_kind\":");
  if (!st) st = put_str_or_null(b, level_kind_name(f->level_kind));
  if (!st) st = vt__buf_puts(b, ",\"side\":");
  if (!st) st = put_str_or_null(b, f->side[0] ? f->side : NULL);
  if (!st) st = vt__buf_puts(b, ",\"severity\":");
  if (!st) st = put_str_or_null(b, f->severity[0] ? f->severity : NULL);
  if (!st) {
    if (f->listhesis_grade > 0) st = vt__buf_printf(b, ",\"listhesis_grade\":%d", f->listhesis_grade);
    else st = vt__buf_puts(b, ",\"listhesis_grade\":null");
  }
  if (!st) {
    if (f->size_mm >= 0 && isfinite(f->size_mm)) st = vt__buf_printf(b, ",\"size_mm\":%.6g", f->size_mm);
    else st = vt__buf_puts(b, ",\"size_mm\":null");
  }
  if (!st)
    st = vt__buf_printf(b,
                        ",\"negated\":%s,\"uncertain\":%s,\"historical\":%s,\"hypothetical\":%s,"
                        "\"experiencer\":\"%s\",\"section\":",
                        f->negated ? "true" : "false", f->uncertain ? "true" : "false",
                        f->historical ? "true" : "false", f->hypothetical ? "true" : "false",
                        experiencer_name(f->experiencer));
  if (!st) st = put_str_or_null(b, f->section);
  if (!st) st = put_span(b, "span", f->span, len);
  if (!st) st = put_text(b, "text", text, f->span, len);
  if (!st) st = put_span(b, "sentence", f->sentence, len);
  if (!st) st = put_span(b, "level_span", f->level_span, len);
  if (!st) st = put_span(b, "side_span", f->side_span, len);
  if (!st) st = put_span(b, "severity_span", f->severity_span, len);
  if (!st) {
    if (span_ok(f->trigger_span, len)) {
      st = vt__buf_printf(b, ",\"trigger\":{\"span\":[%zu,%zu]", f->trigger_span.start,
                          f->trigger_span.end);
      if (!st) st = put_text(b, "text", text, f->trigger_span, len);
      if (!st) st = vt__buf_puts(b, ",\"category\":");
      if (!st) st = put_str_or_null(b, f->trigger_category);
      if (!st) st = vt__buf_putc(b, '}');
    } else {
      st = vt__buf_puts(b, ",\"trigger\":null");
    }
  }
  if (!st) st = vt__buf_putc(b, '}');
  return st;
}

vt_status vt__render_jsonl(vt_buf *b, const char *id, size_t id_len, const char *text,
                           size_t len, const vt_text_result *res) {
  vt_status st = vt__buf_puts(b, "{\"id\":\"");
  if (!st) st = vt__json_str_utf8(b, id, id_len);
  if (!st) st = vt__buf_puts(b, "\",\"findings\":[");
  for (size_t i = 0; i < res->list.n && !st; i++) {
    if (i) st = vt__buf_putc(b, ',');
    if (!st) st = put_finding(b, &res->list.v[i], text, len);
  }
  if (!st) st = vt__buf_puts(b, "],\"summary\":");
  if (!st) st = vt__summary_json(b, res);
  if (!st) st = vt__buf_puts(b, "}\n");
  return st;
}
