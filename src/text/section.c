/* section.c — finds section headers (FINDINGS, IMPRESSION, PREOPERATIVE
 * DIAGNOSIS, ...) with or without a colon, in capitals or title case, and cuts
 * the document into named sections. Rules are built in or loaded from
 * medspaCy's en_section_patterns.json; they are read-only once built. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "text/stages.h"

/* One header phrase: its words as lower-case tokens. */
typedef struct sec_rule {
  const char *name;  /* canonical name: a built-in literal or an entry of names[] */
  size_t ntok;
  char **tok;        /* lower-case token texts */
  int need_colon;    /* medspaCy literal ended with ':' */
  size_t order;      /* later rules win ties */
} sec_rule;

struct vt__section_rules {
  sec_rule *r;
  size_t n, cap;
  char **names; /* category names owned by the rules (loaded files) */
  size_t nnames, capnames;
  int sorted;
};

/* Built-in headers, canonical name first, then its phrases ("|"-separated).
 * Spine radiology reports, operative notes and H&P notes (MTSamples). */
static const char *const BUILTIN[][2] = {
    {"findings", "findings|finding|operative findings|intraoperative findings|major findings|"
                 "pathological findings|pathologic findings|report"},
    {"impression", "impression|impressions|clinical impression|opinion|interpretation"},
    {"conclusion", "conclusion|conclusions"},
    {"history",
     "history|clinical history|indication|indications|clinical indication|clinical indications|"
     "reason for exam|reason for examination|reason for study|reason for referral|"
     "indications for procedure|indications for operation|indications for surgery|"
     "indication for procedure|indication for operation|indication for surgery|"
     "clinical information|clinical data|clinical|clinical note|brief history|hx|history and indications|"
     "history and indication|indication for the operation|indications for the operation|"
     "indication for the procedure|indications for the procedure|surgical indications|"
     "operative indications|indications of procedure|reason for visit|background"},
    {"history_of_present_illness", "history of present illness|hpi|present illness"},
    {"chief_complaint", "chief complaint|cc"},
    {"technique", "technique|procedure technique|operative technique|protocol"},
    {"comparison", "comparison|comparisons|prior studies|prior study"},
    {"exam", "exam|examination|study|type of study"},
    {"procedure",
     "procedure|procedures|procedure performed|procedures performed|operation|operations|"
     "operation performed|operations performed|name of procedure|name of operation|"
     "title of operation|title of procedure|surgical procedure|operative procedure|"
     "procedure done|procedures done"},
    {"procedure_description",
     "description of procedure|description of the procedure|procedure in detail|"
     "details of procedure|details of the procedure|description of operation|"
     "description of the operation|procedure details|procedure note|operative note|"
     "operative report|detailed description of procedure|operation in detail|"
     "operative procedure in detail|procedure detail|summary of procedure|"
     "summary of surgery|summary of surgery in detail"},
    {"preoperative_diagnosis",
     "preoperative diagnosis|preoperative diagnoses|pre - operative diagnosis|"
     "pre - operative diagnoses|preop diagnosis|pre - op diagnosis"},
    {"postoperative_diagnosis",
     "postoperative diagnosis|postoperative diagnoses|post - operative diagnosis|"
     "post - operative diagnoses|postop diagnosis|post - op diagnosis"},
    {"diagnosis",
     "diagnosis|diagnoses|admitting diagnosis|admission diagnosis|admission diagnoses|"
     "discharge diagnosis|discharge diagnoses|final diagnosis|final diagnoses|"
     "primary diagnosis|secondary diagnosis|secondary diagnoses"},
    {"assessment", "assessment|final assessment"},
    {"assessment_and_plan",
     "assessment and plan|assessment / plan|impression and plan|impression / plan|a / p|"
     "impression and recommendations|impression and recommendation"},
    {"plan", "plan|recommendation|recommendations|plan and recommendations|disposition|"
             "follow - up|followup|follow up"},
    {"past_medical_history",
     "past medical history|pmh|medical history|past history|past medical and surgical history"},
    {"past_surgical_history",
     "past surgical history|psh|surgical history|previous surgery|previous surgeries|"
     "prior surgery|prior surgeries"},
    {"family_history", "family history|fh|family medical history"},
    {"social_history", "social history|sh|habits"},
    {"medications",
     "medications|medication|current medications|meds|home medications|"
     "medications on admission|admission medications|discharge medications"},
    {"allergies", "allergies|allergy|drug allergies|allergic reactions"},
    {"physical_exam",
     "physical examination|physical exam|pe|exam on admission|examination on admission"},
    {"neurological_exam",
     "neurological examination|neurologic examination|neurological exam|neurologic exam|"
     "neuro exam|mental status"},
    {"review_of_systems", "review of systems|ros"},
    {"anesthesia", "anesthesia|type of anesthesia"},
    {"complications", "complications"},
    {"estimated_blood_loss", "estimated blood loss|ebl|blood loss"},
    {"specimens", "specimen|specimens|specimens removed"},
    {"drains", "drains|drain"},
    {"implants", "implants|implant|hardware|instrumentation"},
    {"fluids", "fluids|iv fluids|fluids received"},
    {"laboratory", "laboratory|laboratory data|laboratory studies|labs|lab data"},
    {"imaging",
     "imaging|imaging studies|radiology|radiographic studies|diagnostic studies|studies|"
     "x - rays|radiographs"},
    {"summary", "summary|brief summary|clinical summary"},
    {"discussion", "discussion"},
    {"addendum", "addendum"},
    {"condition", "condition|condition on discharge|discharge condition"},
    {"hospital_course", "hospital course"},
    {"vital_signs", "vital signs|vitals"},
};

