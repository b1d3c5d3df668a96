/* out_fhir.c — one FHIR R4 Observation per finding mention, as entries of a
 * Bundle of type collection: SNOMED code when verified (else text and a note
 * saying it is uncoded), bodySite, present/absent value, severity and
 * assertion as components, derivedFrom the document, note with the words and
 * their byte offsets. Built with jansson so the JSON is always well formed. */
#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/output.h"
#include "text/result.h"

#define SNOMED_SYSTEM "http://snomed.info/sct"

static int span_ok(vt_text_span s, size_t len) {
  return s.start != VT_SPAN_NONE && s.end != VT_SPAN_NONE && s.start <= s.end && s.end <= len;
}

/* json_string of arbitrary bytes (invalid UTF-8 replaced): jansson refuses
 * invalid UTF-8, and ids come from file names and user tables. */
static json_t *jstr(const char *s, size_t n) {
  char *c = vt__utf8_dup(s, n);
  if (!c) return NULL;
  json_t *j = json_string(c);
  free(c);
  return j;
}

/* json_object_set_new that remembers a failure (NULL value or no memory). */
static void put(json_t *obj, const char *key, json_t *val, int *bad) {
  if (!val || json_object_set_new(obj, key, val)) *bad = 1;
}

static void push(json_t *arr, json_t *val, int *bad) {
  if (!val || json_array_append_new(arr, val)) *bad = 1;
}

static json_t *concept(const vt__snomed *code, const char *text, int *bad) {
  json_t *cc = json_object();
  if (!cc) {
    *bad = 1;
    return NULL;
  }
  if (code) {
    json_t *coding = json_array();
    json_t *c = json_object();
    put(c, "system", json_string(SNOMED_SYSTEM), bad);
    put(c, "code", json_string(code->code), bad);
    put(c, "display", json_string(code->display), bad);
    push(coding, c, bad);
    put(cc, "coding", coding, bad);
  }
  if (text) put(cc, "text", jstr(text, strlen(text)), bad);
  return cc;
}

static json_t *component(const char *name, const char *value_key, json_t *value, int *bad) {
  json_t *c = json_object();
  if (!c) {
    json_decref(value);
    *bad = 1;
    return NULL;
  }
  put(c, "code", concept(NULL, name, bad), bad);
  put(c, value_key, value, bad);
  return c;
}

/* A deterministic urn:uuid (name-based, SHA-1, RFC 4122 section 4.3) from the
 * document id and the mention's index, so re-runs give the same fullUrl. */
static json_t *entry_uuid(const char *id, size_t id_len, size_t index) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  char idx[32];
  int n = snprintf(idx, sizeof idx, "%zu", index);
  int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
           EVP_DigestUpdate(ctx, "vertebra-finding", 17) && EVP_DigestUpdate(ctx, id, id_len) &&
           EVP_DigestUpdate(ctx, "", 1) && EVP_DigestUpdate(ctx, idx, (size_t)n) &&
           EVP_DigestFinal_ex(ctx, md, &mdlen);
  EVP_MD_CTX_free(ctx);
  if (!ok || mdlen < 16) return NULL;
  md[6] = (unsigned char)((md[6] & 0x0F) | 0x50);
  md[8] = (unsigned char)((md[8] & 0x3F) | 0x80);
  char u[64];
  snprintf(u, sizeof u,
           "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0],
           md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12],
           md[13], md[14], md[15]);
  return json_string(u);
}

/* FHIR R4 id: [A-Za-z0-9\-\.]{1,64}. */
static int is_fhir_id(const char *id, size_t n) {
  if (n < 1 || n > 64) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = id[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '.'))
      return 0;
  }
  return 1;
}

static json_t *document_ref(const char *id, size_t id_len, int *bad) {
  json_t *r = json_object();
  if (!r) {
    *bad = 1;
    return NULL;
  }
  if (is_fhir_id(id, id_len)) {
    char ref[96];
    snprintf(ref, sizeof ref, "DocumentReference/%.*s", (int)id_len, id);
    put(r, "reference", json_string(ref), bad);
  } else {
    /* Not a FHIR id (file names, long ids): a logical reference by identifier. */
    put(r, "type", json_string("DocumentReference"), bad);
    json_t *ident = json_object();
    put(ident, "value", jstr(id, id_len), bad);
    put(r, "identifier", ident, bad);
  }
  return r;
}

static const char *experiencer_name(vt_experiencer e) {
  return e == VT_EXPERIENCER_FAMILY ? "family" : e == VT_EXPERIENCER_OTHER ? "other" : "patient";
}

