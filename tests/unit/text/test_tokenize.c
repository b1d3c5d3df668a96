/* test_tokenize.c — UTF-8 validation, lower-case copy and token boundaries and
 * flags of the first text stage, on hand-checked strings. */
#include <stdlib.h>

#include "vt_test.h"
#include "text/stages.h"

/* Token i as text, for comparisons. */
static const char *tok(const vt__doc *d, size_t i) {
  static char buf[128];
  size_t n = d->toks[i].end - d->toks[i].start;
  if (n >= sizeof buf) n = sizeof buf - 1;
  memcpy(buf, d->text + d->toks[i].start, n);
  buf[n] = '\0';
  return buf;
}

/* Tokens joined by '|'. */
static const char *joined(const vt__doc *d) {
  static char buf[1024];
  size_t p = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < d->ntoks && p + 64 < sizeof buf; i++) {
    const char *t = tok(d, i);
    if (i) buf[p++] = '|';
    size_t n = strlen(t);
    memcpy(buf + p, t, n);
    p += n;
    buf[p] = '\0';
  }
  return buf;
}

static void check_tokens(const char *text, const char *expect) {
  vt__doc d;
  vt_error err;
  vt_error_clear(&err);
  CHECK_INT(vt__doc_init(&d, text, strlen(text), &err), VT_OK);
  CHECK_STR(joined(&d), expect);
  vt__doc_free(&d);
}

static void check_bad(const char *text, size_t len, const char *where) {
  vt__doc d;
  vt_error err;
  vt_error_clear(&err);
  CHECK_INT(vt__doc_init(&d, text, len, &err), VT_EFORMAT);
  CHECK_STR(err.where, where);
  CHECK(d.ntoks == 0 && d.toks == NULL && d.lower == NULL);
}