/* Words that title-case headers keep in lower case ("History of Present Illness"). */
static int small_word(const char *s, size_t n) {
  static const char *const W[] = {"of", "and", "for", "to", "the", "on", "in", "at", "or", "with"};
  for (size_t i = 0; i < sizeof W / sizeof *W; i++)
    if (strlen(W[i]) == n && memcmp(W[i], s, n) == 0) return 1;
  return 0;
}

static void rule_free(sec_rule *r) {
  for (size_t i = 0; i < r->ntok; i++) free(r->tok[i]);
  free(r->tok);
}

void vt__section_rules_free(vt__section_rules *rules) {
  if (!rules) return;
  for (size_t i = 0; i < rules->n; i++) rule_free(&rules->r[i]);
  free(rules->r);
  for (size_t i = 0; i < rules->nnames; i++) free(rules->names[i]);
  free(rules->names);
  free(rules);
}

/* Adds a rule for `phrase` (tokenized like documents). VT_EFORMAT if the
 * phrase has no words or is invalid UTF-8. */
static vt_status add_rule(vt__section_rules *rules, const char *name, const char *phrase,
                          size_t len, vt_error *err) {
  vt__doc d;
  vt_status st = vt__doc_init(&d, phrase, len, err);
  if (st) return st;
  size_t ntok = d.ntoks;
  int colon = 0;
  if (ntok && d.text[d.toks[ntok - 1].start] == ':' && (d.toks[ntok - 1].flags & VT_TOK_PUNCT)) {
    colon = 1;
    ntok--;
  }
  if (!ntok || ntok > 16) {
    vt__doc_free(&d);
    return vt_error_set(err, VT_EFORMAT, NULL, "section phrase \"%.*s\" has %s", (int)len, phrase,
                        ntok ? "more than 16 words" : "no words");
  }
  if (rules->n == rules->cap) {
    size_t cap = rules->cap ? rules->cap * 2 : 256;
    sec_rule *r = realloc(rules->r, cap * sizeof *r);
    if (!r) goto oom;
    rules->r = r;
    rules->cap = cap;
  }
  sec_rule *r = &rules->r[rules->n];
  r->tok = calloc(ntok, sizeof *r->tok);
  if (!r->tok) goto oom;
  r->ntok = 0;
  for (size_t i = 0; i < ntok; i++) {
    size_t n = d.toks[i].end - d.toks[i].start;
    r->tok[i] = malloc(n + 1);
    if (!r->tok[i]) {
      rule_free(r);
      goto oom;
    }
    memcpy(r->tok[i], d.lower + d.toks[i].start, n);
    r->tok[i][n] = '\0';
    r->ntok++;
  }
  r->name = name;
  r->need_colon = colon;
  r->order = rules->n;
  rules->n++;
  rules->sorted = 0;
  vt__doc_free(&d);
  return VT_OK;
oom:
  vt__doc_free(&d);
  return vt_error_set(err, VT_ENOMEM, NULL, "out of memory for section rules");
}

