/* text_fixture.h — builds a vt__doc for the targets/attributes tests without
 * the tokenizer stage: word runs (letters then digits stay one token, "L4";
 * digits then letters split, "4mm"; "3.5" one token), one token per other
 * character, sentences ending at ". " or a line break. It follows the
 * contract of doc.h so these two stages can be tested on their own. */
#ifndef VT_TEXT_FIXTURE_H
#define VT_TEXT_FIXTURE_H
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "text/doc.h"

static int fx_word(unsigned char c) { return isalnum(c) || c >= 0x80; }

/* Fills doc from text (NUL-terminated); free with fx_free. */
static void fx_doc(vt__doc *doc, const char *text) {
  size_t n = strlen(text);
  memset(doc, 0, sizeof *doc);
  doc->text = text;
  doc->len = n;
  doc->lower = malloc(n + 1);
  for (size_t i = 0; i <= n; i++) doc->lower[i] = (char)tolower((unsigned char)text[i]);
  doc->toks = malloc((n + 1) * sizeof *doc->toks);
  doc->sents = malloc((n + 1) * sizeof *doc->sents);
  int nl = 0, blank = 0;
  size_t sb = 0, stb = 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)text[i];
    if (c == '\n') {
      blank = nl;
      nl = 1;
      if (doc->ntoks > stb) {
        vt__sentence *s = &doc->sents[doc->nsents++];
        s->start = sb, s->end = doc->toks[doc->ntoks - 1].end, s->tok_begin = stb;
        s->tok_end = doc->ntoks, s->section = -1;
      }
      stb = doc->ntoks;
      i++;
      continue;
    }
    if (isspace(c)) {
      i++;
      continue;
    }
    size_t j = i + 1;
    if (fx_word(c)) {
      int digits = isdigit(c) != 0;
      while (j < n) {
        unsigned char d = (unsigned char)text[j];
        if (d == '.' && digits && j + 1 < n && isdigit((unsigned char)text[j + 1])) {
          j += 2;
          continue;
        }
        if (!fx_word(d) || (digits && isalpha(d))) break;
        if (isdigit(d)) digits = 1;
        j++;
      }
    }
    vt__token *t = &doc->toks[doc->ntoks];
    if (doc->ntoks == stb) sb = i;
    t->start = (uint32_t)i, t->end = (uint32_t)j;
    t->flags = (nl ? VT_TOK_NL_BEFORE : 0) | (blank ? VT_TOK_BLANK_BEFORE : 0);
    nl = blank = 0;
    doc->ntoks++;
    if (c == '.' && (j == n || isspace((unsigned char)text[j]))) {
      vt__sentence *s = &doc->sents[doc->nsents++];
      s->start = sb, s->end = j, s->tok_begin = stb, s->tok_end = doc->ntoks, s->section = -1;
      stb = doc->ntoks;
    }
    i = j;
  }
  if (doc->ntoks > stb) {
    vt__sentence *s = &doc->sents[doc->nsents++];
    s->start = sb, s->end = doc->toks[doc->ntoks - 1].end, s->tok_begin = stb;
    s->tok_end = doc->ntoks, s->section = -1;
  }
}

static void fx_free(vt__doc *doc) {
  free(doc->lower);
  free(doc->toks);
  free(doc->sents);
  memset(doc, 0, sizeof *doc);
}
#endif
