/* context_load.c — reads user ConText rules in three formats, detected from the
 * content: Vertebra JSON ({"format": "vertebra-context", ...}), medspaCy's
 * en_context_rules.json ({"context_rules": [...]}) and NegEx trigger files
 * ("phrase<TAB><TAB>[PREN]"). A file is parsed and checked whole before any of
 * its rules is added, so a bad file leaves the rule set unchanged. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "text/context_rules.h"

/* medspaCy token patterns are expanded into literal phrases; this caps the
 * product of the alternatives of one rule. */
#define MAX_EXPANSIONS 4096

typedef struct pending {
  char *phrase;
  int cat, dir;
  unsigned scope;
} pending;

typedef struct plist {
  pending *v;
  size_t n, cap;
} plist;

static void plist_free(plist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i].phrase);
  free(l->v);
}

static vt_status plist_push(plist *l, const char *phrase, size_t len, int cat, int dir,
                            unsigned scope) {
  if (l->n >= VT_CTX_MAX_RULES) return VT_ELIMIT;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    pending *v = realloc(l->v, cap * sizeof *v);
    if (!v) return VT_ENOMEM;
    l->v = v;
    l->cap = cap;
  }
  char *p = malloc(len + 1);
  if (!p) return VT_ENOMEM;
  memcpy(p, phrase, len);
  p[len] = 0;
  l->v[l->n++] = (pending){p, cat, dir, scope};
  return VT_OK;
}

/* Checks a phrase as vt__ctx_add will see it: not empty, not too long, no NUL. */
static int phrase_ok(const char *s, size_t n) {
  size_t visible = 0;
  for (size_t i = 0; i < n; i++) {
    if (!s[i]) return 0;
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') visible++;
  }
  return visible > 0 && n <= VT_CTX_MAX_PHRASE;
}

/* Terminators listed for "all" categories become one rule per axis. */
static vt_status push_rule(plist *l, const char *phrase, size_t len, int cat, int dir,
                           unsigned scope) {
  if (cat >= 0) return plist_push(l, phrase, len, cat, dir, scope);
  static const int reps[] = {VT_CTX_NEGATED, VT_CTX_HISTORICAL, VT_CTX_HYPOTHETICAL,
                             VT_CTX_FAMILY};
  for (size_t i = 0; i < 4; i++) {
    vt_status st = plist_push(l, phrase, len, reps[i], dir, scope);
    if (st) return st;
  }
  return VT_OK;
}

/* ---- NegEx trigger files ---- */

typedef struct tag_map {
  const char *tag;
  int possible; /* PREP/POSP: the possible category of NegEx */
  int dir;
  unsigned scope;
} tag_map;

static const tag_map negex_tags[] = {
    {"[PREN]", 0, VT_CTX_FORWARD, 0},   {"[POST]", 0, VT_CTX_BACKWARD, 0},
    {"[PREP]", 1, VT_CTX_FORWARD, 0},   {"[POSP]", 1, VT_CTX_BACKWARD, 0},
    {"[PSEU]", 0, VT_CTX_PSEUDO, 0},    {"[CONJ]", 0, VT_CTX_TERMINATE, 0},
    /* genConText: [ONEW] "one word trigger" modifies the next word only;
     * [FSTT] "for some time" follows the condition it dates. */
    {"[ONEW]", 0, VT_CTX_FORWARD, 1},   {"[FSTT]", 0, VT_CTX_BACKWARD, 0},
};

