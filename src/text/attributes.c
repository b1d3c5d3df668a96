/* attributes.c — gives each finding mention its vertebral or disc level, side,
 * severity, listhesis grade and size, read from the words around it in its
 * sentence (or from the level heading that opens the paragraph). Hand-written
 * over the tokens because each rule is a few token comparisons; a regex pass
 * would re-scan the bytes and lose the token boundaries. docs/text-attributes.md
 * states every rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/stages.h"

#define MAX_EXPRS 64  /* level expressions kept per sentence (more are ignored) */
#define NEAR_AFTER 4  /* tokens between a mention and a following level "at L4-5" */
#define SIDE_WIN 4
#define SEV_WIN 5
#define SIZE_WIN 6
#define GRADE_WIN 5

/* ---- token helpers ---- */

typedef struct tk {
  const vt__doc *doc;
  size_t b, e; /* the sentence's tokens */
} tk;

static const char *tx(const tk *s, size_t i, size_t *n) {
  *n = s->doc->toks[i].end - s->doc->toks[i].start;
  return s->doc->lower + s->doc->toks[i].start;
}

static int is(const tk *s, size_t i, const char *w) {
  if (i < s->b || i >= s->e) return 0;
  size_t n;
  const char *t = tx(s, i, &n);
  return strlen(w) == n && !memcmp(t, w, n);
}

/* Index of w in the '|'-separated list, or -1. */
static int one_of(const tk *s, size_t i, const char *list) {
  if (i < s->b || i >= s->e) return -1;
  size_t n;
  const char *t = tx(s, i, &n);
  int k = 0;
  for (const char *p = list; *p; k++) {
    const char *q = strchr(p, '|');
    size_t m = q ? (size_t)(q - p) : strlen(p);
    if (m == n && !memcmp(p, t, n)) return k;
    if (!q) break;
    p = q + 1;
  }
  return -1;
}

/* Small unsigned integer token (1-2 digits), or -1. */
static int small_int(const tk *s, size_t i) {
  if (i < s->b || i >= s->e) return -1;
  size_t n;
  const char *t = tx(s, i, &n);
  if (n < 1 || n > 2) return -1;
  int v = 0;
  for (size_t k = 0; k < n; k++) {
    if (t[k] < '0' || t[k] > '9') return -1;
    v = v * 10 + (t[k] - '0');
  }
  return v;
}

/* ---- levels ---- */

/* A vertebra: region c/t/l/s and number. Accepted: C1-C7, T1-T12, L1-L5, S1-S5
 * and the transitional labels T13 and L6 that reports use for
 * lumbosacral/thoracolumbar transitional anatomy; anything else (L7, C9, T14)
 * is not a level. */
typedef struct vert {
  char r;
  int n;
} vert;

static int vert_ok(char r, int n) {
  switch (r) {
  case 'c': return n >= 1 && n <= 7;
  case 't': return n >= 1 && n <= 13;
  case 'l': return n >= 1 && n <= 6;
  case 's': return n >= 1 && n <= 5;
  }
  return 0;
}

static int rank(vert v) {
  int base = v.r == 'c' ? 0 : v.r == 't' ? 10 : v.r == 'l' ? 30 : 50;
  return base + v.n;
}

static int adjacent(vert a, vert b) {
  if (a.r == b.r) return b.n == a.n + 1;
  return (a.r == 'c' && a.n == 7 && b.r == 't' && b.n == 1) ||
         (a.r == 't' && (a.n == 12 || a.n == 13) && b.r == 'l' && b.n == 1) ||
         (a.r == 'l' && (a.n == 5 || a.n == 6) && b.r == 's' && b.n == 1);
}

/* MRI words after "T1"/"T2" that make it a sequence, not a vertebra. */
static const char *MRI_WORDS = "weighted|signal|hyperintense|hyperintensity|hypointense|"
                               "hypointensity|images|image|imaging|sequence|sequences|flair|"
                               "stir|bright|dark|intensity|shortening|prolongation|w|wi";

