/* targets.c — finds finding mentions: a phrase trie over lower-cased tokens,
 * leftmost-longest, never across a sentence, plus a few two-part rules for the
 * discontinuous phrasing of reports ("the disc at L4-5 is desiccated").
 *
 * Why a token trie and not Hyperscan: the pipeline already has tokens with byte
 * offsets, so a trie walk costs one hash probe per token and yields exact
 * token-aligned spans; Hyperscan would scan the bytes again, report only match
 * ends (start-of-match mode is slower) and need word-boundary checks afterwards.
 * Why hand-written: no Debian library offers a token-keyed trie. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/lexicon.h"
#include "text/stages.h"

#define MAX_PHRASE_TOKS 24
#define MAX_FINDINGS 4096
#define MAX_EDGES ((size_t)1 << 22)
#define MAX_ID 64
/* Two-part rules: the second word may follow the first after at most this many
 * tokens ("deformity of the anterior aspect of the cord": 5 between). */
#define PAIR_GAP 6

typedef struct tfinding {
  char *id;
  char *snomed;
} tfinding;

typedef struct edge {
  uint32_t parent, child; /* child 0 marks an empty slot (root is never a child) */
  uint32_t hash;
  uint32_t len;
  char *tok;
} edge;

/* A two-part rule: a word of set A, then within PAIR_GAP tokens a word of set B. */
typedef struct pair_rule {
  const char *finding;
  const char *a; /* words separated by '|' */
  const char *b;
  int a_only; /* the mention is the A word alone */
} pair_rule;

static const pair_rule PAIRS[] = {
    {"foraminal_stenosis", "stenosis|narrowing|encroachment|compromise|encroaching|encroaches|"
     "compromised|compromises|compromising|narrows|narrowed",
     "foramen|foramina|neuroforamen|neuroforamina", 0},
    {"foraminal_stenosis", "foramen|foramina|neuroforamen|neuroforamina",
     "narrowed|narrowing|stenotic|stenosis|encroached|compromised|narrow", 0},
    {"central_stenosis", "canal|sac", "narrowed|narrowing|stenotic|stenosis|compromised|effaced|narrow", 0},
    {"central_stenosis", "stenosis|narrowing|encroachment|compromise|narrowed|narrows|"
     "compromised|compromises|compromising", "canal", 0},
    {"lateral_recess_stenosis", "recess|recesses", "narrowed|narrowing|stenotic|stenosis|compromised|narrow", 0},
    {"lateral_recess_stenosis", "stenosis|narrowing|encroachment", "recess|recesses", 0},
    {"disc_desiccation", "disc|disk|discs|disks", "desiccated|desiccation|dessicated", 0},
    {"disc_bulge", "disc|disk|discs|disks", "bulges|bulging", 0},
    {"disc_degeneration", "disc|disk|discs|disks", "degenerated|degeneration", 0},
    {"disc_protrusion", "disc|disk|discs|disks", "protrudes|protruding|protrusion", 0},
    {"disc_extrusion", "disc|disk|discs|disks", "extruded|extrudes|extrusion", 0},
    {"disc_height_loss", "height", "decreased|reduced|diminished|lost|loss", 0},
    {"nerve_root_compression", "root|roots", "compressed|impinged|displaced|deviated|compression|impingement|displacement", 0},
    {"nerve_root_compression", "compresses|compressing|displaces|displacing|impinges|impinging|deflects|deflecting|deviates|deviating|"
     "impingement|compression|displacement|entrapment", "root|roots", 0},
    {"nerve_root_contact", "contacts|contacting|abuts|abutting|touches|touching|contact|abutment", "root|roots", 0},
    {"cord_compression", "cord", "compressed|flattened|effaced|compression|flattening|deformed|impinged|distortion|deformity", 0},
    {"cord_compression", "compresses|compressing|flattens|flattening|deforms|deforming|impinges|impinging|indent|indents|indenting|impresses|impressing|deformity|distortion|indentation|impression|compression|flattening", "cord|contour", 0},
    {"scoliosis", "curvature|curve", "convex", 1},
};
#define NPAIRS (sizeof PAIRS / sizeof PAIRS[0])
_Static_assert(sizeof PAIRS / sizeof PAIRS[0] <= 32, "pair rules are bits of a uint32_t");