static int rule_cmp(const void *a, const void *b) {
  const sec_rule *x = a, *y = b;
  int c = strcmp(x->tok[0], y->tok[0]);
  if (c) return c;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* Rules are kept sorted by first word for a binary search per candidate. */
static void rules_sort(vt__section_rules *rules) {
  if (!rules->sorted) qsort(rules->r, rules->n, sizeof *rules->r, rule_cmp);
  for (size_t i = 0; i < rules->n; i++) rules->r[i].order = i;
  rules->sorted = 1;
}

vt_status vt__section_rules_builtin(vt__section_rules **out, vt_error *err) {
  vt__section_rules *rules = calloc(1, sizeof *rules);
  if (!rules) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory for section rules");
  for (size_t i = 0; i < sizeof BUILTIN / sizeof *BUILTIN; i++) {
    const char *p = BUILTIN[i][1];
    while (*p) {
      const char *bar = strchr(p, '|');
      size_t n = bar ? (size_t)(bar - p) : strlen(p);
      vt_status st = add_rule(rules, BUILTIN[i][0], p, n, err);
      if (st) {
        vt__section_rules_free(rules);
        return st;
      }
      p += n + (bar != NULL);
    }
  }
  rules_sort(rules);
  *out = rules;
  return VT_OK;
}

/* The interned copy of a category name from a loaded file. */
static const char *intern(vt__section_rules *rules, const char *name) {
  for (size_t i = 0; i < sizeof BUILTIN / sizeof *BUILTIN; i++)
    if (strcmp(BUILTIN[i][0], name) == 0) return BUILTIN[i][0];
  for (size_t i = 0; i < rules->nnames; i++)
    if (strcmp(rules->names[i], name) == 0) return rules->names[i];
  if (rules->nnames == rules->capnames) {
    size_t cap = rules->capnames ? rules->capnames * 2 : 32;
    char **v = realloc(rules->names, cap * sizeof *v);
    if (!v) return NULL;
    rules->names = v;
    rules->capnames = cap;
  }
  size_t n = strlen(name);
  char *c = malloc(n + 1);
  if (!c) return NULL;
  memcpy(c, name, n + 1);
  rules->names[rules->nnames++] = c;
  return c;
}

/* A token-dict pattern [{"LOWER": "past"}, {"LOWER": "history"}, {"TEXT": ":"}]
 * as a phrase; only exact-word keys (LOWER, TEXT, ORTH, NORM) are supported. */
static vt_status dict_phrase(const json_t *pat, char *buf, size_t cap, size_t *len,
                             const char **bad) {
  size_t n = 0, i;
  json_t *tokd;
  json_array_foreach(pat, i, tokd) {
    const char *keys[] = {"LOWER", "TEXT", "ORTH", "NORM", "lower", "text", "orth", "norm"};
    const char *w = NULL;
    if (!json_is_object(tokd) || json_object_size(tokd) != 1) {
      *bad = "a token pattern must have exactly one key";
      return VT_EUNSUPPORTED;
    }
    for (size_t k = 0; k < sizeof keys / sizeof *keys && !w; k++) {
      json_t *v = json_object_get(tokd, keys[k]);
      if (v) {
        if (!json_is_string(v)) {
          *bad = "token values must be strings (operators such as IN, REGEX are not supported)";
          return VT_EUNSUPPORTED;
        }
        w = json_string_value(v);
      }
    }
    if (!w) {
      *bad = "only LOWER, TEXT, ORTH and NORM token attributes are supported";
      return VT_EUNSUPPORTED;
    }
    size_t wl = strlen(w);
    if (n + wl + 2 > cap) {
      *bad = "pattern longer than 1000 bytes";
      return VT_ELIMIT;
    }
    if (n) buf[n++] = ' ';
    memcpy(buf + n, w, wl);
    n += wl;
  }
  buf[n] = '\0';
  *len = n;
  return VT_OK;
}

vt_status vt__section_rules_load_medspacy(vt__section_rules *rules, const char *path,
                                          vt_error *err) {
  json_error_t jerr;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    char where[VT_ERROR_WHERE_MAX];
    snprintf(where, sizeof where, "%s: line %d", path, jerr.line);
    return vt_error_set(err, jerr.line < 0 ? VT_EIO : VT_EFORMAT, where, "%s", jerr.text);
  }
  json_t *list = json_is_object(root) ? json_object_get(root, "section_rules") : root;
  vt_status st = VT_OK;
  if (!json_is_array(list)) {
    st = vt_error_set(err, VT_EFORMAT, path,
                      "expected {\"section_rules\": [...]} or a list of section rules");
    goto done;
  }
  if (json_array_size(list) > 100000) {
    st = vt_error_set(err, VT_ELIMIT, path, "more than 100000 section rules");
    goto done;
  }
  size_t i;
  json_t *item;
  json_array_foreach(list, i, item) {
    char where[VT_ERROR_WHERE_MAX];
    snprintf(where, sizeof where, "%s: section rule %zu", path, i + 1);
    json_t *cat = json_object_get(item, "category");
    if (!cat) cat = json_object_get(item, "section_title");
    json_t *pat = json_object_get(item, "literal");
    if (!pat) pat = json_object_get(item, "pattern");
    if (!json_is_string(cat) || !pat) {
      st = vt_error_set(err, VT_EFORMAT, where,
                        "needs \"category\" (or \"section_title\") and \"literal\" (or \"pattern\")");
      goto done;
    }
    const char *name = intern(rules, json_string_value(cat));
    if (!name) {
      st = vt_error_set(err, VT_ENOMEM, where, "out of memory");
      goto done;
    }
    if (json_is_string(pat)) {
      st = add_rule(rules, name, json_string_value(pat), json_string_length(pat), err);
    } else if (json_is_array(pat)) {
      char buf[1024];
      size_t len = 0;
      const char *bad = NULL;
      st = dict_phrase(pat, buf, sizeof buf, &len, &bad);
      if (st) {
        st = vt_error_set(err, st, where, "%s", bad);
        goto done;
      }
      st = add_rule(rules, name, buf, len, err);
    } else {
      st = vt_error_set(err, VT_EFORMAT, where, "\"pattern\" must be a string or a list");
      goto done;
    }
    if (st) {
      vt_error_wrap(err, where);
      goto done;
    }
  }
done:
  rules_sort(rules);
  json_decref(root);
  return st;
}