/* The note: the words, where they are, and what modified them. */
static json_t *note_text(const vt_finding *f, const char *id, size_t id_len, const char *text,
                         size_t len) {
  vt_buf b;
  vt__buf_init(&b, 0);
  vt_status st = VT_OK;
  if (span_ok(f->span, len)) {
    st = vt__buf_puts(&b, "\"");
    if (!st) st = vt__buf_append(&b, text + f->span.start, f->span.end - f->span.start);
    if (!st)
      st = vt__buf_printf(&b, "\" at bytes %zu-%zu (UTF-8, end exclusive) of document \"",
                          f->span.start, f->span.end);
  } else {
    st = vt__buf_puts(&b, "Mention in document \"");
  }
  if (!st) st = vt__buf_append(&b, id, id_len);
  if (!st) st = vt__buf_puts(&b, "\"");
  if (!st && f->section) st = vt__buf_printf(&b, ", section %s", f->section);
  if (!st && span_ok(f->sentence, len)) {
    /* At most 1000 characters of the sentence, cut on a character boundary. */
    size_t n = vt__utf8_prefix(text + f->sentence.start, f->sentence.end - f->sentence.start, 1000);
    st = vt__buf_printf(&b, "; sentence at bytes %zu-%zu: \"", f->sentence.start, f->sentence.end);
    if (!st) st = vt__buf_append(&b, text + f->sentence.start, n);
    if (!st) st = vt__buf_puts(&b, n < f->sentence.end - f->sentence.start ? "...\"" : "\"");
  }
  if (!st && span_ok(f->trigger_span, len)) {
    st = vt__buf_puts(&b, "; modified by \"");
    if (!st)
      st = vt__buf_append(&b, text + f->trigger_span.start, f->trigger_span.end - f->trigger_span.start);
    if (!st)
      st = vt__buf_printf(&b, "\" (%s) at bytes %zu-%zu",
                          f->trigger_category ? f->trigger_category : "context", f->trigger_span.start,
                          f->trigger_span.end);
  }
  if (!st) st = vt__buf_puts(&b, ".");
  if (!st && !f->snomed)
    st = vt__buf_puts(&b, " The finding is not coded: no SNOMED CT code for it is verified in "
                          "Vertebra's terminology table, so only its text is given.");
  json_t *j = st ? NULL : jstr(b.data, b.len);
  vt__buf_free(&b);
  return j;
}

static json_t *observation(const vt_finding *f, const char *id, size_t id_len, const char *text,
                           size_t len, int *bad) {
  json_t *o = json_object();
  if (!o) {
    *bad = 1;
    return NULL;
  }
  put(o, "resourceType", json_string("Observation"), bad);
  put(o, "status", json_string("final"), bad);
  json_t *cat = json_array(), *cc = json_object(), *coding = json_array(), *c = json_object();
  put(c, "system", json_string("http://terminology.hl7.org/CodeSystem/observation-category"), bad);
  put(c, "code", json_string("imaging"), bad);
  put(c, "display", json_string("Imaging"), bad);
  push(coding, c, bad);
  put(cc, "coding", coding, bad);
  push(cat, cc, bad);
  put(o, "category", cat, bad);

  /* code: the finding's SNOMED CT code as the lexicon verified it, else text. */
  const char *name = f->finding ? f->finding : "finding";
  json_t *code = json_object();
  if (f->snomed) {
    json_t *cd = json_array(), *c1 = json_object();
    put(c1, "system", json_string(SNOMED_SYSTEM), bad);
    put(c1, "code", jstr(f->snomed, strlen(f->snomed)), bad);
    push(cd, c1, bad);
    put(code, "coding", cd, bad);
  }
  put(code, "text", jstr(name, strlen(name)), bad);
  put(o, "code", code, bad);

  if (f->level[0]) put(o, "bodySite", concept(vt__snomed_level(f->level), f->level, bad), bad);

  int present = !f->negated;
  put(o, "valueCodeableConcept", concept(vt__snomed_qualifier(present), present ? "present" : "absent", bad),
      bad);

  json_t *comps = json_array();
  if (f->severity[0])
    push(comps,
         component("severity", "valueCodeableConcept",
                   concept(vt__snomed_severity(f->severity), f->severity, bad), bad),
         bad);
  if (f->side[0])
    push(comps, component("laterality", "valueString", jstr(f->side, strlen(f->side)), bad), bad);
  if (f->listhesis_grade > 0)
    push(comps,
         component("listhesis grade (Meyerding)", "valueInteger", json_integer(f->listhesis_grade), bad),
         bad);
  if (f->size_mm >= 0 && isfinite(f->size_mm)) {
    json_t *q = json_object();
    put(q, "value", json_real(f->size_mm), bad);
    put(q, "unit", json_string("mm"), bad);
    put(q, "system", json_string("http://unitsofmeasure.org"), bad);
    put(q, "code", json_string("mm"), bad);
    push(comps, component("size", "valueQuantity", q, bad), bad);
  }
  push(comps, component("negated", "valueBoolean", json_boolean(f->negated), bad), bad);
  push(comps, component("uncertain", "valueBoolean", json_boolean(f->uncertain), bad), bad);
  push(comps, component("historical", "valueBoolean", json_boolean(f->historical), bad), bad);
  push(comps, component("hypothetical", "valueBoolean", json_boolean(f->hypothetical), bad), bad);
  push(comps,
       component("experiencer", "valueString", json_string(experiencer_name(f->experiencer)), bad),
       bad);
  put(o, "component", comps, bad);

  json_t *derived = json_array();
  push(derived, document_ref(id, id_len, bad), bad);
  put(o, "derivedFrom", derived, bad);

  json_t *notes = json_array(), *note = json_object();
  put(note, "text", note_text(f, id, id_len, text, len), bad);
  push(notes, note, bad);
  put(o, "note", notes, bad);
  return o;
}

vt_status vt__render_fhir(vt_buf *b, int *first, const char *id, size_t id_len,
                          const char *text, size_t len, const vt_text_result *res,
                          vt_error *err) {
  vt_status st = VT_OK;
  for (size_t i = 0; i < res->list.n && !st; i++) {
    int bad = 0;
    json_t *e = json_object();
    if (!e) bad = 1;
    else {
      put(e, "fullUrl", entry_uuid(id, id_len, i), &bad);
      put(e, "resource", observation(&res->list.v[i], id, id_len, text, len, &bad), &bad);
    }
    char *s = bad ? NULL : json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(e);
    if (!s) return VT_ENOMEM;
    if (!*first) st = vt__buf_puts(b, ",\n");
    if (!st) st = vt__buf_puts(b, s);
    free(s);
    *first = 0;
  }
  (void)err;
  return st;
}