struct vt__targets {
  tfinding *f;
  size_t nf, capf;
  int32_t *term; /* per trie node: finding index or -1 */
  size_t nnodes, capnodes;
  edge *edges;   /* open addressing, power-of-two size */
  size_t nedges, capedges;
  int32_t pair_finding[NPAIRS];
  int central_fi; /* central_stenosis, for coordinated ellipsis */
  int cord_fi;    /* cord_compression, likewise ("cord or radicular impingement") */
  int anterior_osteophyte_fi; /* "anterior and posterior osteophytes" */
  /* Per node: bit masks of the pair rules a word starts (A) or ends (B). Pair
   * words are children of the root (non-terminal unless also a phrase), so the
   * one root lookup per token serves the phrase walk and the pair rules. */
  uint32_t *pair_mask;
  uint32_t *pair_bmask;
};

static uint32_t hash_tok(uint32_t parent, const char *s, size_t n) {
  uint32_t h = 2166136261u ^ (parent * 0x9E3779B1u);
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h ? h : 1;
}

static int32_t edge_find(const vt__targets *t, uint32_t parent, const char *s, size_t n) {
  uint32_t h = hash_tok(parent, s, n);
  size_t mask = t->capedges - 1;
  for (size_t i = h & mask, k = 0; k < t->capedges; i = (i + 1) & mask, k++) {
    const edge *e = &t->edges[i];
    if (!e->child) return -1;
    if (e->hash == h && e->parent == parent && e->len == n && !memcmp(e->tok, s, n))
      return (int32_t)e->child;
  }
  return -1;
}

static vt_status new_node(vt__targets *t, uint32_t *id) {
  if (t->nnodes == t->capnodes) {
    size_t cap = t->capnodes ? t->capnodes * 2 : 1024;
    if (cap > MAX_EDGES) return VT_ELIMIT;
    int32_t *term = realloc(t->term, cap * sizeof *term);
    if (!term) return VT_ENOMEM;
    t->term = term;
    uint32_t *pm = realloc(t->pair_mask, cap * sizeof *pm);
    if (!pm) return VT_ENOMEM;
    t->pair_mask = pm;
    uint32_t *pb = realloc(t->pair_bmask, cap * sizeof *pb);
    if (!pb) return VT_ENOMEM;
    t->pair_bmask = pb;
    t->capnodes = cap;
  }
  t->term[t->nnodes] = -1;
  t->pair_mask[t->nnodes] = t->pair_bmask[t->nnodes] = 0;
  *id = (uint32_t)t->nnodes++;
  return VT_OK;
}

static vt_status edges_grow(vt__targets *t) {
  size_t cap = t->capedges ? t->capedges * 2 : 4096;
  if (cap > MAX_EDGES) return VT_ELIMIT;
  edge *e = calloc(cap, sizeof *e);
  if (!e) return VT_ENOMEM;
  for (size_t i = 0; i < t->capedges; i++) {
    edge *o = &t->edges[i];
    if (!o->child) continue;
    size_t j = o->hash & (cap - 1);
    while (e[j].child) j = (j + 1) & (cap - 1);
    e[j] = *o;
  }
  free(t->edges);
  t->edges = e;
  t->capedges = cap;
  return VT_OK;
}

