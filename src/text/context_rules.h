/* context_rules.h — the ConText rule store shared by context.c (matching),
 * context_load.c (the three file formats) and context_builtin.c (the curated
 * lexicon): categories, directions, and the trie the phrases are compiled into. */
#ifndef VT_TEXT_CONTEXT_RULES_H
#define VT_TEXT_CONTEXT_RULES_H
#include <stddef.h>
#include <stdint.h>

#include "text/stages.h"

/* Modifier categories (Harkema et al. 2009, named as medspaCy names them). */
typedef enum vt__ctx_cat {
  VT_CTX_NEGATED = 0,  /* NEGATED_EXISTENCE */
  VT_CTX_POSSIBLE,     /* POSSIBLE_EXISTENCE */
  VT_CTX_HISTORICAL,   /* HISTORICAL */
  VT_CTX_HYPOTHETICAL, /* HYPOTHETICAL */
  VT_CTX_FAMILY,       /* FAMILY (experiencer) */
  VT_CTX_OTHER,        /* OTHER_EXPERIENCER */
  VT_CTX_NCAT
} vt__ctx_cat;

typedef enum vt__ctx_dir {
  VT_CTX_FORWARD = 0, /* modifies what follows */
  VT_CTX_BACKWARD,    /* modifies what precedes */
  VT_CTX_BIDIRECTIONAL,
  VT_CTX_PSEUDO,      /* looks like a trigger but is not ("no change"): blocks shorter triggers */
  VT_CTX_TERMINATE,   /* ends the scope of triggers of its axis ("but", "however") */
  VT_CTX_SUBJECT      /* inside the target itself gives it the category: what the
                       * phrase names is of that kind by definition ("alcohol",
                       * "allergies", "psychiatric history" are history items) */
} vt__ctx_dir;

/* Axes: categories that compete for the same words and end each other's scope.
 * Negated and possible are one axis, as in NegEx (PREN/PREP tags in one pass);
 * family and other experiencer are one axis. */
enum { VT_CTX_AX_CERTAINTY = 0, VT_CTX_AX_HISTORY, VT_CTX_AX_HYPO, VT_CTX_AX_EXPERIENCER,
       VT_CTX_NAXES };

/* The widest scope any rule may have, in words either side of a trigger. It
 * also bounds the work per mention, so a 100 MB line without a sentence break
 * costs the same per mention as a short sentence. */
#define VT_CTX_MAX_SCOPE 60
/* Limits on loaded rule files. */
#define VT_CTX_MAX_PHRASE 256
#define VT_CTX_MAX_RULES 200000
#define VT_CTX_MAX_FILE ((size_t)16 << 20)

typedef struct vt__ctx_rule {
  char *phrase;       /* lower case, single-spaced, owned */
  uint8_t cat, dir;
  uint16_t scope;     /* words; 0 = the category default */
  int32_t next;       /* next rule with the same phrase, -1 at the end */
} vt__ctx_rule;

typedef struct vt__ctx_node {
  int32_t child;      /* first child, -1 when none */
  int32_t sibling;    /* next sibling, -1 when none */
  int32_t rules;      /* first rule ending here, -1 when none */
  int32_t dense;      /* index of a 256-entry child table (nodes with many children), or -1 */
  uint16_t nchild;
  uint8_t ch;         /* the byte on the edge into this node (' ' = any whitespace run) */
  uint8_t axes;       /* bit a set when a rule of axis a ends here */
} vt__ctx_node;

struct vt__context {
  vt__ctx_rule *rules;
  size_t nrules, caprules;
  vt__ctx_node *nodes;
  size_t nnodes, capnodes;
  int32_t root[256];             /* child of the root per first byte, -1 when none */
  int32_t *dense;                /* 256 child indices per busy node */
  /* Start filter: bit (a << 8 | b) is set when a phrase starts with bytes a, b
   * (a white space run read as ' '); start_any[a] when a one-byte phrase is a. */
  uint8_t start2[256 * 256 / 8];
  uint8_t start_any[256];
  size_t ndense, capdense;
  uint16_t default_scope[VT_CTX_NCAT];
  int has_subject; /* some rule is VT_CTX_SUBJECT */
};

/* Byte classes shared by context.c and assert.c: a word byte is an ASCII
 * letter or digit or any byte of a multi-byte UTF-8 sequence. */
enum { VT_CTX_WORD = 1, VT_CTX_SPACE = 2, VT_CTX_STOP = 4 /* . ? ! */ };
extern const uint8_t vt__ctx_byte_class[256];

int vt__ctx_axis(int cat);
const char *vt__ctx_cat_name(int cat);
/* Parses "NEGATED_EXISTENCE", "negated", ... ; -1 when unknown. */
int vt__ctx_cat_parse(const char *s);
/* Parses "FORWARD", "forward", ... ; -1 when unknown. */
int vt__ctx_dir_parse(const char *s);

/* Adds one rule (the phrase is normalised: lower-cased, whitespace runs made
 * one space, trimmed). VT_EINVAL for an empty or over-long phrase, VT_ENOMEM,
 * VT_ELIMIT past VT_CTX_MAX_RULES. A rule identical to an existing one is
 * ignored. */
vt_status vt__ctx_add(vt__context *ctx, const char *phrase, size_t len, int cat, int dir,
                      unsigned scope);
/* Parses rules from memory (vt__context_load after reading the file): format
 * detected from the content; `cat` is the category of a NegEx-format file's
 * tags. `name` appears in errors. The whole input is checked before any rule
 * is added. */
vt_status vt__ctx_load_mem(vt__context *ctx, const char *name, const char *data, size_t len,
                           int cat, vt_error *err);
/* Adds the curated built-in lexicon (context_builtin.c). */
vt_status vt__ctx_add_builtin(vt__context *ctx);
vt_status vt__ctx_new_empty(vt__context **out);

/* The assertion of the target at [t0, t1) inside the sentence [s0, s1) of
 * `text` (any case: ASCII letters are folded as they are read; bytes >= 0x80
 * count as letters). Never fails: its cost is bounded by VT_CTX_MAX_SCOPE
 * words either side. */
void vt__ctx_assert_span(const vt__context *ctx, const char *text, size_t s0, size_t s1,
                         size_t t0, size_t t1, vt_assertion *out);
#endif
