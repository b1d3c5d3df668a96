/* context.c — ConText assertion (Harkema et al. 2009): finds trigger phrases
 * around a mention and decides whether it is negated, possible, historical,
 * hypothetical or experienced by someone other than the patient.
 *
 * Method. Every rule phrase is compiled into one byte trie. For a mention, the
 * words up to VT_CTX_MAX_SCOPE either side (inside its sentence) are scanned:
 * at each token start the trie is walked and, per axis (certainty, history,
 * hypothetical, experiencer), the longest phrase ending on a word boundary is
 * taken; a taken phrase hides the shorter ones inside it (so the pseudo-trigger
 * "no change" hides "no", as NegEx does). Only two events per axis matter: the
 * last one ending before the target and the first one starting after it. A
 * FORWARD (or BIDIRECTIONAL) trigger before the target modifies it when no other
 * event of the same axis (a terminator such as "but", a pseudo-trigger, another
 * trigger) lies between them and the gap is shorter than the rule's scope in
 * words; BACKWARD triggers after the target likewise. The scan never crosses
 * the sentence, so a new sentence ends every scope.
 * Hand-written rather than built on hyperscan or pcre2: the leftmost-longest
 * per-axis choice and the word-boundary rule are simpler and faster as a trie
 * walk over a few thousand phrases than as regex alternations. */
#include <stdlib.h>
#include <string.h>

#include "text/context_rules.h"

/* ---- categories and directions ---- */

static const char *const cat_names[VT_CTX_NCAT] = {
    "NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HISTORICAL",
    "HYPOTHETICAL",      "FAMILY",             "OTHER_EXPERIENCER"};
/* Short names of the Vertebra JSON format (docs/text-context.md). */
static const char *const cat_short[VT_CTX_NCAT] = {"negated",      "possible", "historical",
                                                    "hypothetical", "family",   "other"};
static const char *const dir_names[] = {"FORWARD", "BACKWARD", "BIDIRECTIONAL", "PSEUDO",
                                        "TERMINATE", "SUBJECT"};

int vt__ctx_axis(int cat) {
  switch (cat) {
  case VT_CTX_NEGATED:
  case VT_CTX_POSSIBLE: return VT_CTX_AX_CERTAINTY;
  case VT_CTX_HISTORICAL: return VT_CTX_AX_HISTORY;
  case VT_CTX_HYPOTHETICAL: return VT_CTX_AX_HYPO;
  default: return VT_CTX_AX_EXPERIENCER;
  }
}

const char *vt__ctx_cat_name(int cat) {
  return cat >= 0 && cat < VT_CTX_NCAT ? cat_names[cat] : "UNKNOWN";
}

static int ieq(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
    char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
    if (x != y) return 0;
  }
  return *a == *b;
}

int vt__ctx_cat_parse(const char *s) {
  for (int i = 0; i < VT_CTX_NCAT; i++)
    if (ieq(s, cat_names[i]) || ieq(s, cat_short[i])) return i;
  if (ieq(s, "uncertain") || ieq(s, "POSSIBLE")) return VT_CTX_POSSIBLE;
  if (ieq(s, "NEGATION") || ieq(s, "NEGATED")) return VT_CTX_NEGATED;
  if (ieq(s, "OTHER")) return VT_CTX_OTHER;
  return -1;
}

int vt__ctx_dir_parse(const char *s) {
  for (int i = 0; i < (int)(sizeof dir_names / sizeof *dir_names); i++)
    if (ieq(s, dir_names[i])) return i;
  if (ieq(s, "BIDIRECTION") || ieq(s, "BOTH")) return VT_CTX_BIDIRECTIONAL;
  if (ieq(s, "TERMINATION") || ieq(s, "TERMINATOR")) return VT_CTX_TERMINATE;
  return -1;
}

/* ---- the rule store and its trie ---- */

/* Byte classes, looked up rather than computed: the scan below is the hot
 * loop of the stage. */