/* The child of `parent` for token s[0..n), created when missing. */
static vt_status edge_get(vt__targets *t, uint32_t parent, const char *s, size_t n,
                          uint32_t *child) {
  int32_t c = edge_find(t, parent, s, n);
  if (c >= 0) {
    *child = (uint32_t)c;
    return VT_OK;
  }
  vt_status st;
  if ((t->nedges + 1) * 2 > t->capedges && (st = edges_grow(t))) return st;
  uint32_t id;
  if ((st = new_node(t, &id))) return st;
  char *tok = malloc(n + 1);
  if (!tok) return VT_ENOMEM;
  memcpy(tok, s, n);
  tok[n] = 0;
  uint32_t h = hash_tok(parent, s, n);
  size_t j = h & (t->capedges - 1);
  while (t->edges[j].child) j = (j + 1) & (t->capedges - 1);
  t->edges[j] = (edge){parent, id, h, (uint32_t)n, tok};
  t->nedges++;
  *child = id;
  return VT_OK;
}

static int is_word_byte(unsigned char c) { return isalnum(c) || c >= 0x80; }

/* Splits a lower-cased phrase like the document tokenizer does: runs of
 * letters/digits, each other printable character its own token; hyphens are
 * dropped (the matcher skips them in text). Returns the token count, or -1 if
 * there are more than MAX_PHRASE_TOKS. */
static int phrase_tokens(const char *p, size_t n, size_t *st, size_t *len) {
  int k = 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)p[i];
    if (isspace(c) || c == '-') {
      i++;
      continue;
    }
    if (k == MAX_PHRASE_TOKS) return -1;
    size_t j = i + 1;
    if (is_word_byte(c))
      while (j < n && is_word_byte((unsigned char)p[j])) j++;
    st[k] = i;
    len[k++] = j - i;
    i = j;
  }
  return k;
}

static int find_finding(const vt__targets *t, const char *id) {
  for (size_t i = 0; i < t->nf; i++)
    if (!strcmp(t->f[i].id, id)) return (int)i;
  return -1;
}

static char *dup_str(const char *s) {
  size_t n = strlen(s);
  char *d = malloc(n + 1);
  if (d) memcpy(d, s, n + 1);
  return d;
}

static vt_status add_finding(vt__targets *t, const char *id, const char *snomed, int *idx) {
  if (t->nf == MAX_FINDINGS) return VT_ELIMIT;
  if (t->nf == t->capf) {
    size_t cap = t->capf ? t->capf * 2 : 64;
    tfinding *f = realloc(t->f, cap * sizeof *f);
    if (!f) return VT_ENOMEM;
    t->f = f;
    t->capf = cap;
  }
  tfinding *f = &t->f[t->nf];
  f->id = dup_str(id);
  f->snomed = snomed ? dup_str(snomed) : NULL;
  if (!f->id || (snomed && !f->snomed)) {
    free(f->id);
    free(f->snomed);
    return VT_ENOMEM;
  }
  *idx = (int)t->nf++;
  return VT_OK;
}

/* Adds one phrase for finding `fi`. A phrase already owned by another finding
 * keeps its first owner (the built-in table is ordered most specific first
 * where phrases could collide). VT_EINVAL for an empty or too long phrase. */
static vt_status add_phrase(vt__targets *t, int fi, const char *p, size_t n) {
  char low[512];
  if (n >= sizeof low) return VT_EINVAL;
  for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)p[i]);
  size_t st[MAX_PHRASE_TOKS], len[MAX_PHRASE_TOKS];
  int k = phrase_tokens(low, n, st, len);
  if (k <= 0) return VT_EINVAL;
  uint32_t node = 0;
  for (int i = 0; i < k; i++) {
    vt_status s = edge_get(t, node, low + st[i], len[i], &node);
    if (s) return s;
  }
  if (t->term[node] < 0) t->term[node] = fi;
  return VT_OK;
}

static vt_status add_pair_words(vt__targets *t, const char *words, int rule, int which) {
  for (const char *p = words; *p;) {
    const char *e = strchr(p, '|');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    uint32_t node;
    vt_status st = edge_get(t, 0, p, n, &node);
    if (st) return st;
    if (which == 0) t->pair_mask[node] |= 1u << rule;
    else t->pair_bmask[node] |= 1u << rule;
    p += n + (e != NULL);
  }
  return VT_OK;
}