static int parse_vert(const tk *s, size_t i, vert *v) {
  if (i < s->b || i >= s->e) return 0;
  size_t n;
  const char *t = tx(s, i, &n);
  if (n < 2 || n > 3 || !strchr("ctls", t[0])) return 0;
  int num = 0;
  for (size_t k = 1; k < n; k++) {
    if (t[k] < '0' || t[k] > '9') return 0;
    num = num * 10 + (t[k] - '0');
  }
  if (!vert_ok(t[0], num)) return 0;
  if (t[0] == 't' && num <= 2) {
    for (size_t k = i + 1; k <= i + 3 && k < s->e; k++)
      if (one_of(s, k, MRI_WORDS) >= 0) return 0;
    if (i > s->b && (is(s, i - 1, "on") || is(s, i - 1, "and") || is(s, i - 1, "sagittal") ||
                     is(s, i - 1, "axial") || is(s, i - 1, "post")))
      return 0;
  }
  v->r = t[0];
  v->n = num;
  return 1;
}

typedef struct lexpr {
  vert a, b;
  vt_level_kind kind;
  int and_pair; /* "L4 and L5": a disc, or two vertebrae for a vertebral finding */
  size_t tb, te; /* tokens */
  int group;     /* expressions joined by "and" / "," share a group */
} lexpr;

/* Parses a level expression at token i; returns its end token or 0. */
static size_t parse_level(const tk *s, size_t i, lexpr *x) {
  vert a, b;
  if (!parse_vert(s, i, &a)) return 0;
  memset(x, 0, sizeof *x);
  x->a = a;
  x->kind = VT_LEVEL_VERTEBRA;
  x->tb = i;
  x->te = i + 1;
  size_t j = i + 1;
  int sep = one_of(s, j, "-|/|to|through|thru|\xE2\x80\x93");
  size_t k = sep >= 0 ? j + 1 : j;
  int have = 0;
  if (parse_vert(s, k, &b)) {
    have = 1;
  } else if (k < s->e && small_int(s, k) > 0 && (sep == 0 || sep == 1 || sep == 5 ||
                                                 (sep < 0 && small_int(s, k) == a.n + 1))) {
    b.r = a.r;
    b.n = small_int(s, k);
    have = vert_ok(b.r, b.n) && one_of(s, k + 1, "mm|cm|%|x") < 0;
  } else if (sep < 0 && is(s, j, "and") &&
             (parse_vert(s, j + 1, &b) ||
              (small_int(s, j + 1) == a.n + 1 && (b.r = a.r, b.n = a.n + 1, vert_ok(b.r, b.n)))) &&
             adjacent(a, b) && one_of(s, j + 2, "-|/|mm|cm") < 0) {
    /* "L4 and L5", "T11 and 12" */
    x->b = b;
    x->kind = VT_LEVEL_DISC;
    x->and_pair = 1;
    x->te = j + 2;
    return x->te;
  }
  if (have) {
    if (sep < 0 && !adjacent(a, b)) return x->te; /* "L4 L2": not one expression */
    if (adjacent(a, b)) x->kind = VT_LEVEL_DISC;
    else if (rank(b) > rank(a)) x->kind = VT_LEVEL_RANGE;
    else return x->te;
    x->b = b;
    x->te = k + 1;
  }
  return x->te;
}

static void level_name(const lexpr *x, int which, char out[16]) {
  if (which == 1) {
    snprintf(out, 16, "%c%d", x->a.r - 32, x->a.n);
  } else if (which == 2) {
    snprintf(out, 16, "%c%d", x->b.r - 32, x->b.n);
  } else if (x->kind == VT_LEVEL_VERTEBRA) {
    snprintf(out, 16, "%c%d", x->a.r - 32, x->a.n);
  } else {
    snprintf(out, 16, "%c%d-%c%d", x->a.r - 32, x->a.n, x->b.r - 32, x->b.n);
  }
}

