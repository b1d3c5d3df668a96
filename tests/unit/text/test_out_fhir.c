/* test_out_fhir.c — the FHIR Bundle parsed back with jansson, and every SNOMED
 * CT code the outputs embed checked against shared/data/terminology/
 * spine_snomed.tsv (the structure itself is validated against the R4
 * StructureDefinitions by tests/text/validate_fhir.py). */
#include <jansson.h>

#include "core/buf.h"
#include "out_fixture.h"
#include "text/output.h"
#include "vt_test.h"

/* Every embedded code must be a row of the table with the same display, and
 * our key must be that row's name (levels: "<level> disc" for discs). */
static void check_terminology(void) {
  char *tsv = NULL;
  size_t n = 0;
  vt_error err;
  vt_status st = vt__read_file(VT_SHARED_DATA "/terminology/spine_snomed.tsv", 1 << 20, &tsv, &n, &err);
  CHECK_MSG(st == VT_OK, "%s", err.message);
  if (st) return;
  size_t count = 0;
  const vt__snomed *all = vt__snomed_all(&count);
  CHECK(count >= 18);
  for (size_t i = 0; i < count; i++) {
    int found = 0;
    char *line = tsv;
    while (line && *line && !found) {
      char *end = strchr(line, '\n');
      size_t len = end ? (size_t)(end - line) : strlen(line);
      char row[512];
      snprintf(row, sizeof row, "%.*s", (int)len, line);
      char *cols[5] = {0};
      int nc = 0;
      for (char *p = row; nc < 5; nc++) {
        cols[nc] = p;
        char *tab = strchr(p, '\t');
        if (!tab) {
          nc++;
          break;
        }
        *tab = '\0';
        p = tab + 1;
      }
      if (nc >= 4 && !strcmp(cols[2], all[i].code)) {
        found = 1;
        CHECK_STR(cols[3], all[i].display);
        char disc[64];
        snprintf(disc, sizeof disc, "%s disc", all[i].key);
        CHECK_MSG(!strcmp(cols[1], all[i].key) || !strcmp(cols[1], disc), "%s vs %s", cols[1],
                  all[i].key);
      }
      line = end ? end + 1 : NULL;
    }
    CHECK_MSG(found, "code %s (%s) is not in spine_snomed.tsv", all[i].code, all[i].key);
  }
  free(tsv);
  CHECK(vt__snomed_level("C5-C6") == NULL); /* not verified: stays text */
  CHECK(vt__snomed_severity("mild-to-moderate") == NULL);
  CHECK_STR(vt__snomed_level("L5-S1")->code, "715056000");
}

static const char *component_str(json_t *obs, const char *name, const char *key) {
  json_t *comps = json_object_get(obs, "component");
  for (size_t i = 0; i < json_array_size(comps); i++) {
    json_t *c = json_array_get(comps, i);
    const char *t = json_string_value(json_object_get(json_object_get(c, "code"), "text"));
    if (t && !strcmp(t, name)) {
      json_t *v = json_object_get(c, key);
      if (json_is_boolean(v)) return json_is_true(v) ? "true" : "false";
      if (json_is_object(v)) return json_string_value(json_object_get(v, "text"));
      return json_string_value(v);
    }
  }
  return "";
}

static void check_bundle(const char *out) {
  json_error_t jerr;
  json_t *b = json_loads(out, 0, &jerr);
  CHECK_MSG(b != NULL, "%s", jerr.text);
  if (!b) return;
  CHECK_STR(json_string_value(json_object_get(b, "resourceType")), "Bundle");
  CHECK_STR(json_string_value(json_object_get(b, "type")), "collection");
  json_t *entries = json_object_get(b, "entry");
  CHECK_INT(json_array_size(entries), 6);
  for (size_t i = 0; i < json_array_size(entries); i++) {
    json_t *e = json_array_get(entries, i);
    json_t *o = json_object_get(e, "resource");
    const char *url = json_string_value(json_object_get(e, "fullUrl"));
    CHECK(url && strlen(url) == 45 && !strncmp(url, "urn:uuid:", 9));
    CHECK_STR(json_string_value(json_object_get(o, "resourceType")), "Observation");
    CHECK_STR(json_string_value(json_object_get(o, "status")), "final");
    json_t *ref = json_array_get(json_object_get(o, "derivedFrom"), 0);
    CHECK_STR(json_string_value(json_object_get(ref, "reference")), "DocumentReference/rep-1");
    const char *note = json_string_value(json_object_get(json_array_get(json_object_get(o, "note"), 0), "text"));
    CHECK(note && strstr(note, "bytes"));
    json_t *code = json_object_get(o, "code");
    const char *name = json_string_value(json_object_get(code, "text"));
    json_t *coding = json_array_get(json_object_get(code, "coding"), 0);
    json_t *value = json_array_get(json_object_get(json_object_get(o, "valueCodeableConcept"), "coding"), 0);
    if (name && !strcmp(name, "disc_protrusion")) {
      CHECK(coding == NULL);
      CHECK(note && strstr(note, "not coded"));
      json_t *site = json_array_get(json_object_get(json_object_get(o, "bodySite"), "coding"), 0);
      CHECK_STR(json_string_value(json_object_get(site, "code")), "84020006");
      CHECK_STR(json_string_value(json_object_get(value, "code")), "52101004");
      CHECK_STR(component_str(o, "severity", "valueCodeableConcept"), "mild");
      CHECK_STR(component_str(o, "laterality", "valueString"), "left");
      CHECK_STR(component_str(o, "negated", "valueBoolean"), "false");
    } else if (name && !strcmp(name, "spondylolisthesis")) {
      CHECK_STR(json_string_value(json_object_get(coding, "code")), "274152003");
      CHECK_STR(json_string_value(json_object_get(value, "code")), "2667000");
      CHECK_STR(component_str(o, "negated", "valueBoolean"), "true");
      CHECK(note && strstr(note, "NEGATED_EXISTENCE"));
    } else {
      CHECK_STR(name ? name : "", "compression_fracture");
      CHECK_STR(component_str(o, "historical", "valueBoolean"), "true");
    }
  }
  /* fullUrls are unique within a document; the two copies of the document
   * share an id, so entries 0 and 3 are the same mention: equal urls */
  const char *u0 = json_string_value(json_object_get(json_array_get(entries, 0), "fullUrl"));
  const char *u1 = json_string_value(json_object_get(json_array_get(entries, 1), "fullUrl"));
  const char *u3 = json_string_value(json_object_get(json_array_get(entries, 3), "fullUrl"));
  CHECK(u0 && u1 && u3 && strcmp(u0, u1) && !strcmp(u0, u3));
  json_decref(b);
}