const uint8_t vt__ctx_byte_class[256] = {
    ['\t'] = VT_CTX_SPACE, ['\n'] = VT_CTX_SPACE, ['\v'] = VT_CTX_SPACE,
    ['\f'] = VT_CTX_SPACE, ['\r'] = VT_CTX_SPACE, [' '] = VT_CTX_SPACE,
    ['.'] = VT_CTX_STOP, ['?'] = VT_CTX_STOP, ['!'] = VT_CTX_STOP,
#define W4(c) [c] = VT_CTX_WORD, [c + 1] = VT_CTX_WORD, [c + 2] = VT_CTX_WORD, [c + 3] = VT_CTX_WORD
#define W16(c) W4(c), W4(c + 4), W4(c + 8), W4(c + 12)
    W4('0'), W4('4'), ['8'] = VT_CTX_WORD, ['9'] = VT_CTX_WORD,
    W16('A'), W4('Q'), W4('U'), ['Y'] = VT_CTX_WORD, ['Z'] = VT_CTX_WORD,
    W16('a'), W4('q'), W4('u'), ['y'] = VT_CTX_WORD, ['z'] = VT_CTX_WORD,
    W16(0x80), W16(0x90), W16(0xA0), W16(0xB0), W16(0xC0), W16(0xD0), W16(0xE0), W16(0xF0),
#undef W4
#undef W16
};
static int is_space(unsigned char c) { return vt__ctx_byte_class[c] & VT_CTX_SPACE; }
static int is_word(unsigned char c) { return vt__ctx_byte_class[c] & VT_CTX_WORD; }
/* ASCII lower case: the trie holds lower-case phrases and the text is folded as
 * it is read, so no lower-cased copy of a sentence is needed. */
static unsigned char fold(unsigned char c) { return (unsigned)(c - 'A') < 26u ? (unsigned char)(c + 32) : c; }

vt_status vt__ctx_new_empty(vt__context **out) {
  vt__context *ctx = calloc(1, sizeof *ctx);
  if (!ctx) return VT_ENOMEM;
  for (int i = 0; i < 256; i++) ctx->root[i] = -1;
  /* Default scopes in words, per category. NegEx used five words (Chapman et
   * al. 2001); lists in radiology and history sections are longer, so eight for
   * certainty. History and hypothetical cues ("past medical history:", "call if")
   * govern whole list sentences, so their scope is the sentence (capped). */
  ctx->default_scope[VT_CTX_NEGATED] = 8;
  ctx->default_scope[VT_CTX_POSSIBLE] = 8;
  ctx->default_scope[VT_CTX_HISTORICAL] = 12;
  ctx->default_scope[VT_CTX_HYPOTHETICAL] = VT_CTX_MAX_SCOPE;
  ctx->default_scope[VT_CTX_FAMILY] = 10;
  ctx->default_scope[VT_CTX_OTHER] = 10;
  *out = ctx;
  return VT_OK;
}

void vt__context_free(vt__context *ctx) {
  if (!ctx) return;
  for (size_t i = 0; i < ctx->nrules; i++) free(ctx->rules[i].phrase);
  free(ctx->rules);
  free(ctx->nodes);
  free(ctx->dense);
  free(ctx);
}

vt_status vt__context_builtin(vt__context **out, vt_error *err) {
  vt__context *ctx;
  if (vt__ctx_new_empty(&ctx) != VT_OK)
    return vt_error_set(err, VT_ENOMEM, "context rules", "out of memory");
  vt_status st = vt__ctx_add_builtin(ctx);
  if (st != VT_OK) {
    vt__context_free(ctx);
    return vt_error_set(err, st, "context rules", "cannot build the built-in lexicon: %s",
                        vt_status_name(st));
  }
  *out = ctx;
  return VT_OK;
}

static int32_t new_node(vt__context *ctx, uint8_t ch) {
  if (ctx->nnodes == ctx->capnodes) {
    size_t cap = ctx->capnodes ? ctx->capnodes * 2 : 1024;
    if (cap > (size_t)INT32_MAX / 2) return -1;
    vt__ctx_node *n = realloc(ctx->nodes, cap * sizeof *n);
    if (!n) return -1;
    ctx->nodes = n;
    ctx->capnodes = cap;
  }
  vt__ctx_node *n = &ctx->nodes[ctx->nnodes];
  n->child = n->sibling = n->rules = n->dense = -1;
  n->nchild = 0;
  n->ch = ch;
  n->axes = 0;
  return (int32_t)ctx->nnodes++;
}

