/* doc.h — the internal shape of one document as it passes through the text
 * pipeline: tokens, sections and sentences as offsets into the original bytes.
 * Stages fill it in order: utf8 check -> tokens -> sections -> sentences ->
 * targets -> attributes -> context. */
#ifndef VT_TEXT_DOC_H
#define VT_TEXT_DOC_H
#include <stddef.h>
#include <stdint.h>

#include "vertebra/text.h"

enum {
  VT_TOK_ALPHA = 1u << 0,   /* letters only */
  VT_TOK_DIGIT = 1u << 1,   /* digits only */
  VT_TOK_ALNUM = 1u << 2,   /* mixed letters and digits ("L4", "S1", "T12") */
  VT_TOK_PUNCT = 1u << 3,   /* one punctuation character */
  VT_TOK_UPPER = 1u << 4,   /* all letters upper case */
  VT_TOK_TITLE = 1u << 5,   /* first letter upper, rest lower */
  VT_TOK_NL_BEFORE = 1u << 6,   /* a line break precedes it */
  VT_TOK_BLANK_BEFORE = 1u << 7 /* an empty line precedes it */
};

typedef struct vt__token {
  uint32_t start, end; /* byte offsets into the text */
  uint32_t flags;
} vt__token;

typedef struct vt__section {
  const char *name;      /* canonical, lower-case: "findings", "impression", ... */
  size_t head_start, head_end; /* the header words (and colon) */
  size_t start, end;     /* the body, up to the next header */
} vt__section;

typedef struct vt__sentence {
  size_t start, end;         /* byte offsets */
  size_t tok_begin, tok_end; /* token index range */
  int section;               /* index into secs, -1 when none */
} vt__sentence;

typedef struct vt__doc {
  const char *text;
  size_t len;
  char *lower;               /* ASCII-lowercased copy, same offsets, NUL-terminated */
  vt__token *toks;
  size_t ntoks;
  vt__section *secs;
  size_t nsecs;
  vt__sentence *sents;
  size_t nsents;
} vt__doc;
#endif