/* Findings of a vertebral body, for which "T12 and L1" means two vertebrae. */
static int vertebral_finding(const char *id) {
  static const char *const V[] = {"fracture", "compression_fracture", "burst_fracture",
                                  "hemangioma", "lytic_lesion", "blastic_lesion",
                                  "metastasis", "spondylolysis", "schmorl_node"};
  for (size_t i = 0; i < sizeof V / sizeof V[0]; i++)
    if (!strcmp(V[i], id)) return 1;
  return 0;
}

/* Findings that may take a bare vertebra even when a disc level is near: the
 * vertebral-body findings plus listhesis ("anterolisthesis of L5"), nerve roots
 * ("left L5 nerve root") and surgery ("left L5 hemilaminectomy"). */
static int vertebra_level_ok(const char *id) {
  return vertebral_finding(id) || !strcmp(id, "spondylolisthesis") ||
         !strcmp(id, "nerve_root_contact") || !strcmp(id, "nerve_root_compression") ||
         !strcmp(id, "postoperative_change") || !strcmp(id, "hardware") || !strcmp(id, "fusion");
}

/* Finds the level expressions of a sentence and groups coordinated ones. */
static size_t find_levels(const tk *s, lexpr *xs) {
  size_t n = 0;
  for (size_t i = s->b; i < s->e && n < MAX_EXPRS;) {
    size_t e = parse_level(s, i, &xs[n]);
    if (!e) {
      i++;
      continue;
    }
    /* a span of discs: "C4-5 through C6-7" -> C4-C7 */
    lexpr y;
    if (xs[n].kind == VT_LEVEL_DISC && !xs[n].and_pair &&
        one_of(s, e, "through|thru|to|\xE2\x80\x93") >= 0 && parse_level(s, e + 1, &y) &&
        y.kind == VT_LEVEL_DISC && !y.and_pair && rank(y.a) > rank(xs[n].a)) {
      xs[n].b = y.b;
      xs[n].kind = VT_LEVEL_RANGE;
      xs[n].te = y.te;
      e = y.te;
    }
    xs[n].group = (int)n;
    if (n) {
      /* linked when only connectors lie between: ",", "and", "at", "as well as" */
      size_t k = xs[n - 1].te;
      while (k < i && one_of(s, k, ",|and|at|as|well|the|levels|level|&|greater|than|worse|"
                                   "including|;") >= 0)
        k++;
      if (k == i && i > xs[n - 1].te) xs[n].group = xs[n - 1].group;
    }
    n++;
    i = e;
  }
  return n;
}

/* ---- side, severity, grade, size ---- */

typedef struct win {
  size_t lo, hi; /* tokens allowed for attributes of this mention: [lo, hi) */
} win;

static void set_span(const vt__doc *doc, size_t a, size_t b, vt_text_span *sp) {
  sp->start = doc->toks[a].start;
  sp->end = doc->toks[b].end;
}

/* Order in which tokens around [mb, me) are examined: inside, then before
 * (closest first), then after (closest first). */
static size_t order_at(size_t mb, size_t me, win w, size_t step, size_t *out) {
  size_t in = me - mb;
  if (step < in) {
    *out = mb + step;
    return 1;
  }
  step -= in;
  size_t before = mb - w.lo;
  if (step < before) {
    *out = mb - 1 - step;
    return 1;
  }
  step -= before;
  if (step < w.hi - me) {
    *out = me + step;
    return 1;
  }
  return 0;
}

static const char *SIDE_WORDS = "left|right|bilateral|bilaterally|central|centrally|paracentral|"
                                "both";