static int32_t child_of(const vt__context *ctx, int32_t node, uint8_t ch) {
  if (node < 0) return ctx->root[ch];
  if (ctx->nodes[node].dense >= 0) return ctx->dense[(size_t)ctx->nodes[node].dense * 256 + ch];
  for (int32_t c = ctx->nodes[node].child; c >= 0; c = ctx->nodes[c].sibling)
    if (ctx->nodes[c].ch == ch) return c;
  return -1;
}

/* Busy nodes (the words after "no", "not", "history") get a direct 256-entry
 * child table: the walk is the hot loop of the stage. */
#define DENSE_AT 6
static vt_status add_child_index(vt__context *ctx, int32_t node, uint8_t ch, int32_t child) {
  vt__ctx_node *n = &ctx->nodes[node];
  n->nchild++;
  if (n->dense >= 0) {
    ctx->dense[(size_t)n->dense * 256 + ch] = child;
    return VT_OK;
  }
  if (n->nchild < DENSE_AT) return VT_OK;
  if (ctx->ndense == ctx->capdense) {
    size_t cap = ctx->capdense ? ctx->capdense * 2 : 64;
    int32_t *d = realloc(ctx->dense, cap * 256 * sizeof *d);
    if (!d) return VT_ENOMEM;
    ctx->dense = d;
    ctx->capdense = cap;
  }
  int32_t *t = ctx->dense + ctx->ndense * 256;
  for (int i = 0; i < 256; i++) t[i] = -1;
  for (int32_t c = n->child; c >= 0; c = ctx->nodes[c].sibling) t[ctx->nodes[c].ch] = c;
  n->dense = (int32_t)ctx->ndense++;
  return VT_OK;
}

vt_status vt__ctx_add(vt__context *ctx, const char *phrase, size_t len, int cat, int dir,
                      unsigned scope) {
  if (cat < 0 || cat >= VT_CTX_NCAT || dir < 0 || dir > VT_CTX_SUBJECT) return VT_EINVAL;
  char norm[VT_CTX_MAX_PHRASE + 1];
  size_t n = 0;
  int pending_space = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)phrase[i];
    if (c == 0) return VT_EINVAL;
    if (is_space(c)) {
      pending_space = n > 0;
      continue;
    }
    if (pending_space) {
      if (n >= VT_CTX_MAX_PHRASE) return VT_EINVAL;
      norm[n++] = ' ';
      pending_space = 0;
    }
    if (n >= VT_CTX_MAX_PHRASE) return VT_EINVAL;
    norm[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  if (n == 0) return VT_EINVAL;
  norm[n] = 0;
  if (scope > VT_CTX_MAX_SCOPE) scope = VT_CTX_MAX_SCOPE;

  if (n == 1)
    ctx->start_any[(uint8_t)norm[0]] = 1;
  else
    ctx->start2[((unsigned)(uint8_t)norm[0] << 8 | (uint8_t)norm[1]) >> 3] |=
        (uint8_t)(1u << ((uint8_t)norm[1] & 7));
  /* Walk/extend the trie. */
  int32_t node = -1;
  for (size_t i = 0; i < n; i++) {
    uint8_t ch = (uint8_t)norm[i];
    int32_t c = child_of(ctx, node, ch);
    if (c < 0) {
      c = new_node(ctx, ch);
      if (c < 0) return VT_ENOMEM;
      if (node < 0) {
        ctx->root[ch] = c;
      } else {
        ctx->nodes[c].sibling = ctx->nodes[node].child;
        ctx->nodes[node].child = c;
        if (add_child_index(ctx, node, ch, c) != VT_OK) return VT_ENOMEM;
      }
    }
    node = c;
  }
  for (int32_t r = ctx->nodes[node].rules; r >= 0; r = ctx->rules[r].next)
    if (ctx->rules[r].cat == cat && ctx->rules[r].dir == dir) {
      if (scope) ctx->rules[r].scope = (uint16_t)scope; /* a later file refines the scope */
      return VT_OK;
    }
  if (ctx->nrules >= VT_CTX_MAX_RULES) return VT_ELIMIT;
  if (ctx->nrules == ctx->caprules) {
    size_t cap = ctx->caprules ? ctx->caprules * 2 : 512;
    vt__ctx_rule *r = realloc(ctx->rules, cap * sizeof *r);
    if (!r) return VT_ENOMEM;
    ctx->rules = r;
    ctx->caprules = cap;
  }
  char *copy = malloc(n + 1);
  if (!copy) return VT_ENOMEM;
  memcpy(copy, norm, n + 1);
  vt__ctx_rule *r = &ctx->rules[ctx->nrules];
  r->phrase = copy;
  r->cat = (uint8_t)cat;
  r->dir = (uint8_t)dir;
  r->scope = (uint16_t)scope;
  r->next = ctx->nodes[node].rules;
  ctx->nodes[node].rules = (int32_t)ctx->nrules++;
  ctx->nodes[node].axes |= (uint8_t)(1u << vt__ctx_axis(cat));
  if (dir == VT_CTX_SUBJECT) ctx->has_subject = 1;
  return VT_OK;
}