static vt_status load_negex(plist *l, const char *path, const char *data, size_t len, int cat,
                            vt_error *err) {
  size_t line = 0, pos = 0;
  char where[VT_ERROR_WHERE_MAX];
  while (pos < len) {
    size_t eol = pos;
    while (eol < len && data[eol] != '\n') eol++;
    line++;
    size_t end = eol;
    while (end > pos && (data[end - 1] == '\r' || data[end - 1] == ' ' || data[end - 1] == '\t'))
      end--;
    size_t start = pos;
    pos = eol + 1;
    if (line == 1 && end - start >= 3 && !memcmp(data + start, "\xEF\xBB\xBF", 3)) start += 3;
    if (end == start || data[start] == '#') continue;
    snprintf(where, sizeof where, "%s: line %zu", path, line);
    /* The tag is the last tab-separated field. */
    size_t tab = end;
    while (tab > start && data[tab - 1] != '\t') tab--;
    if (tab == start)
      return vt_error_set(err, VT_EFORMAT, where,
                          "expected 'phrase<TAB><TAB>[TAG]' (NegEx trigger format), found no tab");
    size_t tlen = end - tab;
    const tag_map *m = NULL;
    for (size_t i = 0; i < sizeof negex_tags / sizeof *negex_tags; i++)
      if (tlen == strlen(negex_tags[i].tag) && !memcmp(data + tab, negex_tags[i].tag, tlen))
        m = &negex_tags[i];
    if (!m)
      return vt_error_set(err, VT_EFORMAT, where,
                          "unknown tag '%.*s' (expected [PREN], [POST], [PREP], [POSP], "
                          "[PSEU], [CONJ], [ONEW] or [FSTT])",
                          (int)(tlen > 40 ? 40 : tlen), data + tab);
    size_t pend = tab;
    while (pend > start && (data[pend - 1] == '\t' || data[pend - 1] == ' ')) pend--;
    if (!phrase_ok(data + start, pend - start))
      return vt_error_set(err, VT_EFORMAT, where, "empty phrase or longer than %d bytes",
                          VT_CTX_MAX_PHRASE);
    int c = cat;
    if (m->possible && cat == VT_CTX_NEGATED) c = VT_CTX_POSSIBLE;
    vt_status st = plist_push(l, data + start, pend - start, c, m->dir, m->scope);
    if (st) return vt_error_set(err, st, where, "too many rules or out of memory");
  }
  if (l->n == 0) return vt_error_set(err, VT_EFORMAT, path, "no rules in the file");
  return VT_OK;
}

/* ---- medspaCy context rules ---- */

typedef struct alt_list {
  const char *alts[64]; /* borrowed from the JSON document */
  size_t n;
  int optional;
} alt_list;

/* One token dict: {"LOWER": "x" | {"IN": [...]}, "OP": "?"}. */
static vt_status token_alts(json_t *tok, alt_list *out, const char *where, vt_error *err) {
  memset(out, 0, sizeof *out);
  if (!json_is_object(tok))
    return vt_error_set(err, VT_EFORMAT, where, "a pattern token must be an object");
  const char *key;
  json_t *val;
  int have = 0;
  json_object_foreach(tok, key, val) {
    if (!strcmp(key, "OP")) {
      const char *op = json_string_value(val);
      if (!op) return vt_error_set(err, VT_EFORMAT, where, "\"OP\" must be a string");
      if (!strcmp(op, "?"))
        out->optional = 1;
      else if (strcmp(op, "1"))
        return vt_error_set(err, VT_EUNSUPPORTED, where,
                            "token operator \"%s\" is not supported (only \"?\"); "
                            "see docs/text-context.md",
                            op);
      continue;
    }
    if (strcmp(key, "LOWER") && strcmp(key, "TEXT") && strcmp(key, "ORTH") &&
        strcmp(key, "NORM"))
      return vt_error_set(err, VT_EUNSUPPORTED, where,
                          "token attribute \"%s\" is not supported (LOWER, TEXT, ORTH, NORM)",
                          key);
    if (have)
      return vt_error_set(err, VT_EUNSUPPORTED, where,
                          "a token with two text attributes is not supported");
    have = 1;
    if (json_is_string(val)) {
      out->alts[out->n++] = json_string_value(val);
    } else if (json_is_object(val) && json_object_size(val) == 1 &&
               json_is_array(json_object_get(val, "IN"))) {
      json_t *arr = json_object_get(val, "IN");
      size_t i;
      json_t *s;
      json_array_foreach(arr, i, s) {
        if (!json_is_string(s))
          return vt_error_set(err, VT_EFORMAT, where, "\"IN\" must list strings");
        if (out->n >= sizeof out->alts / sizeof *out->alts)
          return vt_error_set(err, VT_ELIMIT, where, "more than 64 alternatives in one token");
        out->alts[out->n++] = json_string_value(s);
      }
    } else {
      return vt_error_set(err, VT_EUNSUPPORTED, where,
                          "token value must be a string or {\"IN\": [...]}");
    }
  }
  if (!have)
    return vt_error_set(err, VT_EUNSUPPORTED, where, "token without LOWER/TEXT/ORTH/NORM");
  if (out->n == 0) return vt_error_set(err, VT_EFORMAT, where, "token with no alternatives");
  return VT_OK;
}

/* spaCy splits "mother's" into "mother" + "'s" and "didn't" into "did" + "n't":
 * such tokens join the previous one without a space. */