static void find_side(const tk *s, size_t mb, size_t me, win w, vt_finding *f) {
  static const char *const NAME[] = {"left", "right", "bilateral", "bilateral", "central",
                                     "central", "paracentral", "bilateral"};
  size_t i;
  for (size_t st = 0; order_at(mb, me, w, st, &i); st++) {
    int k = one_of(s, i, SIDE_WORDS);
    if (k < 0 || (k == 7 && !is(s, i + 1, "sides"))) continue;
    /* a foramen or a lateral recess is never central: that word belongs to a
     * neighbouring canal finding ("central canal or foraminal stenosis") */
    if ((k == 4 || k == 5 || k == 6) && (!strcmp(f->finding, "foraminal_stenosis") ||
                                         !strcmp(f->finding, "lateral_recess_stenosis")))
      continue;
    size_t a = i, b = i;
    const char *name = NAME[k];
    if (k <= 1 && is(s, i + 1, "and") && one_of(s, i + 2, "left|right") == 1 - k) {
      name = "bilateral"; /* "left and right" */
      b = i + 2;
    } else if (k >= 4 && i > w.lo && one_of(s, i - 1, "left|right") >= 0) {
      /* "right paracentral": the laterality is kept (the field holds one word) */
      name = NAME[one_of(s, i - 1, "left|right")];
      a = i - 1;
    }
    snprintf(f->side, sizeof f->side, "%s", name);
    set_span(s->doc, a, b, &f->side_span);
    return;
  }
}

/* Severity words: "minimal"/"slight" map to mild, "marked"/"advanced" to
 * severe; "significant" is left unmapped (it states importance, not grade). */
static const char *SEV_WORDS = "minimal|minimally|slight|slightly|mild|mildly|moderate|"
                               "moderately|severe|severely|marked|markedly|advanced";
static int sev_grade(const tk *s, size_t i) {
  int k = one_of(s, i, SEV_WORDS);
  if (k < 0) return 0;
  return k <= 5 ? 1 : k <= 7 ? 2 : 3;
}

/* Tokens of a severity connector starting at i ("-", "to", "/", "- to -"), or 0. */
static size_t conn_after(const tk *s, size_t i) {
  if (is(s, i, "-") && is(s, i + 1, "to") && is(s, i + 2, "-")) return 3;
  return one_of(s, i, "-|to|/|\xE2\x80\x93") >= 0 ? 1 : 0;
}

/* Tokens of a severity connector ending just before i, or 0. */
static size_t conn_before(const tk *s, size_t i) {
  if (i >= s->b + 3 && is(s, i - 1, "-") && is(s, i - 2, "to") && is(s, i - 3, "-")) return 3;
  return i > s->b && one_of(s, i - 1, "-|to|/|\xE2\x80\x93") >= 0 ? 1 : 0;
}

static void find_severity(const tk *s, size_t mb, size_t me, win w, vt_finding *f) {
  static const char *const NAME[] = {"", "mild", "moderate", "severe"};
  size_t i;
  for (size_t st = 0; order_at(mb, me, w, st, &i); st++) {
    int g = sev_grade(s, i);
    /* "slightly worse on the right" compares, it does not grade */
    if (!g || one_of(s, i + 1, "worse|better|greater|larger|smaller|improved|increased|"
                               "decreased|more|less") >= 0)
      continue;
    size_t a = i, b = i;
    int g2 = 0;
    size_t c;
    /* a compound "mild to moderate", "mild-moderate", "moderate-to-severe" */
    if ((c = conn_after(s, i + 1)) && (g2 = sev_grade(s, i + 1 + c)) == g + 1) {
      b = i + 1 + c;
    } else if ((c = conn_before(s, i)) && i >= w.lo + c + 1 &&
               sev_grade(s, i - c - 1) == g - 1) {
      a = i - c - 1;
      g2 = g;
      g = g - 1;
    } else {
      g2 = 0;
    }
    if (g2 == g + 1)
      snprintf(f->severity, sizeof f->severity, "%s-to-%s", NAME[g], NAME[g2]);
    else
      snprintf(f->severity, sizeof f->severity, "%s", NAME[g]);
    set_span(s->doc, a, b, &f->severity_span);
    return;
  }
}