vt_status vt__targets_builtin(vt__targets **out, vt_error *err) {
  vt__targets *t = calloc(1, sizeof *t);
  uint32_t root;
  vt_status st = t ? new_node(t, &root) : VT_ENOMEM;
  if (!st) st = edges_grow(t);
  size_t n;
  const vt__lex_entry *lex = vt__lexicon(&n);
  for (size_t i = 0; i < n && !st; i++) {
    int fi;
    st = add_finding(t, lex[i].id, lex[i].snomed, &fi);
    for (const char *p = lex[i].phrases; !st && *p;) {
      const char *e = strchr(p, '|');
      size_t len = e ? (size_t)(e - p) : strlen(p);
      st = add_phrase(t, fi, p, len);
      p += len + (e != NULL);
    }
  }
  if (!st) {
    t->central_fi = find_finding(t, "central_stenosis");
    t->cord_fi = find_finding(t, "cord_compression");
    t->anterior_osteophyte_fi = find_finding(t, "anterior_osteophyte");
  }
  for (size_t r = 0; r < NPAIRS && !st; r++) {
    t->pair_finding[r] = find_finding(t, PAIRS[r].finding);
    if (t->pair_finding[r] < 0) st = VT_EINTERNAL;
    if (!st) st = add_pair_words(t, PAIRS[r].a, (int)r, 0);
    if (!st) st = add_pair_words(t, PAIRS[r].b, (int)r, 1);
  }
  if (st) {
    vt__targets_free(t);
    return vt_error_set(err, st, "built-in target lexicon", "cannot build (%s)",
                        vt_status_name(st));
  }
  *out = t;
  return VT_OK;
}

void vt__targets_free(vt__targets *t) {
  if (!t) return;
  for (size_t i = 0; i < t->nf; i++) {
    free(t->f[i].id);
    free(t->f[i].snomed);
  }
  for (size_t i = 0; i < t->capedges; i++)
    if (t->edges[i].child) free(t->edges[i].tok);
  free(t->f);
  free(t->term);
  free(t->pair_mask);
  free(t->pair_bmask);
  free(t->edges);
  free(t);
}

/* ---- user rules ---- */

static int valid_id(const char *s) {
  size_t n = strlen(s);
  if (!n || n > MAX_ID) return 0;
  for (size_t i = 0; i < n; i++)
    if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_')) return 0;
  return 1;
}

static int valid_code(const char *s) {
  size_t n = strlen(s);
  if (n < 6 || n > 18) return 0;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i])) return 0;
  return 1;
}

static vt_status rule_error(vt_error *err, vt_status st, const char *path, size_t i,
                            const char *field, const char *why) {
  char where[VT_ERROR_WHERE_MAX];
  snprintf(where, sizeof where, "%s: targets[%zu].%s", path, i, field);
  return vt_error_set(err, st, where, "%s", why);
}

