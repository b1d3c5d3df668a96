/* output.c — the text output writer: one stream of JSONL, a FHIR Bundle or
 * NOTE_NLP CSV, fed one document at a time in output order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/output.h"

struct vt_text_output {
  vt_text_output_options opt;
  FILE *fp;
  vt_buf buf;         /* one document's rendering, reused */
  int fhir_first;     /* no Bundle entry written yet */
  long next_note_id;  /* assigned note ids */
  long last_note_id;
  vt__note_nlp_ctx nlp;
  char system[64], date[16], datetime[32];
};

/* Upper bound on one document's rendered output: 64 MiB of text gives at most
 * a few hundred MiB of JSON; past that something is wrong. */
#define MAX_RENDER ((size_t)1 << 30)

vt_status vt_text_format_parse(const char *name, vt_text_format *out) {
  if (name && !strcmp(name, "jsonl")) *out = VT_TEXT_FORMAT_JSONL;
  else if (name && !strcmp(name, "fhir")) *out = VT_TEXT_FORMAT_FHIR;
  else if (name && (!strcmp(name, "note-nlp") || !strcmp(name, "note_nlp")))
    *out = VT_TEXT_FORMAT_NOTE_NLP;
  else return VT_EINVAL;
  return VT_OK;
}

const char *vt_text_format_name(vt_text_format f) {
  switch (f) {
  case VT_TEXT_FORMAT_JSONL: return "jsonl";
  case VT_TEXT_FORMAT_FHIR: return "fhir";
  case VT_TEXT_FORMAT_NOTE_NLP: return "note-nlp";
  }
  return "?";
}

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s[0..n), 0 when invalid (RFC 3629:
 * no overlongs, no surrogates, nothing past U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  if (c < 0x80) return 1;
  size_t k;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) k = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    k = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    k = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else return 0;
  if (n < k) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < k; i++)
    if (s[i] < 0x80 || s[i] > 0xBF) return 0;
  return k;
}

/* Appends s[0..n) with each invalid UTF-8 sequence or NUL replaced by U+FFFD,
 * the valid runs raw or JSON-escaped. */
static vt_status append_utf8(vt_buf *b, const char *s, size_t n, int json) {
  const unsigned char *u = (const unsigned char *)s;
  size_t start = 0, i = 0;
  vt_status st = VT_OK;
  while (i <= n && !st) {
    size_t k = i < n && u[i] ? utf8_seq(u + i, n - i) : 0;
    if (k) {
      i += k;
      continue;
    }
    if (i > start)
      st = json ? vt__buf_json_escape(b, s + start, i - start)
                : vt__buf_append(b, s + start, i - start);
    if (!st && i < n) st = vt__buf_append(b, "\xEF\xBF\xBD", 3);
    start = ++i;
  }
  return st;
}

vt_status vt__json_str_utf8(vt_buf *b, const char *s, size_t n) { return append_utf8(b, s, n, 1); }

char *vt__utf8_dup(const char *s, size_t n) {
  vt_buf b;
  vt__buf_init(&b, 0);
  vt_status st = vt__buf_reserve(&b, n);
  if (!st) st = append_utf8(&b, s, n, 0);
  if (st) {
    vt__buf_free(&b);
    return NULL;
  }
  return vt__buf_take(&b, NULL);
}

size_t vt__utf8_prefix(const char *s, size_t n, size_t max_chars) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0, chars = 0;
  while (i < n && chars < max_chars) {
    size_t k = utf8_seq(u + i, n - i);
    if (!k) break;
    i += k;
    chars++;
  }
  return i;
}

size_t vt__utf8_count(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
  return c;
}

/* ---- the writer ---- */

static vt_status write_all(vt_text_output *w, const char *data, size_t n, vt_error *err) {
  if (n && fwrite(data, 1, n, w->fp) != n)
    return vt_error_set(err, VT_EIO, "text output", "write failed: %s", strerror(errno));
  return VT_OK;
}

