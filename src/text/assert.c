/* assert.c — vt_text_assert: the ConText assertion of one target phrase in one
 * sentence, the NegEx/ConText test-kit mode behind `vertebra text assert`. */
#include <stdlib.h>
#include <string.h>

#include "text/context_rules.h"
#include "text/engine.h"

static int is_space(unsigned char c) { return vt__ctx_byte_class[c] & VT_CTX_SPACE; }
static int is_word(unsigned char c) { return vt__ctx_byte_class[c] & VT_CTX_WORD; }
static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int all_upper(const char *s, size_t a, size_t b) {
  int letters = 0;
  for (size_t i = a; i < b; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 'a' && c <= 'z') return 0;
    if (c >= 'A' && c <= 'Z') letters = 1;
  }
  return letters;
}

/* Is the nearest letter outside [a, b) on either side (within 64 bytes) lower case? */
static int neighbour_lower(const char *s, size_t len, size_t a, size_t b) {
  for (size_t i = a; i-- > 0 && a - i <= 64;) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 'a' && c <= 'z') return 1;
    if (c >= 'A' && c <= 'Z') break;
  }
  for (size_t i = b; i < len && i - b <= 64; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 'a' && c <= 'z') return 1;
    if (c >= 'A' && c <= 'Z') break;
  }
  return 0;
}

/* The longest target phrase accepted (bytes, after trimming). */
#define MAX_TARGET 4096

/* Finds the target. When it occurs more than once, a whole-word occurrence
 * beats one inside a word, and one written in capitals beats others (the
 * NegEx/ConText test kit marks its target so), best of all one in capitals
 * next to lower-case text (an all-capitals header repeating the word is not
 * the mark); ties go to the first.
 * Matching is case-insensitive and any run of white space matches any other;
 * it runs Knuth-Morris-Pratt over the folded, space-collapsed stream, so a
 * long sentence with many near-matches stays linear. `t` is the normalised
 * target (lower case, single spaces, trimmed); `fail` holds tn entries of
 * scratch, `pos` a ring of `ring` (a power of two >= tn) positions. */
static int find_target(const char *s, size_t len, const char *t, size_t tn, size_t *fail,
                       size_t *pos, size_t ring, size_t *t0, size_t *t1) {
  fail[0] = 0;
  for (size_t i = 1, k = 0; i < tn; i++) {
    while (k && t[i] != t[k]) k = fail[k - 1];
    if (t[i] == t[k]) k++;
    fail[i] = k;
  }
  int best = -1;
  size_t k = 0, nchar = 0; /* matched prefix length; normalised characters so far */
  unsigned char first = (unsigned char)t[0]; /* never a space */
  for (size_t i = 0; i < len; i++) {
    unsigned char c = lower((unsigned char)s[i]);
    /* Outside a partial match only the first letter can start one; the
     * characters skipped here can never lie inside a match. */
    if (k == 0 && c != first) continue;
    if (is_space(c)) {
      if (i > 0 && is_space((unsigned char)s[i - 1])) continue; /* one space per run */
      c = ' ';
    }
    pos[nchar & (ring - 1)] = i;
    nchar++;
    while (k && c != (unsigned char)t[k]) k = fail[k - 1];
    if (c == (unsigned char)t[k]) k++;
    if (k < tn) continue;
    k = fail[k - 1];
    size_t p = pos[(nchar - tn) & (ring - 1)], e = i + 1;
    int word = (p == 0 || !is_word((unsigned char)s[p - 1]) || !is_word((unsigned char)t[0])) &&
               (e == len || !is_word((unsigned char)s[e]) || !is_word((unsigned char)t[tn - 1]));
    int upper = all_upper(s, p, e);
    int score = word * 4 + upper * 2 + (upper && neighbour_lower(s, len, p, e));
    if (score > best) {
      best = score;
      *t0 = p;
      *t1 = e;
      if (score == 7) break;
    }
  }
  return best >= 0;
}

/* Abbreviations after which a period does not end a sentence. */
static int abbreviation(const char *s, size_t a, size_t b) {
  static const char *const abbr[] = {"dr", "mr", "mrs", "ms", "vs", "st", "no", "fig", "approx",
                                     "e.g", "i.e", "p.o", "b.i.d", "t.i.d", "q.d", "etc", NULL};
  if (b - a <= 1) return 1; /* an initial: "B." */
  for (int k = 0; abbr[k]; k++) {
    size_t n = strlen(abbr[k]);
    if (n != b - a) continue;
    size_t i = 0;
    while (i < n && lower((unsigned char)s[a + i]) == (unsigned char)abbr[k][i]) i++;
    if (i == n) return 1;
  }
  return 0;
}

/* Narrows [*s0, *s1) to the sentence holding [t0, t1) when the input holds
 * more than one: a sentence ends at '.', '?' or '!' followed by white space
 * and a capital letter or digit, the period not closing an abbreviation or an
 * initial. In the document pipeline sentence.c does this job; this is for the
 * test-kit mode, whose "sentences" are sometimes several (report headers). */