vt_status vt__targets_load_json(vt__targets *t, const char *path, vt_error *err) {
  if (!t || !path) return vt_error_set(err, VT_EINVAL, "target rules", "no rules or path");
  json_error_t je;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    char where[VT_ERROR_WHERE_MAX];
    snprintf(where, sizeof where, "%s: line %d column %d", path, je.line, je.column);
    return vt_error_set(err, je.line < 0 ? VT_EIO : VT_EFORMAT, where, "%s", je.text);
  }
  vt_status st = VT_OK;
  json_t *arr = json_object_get(root, "targets");
  if (!json_is_object(root) || !json_is_array(arr)) {
    json_decref(root);
    return vt_error_set(err, VT_EFORMAT, path,
                        "expected an object {\"targets\": [...]} (docs/text-rules.md)");
  }
  /* Validate everything first so a bad file changes nothing. */
  size_t i;
  json_t *r;
  json_array_foreach(arr, i, r) {
    json_t *f = json_object_get(r, "finding"), *c = json_object_get(r, "snomed"),
           *ps = json_object_get(r, "phrases");
    if (!json_is_object(r)) {
      st = rule_error(err, VT_EFORMAT, path, i, "", "a rule must be an object");
      break;
    }
    if (!json_is_string(f) || !valid_id(json_string_value(f))) {
      st = rule_error(err, VT_EFORMAT, path, i, "finding",
                      "must be a snake_case id of 1-64 characters [a-z0-9_]");
      break;
    }
    if (c && !json_is_null(c) && !(json_is_string(c) && valid_code(json_string_value(c)))) {
      st = rule_error(err, VT_EFORMAT, path, i, "snomed",
                      "must be null or a SNOMED CT id of 6-18 digits");
      break;
    }
    int old = find_finding(t, json_string_value(f));
    if (old >= 0 && json_is_string(c) &&
        (!t->f[old].snomed || strcmp(t->f[old].snomed, json_string_value(c)))) {
      st = rule_error(err, VT_EFORMAT, path, i, "snomed",
                      "differs from the code the finding already has");
      break;
    }
    if (!json_is_array(ps) || !json_array_size(ps)) {
      st = rule_error(err, VT_EFORMAT, path, i, "phrases", "must be a non-empty array of strings");
      break;
    }
    size_t j;
    json_t *p;
    char field[64];
    json_array_foreach(ps, j, p) {
      snprintf(field, sizeof field, "phrases[%zu]", j);
      size_t k[MAX_PHRASE_TOKS], l[MAX_PHRASE_TOKS];
      const char *s = json_string_value(p);
      if (!s || strlen(s) >= 512 || phrase_tokens(s, strlen(s), k, l) <= 0) {
        st = rule_error(err, VT_EFORMAT, path, i, field,
                        "must be a string of 1-24 tokens and under 512 bytes");
        break;
      }
    }
    if (st) break;
  }
  json_array_foreach(arr, i, r) {
    if (st) break;
    const char *id = json_string_value(json_object_get(r, "finding"));
    json_t *c = json_object_get(r, "snomed");
    int fi = find_finding(t, id);
    if (fi < 0 && (st = add_finding(t, id, json_is_string(c) ? json_string_value(c) : NULL, &fi)))
      st = rule_error(err, st, path, i, "finding", "cannot add (too many findings or no memory)");
    size_t j;
    json_t *p;
    json_array_foreach(json_object_get(r, "phrases"), j, p) {
      if (st) break;
      const char *s = json_string_value(p);
      if ((st = add_phrase(t, fi, s, strlen(s))))
        st = rule_error(err, st, path, i, "phrases", "cannot add (limit or no memory)");
    }
  }
  json_decref(root);
  return st;
}

/* ---- matching ---- */

/* The child for document token `tk`, trying the token without a final "s"
 * (plural) and the ASCII apostrophe for U+2019. -1 when none. */
static int32_t step(const vt__targets *t, uint32_t node, const vt__doc *doc, const vt__token *tk) {
  const char *s = doc->lower + tk->start;
  size_t n = tk->end - tk->start;
  int32_t c = edge_find(t, node, s, n);
  if (c >= 0) return c;
  if (n >= 4 && s[n - 1] == 's' && s[n - 2] != 's' && s[n - 2] != 'u' && s[n - 2] != 'i')
    return edge_find(t, node, s, n - 1);
  if (n == 3 && !memcmp(s, "\xE2\x80\x99", 3)) return edge_find(t, node, "'", 1);
  return -1;
}

static int is_hyphen(const vt__doc *doc, const vt__token *tk) {
  return tk->end - tk->start == 1 && doc->lower[tk->start] == '-';
}

/* Longest phrase starting at token i (< end): returns its end token (exclusive)
 * and finding, or 0. */