static int joins_previous(const char *tok) {
  return tok[0] == '\'' || !strcmp(tok, "n't") || tok[0] == ',' || tok[0] == '.';
}

static vt_status expand(plist *l, const alt_list *toks, size_t ntoks, int cat, int dir,
                        unsigned scope, const char *where, vt_error *err) {
  size_t total = 1;
  for (size_t i = 0; i < ntoks; i++) {
    total *= toks[i].n + (size_t)toks[i].optional;
    if (total > MAX_EXPANSIONS)
      return vt_error_set(err, VT_ELIMIT, where,
                          "the pattern expands to more than %d phrases", MAX_EXPANSIONS);
  }
  for (size_t k = 0; k < total; k++) {
    char buf[VT_CTX_MAX_PHRASE + 2];
    size_t n = 0, idx = k;
    int overflow = 0;
    for (size_t i = 0; i < ntoks; i++) {
      size_t m = toks[i].n + (size_t)toks[i].optional;
      size_t pick = idx % m;
      idx /= m;
      if (pick == toks[i].n) continue; /* the optional token left out */
      const char *t = toks[i].alts[pick];
      size_t tl = strlen(t);
      int sp = n > 0 && !joins_previous(t);
      if (n + (size_t)sp + tl > VT_CTX_MAX_PHRASE) {
        overflow = 1;
        break;
      }
      if (sp) buf[n++] = ' ';
      memcpy(buf + n, t, tl);
      n += tl;
    }
    if (overflow)
      return vt_error_set(err, VT_EFORMAT, where, "phrase longer than %d bytes",
                          VT_CTX_MAX_PHRASE);
    if (n == 0 || !phrase_ok(buf, n)) continue; /* every token optional and left out */
    vt_status st = push_rule(l, buf, n, cat, dir, scope);
    if (st) return vt_error_set(err, st, where, "too many rules or out of memory");
  }
  return VT_OK;
}

static vt_status get_scope(json_t *rule, const char *key, unsigned *scope, const char *where,
                           vt_error *err) {
  json_t *v = json_object_get(rule, key);
  *scope = 0;
  if (!v || json_is_null(v)) return VT_OK;
  if (!json_is_integer(v) || json_integer_value(v) < 1 ||
      json_integer_value(v) > VT_CTX_MAX_SCOPE)
    return vt_error_set(err, VT_EFORMAT, where, "\"%s\" must be an integer in [1, %d]", key,
                        VT_CTX_MAX_SCOPE);
  *scope = (unsigned)json_integer_value(v);
  return VT_OK;
}

/* The category, direction and max_scope of one JSON rule (both formats).
 * A missing direction is BIDIRECTIONAL (medspaCy's default); "all" is accepted
 * as the category of a terminator when allow_all is set. */
static vt_status rule_head(json_t *rule, const char *where, int allow_all, int *cat, int *dir,
                           unsigned *scope, vt_error *err) {
  const char *cat_s = json_string_value(json_object_get(rule, "category"));
  const char *dir_s = json_string_value(json_object_get(rule, "direction"));
  if (!cat_s) return vt_error_set(err, VT_EFORMAT, where, "missing \"category\"");
  *dir = dir_s ? vt__ctx_dir_parse(dir_s) : VT_CTX_BIDIRECTIONAL;
  if (*dir < 0)
    return vt_error_set(err, VT_EFORMAT, where,
                        "direction \"%s\" is not FORWARD, BACKWARD, BIDIRECTIONAL, PSEUDO, "
                        "TERMINATE or SUBJECT",
                        dir_s);
  *cat = vt__ctx_cat_parse(cat_s);
  if (allow_all && !strcmp(cat_s, "all") && *dir == VT_CTX_TERMINATE) *cat = -1;
  else if (*cat < 0)
    return vt_error_set(err, VT_EUNSUPPORTED, where,
                        "category \"%s\" is not one of NEGATED_EXISTENCE (negated), "
                        "POSSIBLE_EXISTENCE (possible), HISTORICAL, HYPOTHETICAL, FAMILY, "
                        "OTHER_EXPERIENCER (other)%s",
                        cat_s, allow_all ? " or \"all\" (terminators)" : "");
  return get_scope(rule, "max_scope", scope, where, err);
}