/* ---- matching ---- */

/* Events kept per axis on each side of the target. */
#define EVK 8

typedef struct event {
  size_t start, end;
  unsigned wstart, wend; /* words of the window before start / before end */
  int32_t node;          /* -1: none */
} event;

/* Number of word starts in [a, b), a counting as one when it is a word byte. */
static unsigned words_in(const char *s, size_t a, size_t b) {
  unsigned n = 0;
  for (size_t i = a; i < b; i++)
    if (is_word((unsigned char)s[i]) && (i == a || !is_word((unsigned char)s[i - 1]))) n++;
  return n;
}

/* Walks the trie from p (a token start) without reading at or past `limit`;
 * records, per axis, the end of the longest phrase that ends on a word boundary. */
static void walk(const vt__context *ctx, const char *s, size_t p, size_t limit, size_t s1,
                 size_t best_end[VT_CTX_NAXES], int32_t best_node[VT_CTX_NAXES]) {
  int32_t node = ctx->root[fold((unsigned char)s[p])];
  size_t i = p + 1; /* next byte to read */
  while (node >= 0) {
    const vt__ctx_node *nd = &ctx->nodes[node];
    if (nd->axes) {
      unsigned char last = (unsigned char)s[i - 1];
      int boundary = !is_word(last) || i >= s1 || !is_word((unsigned char)s[i]);
      if (boundary)
        for (int a = 0; a < VT_CTX_NAXES; a++)
          if (nd->axes & (1u << a)) {
            best_end[a] = i;
            best_node[a] = node;
          }
    }
    if (i >= limit || nd->child < 0) break;
    unsigned char c = (unsigned char)s[i];
    if (is_space(c)) {
      node = child_of(ctx, node, ' ');
      while (i < limit && is_space((unsigned char)s[i])) i++;
      if (i >= limit) break;
      continue;
    }
    node = child_of(ctx, node, fold(c));
    i++;
  }
}

/* Are all of node's rules on axis a subject rules (no trigger outside a target)? */
static int subject_only(const vt__context *ctx, int32_t node, int a) {
  for (int32_t r = ctx->nodes[node].rules; r >= 0; r = ctx->rules[r].next)
    if (vt__ctx_axis(ctx->rules[r].cat) == a && ctx->rules[r].dir != VT_CTX_SUBJECT) return 0;
  return 1;
}

/* Subject rules: for each category not yet decided, a phrase inside the
 * target [t0, t1) itself whose rule is VT_CTX_SUBJECT decides it ("Denies
 * ALCOHOL": alcohol use is a social-history item, historical by the ConText
 * definition, whatever the sentence says). Every phrase along the trie path
 * counts, not only the longest: "allergies" inside "ALLERGIES: TO PENICILLIN"
 * even though "allergies:" is a trigger of its own. */
static void subject_hits(const vt__context *ctx, const char *s, size_t t0, size_t t1,
                         event hit[VT_CTX_NCAT]) {
  if (!ctx->has_subject) return;
  for (size_t p = t0; p < t1; p++) {
    unsigned char c = (unsigned char)s[p];
    if (is_space(c) || (p > t0 && is_word(c) && is_word((unsigned char)s[p - 1]))) continue;
    int32_t node = ctx->root[fold(c)];
    size_t i = p + 1;
    while (node >= 0) {
      if (!is_word((unsigned char)s[i - 1]) || i >= t1 || !is_word((unsigned char)s[i]))
        for (int32_t r = ctx->nodes[node].rules; r >= 0; r = ctx->rules[r].next) {
          const vt__ctx_rule *rule = &ctx->rules[r];
          if (rule->dir != VT_CTX_SUBJECT || hit[rule->cat].node >= 0) continue;
          event ev = {p, i, 0, 0, node};
          hit[rule->cat] = ev;
        }
      if (i >= t1 || ctx->nodes[node].child < 0) break;
      unsigned char d = (unsigned char)s[i];
      if (is_space(d)) {
        node = child_of(ctx, node, ' ');
        while (i < t1 && is_space((unsigned char)s[i])) i++;
        continue;
      }
      node = child_of(ctx, node, fold(d));
      i++;
    }
  }
}