static size_t longest(const vt__targets *t, const vt__doc *doc, size_t i, size_t end,
                      int32_t first, int *fi) {
  uint32_t node = 0;
  size_t best = 0;
  for (size_t j = i; j < end; j++) {
    int32_t c = j == i ? first : step(t, node, doc, &doc->toks[j]);
    if (c < 0) {
      if (j > i && is_hyphen(doc, &doc->toks[j])) continue; /* "post-operative" */
      break;
    }
    node = (uint32_t)c;
    if (t->term[node] >= 0) {
      best = j + 1;
      *fi = t->term[node];
    }
  }
  return best;
}

/* Is token i the word a or b? */
static int one_tok(const vt__doc *doc, size_t i, const char *a, const char *b) {
  size_t n = doc->toks[i].end - doc->toks[i].start;
  const char *w = doc->lower + doc->toks[i].start;
  return (strlen(a) == n && !memcmp(w, a, n)) || (strlen(b) == n && !memcmp(w, b, n));
}

/* Does byte `at` lie in a section header? */
static int in_header(const vt__doc *doc, size_t at) {
  for (size_t i = 0; i < doc->nsecs; i++)
    if (at >= doc->secs[i].head_start && at < doc->secs[i].head_end) return 1;
  return 0;
}

/* Is token i the word w? */
static int tok_is(const vt__doc *doc, size_t i, const char *w) { return one_tok(doc, i, w, w); }

/* Does a verb of undergoing surgery ("underwent", "undergoes", "history of")
 * govern the mention starting at token b: within 8 tokens before it, in the
 * sentence [tb, b), with no sentence-internal stop (";", ":") between? A
 * procedure the patient underwent is an event of the history, not an imaging
 * finding of past surgery (docs/text-gold-guideline.md). */
static int procedure_governed(const vt__doc *doc, size_t tb, size_t b) {
  for (size_t k = b, n = 0; k > tb && n < 8; n++) {
    k--;
    if (one_tok(doc, k, ";", ":")) return 0;
    if (one_tok(doc, k, "underwent", "undergo") || one_tok(doc, k, "undergoes", "undergone") ||
        tok_is(doc, k, "undergoing"))
      return 1;
    if (tok_is(doc, k, "of") && k > tb && tok_is(doc, k - 1, "history")) return 1;
  }
  return 0;
}

typedef struct cand {
  size_t b, e; /* token range */
  int fi;
} cand;

static vt_status emit(const vt__targets *t, const vt__doc *doc, const vt__sentence *s,
                      const cand *c, vt__findings *out) {
  vt_finding f;
  vt__finding_init(&f);
  f.finding = t->f[c->fi].id;
  f.snomed = t->f[c->fi].snomed;
  f.span.start = doc->toks[c->b].start;
  f.span.end = doc->toks[c->e - 1].end;
  f.sentence.start = s->start;
  f.sentence.end = s->end;
  if (s->section >= 0 && (size_t)s->section < doc->nsecs) f.section = doc->secs[s->section].name;
  return vt__findings_push(out, &f);
}

/* Matches one sentence's tokens [tb, te). `cs` and `rc` are scratch of
 * te - tb slots; rc[i - tb] receives the root child of token i (or -1). */
