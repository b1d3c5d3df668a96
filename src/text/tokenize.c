/* tokenize.c — the first text stage: validates UTF-8, makes the ASCII-lowercased
 * copy and splits the text into word, number and punctuation tokens in one pass.
 * Hand-written (no ICU/libunistring) because this is the engine's hot path and
 * the rules are spine-specific: "L4-5" must give L4 - 5, "4mm" must give 4 mm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/stages.h"

/* Kinds of a decoded character, as far as token boundaries care. */
enum { CH_SPACE, CH_BREAK, CH_SKIP, CH_UPPER, CH_LOWER, CH_DIGIT, CH_PUNCT, CH_LETTER };

/* Kind of an ASCII byte, by table: this runs once per byte of every report. */
#define L CH_LOWER
#define U CH_UPPER
#define D CH_DIGIT
#define S CH_SPACE
#define B CH_BREAK
#define K CH_SKIP
#define P CH_PUNCT
static const unsigned char ASCII_KIND[128] = {
    K, K, K, K, K, K, K, K,
    K, S, B, S, B, B, K, K,
    K, K, K, K, K, K, K, K,
    K, K, K, K, K, K, K, K,
    S, P, P, P, P, P, P, P,
    P, P, P, P, P, P, P, P,
    D, D, D, D, D, D, D, D,
    D, D, P, P, P, P, P, P,
    P, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U,
    U, U, U, P, P, P, P, P,
    P, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, L,
    L, L, L, P, P, P, P, K,
};
#undef L
#undef U
#undef D
#undef S
#undef B
#undef K
#undef P

static inline int ascii_kind(unsigned char c) { return ASCII_KIND[c & 0x7F]; }

/* Kind of a non-ASCII code point: the spaces and punctuation of Latin-1 and the
 * General Punctuation block split words; every other code point is a letter. */
static int wide_kind(uint32_t cp) {
  if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
      cp == 0x3000)
    return CH_SPACE;
  if (cp == 0x2028 || cp == 0x2029 || cp == 0x85) return CH_BREAK;
  if ((cp >= 0x80 && cp < 0xA0) || (cp >= 0x200B && cp <= 0x200F) || cp == 0xFEFF ||
      (cp >= 0x202A && cp <= 0x202E))
    return CH_SKIP; /* C1 controls, zero-width and direction marks, BOM */
  if ((cp >= 0xA1 && cp <= 0xBF && cp != 0xAA && cp != 0xB5 && cp != 0xBA) || cp == 0xD7 ||
      cp == 0xF7 || (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E) ||
      (cp >= 0x2190 && cp <= 0x21FF))
    return CH_PUNCT;
  return CH_LETTER;
}

/* Decodes one UTF-8 sequence at s[i] (s[i] >= 0x80). Returns its length, or 0 if
 * it is invalid (bad lead, bad continuation, overlong, surrogate, > U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, size_t i, size_t len, uint32_t *cp) {
  unsigned char c = s[i];
  size_t n;
  uint32_t v, lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    v = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;      /* overlong */
    else if (c == 0xED) hi = 0x9F; /* surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    v = c & 0x07;
    if (c == 0xF0) lo = 0x90;      /* overlong */
    else if (c == 0xF4) hi = 0x8F; /* > U+10FFFF */
  } else {
    return 0;
  }
  if (len - i < n) return 0;
  if (s[i + 1] < lo || s[i + 1] > hi) return 0;
  v = (v << 6) | (s[i + 1] & 0x3F);
  for (size_t k = 2; k < n; k++) {
    if ((s[i + k] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i + k] & 0x3F);
  }
  *cp = v;
  return n;
}

/* Length and kind of the character at s[i]; 0 for a NUL byte or invalid UTF-8. */
static inline size_t next_char(const unsigned char *s, size_t i, size_t len, int *kind) {
  unsigned char c = s[i];
  if (c < 0x80) {
    *kind = ascii_kind(c);
    return c != 0;
  }
  uint32_t cp;
  size_t n = utf8_decode(s, i, len, &cp);
  if (n) *kind = wide_kind(cp);
  return n;
}

static vt_status push_token(vt__doc *doc, size_t *cap, size_t start, size_t end,
                            uint32_t flags) {
  if (doc->ntoks == *cap) {
    size_t ncap = *cap * 2;
    vt__token *t = realloc(doc->toks, ncap * sizeof *t);
    if (!t) return VT_ENOMEM;
    doc->toks = t;
    *cap = ncap;
  }
  vt__token *t = &doc->toks[doc->ntoks++];
  t->start = (uint32_t)start;
  t->end = (uint32_t)end;
  t->flags = flags;
  return VT_OK;
}