/* The assertion; `hist`, when not NULL, receives the span of the historical
 * trigger that applied (VT_SPAN_NONE when none). */
static void assert_span(const vt__context *ctx, const char *s, size_t s0, size_t s1, size_t t0,
                        size_t t1, vt_assertion *out, vt_text_span *hist) {
  memset(out, 0, sizeof *out);
  out->experiencer = VT_EXPERIENCER_PATIENT;
  out->trigger_span.start = out->trigger_span.end = VT_SPAN_NONE;
  if (t0 < s0) t0 = s0;
  if (t1 > s1) t1 = s1;
  if (t1 < t0) t1 = t0;

  /* The window: VT_CTX_MAX_SCOPE words (plus one for the trigger itself) each side. */
  /* (a word takes at least two bytes with its separator, so a short side is
   * inside the window whole) */
  size_t lo = t0;
  unsigned w = 0;
  if (t0 - s0 <= 2 * (VT_CTX_MAX_SCOPE + 4)) lo = s0;
  while (lo > s0) {
    if (is_word((unsigned char)s[lo - 1]) && (lo - 1 == s0 || !is_word((unsigned char)s[lo - 2])))
      if (++w > VT_CTX_MAX_SCOPE + 4) break;
    lo--;
  }
  size_t hi = t1;
  w = 0;
  if (s1 - t1 <= 2 * (VT_CTX_MAX_SCOPE + 4)) hi = s1;
  while (hi < s1) {
    if (is_word((unsigned char)s[hi]) && (hi == t1 || !is_word((unsigned char)s[hi - 1])))
      if (++w > VT_CTX_MAX_SCOPE + 4) break;
    hi++;
  }

  /* Per axis: the last EVK events before the target (a ring) and the first EVK
   * after it. */
  event before[VT_CTX_NAXES][EVK], after[VT_CTX_NAXES][EVK];
  unsigned nbefore[VT_CTX_NAXES] = {0}, nafter[VT_CTX_NAXES] = {0};
  size_t blocked[VT_CTX_NAXES];
  int full = 0;
  for (int a = 0; a < VT_CTX_NAXES; a++) blocked[a] = lo;
  unsigned wc = 0, wc_t0 = 0, wc_t1 = 0; /* word starts seen, outside the target */
  int past_target = 0;
  for (size_t p = lo; p < hi; p++) {
    if (!past_target && p >= t0) {
      past_target = 1;
      wc_t0 = wc_t1 = wc;
      if (t1 > t0) p = t1;
      if (p >= hi) break;
    }
    unsigned char c = (unsigned char)s[p];
    if (is_space(c)) continue;
    int word = is_word(c);
    if (word && p > s0 && is_word((unsigned char)s[p - 1])) continue;
    unsigned char f = fold(c);
    int may_start = ctx->root[f] >= 0;
    if (may_start && !ctx->start_any[f]) {
      /* the next byte (white space read as ' ') must continue some phrase */
      unsigned char n = p + 1 < hi ? (unsigned char)s[p + 1] : 0;
      n = is_space(n) ? ' ' : fold(n);
      unsigned bit = (unsigned)f << 8 | n;
      may_start = (ctx->start2[bit >> 3] >> (n & 7)) & 1;
    }
    if (!may_start) {
      /* no phrase starts here: count the word and skip the rest of it */
      if (word) {
        wc++;
        while (p + 1 < hi && p + 1 != t0 && is_word((unsigned char)s[p + 1])) p++;
      }
      continue;
    }
    size_t best_end[VT_CTX_NAXES] = {0};
    int32_t best_node[VT_CTX_NAXES] = {-1, -1, -1, -1};
    walk(ctx, s, p, p < t0 ? t0 : hi, s1, best_end, best_node);
    for (int a = 0; a < VT_CTX_NAXES; a++) {
      if (best_node[a] < 0 || p < blocked[a]) continue;
      if (ctx->has_subject && subject_only(ctx, best_node[a], a)) continue;
      blocked[a] = best_end[a];
      event ev = {p, best_end[a], wc, wc + words_in(s, p, best_end[a]), best_node[a]};
      if (p < t0) {
        before[a][nbefore[a]++ % EVK] = ev;
      } else if (nafter[a] < EVK) {
        after[a][nafter[a]++] = ev;
        if (nafter[a] == EVK) full++;
      }
    }
    if (word) wc++;
    if (full == VT_CTX_NAXES) break;
  }
  if (!past_target) wc_t0 = wc_t1 = wc;

  /* Per category, walk outwards from the target over the events of its axis:
   * a terminator or pseudo-trigger, or a trigger of the axis' other category,
   * ends the search; a trigger of the category whose scope reaches the target
   * is the hit; a trigger of the same category that falls short is passed
   * over (so "past medical history: ..., status post CABG, ..., X" still
   * reaches X). */
  event hit[VT_CTX_NCAT];
  for (int c = 0; c < VT_CTX_NCAT; c++) {
    hit[c].node = -1;
    int a = vt__ctx_axis(c);
    for (int side = 0; side < 2 && hit[c].node < 0; side++) {
      unsigned n = side == 0 ? nbefore[a] : nafter[a];
      unsigned k_max = n < EVK ? n : EVK;
      for (unsigned k = 0; k < k_max; k++) {
        const event *ev = side == 0 ? &before[a][(n - 1 - k) % EVK] : &after[a][k];
        unsigned gap = side == 0 ? wc_t0 - ev->wend : ev->wstart - wc_t1;
        int stop = 0, found = 0;
        for (int32_t r = ctx->nodes[ev->node].rules; r >= 0; r = ctx->rules[r].next) {
          const vt__ctx_rule *rule = &ctx->rules[r];
          if (vt__ctx_axis(rule->cat) != a || rule->dir == VT_CTX_SUBJECT) continue;
          if (rule->dir == VT_CTX_TERMINATE || rule->dir == VT_CTX_PSEUDO) {
            stop = 1;
            continue;
          }
          if (rule->cat != c) {
            stop = 1;
            continue;
          }
          int applies = rule->dir == VT_CTX_BIDIRECTIONAL ||
                        rule->dir == (side == 0 ? VT_CTX_FORWARD : VT_CTX_BACKWARD);
          unsigned scope = rule->scope ? rule->scope : ctx->default_scope[rule->cat];
          if (applies && gap < scope) found = 1;
        }
        if (found) {
          hit[c] = *ev;
          break;
        }
        if (stop) break;
      }
    }
  }
  subject_hits(ctx, s, t0, t1, hit);
  if (hist) {
    hist->start = hit[VT_CTX_HISTORICAL].node >= 0 ? hit[VT_CTX_HISTORICAL].start : VT_SPAN_NONE;
    hist->end = hit[VT_CTX_HISTORICAL].node >= 0 ? hit[VT_CTX_HISTORICAL].end : VT_SPAN_NONE;
  }
  out->negated = hit[VT_CTX_NEGATED].node >= 0;
  out->uncertain = hit[VT_CTX_POSSIBLE].node >= 0;
  out->historical = hit[VT_CTX_HISTORICAL].node >= 0;
  out->hypothetical = hit[VT_CTX_HYPOTHETICAL].node >= 0;
  if (hit[VT_CTX_FAMILY].node >= 0)
    out->experiencer = VT_EXPERIENCER_FAMILY;
  else if (hit[VT_CTX_OTHER].node >= 0)
    out->experiencer = VT_EXPERIENCER_OTHER;
  /* The one trigger reported: the strongest modifier found. */
  static const int order[] = {VT_CTX_NEGATED, VT_CTX_POSSIBLE,  VT_CTX_HYPOTHETICAL,
                              VT_CTX_FAMILY,  VT_CTX_OTHER,     VT_CTX_HISTORICAL};
  for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
    const event *ev = &hit[order[k]];
    if (ev->node < 0) continue;
    out->trigger_span.start = ev->start;
    out->trigger_span.end = ev->end;
    out->trigger_category = cat_names[order[k]];
    break;
  }
}