static vt_status match_sentence(const vt__targets *t, const vt__doc *doc, const vt__sentence *s,
                                size_t tb, size_t te, cand *cs, int32_t *rc, vt__findings *out) {
  size_t nc = 0;
  uint32_t any_pair = 0;
  for (size_t i = tb; i < te; i++) {
    rc[i - tb] = step(t, 0, doc, &doc->toks[i]);
    if (rc[i - tb] >= 0) any_pair |= t->pair_mask[rc[i - tb]];
  }
  for (size_t i = tb; i < te;) {
    int fi = -1;
    size_t e = rc[i - tb] >= 0 ? longest(t, doc, i, te, rc[i - tb], &fi) : 0;
    if (e) {
      cs[nc++] = (cand){i, e, fi};
      i = e;
    } else {
      i++;
    }
  }
  /* Two-part rules: A at i, B within PAIR_GAP tokens, no other mention strictly
   * between; the pair replaces the mentions it covers when it is longer. */
  size_t ci = 0; /* first candidate not ending before i */
  for (size_t i = tb; i < te && any_pair; i++) {
    uint32_t am = rc[i - tb] >= 0 ? t->pair_mask[rc[i - tb]] : 0;
    if (!am) continue;
    while (ci < nc && cs[ci].e <= i) ci++;
    for (size_t j = i + 1; j < te && j <= i + 1 + PAIR_GAP; j++) {
      uint32_t hit = rc[j - tb] >= 0 ? am & t->pair_bmask[rc[j - tb]] : 0;
      if (!hit) continue;
      int r = __builtin_ctz(hit);
      /* a B word right after B extends the span ("indent the cord contour") */
      while (j + 1 < te && rc[j + 1 - tb] >= 0 && (t->pair_bmask[rc[j + 1 - tb]] & (1u << r))) j++;
      /* the candidates overlapping [i, j] must lie inside it and not sit strictly
       * between i and j as a different finding */
      size_t k0 = ci, k = ci;
      int ok = 1;
      for (; k < nc && cs[k].b <= j; k++) {
        int on_a = cs[k].b == i && cs[k].e == i + 1, on_b = cs[k].b == j && cs[k].e == j + 1;
        if (!on_a && !on_b && !(cs[k].b == i && cs[k].e == j + 1)) ok = 0;
      }
      if (ok) {
        cand p = {i, j + 1, t->pair_finding[r]};
        if (PAIRS[r].a_only) p.e = i + 1; /* "curvature ... convex to the left" */
        /* replace cs[k0..k) with p */
        if (k == k0) {
          /* make room for one */
          memmove(&cs[k0 + 1], &cs[k0], (nc - k0) * sizeof *cs);
          nc++;
          k++;
        }
        cs[k0] = p;
        memmove(&cs[k0 + 1], &cs[k], (nc - k) * sizeof *cs);
        nc -= k - (k0 + 1);
        i = j;
      }
      break;
    }
  }
  const char *sec = s->section >= 0 && (size_t)s->section < doc->nsecs
                        ? doc->secs[s->section].name : NULL;
  int procedure_sec = sec && (!strcmp(sec, "procedure") || !strcmp(sec, "procedure_description") ||
                              !strcmp(sec, "preoperative_diagnosis") ||
                              !strcmp(sec, "postoperative_diagnosis"));
  for (size_t k = 0; k < nc; k++) {
    const char *id = t->f[cs[k].fi].id;
    if (id[0] == '_') continue; /* a stop phrase */
    /* a section header ("POSTOPERATIVE DIAGNOSIS:") names no finding */
    if (in_header(doc, doc->toks[cs[k].b].start)) continue;
    /* in an operative note's procedure and diagnosis sections, surgery words
     * name the operation being done, not an imaging finding of past surgery */
    int surgery = !strcmp(id, "postoperative_change") || !strcmp(id, "fusion") ||
                  !strcmp(id, "hardware");
    if (surgery && (procedure_sec || procedure_governed(doc, tb, cs[k].b))) continue;
    /* one phrase, one mention: "wedge/compression deformity" */
    if (k + 1 < nc && cs[k + 1].fi == cs[k].fi && cs[k + 1].b == cs[k].e + 1 &&
        tok_is(doc, cs[k].e, "/")) {
      cs[k + 1].b = cs[k].b;
      continue;
    }
    /* coordinated ellipsis: "no cord or radicular impingement" names cord
     * compression too (span "cord") */
    if (!strcmp(id, "nerve_root_compression") && t->cord_fi >= 0 && cs[k].b >= tb + 2 &&
        one_tok(doc, cs[k].b - 1, "or", "and") && tok_is(doc, cs[k].b - 2, "cord") &&
        (k == 0 || cs[k - 1].e <= cs[k].b - 2)) {
      cand c = {cs[k].b - 2, cs[k].b - 1, t->cord_fi};
      vt_status st = emit(t, doc, s, &c, out);
      if (st) return st;
    }
    /* "anterior and posterior osteophyte formation": an anterior osteophyte
     * (span "anterior and posterior osteophyte") and an osteophyte */
    if (!strcmp(id, "osteophyte") && t->anterior_osteophyte_fi >= 0 && cs[k].b >= tb + 2 &&
        tok_is(doc, cs[k].b, "posterior") && one_tok(doc, cs[k].b - 1, "and", "or") &&
        tok_is(doc, cs[k].b - 2, "anterior") && (k == 0 || cs[k - 1].e <= cs[k].b - 2)) {
      cand c = {cs[k].b - 2, cs[k].b + 2 <= cs[k].e ? cs[k].b + 2 : cs[k].e,
                t->anterior_osteophyte_fi};
      vt_status st = emit(t, doc, s, &c, out);
      if (st) return st;
    }
    /* coordinated ellipsis: "central canal or foraminal stenosis" */
    size_t comma = cs[k].b >= tb + 4 && one_tok(doc, cs[k].b - 2, ",", ","); /* "canal, or" */
    if ((!strcmp(id, "foraminal_stenosis") || !strcmp(id, "lateral_recess_stenosis")) &&
        cs[k].b >= tb + 3 + comma && t->central_fi >= 0 &&
        one_tok(doc, cs[k].b - 1, "or", "and") &&
        one_tok(doc, cs[k].b - 2 - comma, "canal", "canal") &&
        one_tok(doc, cs[k].b - 3 - comma, "central", "spinal") &&
        (k == 0 || cs[k - 1].e <= cs[k].b - 3 - comma)) {
      cand c = {cs[k].b - 3 - comma, cs[k].b - 1 - comma, t->central_fi};
      vt_status st = emit(t, doc, s, &c, out);
      if (st) return st;
    }
    vt_status st = emit(t, doc, s, &cs[k], out);
    if (st) return st;
  }
  return VT_OK;
}