static vt_status load_medspacy(plist *l, const char *path, json_t *rules, vt_error *err) {
  size_t i;
  json_t *rule;
  char where[VT_ERROR_WHERE_MAX];
  json_array_foreach(rules, i, rule) {
    snprintf(where, sizeof where, "%s: context_rules[%zu]", path, i);
    if (!json_is_object(rule)) return vt_error_set(err, VT_EFORMAT, where, "a rule must be an object");
    const char *literal = json_string_value(json_object_get(rule, "literal"));
    json_t *pattern = json_object_get(rule, "pattern");
    int cat, dir;
    unsigned scope;
    vt_status st = rule_head(rule, where, 0, &cat, &dir, &scope, err);
    if (st) return st;
    if (pattern && json_is_string(pattern)) {
      literal = json_string_value(pattern); /* medspaCy also takes a string pattern */
      pattern = NULL;
    }
    if (pattern && !json_is_null(pattern)) {
      if (!json_is_array(pattern) || json_array_size(pattern) == 0 ||
          json_array_size(pattern) > 32)
        return vt_error_set(err, VT_EFORMAT, where,
                            "\"pattern\" must be null, a string or a list of 1..32 token dicts");
      alt_list toks[32];
      size_t k;
      json_t *tok;
      json_array_foreach(pattern, k, tok) {
        char twhere[VT_ERROR_WHERE_MAX];
        snprintf(twhere, sizeof twhere, "%s.pattern[%zu]", where, k);
        st = token_alts(tok, &toks[k], twhere, err);
        if (st) return st;
      }
      st = expand(l, toks, json_array_size(pattern), cat, dir, scope, where, err);
      if (st) return st;
      continue;
    }
    if (!literal || !phrase_ok(literal, strlen(literal)))
      return vt_error_set(err, VT_EFORMAT, where,
                          "missing \"literal\" (or it is empty or longer than %d bytes)",
                          VT_CTX_MAX_PHRASE);
    st = push_rule(l, literal, strlen(literal), cat, dir, scope);
    if (st) return vt_error_set(err, st, where, "too many rules or out of memory");
  }
  return VT_OK;
}

/* ---- Vertebra JSON ---- */

static vt_status load_vertebra(plist *l, const char *path, json_t *root,
                               unsigned defaults[VT_CTX_NCAT], vt_error *err) {
  char where[VT_ERROR_WHERE_MAX];
  json_t *ver = json_object_get(root, "version");
  if (ver && (!json_is_integer(ver) || json_integer_value(ver) != 1))
    return vt_error_set(err, VT_EUNSUPPORTED, path, "only \"version\": 1 is supported");
  json_t *ds = json_object_get(root, "default_scope");
  if (ds) {
    if (!json_is_object(ds))
      return vt_error_set(err, VT_EFORMAT, path, "\"default_scope\" must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(ds, key, v) {
      snprintf(where, sizeof where, "%s: default_scope.%s", path, key);
      int cat = vt__ctx_cat_parse(key);
      if (cat < 0) return vt_error_set(err, VT_EFORMAT, where, "unknown category");
      if (!json_is_integer(v) || json_integer_value(v) < 1 ||
          json_integer_value(v) > VT_CTX_MAX_SCOPE)
        return vt_error_set(err, VT_EFORMAT, where, "must be an integer in [1, %d]",
                            VT_CTX_MAX_SCOPE);
      defaults[cat] = (unsigned)json_integer_value(v);
    }
  }
  json_t *rules = json_object_get(root, "rules");
  if (!json_is_array(rules))
    return vt_error_set(err, VT_EFORMAT, path, "\"rules\" must be a list");
  size_t i;
  json_t *rule;
  json_array_foreach(rules, i, rule) {
    snprintf(where, sizeof where, "%s: rules[%zu]", path, i);
    if (!json_is_object(rule)) return vt_error_set(err, VT_EFORMAT, where, "a rule must be an object");
    if (!json_object_get(rule, "direction"))
      return vt_error_set(err, VT_EFORMAT, where, "missing \"direction\"");
    int cat, dir;
    unsigned scope;
    vt_status st = rule_head(rule, where, 1, &cat, &dir, &scope, err);
    if (st) return st;
    json_t *phrase = json_object_get(rule, "phrase");
    json_t *phrases = json_object_get(rule, "phrases");
    if ((phrase != NULL) == (phrases != NULL))
      return vt_error_set(err, VT_EFORMAT, where, "needs one of \"phrase\" or \"phrases\"");
    if (phrase) {
      const char *p = json_string_value(phrase);
      if (!p || !phrase_ok(p, strlen(p)))
        return vt_error_set(err, VT_EFORMAT, where,
                            "\"phrase\" must be a non-empty string of at most %d bytes",
                            VT_CTX_MAX_PHRASE);
      st = push_rule(l, p, strlen(p), cat, dir, scope);
      if (st) return vt_error_set(err, st, where, "too many rules or out of memory");
      continue;
    }
    if (!json_is_array(phrases) || json_array_size(phrases) == 0)
      return vt_error_set(err, VT_EFORMAT, where, "\"phrases\" must be a non-empty list");
    size_t k;
    json_t *p;
    json_array_foreach(phrases, k, p) {
      const char *s = json_string_value(p);
      if (!s || !phrase_ok(s, strlen(s)))
        return vt_error_set(err, VT_EFORMAT, where,
                            "phrases[%zu] must be a non-empty string of at most %d bytes", k,
                            VT_CTX_MAX_PHRASE);
      st = push_rule(l, s, strlen(s), cat, dir, scope);
      if (st) return vt_error_set(err, st, where, "too many rules or out of memory");
    }
  }
  return VT_OK;
}