static void sentence_of(const char *s, size_t len, size_t t0, size_t t1, size_t *s0, size_t *s1) {
  *s0 = 0;
  *s1 = len;
  static const char stops[] = ".?!";
  for (int k = 0; k < 3; k++) {
    const char *q = s;
    while ((q = memchr(q, stops[k], len - (size_t)(q - s))) != NULL) {
      size_t i = (size_t)(q - s);
      q++;
      if (i + 2 >= len) break;
      if (i + 1 > t0 && i < t1) continue; /* inside the target */
      if (i + 1 <= t0 ? i + 1 <= *s0 : i + 1 >= *s1) continue; /* a nearer one is known */
      if (!is_space((unsigned char)s[i + 1])) continue;
      size_t j = i + 1;
      while (j < len && is_space((unsigned char)s[j])) j++;
      if (j >= len) break;
      unsigned char n = (unsigned char)s[j];
      if (!((n >= 'A' && n <= 'Z') || (n >= '0' && n <= '9'))) continue;
      if (stops[k] == '.') {
        size_t w = i;
        while (w > 0 && (is_word((unsigned char)s[w - 1]) || s[w - 1] == '.')) w--;
        if (abbreviation(s, w, i)) continue;
      }
      if (i + 1 <= t0) {
        if (j > *s0) *s0 = j;
      } else if (i >= t1 && i + 1 < *s1) {
        *s1 = i + 1;
      }
    }
  }
  /* An inline numbered list item, "1) ... 2) ...", is a sentence of its own
   * (as sentence.c makes it in a document): the item starts at its number. */
  for (const char *q = s; (q = memchr(q, ')', len - (size_t)(q - s))) != NULL; q++) {
    size_t i = (size_t)(q - s), d = i;
    while (d > 0 && i - d < 2 && s[d - 1] >= '0' && s[d - 1] <= '9') d--;
    if (d == i || (d > 0 && !is_space((unsigned char)s[d - 1]))) continue;
    if (i + 1 < len && !is_space((unsigned char)s[i + 1])) continue;
    if (i < t0 && d > *s0) *s0 = d;
    else if (d >= t1 && d < *s1) *s1 = d;
  }
  if (*s0 > t0) *s0 = 0; /* cannot happen: a boundary before t0 starts at or before it */
}

VT_API vt_status vt_text_assert(const vt_text_engine *eng, const char *sentence, size_t len,
                                const char *target, size_t target_len, vt_assertion *out,
                                vt_error *err) {
  if (!eng || !eng->context || !out || (!sentence && len) || (!target && target_len))
    return vt_error_set(err, VT_EINVAL, "text assert", "no engine, sentence, target or output");
  if (len > VT_TEXT_MAX_DOC)
    return vt_error_set(err, VT_ELIMIT, "text assert",
                        "sentence of %zu bytes exceeds the limit of %zu bytes", len,
                        VT_TEXT_MAX_DOC);
  /* The normalised target: lower case, white space runs as one space, trimmed. */
  char norm[MAX_TARGET];
  size_t tn = 0;
  for (size_t i = 0; i < target_len; i++) {
    unsigned char c = lower((unsigned char)target[i]);
    if (is_space(c)) {
      if (tn == 0 || norm[tn - 1] == ' ') continue;
      c = ' ';
    }
    if (tn == MAX_TARGET)
      return vt_error_set(err, VT_ELIMIT, "text assert",
                          "the target phrase is longer than %d bytes", MAX_TARGET);
    norm[tn++] = (char)c;
  }
  while (tn && norm[tn - 1] == ' ') tn--;
  if (tn == 0)
    return vt_error_set(err, VT_EINVAL, "text assert", "the target phrase is empty");
  size_t t0 = 0, t1 = 0;
  size_t ring = 1;
  while (ring < tn) ring <<= 1;
  size_t scratch[2 * 256];
  size_t *fail = scratch, *pos = scratch + 256;
  if (tn > 256) {
    fail = malloc((tn + ring) * sizeof *fail);
    if (!fail) return vt_error_set(err, VT_ENOMEM, "text assert", "out of memory");
    pos = fail + tn;
  }
  int found = find_target(sentence, len, norm, tn, fail, pos, ring, &t0, &t1);
  if (fail != scratch) free(fail);
  if (!found)
    return vt_error_set(err, VT_ENOTFOUND, "text assert",
                        "the target phrase (%zu bytes) does not occur in the sentence",
                        target_len);
  vt_assertion a;
  size_t s0, s1;
  sentence_of(sentence, len, t0, t1, &s0, &s1);
  vt__ctx_assert_span(eng->context, sentence, s0, s1, t0, t1, &a);
  *out = a;
  return VT_OK;
}
