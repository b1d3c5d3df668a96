/* sentence.c — splits a tokenized document into sentences: abbreviation- and
 * number-aware, numbered lists one item per sentence, blank lines and section
 * headers as boundaries, semicolons inside. Rule-based on purpose: the cues of
 * dictated reports ("L4-5.", "1.  Mild ...", ".," of flattened lines) are few
 * and a statistical splitter would cost more than the whole rest of the pipeline. */
#include <stdlib.h>
#include <string.h>

#include "text/stages.h"

/* Words whose following period never ends a sentence. */
static const char *const ABBREV[] = {"dr",   "drs",  "mr",   "mrs", "ms",   "prof", "vs",
                                     "v",    "approx", "appr", "fig", "figs", "cf",  "incl",
                                     "resp", "jr",   "sr",   "st",  "ca",   "pt",  "wt",
                                     "ht",   "hx",   "sx",   "dx",  "tx",   "inj", "mt"};

/* Words that end a line in the middle of a wrapped sentence. */
static const char *const GLUE[] = {"and",  "or",  "of",   "the",  "with", "at",  "to",
                                   "in",   "on",  "for",  "a",    "an",   "by",  "from",
                                   "is",   "are", "was",  "were", "as",   "than", "but",
                                   "which", "that", "into", "along", "without", "no", "not"};

static size_t tlen(const vt__doc *d, size_t t) { return d->toks[t].end - d->toks[t].start; }

static int word_in(const vt__doc *d, size_t t, const char *const *list, size_t n) {
  size_t len = tlen(d, t);
  const char *w = d->lower + d->toks[t].start;
  for (size_t i = 0; i < n; i++)
    if (strlen(list[i]) == len && memcmp(list[i], w, len) == 0) return 1;
  return 0;
}

static int is_punct(const vt__doc *d, size_t t, const char *set) {
  return t < d->ntoks && (d->toks[t].flags & VT_TOK_PUNCT) && tlen(d, t) == 1 &&
         strchr(set, d->text[d->toks[t].start]) != NULL;
}

static int starts_lower(const vt__doc *d, size_t t) {
  char c = d->text[d->toks[t].start];
  return c >= 'a' && c <= 'z';
}

/* "1." or "2)" opening a list item: a 1-2 digit number, then "." or ")", then
 * something that is not glued to it. */
static int list_marker(const vt__doc *d, size_t t) {
  if (t + 1 >= d->ntoks || !(d->toks[t].flags & VT_TOK_DIGIT) || tlen(d, t) > 2) return 0;
  if (memchr(d->text + d->toks[t].start, '.', tlen(d, t))) return 0;
  if (!is_punct(d, t + 1, ".)")) return 0;
  if (d->toks[t + 1].start != d->toks[t].end) return 0;
  return t + 2 == d->ntoks || d->toks[t + 2].start > d->toks[t + 1].end;
}

/* Whether token t (before which no sentence is open) follows a boundary: a
 * line start, ". ? ! : ;", or the ".," / ":," of MTSamples' flattened lines. */
static int after_boundary(const vt__doc *d, size_t t) {
  if (t == 0 || (d->toks[t].flags & VT_TOK_NL_BEFORE)) return 1;
  if (is_punct(d, t - 1, ".?!:;")) return 1;
  return t >= 2 && is_punct(d, t - 1, ",") && is_punct(d, t - 2, ".:");
}

/* Whether the terminal punctuation at t ends the sentence. */
static int ends_sentence(const vt__doc *d, size_t t) {
  size_t n = t + 1;
  if (n >= d->ntoks) return 1;
  if (d->toks[n].flags & VT_TOK_NL_BEFORE) return 1;
  char c = d->text[d->toks[t].start];
  int glued = d->toks[n].start == d->toks[t].end;
  if (c == '.') {
    /* "e.g", "U.S": a period glued to a following word or number */
    if (glued && !(d->toks[n].flags & VT_TOK_PUNCT)) return 0;
    if (glued && is_punct(d, n, ".")) return 0; /* an ellipsis ends at its last dot */
    if (t > 0 && !(d->toks[t - 1].flags & VT_TOK_PUNCT) && d->toks[t - 1].end == d->toks[t].start) {
      size_t p = t - 1;
      if (word_in(d, p, ABBREV, sizeof ABBREV / sizeof *ABBREV)) return 0;
      if (tlen(d, p) == 2 && memcmp(d->lower + d->toks[p].start, "no", 2) == 0 &&
          (d->toks[n].flags & VT_TOK_DIGIT))
        return 0; /* "No. 2" */
      /* "e.g." / "i.e." / "b.i.d.": a single lower-case letter after a period */
      if (tlen(d, p) == 1 && starts_lower(d, p) && p > 0 && is_punct(d, p - 1, ".")) return 0;
    }
  }
  if (starts_lower(d, n)) return 0;
  return 1;
}