/* Whether token t's lower-case text equals w. */
static int tok_is(const vt__doc *doc, size_t t, const char *w) {
  size_t n = doc->toks[t].end - doc->toks[t].start;
  return strncmp(doc->lower + doc->toks[t].start, w, n) == 0 && w[n] == '\0';
}

static int punct_is(const vt__doc *doc, size_t t, const char *set) {
  return t < doc->ntoks && (doc->toks[t].flags & VT_TOK_PUNCT) &&
         strchr(set, doc->text[doc->toks[t].start]) != NULL;
}

/* An en or em dash (U+2013, U+2014) token. */
static int is_wide_dash(const vt__doc *doc, size_t t) {
  if (t >= doc->ntoks || doc->toks[t].end - doc->toks[t].start != 3) return 0;
  const unsigned char *p = (const unsigned char *)doc->text + doc->toks[t].start;
  return p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94);
}

/* Case of header tokens [a, b): 2 all capitals, 1 title case, 0 otherwise. */
static int header_case(const vt__doc *doc, size_t a, size_t b) {
  int upper = 1, title = 1, words = 0;
  for (size_t t = a; t < b; t++) {
    uint32_t f = doc->toks[t].flags;
    if (f & VT_TOK_PUNCT) continue;
    if (f & VT_TOK_DIGIT) return 0;
    words++;
    if (!(f & VT_TOK_UPPER)) upper = 0;
    if (!(f & (VT_TOK_UPPER | VT_TOK_TITLE)) &&
        (t == a || !small_word(doc->lower + doc->toks[t].start, doc->toks[t].end - doc->toks[t].start)))
      title = 0;
  }
  if (!words) return 0;
  return upper ? 2 : title ? 1 : 0;
}