void vt__ctx_assert_span(const vt__context *ctx, const char *s, size_t s0, size_t s1,
                         size_t t0, size_t t1, vt_assertion *out) {
  assert_span(ctx, s, s0, s1, t0, t1, out, NULL);
}

/* ---- the pipeline stage ---- */

/* The sections of an imaging report that describe the study being read. */
static int section_imaging(const char *name) {
  return name && (!strcmp(name, "findings") || !strcmp(name, "impression") ||
                  !strcmp(name, "conclusion"));
}

/* Is the text [a, b) (case-insensitive, single spaces) one of the words that
 * date a finding's origin rather than place it in the past: "chronic",
 * "old", "healed", "status post", "prior"? In the findings of an imaging
 * report the finding is seen on today's study, so it is current
 * (docs/text-gold-guideline.md, "historical"). */
static int dating_word(const char *s, size_t a, size_t b) {
  static const char *const W[] = {"chronic", "chronically", "old", "remote", "healed",
                                  "long-standing", "longstanding", "status post", "status-post",
                                  "s/p", "prior", "previous", "previously", "previously noted",
                                  "known", NULL};
  char buf[32];
  size_t n = 0;
  for (size_t i = a; i < b && n < sizeof buf - 1; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_space(c)) {
      if (n && buf[n - 1] != ' ') buf[n++] = ' ';
      continue;
    }
    buf[n++] = (char)fold(c);
  }
  buf[n] = 0;
  for (int k = 0; W[k]; k++)
    if (!strcmp(buf, W[k])) return 1;
  return 0;
}