vt_status vt__targets_match(const vt__targets *t, const vt__doc *doc, vt__findings *out,
                            vt_error *err) {
  if (!t || !doc || !out) return vt_error_set(err, VT_EINVAL, "targets", "no rules or document");
  if (!doc->ntoks) return VT_OK;
  size_t maxn = 0;
  vt__sentence whole = {0, doc->len, 0, doc->ntoks, -1};
  const vt__sentence *ss = doc->nsents ? doc->sents : &whole;
  size_t ns = doc->nsents ? doc->nsents : 1;
  for (size_t i = 0; i < ns; i++)
    if (ss[i].tok_end > ss[i].tok_begin && ss[i].tok_end - ss[i].tok_begin > maxn)
      maxn = ss[i].tok_end - ss[i].tok_begin;
  cand *cs = malloc((maxn + 1) * sizeof *cs);
  int32_t *rc = malloc((maxn + 1) * sizeof *rc);
  if (!cs || !rc) {
    free(cs);
    free(rc);
    return vt_error_set(err, VT_ENOMEM, "targets", "out of memory");
  }
  vt_status st = VT_OK;
  for (size_t i = 0; i < ns && !st; i++) {
    size_t tb = ss[i].tok_begin, te = ss[i].tok_end;
    if (te > doc->ntoks) te = doc->ntoks;
    if (tb >= te) continue;
    st = match_sentence(t, doc, &ss[i], tb, te, cs, rc, out);
  }
  free(cs);
  free(rc);
  if (st) return vt_error_set(err, st, "targets", "cannot store mentions (%s)", vt_status_name(st));
  return VT_OK;
}