int main(void) {
  check_tokens("L4-5 disc protrusion.", "L4|-|5|disc|protrusion|.");
  check_tokens("At L5-S1, 3.5 mm", "At|L5|-|S1|,|3.5|mm");
  check_tokens("T12 C5 S1 L4/L5", "T12|C5|S1|L4|/|L5");
  check_tokens("4mm 3.5cm 2nd 21st L5S1", "4|mm|3.5|cm|2nd|21st|L5|S1");
  check_tokens("3x4 mm 3 x 4", "3|x|4|mm|3|x|4");
  check_tokens("L4-5. The", "L4|-|5|.|The");
  check_tokens("1. 2.5. v1.2", "1|.|2.5|.|v1|.|2");
  check_tokens("patient's well-defined", "patient|'|s|well|-|defined");
  check_tokens("naïve café\xC2\xA0" "x", "naïve|café|x");               /* NBSP splits */
  check_tokens("a\xE2\x80\x94" "b \xE2\x80\x9Cq\xE2\x80\x9D", "a|—|b|“|q|”"); /* em dash, quotes */
  check_tokens("\xEF\xBB\xBF" "Findings", "Findings");                  /* BOM skipped */
  check_tokens("", "");
  check_tokens(" \t\r\n\f ", "");

  /* flags and line breaks: CRLF, blank lines, form feed */
  const char *t = "FINDINGS:\r\nDisc at L4.\r\n\r\nImpression  mild\fend 12";
  vt__doc d;
  vt_error err;
  vt_error_clear(&err);
  CHECK_INT(vt__doc_init(&d, t, strlen(t), &err), VT_OK);
  CHECK_STR(joined(&d), "FINDINGS|:|Disc|at|L4|.|Impression|mild|end|12");
  CHECK_INT(d.ntoks, 10);
  CHECK(d.toks[0].flags & VT_TOK_NL_BEFORE); /* the start of text is a line start */
  CHECK(!(d.toks[0].flags & VT_TOK_BLANK_BEFORE));
  CHECK(d.toks[0].flags & VT_TOK_UPPER);
  CHECK(d.toks[0].flags & VT_TOK_ALPHA);
  CHECK(!(d.toks[0].flags & VT_TOK_TITLE));
  CHECK(d.toks[1].flags & VT_TOK_PUNCT);
  CHECK(!(d.toks[1].flags & VT_TOK_NL_BEFORE));
  CHECK(d.toks[2].flags & VT_TOK_NL_BEFORE);
  CHECK(!(d.toks[2].flags & VT_TOK_BLANK_BEFORE));
  CHECK(d.toks[2].flags & VT_TOK_TITLE);
  CHECK(!(d.toks[2].flags & VT_TOK_UPPER));
  CHECK(d.toks[4].flags & VT_TOK_ALNUM);
  CHECK(d.toks[4].flags & VT_TOK_UPPER);
  CHECK(d.toks[6].flags & VT_TOK_BLANK_BEFORE);
  CHECK(d.toks[6].flags & VT_TOK_NL_BEFORE);
  CHECK(!(d.toks[7].flags & VT_TOK_NL_BEFORE)); /* two spaces are no break */
  CHECK(d.toks[8].flags & VT_TOK_NL_BEFORE);    /* form feed is a line break */
  CHECK(!(d.toks[8].flags & VT_TOK_BLANK_BEFORE));
  CHECK(d.toks[9].flags & VT_TOK_DIGIT);
  CHECK_INT(d.toks[9].start, strlen(t) - 2);
  CHECK_INT(d.toks[9].end, strlen(t));
  CHECK_STR(d.lower, "findings:\r\ndisc at l4.\r\n\r\nimpression  mild\fend 12");
  CHECK(d.toks[7].flags & VT_TOK_ALPHA);
  vt__doc_free(&d);

  /* mixed case is neither UPPER nor TITLE; "McKenzie" is not TITLE either */
  const char *m = "McKenzie mRNA Disc";
  CHECK_INT(vt__doc_init(&d, m, strlen(m), &err), VT_OK);
  CHECK(!(d.toks[0].flags & (VT_TOK_UPPER | VT_TOK_TITLE)));
  CHECK(!(d.toks[1].flags & (VT_TOK_UPPER | VT_TOK_TITLE)));
  CHECK(d.toks[2].flags & VT_TOK_TITLE);
  vt__doc_free(&d);

  /* the lower-case copy keeps non-ASCII bytes and offsets */
  const char *u = "ÉCHO L4";
  CHECK_INT(vt__doc_init(&d, u, strlen(u), &err), VT_OK);
  CHECK_STR(d.lower, "Écho l4");
  CHECK_INT(d.ntoks, 2);
  vt__doc_free(&d);

  /* invalid input names the byte offset */
  check_bad("ab\0cd", 5, "byte offset 2");
  check_bad("ok \xC0\xAF", 5, "byte offset 3");          /* overlong '/' */
  check_bad("x\xE0\x80\xAF", 4, "byte offset 1");         /* overlong 3-byte */
  check_bad("xy\xED\xA0\x80", 5, "byte offset 2");        /* surrogate U+D800 */
  check_bad("\xF4\x90\x80\x80", 4, "byte offset 0");      /* > U+10FFFF */
  check_bad("abc\xC3", 4, "byte offset 3");               /* truncated */
  check_bad("abc \x80", 5, "byte offset 4");              /* lone continuation */
  check_bad("L4\xFF", 3, "byte offset 2");                /* inside a word */
  check_bad("4.5\xC3(", 5, "byte offset 3");              /* bad continuation */
  check_bad("\xF0\x9F\x98", 3, "byte offset 0");          /* truncated 4-byte */
  /* a valid 4-byte sequence (emoji) is accepted as a letter */
  CHECK_INT(vt__doc_init(&d, "a \xF0\x9F\x98\x80", 6, &err), VT_OK);
  CHECK_INT(d.ntoks, 2);
  vt__doc_free(&d);

  /* size limit: checked before reading the text */
  CHECK_INT(vt__doc_init(&d, "x", VT_TEXT_MAX_DOC + 1, &err), VT_ELIMIT);
  vt__doc_free(&d);
  vt__doc_free(NULL);

  /* a long document grows the token array */
  size_t n = 200000;
  char *big = malloc(n + 1);
  for (size_t i = 0; i < n; i += 2) {
    big[i] = 'a';
    big[i + 1] = ' ';
  }
  big[n] = '\0';
  CHECK_INT(vt__doc_init(&d, big, n, &err), VT_OK);
  CHECK_INT(d.ntoks, n / 2);
  vt__doc_free(&d);
  free(big);
  return VT_TEST_END();
}