/* Sections whose findings are history by their place in the report, whatever
 * the sentence says (see docs/text-context.md). "history" alone is not among
 * them: in a radiology report HISTORY/INDICATION is the reason for the exam. */
static int section_historical(const char *name) {
  return name && (strstr(name, "past") || strstr(name, "social") || strstr(name, "surgical") ||
                  strstr(name, "family"));
}

vt_status vt__context_apply(const vt__context *ctx, const vt__doc *doc, vt__findings *list,
                            vt_error *err) {
  if (!ctx || !doc || !list || (!doc->text && doc->len))
    return vt_error_set(err, VT_EINVAL, "context", "no rules or no document");
  for (size_t i = 0; i < list->n; i++) {
    vt_finding *f = &list->v[i];
    if (f->span.start == VT_SPAN_NONE || f->span.end > doc->len || f->span.start > f->span.end)
      continue;
    size_t s0 = 0, s1 = doc->len;
    if (f->sentence.start != VT_SPAN_NONE && f->sentence.start <= f->span.start &&
        f->sentence.end >= f->span.end && f->sentence.end <= doc->len) {
      s0 = f->sentence.start;
      s1 = f->sentence.end;
    } else {
      for (size_t k = 0; k < doc->nsents; k++)
        if (doc->sents[k].start <= f->span.start && doc->sents[k].end >= f->span.end) {
          s0 = doc->sents[k].start;
          s1 = doc->sents[k].end;
          break;
        }
    }
    vt_assertion a;
    vt_text_span hist;
    assert_span(ctx, doc->text, s0, s1, f->span.start, f->span.end, &a, &hist);
    if (a.historical && section_imaging(f->section) && hist.start != VT_SPAN_NONE &&
        dating_word(doc->text, hist.start, hist.end)) {
      a.historical = 0;
      if (a.trigger_span.start == hist.start && a.trigger_span.end == hist.end) {
        a.trigger_span.start = a.trigger_span.end = VT_SPAN_NONE;
        a.trigger_category = NULL;
      }
    }
    f->negated = a.negated;
    f->uncertain = a.uncertain;
    f->historical = a.historical;
    f->hypothetical = a.hypothetical;
    f->experiencer = a.experiencer;
    f->trigger_span = a.trigger_span;
    f->trigger_category = a.trigger_category;
    if (section_historical(f->section)) {
      f->historical = 1;
      if (strstr(f->section, "family")) f->experiencer = VT_EXPERIENCER_FAMILY;
    }
  }
  return VT_OK;
}