static void find_grade(const tk *s, size_t mb, size_t me, win w, vt_finding *f) {
  size_t i;
  for (size_t st = 0; order_at(mb, me, w, st, &i); st++) {
    if (!is(s, i, "grade")) continue;
    int g = small_int(s, i + 1);
    if (g < 0) g = one_of(s, i + 1, "i|ii|iii|iv") + 1;
    if (g >= 1 && g <= 4) {
      f->listhesis_grade = g;
      return;
    }
  }
}

/* A number token ("4", "3.5") as a double; 0 when not a number. */
static int number(const tk *s, size_t i, double *v) {
  if (i < s->b || i >= s->e) return 0;
  size_t n;
  const char *t = tx(s, i, &n);
  char buf[32];
  if (!n || n >= sizeof buf || t[0] < '0' || t[0] > '9') return 0;
  for (size_t k = 0; k < n; k++)
    if (!((t[k] >= '0' && t[k] <= '9') || t[k] == '.')) return 0;
  memcpy(buf, t, n);
  buf[n] = 0;
  char *end;
  *v = strtod(buf, &end);
  return *end == 0;
}

/* "4 mm", "1.2 x 0.8 cm" (the first dimension), "6 millimeters". */
static void find_size(const tk *s, size_t mb, size_t me, win w, vt_finding *f) {
  size_t i;
  for (size_t st = 0; order_at(mb, me, w, st, &i); st++) {
    double v;
    if (!number(s, i, &v)) continue;
    size_t k = i + 1;
    for (int d = 0; d < 3 && is(s, k, "x"); d++) {
      double u;
      if (!number(s, k + 1, &u)) break;
      k += 2;
    }
    int unit = one_of(s, k, "mm|cm|millimeter|millimeters|centimeter|centimeters");
    if (unit < 0) continue;
    f->size_mm = (unit == 1 || unit >= 4) ? v * 10.0 : v;
    return;
  }
}

/* ---- the stage ---- */