/* Whether a single line break before t ends the sentence (not wrapped text). */
static int line_break_splits(const vt__doc *d, size_t t) {
  size_t p = t - 1;
  if (starts_lower(d, t)) return 0;
  if (is_punct(d, p, ",-(/&")) return 0;
  if ((d->toks[p].flags & VT_TOK_ALPHA) && word_in(d, p, GLUE, sizeof GLUE / sizeof *GLUE))
    return 0;
  uint32_t both = d->toks[p].flags & d->toks[t].flags;
  if ((both & VT_TOK_UPPER) && (both & VT_TOK_ALPHA)) return 0; /* wrapped capitals */
  return 1;
}

typedef struct splitter {
  vt__doc *d;
  size_t cap;
  int section;
  unsigned item; /* number of the last list item seen in this section */
} splitter;

static unsigned item_number(const vt__doc *d, size_t t) {
  unsigned v = 0;
  for (uint32_t i = d->toks[t].start; i < d->toks[t].end; i++) v = v * 10 + (unsigned)(d->text[i] - '0');
  return v;
}

/* "... no fracture 2. Mild ..." : the next number of a running list, inline. */
static int next_item(const splitter *sp, size_t t) {
  const vt__doc *d = sp->d;
  if (!sp->item || !list_marker(sp->d, t) || item_number(d, t) != sp->item + 1) return 0;
  if (t + 2 >= d->ntoks) return 0;
  uint32_t f = d->toks[t + 2].flags;
  return (f & (VT_TOK_UPPER | VT_TOK_TITLE | VT_TOK_DIGIT | VT_TOK_ALNUM)) != 0;
}

static vt_status emit(splitter *sp, size_t a, size_t b) {
  vt__doc *d = sp->d;
  while (b > a && is_punct(d, b - 1, ",;")) b--; /* "...spine,REASON FOR EXAM:" */
  if (a >= b) return VT_OK;
  if (d->nsents == sp->cap) {
    size_t cap = sp->cap ? sp->cap * 2 : 64;
    vt__sentence *s = realloc(d->sents, cap * sizeof *s);
    if (!s) return VT_ENOMEM;
    d->sents = s;
    sp->cap = cap;
  }
  vt__sentence *s = &d->sents[d->nsents++];
  s->tok_begin = a;
  s->tok_end = b;
  s->start = d->toks[a].start;
  s->end = d->toks[b - 1].end;
  s->section = sp->section;
  return VT_OK;
}

#define NONE ((size_t)-1)

vt_status vt__sentences_split(vt__doc *d, vt_error *err) {
  free(d->sents);
  d->sents = NULL;
  d->nsents = 0;
  splitter sp = {d, 0, -1, 0};
  size_t cur = NONE, k = 0;
  vt_status st = VT_OK;
  size_t t = 0;
  while (t < d->ntoks && !st) {
    const vt__token *tok = &d->toks[t];
    if (k < d->nsecs && tok->start >= d->secs[k].head_start) {
      /* a header closes the open sentence and is a sentence of its own */
      if (cur != NONE) st = emit(&sp, cur, t);
      sp.section = (int)k;
      sp.item = 0;
      size_t h = t;
      while (t < d->ntoks && d->toks[t].start < d->secs[k].head_end) t++;
      if (!st) st = emit(&sp, h, t);
      cur = NONE;
      k++;
      continue;
    }
    if (cur == NONE) {
      if (is_punct(d, t, ",;")) { /* ".," and ":," leftovers open nothing */
        t++;
        continue;
      }
      if (list_marker(d, t) && (after_boundary(d, t) || next_item(&sp, t))) {
        sp.item = item_number(d, t);
        t += 2; /* the "1." belongs to no sentence */
        continue;
      }
      cur = t;
    } else if ((tok->flags & VT_TOK_BLANK_BEFORE) ||
               ((tok->flags & VT_TOK_NL_BEFORE) && line_break_splits(d, t)) ||
               (list_marker(d, t) && (after_boundary(d, t) || next_item(&sp, t)))) {
      st = emit(&sp, cur, t);
      cur = NONE;
      continue; /* token t opens the next sentence */
    }
    if (t > cur && is_punct(d, t, ".?!") && ends_sentence(d, t)) {
      size_t e = t + 1;
      while (e < d->ntoks && is_punct(d, e, ")]\"'") && d->toks[e].start == d->toks[e - 1].end &&
             !(d->toks[e].flags & VT_TOK_NL_BEFORE))
        e++;
      st = emit(&sp, cur, e);
      cur = NONE;
      t = e;
      continue;
    }
    t++;
  }
  if (!st && cur != NONE) st = emit(&sp, cur, d->ntoks);
  if (st) return vt_error_set(err, st, NULL, "out of memory for sentences");
  return VT_OK;
}
