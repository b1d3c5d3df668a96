/* out_jsonl.c — one JSON line per document: every finding with its attributes,
 * assertion, section, exact spans and words, then the report-level summary. */
#include <math.h>
#include <string.h>

#include "text/output.h"
#include "text/result.h"

/* Decimal digits without printf: rendering runs once per mention and
 * vsnprintf dominated the profile (perf, 10^6 short documents). */
static vt_status put_uint(vt_buf *b, size_t v) {
  char d[24];
  size_t i = sizeof d;
  do {
    d[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  return vt__buf_append(b, d + i, sizeof d - i);
}

static vt_status put_key(vt_buf *b, const char *key) {
  vt_status st = vt__buf_puts(b, ",\"");
  if (!st) st = vt__buf_puts(b, key);
  if (!st) st = vt__buf_puts(b, "\":");
  return st;
}

static vt_status put_pair(vt_buf *b, vt_text_span s) {
  vt_status st = vt__buf_putc(b, '[');
  if (!st) st = put_uint(b, s.start);
  if (!st) st = vt__buf_putc(b, ',');
  if (!st) st = put_uint(b, s.end);
  if (!st) st = vt__buf_putc(b, ']');
  return st;
}

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
  vt_status st = put_key(b, key);
  if (!st) st = span_ok(s, len) ? put_pair(b, s) : vt__buf_puts(b, "null");
  return st;
}

static vt_status put_text(vt_buf *b, const char *key, const char *text, vt_text_span s,
                          size_t len) {
  vt_status st = put_key(b, key);
  if (st || !span_ok(s, len)) return st ? st : vt__buf_puts(b, "null");
  st = vt__buf_putc(b, '"');
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

/* Characters (code points) before byte offsets, carried forward: mentions
 * come sorted by start, so each document is scanned once. */
typedef struct char_pos {
  size_t byte, chars;
} char_pos;

static size_t chars_at(char_pos *cp, const char *text, size_t off) {
  if (off < cp->byte) cp->byte = cp->chars = 0;
  cp->chars += vt__utf8_count(text + cp->byte, off - cp->byte);
  cp->byte = off;
  return cp->chars;
}

static vt_status put_finding(vt_buf *b, const vt_finding *f, const char *text, size_t len,
                             char_pos *cp) {
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
    st = put_key(b, "listhesis_grade");
    if (!st) st = f->listhesis_grade > 0 ? put_uint(b, (size_t)f->listhesis_grade) : vt__buf_puts(b, "null");
  }
  if (!st) {
    if (f->size_mm >= 0 && isfinite(f->size_mm)) st = vt__buf_printf(b, ",\"size_mm\":%.6g", f->size_mm);
    else st = vt__buf_puts(b, ",\"size_mm\":null");
  }
  static const char *const tf[] = {"false", "true"};
  if (!st) st = put_key(b, "negated");
  if (!st) st = vt__buf_puts(b, tf[f->negated != 0]);
  if (!st) st = put_key(b, "uncertain");
  if (!st) st = vt__buf_puts(b, tf[f->uncertain != 0]);
  if (!st) st = put_key(b, "historical");
  if (!st) st = vt__buf_puts(b, tf[f->historical != 0]);
  if (!st) st = put_key(b, "hypothetical");
  if (!st) st = vt__buf_puts(b, tf[f->hypothetical != 0]);
  if (!st) st = vt__buf_puts(b, ",\"experiencer\":\"");
  if (!st) st = vt__buf_puts(b, experiencer_name(f->experiencer));
  if (!st) st = vt__buf_puts(b, "\",\"section\":");
  if (!st) st = put_str_or_null(b, f->section);
  if (!st) st = put_span(b, "span", f->span, len);
  if (!st) { /* the same span in characters, for readers that index code points */
    st = put_key(b, "char_span");
    if (!st && span_ok(f->span, len)) {
      vt_text_span c;
      c.start = chars_at(cp, text, f->span.start);
      c.end = c.start + vt__utf8_count(text + f->span.start, f->span.end - f->span.start);
      st = put_pair(b, c);
    } else if (!st) {
      st = vt__buf_puts(b, "null");
    }
  }
  if (!st) st = put_text(b, "text", text, f->span, len);
  if (!st) st = put_span(b, "sentence", f->sentence, len);
  if (!st) st = put_span(b, "level_span", f->level_span, len);
  if (!st) st = put_span(b, "side_span", f->side_span, len);
  if (!st) st = put_span(b, "severity_span", f->severity_span, len);
  if (!st) {
    if (span_ok(f->trigger_span, len)) {
      st = vt__buf_puts(b, ",\"trigger\":{\"span\":");
      if (!st) st = put_pair(b, f->trigger_span);
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
  char_pos cp = {0, 0};
  for (size_t i = 0; i < res->list.n && !st; i++) {
    if (i) st = vt__buf_putc(b, ',');
    if (!st) st = put_finding(b, &res->list.v[i], text, len, &cp);
  }
  if (!st) st = vt__buf_puts(b, "],\"summary\":");
  if (!st) st = vt__summary_json(b, res);
  if (!st) st = vt__buf_puts(b, "}\n");
  return st;
}