static size_t tok_at(const vt__doc *doc, size_t byte) {
  size_t lo = 0, hi = doc->ntoks;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (doc->toks[mid].start < byte) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static size_t tok_end_at(const vt__doc *doc, size_t byte) {
  size_t lo = 0, hi = doc->ntoks;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (doc->toks[mid].end <= byte) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static vt_status push_level(vt__findings *out, const vt_finding *f, const lexpr *x,
                            const vt__doc *doc) {
  vt_finding g = *f;
  if (x->and_pair && vertebral_finding(f->finding)) {
    for (int w = 1; w <= 2; w++) {
      g.level_kind = VT_LEVEL_VERTEBRA;
      level_name(x, w, g.level);
      size_t t = w == 1 ? x->tb : x->te - 1;
      set_span(doc, t, t, &g.level_span);
      vt_status st = vt__findings_push(out, &g);
      if (st) return st;
    }
    return VT_OK;
  }
  g.level_kind = x->kind;
  level_name(x, 0, g.level);
  set_span(doc, x->tb, x->te - 1, &g.level_span);
  return vt__findings_push(out, &g);
}

/* Is token range [a, b) free of other mentions of this sentence? */
static int no_mention_between(const size_t *mt, size_t nm, size_t self, size_t a, size_t b) {
  for (size_t k = 0; k < nm; k++)
    if (k != self && mt[2 * k] >= a && mt[2 * k] < b) return 0;
  return 1;
}

/* The level expression for mention k (tokens [mb, me)), or -1, by the rules
 * of docs/text-targets.md: (0) inside the mention; (1) following within
 * NEAR_AFTER tokens with no other mention between; (2) the nearest preceding;
 * (3) the nearest following. With `discs_only`, bare vertebrae are skipped. */
static int pick_level(const tk *s, const lexpr *xs, size_t nx, const size_t *mt, size_t nm,
                      size_t k, size_t mb, size_t me, int discs_only, int have_head) {
#define USABLE(x) (!discs_only || xs[x].kind != VT_LEVEL_VERTEBRA)
  /* coordinated mentions share the level that follows them: "central canal
   * or foraminal stenosis at L1-2", "disc bulging or protrusion at L4-5" */
  for (size_t j = k + 1; j < nm && mt[2 * j] == me + 1 && one_of(s, me, "or|and|,") >= 0; j++) {
    size_t me2 = mt[2 * j + 1];
    for (size_t x = 0; x < nx; x++)
      if (USABLE(x) && xs[x].tb >= me2 && xs[x].tb - me2 <= NEAR_AFTER &&
          no_mention_between(mt, nm, j, me2, xs[x].tb))
        return (int)x;
    me = me2;
  }
  me = mt[2 * k + 1];
  for (size_t x = 0; x < nx; x++)
    if (USABLE(x) && xs[x].tb >= mb && xs[x].te <= me) return (int)x;
  for (size_t x = 0; x < nx; x++)
    if (USABLE(x) && xs[x].tb >= me && xs[x].tb - me <= NEAR_AFTER &&
        no_mention_between(mt, nm, k, me, xs[x].tb))
      return (int)x;
  for (size_t x = nx; x-- > 0;)
    if (USABLE(x) && xs[x].te <= mb) return (int)x;
  /* under a paragraph heading, a level further on that belongs to another
   * mention ("L5-S1: ... laminectomy defect, spondylolisthesis with 3.5 mm
   * of anterolisthesis of L5") is not this mention's: the heading is */
  for (size_t x = 0; x < nx; x++)
    if (USABLE(x) && xs[x].tb >= me &&
        (!have_head || no_mention_between(mt, nm, k, me, xs[x].tb)))
      return (int)x;
#undef USABLE
  return -1;
}

/* Does the sentence open a paragraph: after an empty line, or after the
 * ".," that stands for a line break in flattened transcriptions (MTSamples)? */
static int paragraph_start(const tk *s) {
  if (s->b >= s->e) return 0;
  const vt__doc *d = s->doc;
  if (d->toks[s->b].flags & VT_TOK_BLANK_BEFORE) return 1;
  size_t i = s->b;
  if (is(s, i, ",")) return i > 0 && d->lower[d->toks[i - 1].start] == '.';
  return i >= 2 && d->toks[i - 1].end - d->toks[i - 1].start == 1 &&
         d->lower[d->toks[i - 1].start] == ',' && d->lower[d->toks[i - 2].start] == '.';
}

/* Does the sentence turn to another part of the spine ("MRI of the lumbar
 * spine showed ...")? Then an earlier heading no longer applies. */
static int names_region(const tk *s) {
  for (size_t i = s->b; i + 1 < s->e; i++)
    if (s->doc->lower[s->doc->toks[i + 1].start] == 's' && /* cheap filter: "spine" */
        one_of(s, i, "cervical|thoracic|lumbar|lumbosacral|thoracolumbar|cervicothoracic") >= 0 &&
        one_of(s, i + 1, "spine|region") >= 0)
      return 1;
  return 0;
}

/* "at that level", "at this level", "at the same level", "this disc": a
 * level stated in an earlier sentence. */
static int refers_back(const tk *s) {
  for (size_t i = s->b; i + 1 < s->e; i++)
    if (one_of(s, i + 1, "level|levels|disc|disk") >= 0 &&
        one_of(s, i, "that|this|same|these|those") >= 0)
      return 1;
  return 0;
}

/* The heading level a sentence opens with ("L4-5:", "L4-5 level:", "At the
 * L4-5 level,"), as an index into xs, or -1. */
static int heading_of(const tk *s, const lexpr *xs, size_t nx) {
  if (!nx) return -1;
  size_t i = s->b;
  while (i < s->e && one_of(s, i, "at|the|-|*|\xE2\x80\xA2") >= 0) i++;
  if (xs[0].tb != i) return -1;
  size_t k = xs[0].te;
  /* the whole group */
  size_t last = 0;
  while (last + 1 < nx && xs[last + 1].group == xs[0].group) last++;
  k = xs[last].te;
  if (is(s, k, "level") || is(s, k, "levels")) k++;
  if (k >= s->e || one_of(s, k, ":|,|-") >= 0) return 0;
  if (xs[0].tb > s->b && is(s, s->b, "at")) return 0; /* "At the L3-4 level anterior ..." */
  return -1;
}

vt_status vt__attributes_apply(const vt__doc *doc, vt__findings *list, vt_error *err) {
  if (!doc || !list) return vt_error_set(err, VT_EINVAL, "attributes", "no document or list");
  if (!list->n || !doc->ntoks) return VT_OK;
  vt__findings out = {0};
  lexpr xs[MAX_EXPRS], head[MAX_EXPRS], prev[MAX_EXPRS], prevd[MAX_EXPRS];
  size_t nhead = 0, nprev = 0, nprevd = 0; /* prevd: the last group with a disc level */
  size_t *mt = malloc(list->n * 2 * sizeof *mt);
  if (!mt) return vt_error_set(err, VT_ENOMEM, "attributes", "out of memory");
  vt_status st = VT_OK;
  int head_section = -2;
  vt__sentence whole = {0, doc->len, 0, doc->ntoks, -1};
  const vt__sentence *ss = doc->nsents ? doc->sents : &whole;
  size_t ns = doc->nsents ? doc->nsents : 1;
  size_t m = 0; /* next mention */
  for (size_t si = 0; si < ns && !st; si++) {
    tk s = {doc, ss[si].tok_begin, ss[si].tok_end > doc->ntoks ? doc->ntoks : ss[si].tok_end};
    if (s.b > s.e) s.b = s.e;
    size_t nx = find_levels(&s, xs);
    /* the paragraph heading: set by a heading sentence, dropped at a new
     * section or an empty line */
    int h = heading_of(&s, xs, nx);
    if (ss[si].section != head_section || paragraph_start(&s) || names_region(&s)) {
      nhead = 0;
      nprev = 0;
      nprevd = 0;
    }
    head_section = ss[si].section;
    /* the sentence that opens a paragraph with a level heads it too ("There
     * is marked disk space narrowing at the L5-S1 level. ... facet sclerosis") */
    if (h < 0 && nx && paragraph_start(&s)) h = 0;
    if (h == 0) {
      nhead = 0;
      while (nhead < nx && xs[nhead].group == xs[0].group) {
        head[nhead] = xs[nhead];
        nhead++;
      }
    }
    /* the mentions of this sentence (targets emits them in sentence order) */
    size_t m0 = m;
    while (m < list->n && list->v[m].sentence.start == ss[si].start &&
           list->v[m].span.start >= ss[si].start && list->v[m].span.end <= ss[si].end)
      m++;
    size_t nm = m - m0;
    for (size_t k = 0; k < nm; k++) {
      mt[2 * k] = tok_at(doc, list->v[m0 + k].span.start);
      mt[2 * k + 1] = tok_end_at(doc, list->v[m0 + k].span.end);
      if (mt[2 * k] < s.b) mt[2 * k] = s.b;
      if (mt[2 * k + 1] > s.e) mt[2 * k + 1] = s.e;
      if (mt[2 * k + 1] <= mt[2 * k]) mt[2 * k + 1] = mt[2 * k] + 1 <= s.e ? mt[2 * k] + 1 : s.e;
    }
    for (size_t k = 0; k < nm && !st; k++) {
      vt_finding f = list->v[m0 + k];
      size_t mb = mt[2 * k], me = mt[2 * k + 1];
      /* attribute window: up to the neighbouring mentions */
      win w = {mb, me};
      size_t lo_lim = k ? mt[2 * (k - 1) + 1] : s.b, hi_lim = k + 1 < nm ? mt[2 * (k + 1)] : s.e;
      if (lo_lim > mb) lo_lim = mb;
      if (hi_lim < me) hi_lim = me;
      size_t want;
      want = mb > s.b + SIDE_WIN ? mb - SIDE_WIN : s.b;
      w.lo = want > lo_lim ? want : lo_lim;
      w.hi = me + SIDE_WIN < hi_lim ? me + SIDE_WIN : hi_lim;
      find_side(&s, mb, me, w, &f);
      want = mb > s.b + SEV_WIN ? mb - SEV_WIN : s.b;
      w.lo = want > lo_lim ? want : lo_lim;
      w.hi = me + SEV_WIN < hi_lim ? me + SEV_WIN : hi_lim;
      find_severity(&s, mb, me, w, &f);
      want = mb > s.b + SIZE_WIN ? mb - SIZE_WIN : s.b;
      w.lo = want > lo_lim ? want : lo_lim;
      w.hi = me + SIZE_WIN < hi_lim ? me + SIZE_WIN : hi_lim;
      find_size(&s, mb, me, w, &f);
      if (!strcmp(f.finding, "spondylolisthesis")) {
        want = mb > s.b + GRADE_WIN ? mb - GRADE_WIN : s.b;
        w.lo = want > lo_lim ? want : lo_lim;
        w.hi = me + GRADE_WIN < hi_lim ? me + GRADE_WIN : hi_lim;
        find_grade(&s, mb, me, w, &f);
      }
      /* the level: (0) inside the mention; (1) following within NEAR_AFTER
       * tokens with no other mention between; (2) the nearest preceding;
       * (3) the nearest following; (4) the paragraph heading */
      /* (4) the paragraph heading. A disc-level finding takes a bare vertebra
       * only when no disc level or heading is there ("L4-5 ... left L5
       * hemilaminectomy and disc protrusion" -> L4-L5) */
      int disc_like = !vertebra_level_ok(f.finding);
      int pick = pick_level(&s, xs, nx, mt, nm, k, mb, me, disc_like, nhead > 0);
      if (pick < 0 && disc_like && !nhead) pick = pick_level(&s, xs, nx, mt, nm, k, mb, me, 0, 0);
      const lexpr *grp = NULL;
      size_t ng = 0;
      if (pick >= 0) {
        size_t g0 = (size_t)pick;
        while (g0 > 0 && xs[g0 - 1].group == xs[pick].group) g0--;
        grp = &xs[g0];
        while (g0 + ng < nx && xs[g0 + ng].group == xs[pick].group) ng++;
      } else if (nhead) {
        grp = head;
        ng = nhead;
      } else if (nprev && refers_back(&s)) {
        /* "at that level"; a disc finding takes the last disc level ("an L3-4
         * disc herniation behind the L4 vertebral body. This disc ...") */
        grp = disc_like && nprevd ? prevd : prev;
        ng = disc_like && nprevd ? nprevd : nprev;
      }
      if (!ng) st = vt__findings_push(&out, &f);
      for (size_t g = 0; g < ng && !st; g++) st = push_level(&out, &f, &grp[g], doc);
    }
    /* the last level group stated, for "at that level" in later sentences */
    if (nx) {
      size_t g0 = nx - 1;
      while (g0 > 0 && xs[g0 - 1].group == xs[nx - 1].group) g0--;
      nprev = 0;
      for (size_t g = g0; g < nx; g++) prev[nprev++] = xs[g];
      for (size_t x = nx; x-- > 0;) {
        if (xs[x].kind == VT_LEVEL_VERTEBRA) continue;
        size_t d0 = x;
        while (d0 > 0 && xs[d0 - 1].group == xs[x].group) d0--;
        nprevd = 0;
        for (size_t g = d0; g < nx && xs[g].group == xs[x].group; g++) prevd[nprevd++] = xs[g];
        break;
      }
    }
  }
  /* mentions not inside any sentence (should not happen): kept unchanged */
  for (; m < list->n && !st; m++) st = vt__findings_push(&out, &list->v[m]);
  free(mt);
  if (st) {
    vt__findings_free(&out);
    return vt_error_set(err, st, "attributes", "cannot store mentions (%s)", vt_status_name(st));
  }
  vt__findings_free(list);
  *list = out;
  return VT_OK;
}