/* Longest rule matching at token t: returns its token count, 0 if none. */
static size_t match_rule(const vt__section_rules *rules, const vt__doc *doc, size_t t,
                         const sec_rule **hit) {
  size_t lo = 0, hi = rules->n;
  size_t n0 = doc->toks[t].end - doc->toks[t].start;
  const char *w = doc->lower + doc->toks[t].start;
  while (lo < hi) { /* first rule whose first word is >= the token */
    size_t mid = (lo + hi) / 2;
    const char *r = rules->r[mid].tok[0];
    int c = strncmp(r, w, n0);
    if (c == 0 && r[n0] != '\0') c = 1;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  size_t best = 0;
  for (size_t i = lo; i < rules->n && tok_is(doc, t, rules->r[i].tok[0]); i++) {
    const sec_rule *r = &rules->r[i];
    if (t + r->ntok > doc->ntoks || r->ntok < best) continue;
    size_t k = 1;
    while (k < r->ntok && !(doc->toks[t + k].flags & VT_TOK_NL_BEFORE) &&
           tok_is(doc, t + k, r->tok[k]))
      k++;
    if (k < r->ntok) continue;
    if (r->need_colon && !punct_is(doc, t + k, ":")) continue;
    best = r->ntok; /* ties: the later (loaded) rule wins */
    *hit = r;
  }
  return best;
}

/* An unknown header: 1-6 capitalised words then a colon ("ESTIMATED FLUIDS:"). */
static size_t generic_header(const vt__doc *doc, size_t t) {
  size_t k = t, letters = 0;
  while (k < doc->ntoks && k - t < 8) {
    uint32_t f = doc->toks[k].flags;
    if (k > t && (f & VT_TOK_NL_BEFORE)) return 0;
    if ((f & VT_TOK_ALPHA) && (f & VT_TOK_UPPER)) letters += doc->toks[k].end - doc->toks[k].start;
    else if (k > t && punct_is(doc, k, "/&"))
      ;
    else break;
    k++;
  }
  if (k == t || letters < 3 || !punct_is(doc, k, ":")) return 0;
  return k - t;
}

static vt_status push_section(vt__doc *doc, size_t *cap, const char *name, size_t hs, size_t he) {
  if (doc->nsecs == *cap) {
    size_t ncap = *cap ? *cap * 2 : 16;
    if (ncap > ((size_t)1 << 20)) return VT_ELIMIT;
    vt__section *s = realloc(doc->secs, ncap * sizeof *s);
    if (!s) return VT_ENOMEM;
    doc->secs = s;
    *cap = ncap;
  }
  vt__section *s = &doc->secs[doc->nsecs++];
  s->name = name;
  s->head_start = hs;
  s->head_end = he;
  s->start = he;
  s->end = doc->len;
  if (doc->nsecs > 1) doc->secs[doc->nsecs - 2].end = hs;
  return VT_OK;
}

vt_status vt__sections_find(const vt__section_rules *rules, vt__doc *doc, vt_error *err) {
  free(doc->secs);
  doc->secs = NULL;
  doc->nsecs = 0;
  size_t cap = 0;
  for (size_t t = 0; t < doc->ntoks; t++) {
    uint32_t f = doc->toks[t].flags;
    if (f & (VT_TOK_PUNCT | VT_TOK_DIGIT)) continue;
    int line_start = (f & VT_TOK_NL_BEFORE) != 0;
    /* Mid-line headers follow a sentence or a field end: ".", ",", ";", ")".
     * MTSamples flattened line breaks into ".," and ":,". */
    if (!line_start && (!(f & (VT_TOK_UPPER | VT_TOK_TITLE)) ||
                        !(t > 0 && punct_is(doc, t - 1, ".,;:)!?"))))
      continue; /* mid-line headers are capitalised */
    const sec_rule *hit = NULL;
    size_t n = match_rule(rules, doc, t, &hit);
    const char *name = hit ? hit->name : NULL;
    if (!n) {
      n = generic_header(doc, t);
      name = "other";
      if (!n) continue;
    }
    size_t e = t + n; /* first token after the header words */
    int colon = punct_is(doc, e, ":");
    int hcase = header_case(doc, t, e);
    int ok;
    if (colon) {
      /* at a line start any case will do; mid-line only capitals or title case */
      ok = line_start || hcase > 0;
    } else {
      /* without a colon: capitals or title case, alone on its line or before a dash */
      int alone = e == doc->ntoks || (doc->toks[e].flags & VT_TOK_NL_BEFORE);
      int dash = punct_is(doc, e, "-") || is_wide_dash(doc, e);
      ok = line_start && hcase > 0 && (alone || dash);
    }
    if (!ok) continue;
    size_t he = colon ? doc->toks[e].end : doc->toks[e - 1].end;
    vt_status st = push_section(doc, &cap, name, doc->toks[t].start, he);
    if (st) return vt_error_set(err, st, NULL, "too many sections");
    t = colon ? e : e - 1;
  }
  return VT_OK;
}