int main(void) {
  check_terminology();
  vt_status st;
  char *out = fixture_render(VT_TEXT_FORMAT_FHIR, 0, "rep-1", &st);
  CHECK_INT(st, VT_OK);
  if (out) check_bundle(out);
  free(out);
  /* an id that is not a FHIR id becomes a logical reference by identifier */
  out = fixture_render(VT_TEXT_FORMAT_FHIR, 0, "reports/a b.txt", &st);
  json_t *b = out ? json_loads(out, 0, NULL) : NULL;
  json_t *o = json_object_get(json_array_get(json_object_get(b, "entry"), 0), "resource");
  json_t *ref = json_array_get(json_object_get(o, "derivedFrom"), 0);
  CHECK(json_object_get(ref, "reference") == NULL);
  CHECK_STR(json_string_value(json_object_get(json_object_get(ref, "identifier"), "value")), "reports/a b.txt");
  json_decref(b);
  free(out);
  /* rendered on the side (worker threads) then written: the same bytes */
  for (int fmt = VT_TEXT_FORMAT_JSONL; fmt <= VT_TEXT_FORMAT_FHIR; fmt++) {
    char *direct = fixture_render((vt_text_format)fmt, 0, "rep-1", &st);
    FILE *f2 = tmpfile();
    vt_text_output_options o2 = {0};
    o2.format = (vt_text_format)fmt;
    vt_text_output *w2 = NULL;
    vt_error e2;
    vt_text_result *res = fixture_result();
    CHECK_INT(vt_text_output_new(&w2, f2, &o2, &e2), VT_OK);
    for (int k = 0; k < 2; k++) {
      char *r = NULL;
      size_t rl = 0;
      CHECK_INT(vt_text_output_render(w2, "rep-1", fixture_text, strlen(fixture_text), res, &r, &rl, &e2), VT_OK);
      CHECK_INT(vt_text_output_write_rendered(w2, r, rl, &e2), VT_OK);
      free(r);
    }
    CHECK_INT(vt_text_output_finish(w2, &e2), VT_OK);
    vt_text_output_free(w2);
    vt_text_result_free(res);
    long sz = ftell(f2);
    char *side = calloc(1, (size_t)sz + 1);
    rewind(f2);
    CHECK(side && fread(side, 1, (size_t)sz, f2) == (size_t)sz);
    CHECK(direct && side && !strcmp(direct, side));
    fclose(f2);
    free(side);
    free(direct);
  }
  {
    FILE *f3 = tmpfile();
    vt_text_output_options o3 = {0};
    o3.format = VT_TEXT_FORMAT_NOTE_NLP;
    vt_text_output *w3 = NULL;
    vt_error e3;
    vt_text_result *res = fixture_result();
    char *r = NULL;
    CHECK_INT(vt_text_output_new(&w3, f3, &o3, &e3), VT_OK);
    CHECK_INT(vt_text_output_render(w3, "1", fixture_text, strlen(fixture_text), res, &r, NULL, &e3),
              VT_EUNSUPPORTED);
    vt_text_output_free(w3);
    vt_text_result_free(res);
    fclose(f3);
  }
  /* a writer with no document still writes a valid, empty Bundle */
  FILE *fp = tmpfile();
  vt_text_output_options opt = {0};
  opt.format = VT_TEXT_FORMAT_FHIR;
  vt_text_output *w = NULL;
  vt_error err;
  CHECK_INT(vt_text_output_new(&w, fp, &opt, &err), VT_OK);
  CHECK_INT(vt_text_output_finish(w, &err), VT_OK);
  vt_text_output_free(w);
  rewind(fp);
  json_t *empty = json_loadf(fp, 0, NULL);
  CHECK(empty && json_array_size(json_object_get(empty, "entry")) == 0);
  json_decref(empty);
  fclose(fp);
  return VT_TEST_END();
}