/* "historical=FILE": a NegEx-format file whose tags apply to another category
 * (genConText's history/hypothetical/experiencer trigger files). */
static const char *split_category(const char *path, int *cat) {
  const char *eq = strchr(path, '=');
  *cat = VT_CTX_NEGATED;
  if (!eq || eq == path || eq - path > 24) return path;
  char name[32];
  memcpy(name, path, (size_t)(eq - path));
  name[eq - path] = 0;
  int c = vt__ctx_cat_parse(name);
  if (c < 0) return path;
  *cat = c;
  return eq + 1;
}

vt_status vt__context_load(vt__context *ctx, const char *path_arg, vt_error *err) {
  if (!ctx || !path_arg || !*path_arg)
    return vt_error_set(err, VT_EINVAL, "context rules", "no rule set or no file given");
  int cat;
  const char *path = split_category(path_arg, &cat);
  char *data = NULL;
  size_t len = 0;
  vt_status st = vt__read_file(path, VT_CTX_MAX_FILE, &data, &len, err);
  if (st) return st;
  st = vt__ctx_load_mem(ctx, path, data, len, cat, err);
  free(data);
  return st;
}

vt_status vt__ctx_load_mem(vt__context *ctx, const char *path, const char *data, size_t len,
                           int cat, vt_error *err) {
  if (len > VT_CTX_MAX_FILE)
    return vt_error_set(err, VT_ELIMIT, path, "%zu bytes exceeds the limit of %zu bytes", len,
                        VT_CTX_MAX_FILE);
  vt_status st;
  plist l = {0};
  unsigned defaults[VT_CTX_NCAT] = {0};
  size_t i = 0;
  if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) i = 3;
  while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) i++;
  if (i < len && (data[i] == '{' || data[i] == '[')) {
    json_error_t jerr;
    json_t *root = json_loadb(data + i, len - i, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
      st = vt_error_set(err, VT_EFORMAT, path, "line %d, column %d: %s", jerr.line, jerr.column,
                        jerr.text);
    } else if (json_is_object(root) && json_is_array(json_object_get(root, "context_rules"))) {
      st = load_medspacy(&l, path, json_object_get(root, "context_rules"), err);
    } else if (json_is_object(root) &&
               json_is_string(json_object_get(root, "format")) &&
               !strcmp(json_string_value(json_object_get(root, "format")), "vertebra-context")) {
      st = load_vertebra(&l, path, root, defaults, err);
    } else {
      st = vt_error_set(err, VT_EFORMAT, path,
                        "JSON is neither Vertebra context rules ({\"format\": "
                        "\"vertebra-context\", \"rules\": [...]}) nor medspaCy "
                        "({\"context_rules\": [...]})");
    }
    json_decref(root);
  } else {
    st = load_negex(&l, path, data, len, cat, err);
  }
  for (size_t k = 0; !st && k < l.n; k++) {
    st = vt__ctx_add(ctx, l.v[k].phrase, strlen(l.v[k].phrase), l.v[k].cat, l.v[k].dir,
                     l.v[k].scope);
    if (st) vt_error_set(err, st, path, "cannot add rule '%s'", l.v[k].phrase);
  }
  if (!st)
    for (int c = 0; c < VT_CTX_NCAT; c++)
      if (defaults[c]) ctx->default_scope[c] = (uint16_t)defaults[c];
  plist_free(&l);
  return st;
}