/* Ordinal suffix after digits ("2nd", "21st"): kept in the number's token. */
static int ordinal_at(const unsigned char *s, size_t i, size_t len) {
  if (len - i < 2) return 0;
  char a = (char)(s[i] | 0x20), b = (char)(s[i + 1] | 0x20);
  int ok = (a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') ||
           (a == 't' && b == 'h');
  if (!ok || !((s[i + 1] >= 'a' && s[i + 1] <= 'z') || (s[i + 1] >= 'A' && s[i + 1] <= 'Z')))
    return 0;
  if (i + 2 == len) return 1;
  int k = s[i + 2] < 0x80 ? ascii_kind(s[i + 2]) : CH_LETTER;
  return k != CH_UPPER && k != CH_LOWER && k != CH_DIGIT && k != CH_LETTER;
}

static void doc_clear(vt__doc *doc) {
  free(doc->lower);
  free(doc->toks);
  free(doc->secs);
  free(doc->sents);
  memset(doc, 0, sizeof *doc);
}

static vt_status bad_utf8(vt__doc *doc, vt_error *err, size_t at, unsigned char c) {
  char where[64];
  doc_clear(doc);
  snprintf(where, sizeof where, "byte offset %zu", at);
  if (c == 0) return vt_error_set(err, VT_EFORMAT, where, "NUL byte in text");
  return vt_error_set(err, VT_EFORMAT, where, "invalid UTF-8 sequence (byte 0x%02X)", c);
}

vt_status vt__doc_init(vt__doc *doc, const char *text, size_t len, vt_error *err) {
  memset(doc, 0, sizeof *doc);
  if (len > VT_TEXT_MAX_DOC) {
    return vt_error_set(err, VT_ELIMIT, NULL, "document of %zu bytes exceeds the limit of %zu",
                        len, (size_t)VT_TEXT_MAX_DOC);
  }
  if (!text && len) return vt_error_set(err, VT_EINVAL, NULL, "NULL text");
  const unsigned char *s = (const unsigned char *)text;
  doc->text = text ? text : "";
  doc->len = len;
  doc->lower = malloc(len + 1);
  size_t cap = len / 4 + 16;
  doc->toks = malloc(cap * sizeof *doc->toks);
  if (!doc->lower || !doc->toks) {
    doc_clear(doc);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory for a %zu-byte document", len);
  }
  char *low = doc->lower;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = s[i];
    low[i] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
  }
  low[len] = '\0';

  /* breaks: line breaks since the previous token; the start counts as one. */
  unsigned breaks = 1;
  int first = 1;
  size_t i = 0;
  int prev_digit_end = 0; /* previous token was split off a number without a gap */
  while (i < len) {
    unsigned char c = s[i];
    int kind;
    size_t n = next_char(s, i, len, &kind);
    if (!n) return bad_utf8(doc, err, i, c);
    if (kind == CH_SPACE || kind == CH_SKIP) {
      prev_digit_end = 0;
      i += n;
      continue;
    }
    if (kind == CH_BREAK) {
      prev_digit_end = 0;
      if (c == '\r' && i + 1 < len && s[i + 1] == '\n') n = 2; /* CRLF is one break */
      breaks++;
      i += n;
      continue;
    }
    uint32_t flags = 0;
    if (breaks) flags |= VT_TOK_NL_BEFORE;
    if (breaks >= 2 && !first) flags |= VT_TOK_BLANK_BEFORE;
    breaks = 0;
    first = 0;
    size_t start = i;
    if (kind == CH_PUNCT) {
      prev_digit_end = 0;
      vt_status st = push_token(doc, &cap, start, i + n, flags | VT_TOK_PUNCT);
      if (st) goto oom;
      i += n;
      continue;
    }
    /* A word: letters, digits, non-ASCII letters; a decimal point between
     * digits; splits where letters follow digits ("4mm", "L5S1"), except an
     * ordinal suffix, and "x" between numbers ("3x4") is its own token. */
    int upper = 0, lower = 0, letters = 0, digits = 0, first_upper = (kind == CH_UPPER),
        dot = 0, last_digit = 0, later_upper = 0;
    if (prev_digit_end && (c == 'x' || c == 'X') && i + 1 < len && s[i + 1] >= '0' &&
        s[i + 1] <= '9') {
      vt_status st = push_token(doc, &cap, i, i + 1,
                                flags | VT_TOK_ALPHA | (c == 'X' ? VT_TOK_UPPER : 0));
      if (st) goto oom;
      i += 1;
      prev_digit_end = 0;
      continue;
    }
    for (;;) {
      if (kind == CH_DIGIT) {
        digits = 1;
        last_digit = 1;
      } else if (kind == CH_UPPER || kind == CH_LOWER || kind == CH_LETTER) {
        if (last_digit) {
          if (digits && !letters && ordinal_at(s, i, len)) {
            n = 2; /* "2nd": the number keeps its suffix */
          } else {
            break;
          }
        }
        letters = 1;
        last_digit = 0;
        if (kind == CH_UPPER) {
          upper = 1;
          if (i > start) later_upper = 1;
        } else if (kind == CH_LOWER) {
          lower = 1;
        }
      } else if (c == '.' && last_digit && !letters && !dot && i + 1 < len && s[i + 1] >= '0' &&
                 s[i + 1] <= '9') {
        dot = 1; /* "3.5" */
      } else {
        break;
      }
      i += n;
      if (i >= len) break;
      c = s[i];
      n = next_char(s, i, len, &kind);
      if (!n) return bad_utf8(doc, err, i, c);
    }
    if (letters && digits) flags |= VT_TOK_ALNUM;
    else if (letters) flags |= VT_TOK_ALPHA;
    else flags |= VT_TOK_DIGIT;
    if (upper && !lower) flags |= VT_TOK_UPPER;
    if (first_upper && lower && !later_upper) flags |= VT_TOK_TITLE;
    prev_digit_end = last_digit && i < len && (kind == CH_UPPER || kind == CH_LOWER);
    vt_status st = push_token(doc, &cap, start, i, flags);
    if (st) goto oom;
  }
  return VT_OK;
oom:
  doc_clear(doc);
  return vt_error_set(err, VT_ENOMEM, NULL, "out of memory for tokens");
}

void vt__doc_free(vt__doc *doc) {
  if (!doc) return;
  doc_clear(doc);
}