vt_status vt_text_output_new(vt_text_output **out, FILE *fp, const vt_text_output_options *opt,
                             vt_error *err) {
  if (!out || !fp || !opt || opt->format > VT_TEXT_FORMAT_NOTE_NLP || opt->note_id_start < 0)
    return vt_error_set(err, VT_EINVAL, "text output", "invalid output options");
  vt_text_output *w = calloc(1, sizeof *w);
  if (!w) return vt_error_set(err, VT_ENOMEM, "text output", "out of memory");
  w->opt = *opt;
  w->fp = fp;
  w->fhir_first = 1;
  w->next_note_id = opt->note_id_start ? opt->note_id_start : 1;
  vt__buf_init(&w->buf, MAX_RENDER);
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(w->date, sizeof w->date, "%Y-%m-%d", &tm);
  strftime(w->datetime, sizeof w->datetime, "%Y-%m-%d %H:%M:%S", &tm);
#ifdef VT_VERSION_STRING
  snprintf(w->system, sizeof w->system, "vertebra %s", VT_VERSION_STRING);
#else
  snprintf(w->system, sizeof w->system, "vertebra");
#endif
  w->nlp.next_row_id = 1;
  w->nlp.system = opt->nlp_system ? opt->nlp_system : w->system;
  w->nlp.date = opt->nlp_date ? opt->nlp_date : w->date;
  w->nlp.datetime = opt->nlp_datetime ? opt->nlp_datetime : w->datetime;
  vt_status st = VT_OK;
  if (opt->format == VT_TEXT_FORMAT_FHIR) {
    static const char head[] = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[\n";
    st = write_all(w, head, sizeof head - 1, err);
  } else if (opt->format == VT_TEXT_FORMAT_NOTE_NLP) {
    st = write_all(w, vt__note_nlp_header, strlen(vt__note_nlp_header), err);
  }
  if (st) {
    vt_text_output_free(w);
    return st;
  }
  *out = w;
  return VT_OK;
}

/* OMOP note_id is a 32-bit integer: a decimal id in [1, 2^31-1] is used as is. */
static int parse_note_id(const char *id, long *out) {
  long v = 0;
  if (!id || !*id) return 0;
  for (const char *p = id; *p; p++) {
    if (*p < '0' || *p > '9') return 0;
    v = v * 10 + (*p - '0');
    if (v > 2147483647L) return 0;
  }
  if (v < 1) return 0;
  *out = v;
  return 1;
}

vt_status vt_text_output_document(vt_text_output *w, const char *id, const char *text,
                                  size_t len, const vt_text_result *res, vt_error *err) {
  if (!w || !res || (!text && len))
    return vt_error_set(err, VT_EINVAL, "text output", "no writer, text or result given");
  if (!id) id = "";
  vt__buf_reset(&w->buf);
  vt_status st = VT_OK;
  switch (w->opt.format) {
  case VT_TEXT_FORMAT_JSONL:
    st = vt__render_jsonl(&w->buf, id, strlen(id), text, len, res);
    break;
  case VT_TEXT_FORMAT_FHIR: {
    int first = w->fhir_first;
    st = vt__render_fhir(&w->buf, &first, id, strlen(id), text, len, res, err);
    if (!st) w->fhir_first = first;
    break;
  }
  case VT_TEXT_FORMAT_NOTE_NLP: {
    long note_id;
    if (w->opt.assign_note_ids) {
      if (w->next_note_id > 2147483647L)
        return vt_error_set(err, VT_ELIMIT, id, "more note ids than OMOP's 32-bit note_id holds");
      note_id = w->next_note_id;
    } else if (!parse_note_id(id, &note_id)) {
      return vt_error_set(err, VT_EINVAL, id,
                          "NOTE_NLP needs an integer note_id (1..2147483647) and this document id "
                          "is not one; assign note ids instead (--note-id-map FILE)");
    }
    vt__note_nlp_ctx saved = w->nlp;
    st = vt__render_note_nlp(&w->buf, &w->nlp, note_id, text, len, res);
    if (st) {
      w->nlp = saved;
      break;
    }
    if (w->opt.assign_note_ids) w->next_note_id++;
    w->last_note_id = note_id;
    break;
  }
  }
  if (st == VT_ENOMEM) return vt_error_set(err, st, id, "out of memory rendering the output");
  if (st == VT_ELIMIT) return vt_error_set(err, st, id, "rendered output exceeds 1 GiB");
  if (st) return st;
  return write_all(w, w->buf.data, w->buf.len, err);
}

long vt_text_output_last_note_id(const vt_text_output *w) { return w ? w->last_note_id : 0; }

vt_status vt_text_output_finish(vt_text_output *w, vt_error *err) {
  if (!w) return vt_error_set(err, VT_EINVAL, "text output", "no writer");
  vt_status st = VT_OK;
  if (w->opt.format == VT_TEXT_FORMAT_FHIR) st = write_all(w, "\n]}\n", 4, err);
  if (!st && fflush(w->fp) != 0)
    st = vt_error_set(err, VT_EIO, "text output", "flush failed: %s", strerror(errno));
  return st;
}

void vt_text_output_free(vt_text_output *w) {
  if (!w) return;
  vt__buf_free(&w->buf);
  free(w);
}

vt_status vt_text_result_to_json(const char *id, const char *text, size_t len,
                                 const vt_text_result *res, char **json, size_t *json_len,
                                 vt_error *err) {
  if (!res || !json || (!text && len))
    return vt_error_set(err, VT_EINVAL, "text output", "no result, text or output given");
  vt_buf b;
  vt__buf_init(&b, MAX_RENDER);
  vt_status st = vt__render_jsonl(&b, id ? id : "", id ? strlen(id) : 0, text, len, res);
  if (st) {
    vt__buf_free(&b);
    return vt_error_set(err, st, id, "cannot render the JSON line: %s", vt_status_name(st));
  }
  *json = vt__buf_take(&b, json_len);
  return VT_OK;
}
