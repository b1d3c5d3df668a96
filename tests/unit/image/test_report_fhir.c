/* test_report_fhir.c — report.fhir.json from phantom truth labels +
 * vt_spine_morphometry (no analyzer): Bundle/DiagnosticReport structure,
 * result references, Genant grade of the fractured level, UCUM units, and
 * every SNOMED bodySite code checked against shared/data/terminology/
 * spine_snomed.tsv. Writes ct_report_phantom.fhir.json in the working folder
 * for an R4 StructureDefinition check. */
#include <jansson.h>
#include <stdlib.h>

#include "vertebra/spine_render.h"
#include "vt_test.h"

/* Whether (code, name) is a "site" row of the verified terminology file. */
static int verified(const char *code, const char *level) {
  FILE *f = fopen(VT_SHARED_DATA "/terminology/spine_snomed.tsv", "r");
  if (!f) return -1;
  char line[512];
  int ok = 0;
  while (fgets(line, sizeof line, f)) {
    char kind[32], name[64], sct[32];
    if (sscanf(line, "%31[^\t]\t%63[^\t]\t%31[^\t]", kind, name, sct) != 3) continue;
    if (!strcmp(kind, "site") && !strcmp(sct, code) && (!level || !strcmp(name, level))) ok = 1;
  }
  fclose(f);
  return ok;
}

static const char *text_of(json_t *cc) { return json_string_value(json_object_get(cc, "text")); }

int main(void) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = 17; /* T10 .. L5 + sacrum */
  o.fracture_label = 20, o.fracture_grade = 2;
  o.cobb_deg = 15;
  vt_volume *ct = NULL, *lab = NULL;
  char *truth = NULL, *json = NULL;
  vt_vertebra_morph *m = NULL;
  size_t n = 0;
  vt_error err;
  CHECK(vt_phantom_build(&o, &ct, &lab, &truth, &err) == VT_OK);
  CHECK(vt_spine_morphometry(lab, &m, &n, &err) == VT_OK);
  CHECK(vt_spine_bone_hu(ct, lab, m, n, &err) == VT_OK);
  const char *warn[] = {"phantom: synthetic data"};
  vt_spine_findings f = {ct, lab, m, NULL, n, warn, 1, NULL};
  vt_spine_report_opts ro = {"Patient/phantom-1", "test-phantom"};
  CHECK(vt_spine_report_fhir(&f, &ro, &json, &err) == VT_OK);
  FILE *out = fopen("ct_report_phantom.fhir.json", "w");
  CHECK(out != NULL);
  if (out) fputs(json, out), fclose(out);
  /* deterministic: the same findings give the same bytes */
  char *again = NULL;
  CHECK(vt_spine_report_fhir(&f, &ro, &again, &err) == VT_OK);
  CHECK(again && !strcmp(json, again));
  free(again);

  json_error_t je;
  json_t *b = json_loads(json, 0, &je);
  CHECK(b != NULL);
  CHECK_STR(json_string_value(json_object_get(b, "resourceType")), "Bundle");
  CHECK_STR(json_string_value(json_object_get(b, "type")), "collection");
  json_t *entries = json_object_get(b, "entry");
  json_t *dr = json_object_get(json_array_get(entries, 0), "resource");
  CHECK_STR(json_string_value(json_object_get(dr, "resourceType")), "DiagnosticReport");
  CHECK_STR(json_string_value(json_object_get(dr, "status")), "final");
  CHECK(json_object_get(json_object_get(dr, "code"), "coding") == NULL); /* no verified LOINC: text only */
  CHECK(strstr(json_string_value(json_object_get(dr, "conclusion")), "L1 Genant grade 2") != NULL);
  json_t *results = json_object_get(dr, "result");
  CHECK_INT(json_array_size(results), json_array_size(entries) - 1);
  size_t i;
  json_t *e;
  int grade_l1 = -1, hu_obs = 0, height_obs = 0, cobb = 0, lordosis = 0, osteo = 0, uncoded_t10 = 0, coded = 0;
  json_array_foreach(entries, i, e) {
    if (i == 0) continue;
    json_t *r = json_object_get(e, "resource");
    const char *url = json_string_value(json_object_get(e, "fullUrl"));
    CHECK(url && !strncmp(url, "urn:uuid:", 9));
    CHECK_STR(json_string_value(json_object_get(json_array_get(results, i - 1), "reference")), url);
    CHECK_STR(json_string_value(json_object_get(r, "resourceType")), "Observation");
    CHECK_STR(json_string_value(json_object_get(json_object_get(r, "subject"), "reference")), "Patient/phantom-1");
    const char *code = text_of(json_object_get(r, "code"));
    json_t *site = json_object_get(r, "bodySite");
    json_t *coding = json_array_get(json_object_get(site, "coding"), 0);
    if (coding) {
      const char *sct = json_string_value(json_object_get(coding, "code"));
      CHECK_STR(json_string_value(json_object_get(coding, "system")), "http://snomed.info/sct");
      const char *t = text_of(site);
      char level[32] = "";
      if (t && !strcmp(t, "sacrum")) snprintf(level, sizeof level, "sacrum");
      else if (t && !strcmp(t, "vertebral column")) snprintf(level, sizeof level, "vertebral column");
      else if (t) sscanf(t, "%31s", level);
      CHECK_MSG(verified(sct, level) == 1, "bodySite %s (%s) is not a verified site code", sct, level);
      coded++;
    } else if (site && !strcmp(text_of(site), "T10 vertebra")) {
      uncoded_t10++;
    }
    if (!strcmp(code, "Genant semiquantitative vertebral fracture grade") && !strcmp(text_of(site), "L1 vertebra"))
      grade_l1 = (int)json_integer_value(json_object_get(r, "valueInteger"));
    if (!strncmp(code, "Trabecular bone attenuation", 27)) {
      json_t *q = json_object_get(r, "valueQuantity");
      CHECK_STR(json_string_value(json_object_get(q, "code")), "[hnsf'U]");
      CHECK_STR(json_string_value(json_object_get(q, "system")), "http://unitsofmeasure.org");
      if (strcmp(text_of(site), "sacrum")) /* the sacrum block is not trabecular */
        CHECK_NEAR(json_number_value(json_object_get(q, "value")), 150, 5); /* phantom truth 150 HU */
      hu_obs++;
    }
    if (!strncmp(code, "Vertebral body heights", 22)) {
      json_t *c0 = json_object_get(json_array_get(json_object_get(r, "component"), 0), "valueQuantity");
      CHECK_STR(json_string_value(json_object_get(c0, "code")), "mm");
      height_obs++;
    }
    if (!strncmp(code, "Lumbar lordosis", 15)) { /* the value of vertebrae.json's rule (L1's wedge tilts it) */
      json_t *q = json_object_get(r, "valueQuantity");
      vt_sagittal_angle want;
      vt_spine_lordosis(m, n, &want);
      CHECK_STR(json_string_value(json_object_get(q, "code")), "deg");
      CHECK_NEAR(json_number_value(json_object_get(q, "value")), want.angle_deg, 0.06);
      lordosis++;
    }
    if (!strncmp(code, "Cobb angle", 10)) {
      json_t *q = json_object_get(r, "valueQuantity");
      CHECK_STR(json_string_value(json_object_get(q, "code")), "deg");
      CHECK_NEAR(json_number_value(json_object_get(q, "value")), 15, 2);
      cobb++;
    }
    if (!strncmp(code, "Opportunistic osteoporosis", 26)) {
      CHECK(strstr(json_string_value(json_object_get(r, "valueString")), "low bone density possible") != NULL);
      osteo++;
    }
  }
  CHECK_INT(grade_l1, 2);
  CHECK_INT(hu_obs, (int)n);
  CHECK_INT(height_obs, (int)n);
  CHECK_INT(cobb, 1);
  CHECK_INT(lordosis, 1);
  CHECK_INT(osteo, 1);
  CHECK(uncoded_t10 > 0); /* T10 has no verified SNOMED code: text only */
  CHECK(coded > 0);
  json_decref(b);

  /* analyzer-style levels: a withheld label has no code, a note says why */
  vt_spine_level *lv = calloc(n, sizeof *lv);
  for (size_t k = 0; k < n; k++) {
    lv[k].verse_label = m[k].verse_label;
    snprintf(lv[k].label, sizeof lv[k].label, "%s", m[k].label);
    lv[k].confidence = 0.9;
    snprintf(lv[k].basis, sizeof lv[k].basis, "test");
  }
  lv[0].verse_label = 0, snprintf(lv[0].label, sizeof lv[0].label, "?"), lv[0].label_uncertain = 1;
  vt_spine_findings g = {ct, lab, m, lv, n, NULL, 0, NULL};
  char *j2 = NULL;
  CHECK(vt_spine_report_fhir(&g, NULL, &j2, &err) == VT_OK);
  CHECK(j2 && strstr(j2, "vertebra (level withheld)") && strstr(j2, "(uncertain)"));
  CHECK(j2 && !strstr(j2, "\"subject\""));
  free(j2);
  free(lv);
  /* no findings: still a valid Bundle with a report */
  vt_spine_findings none = {NULL, NULL, NULL, NULL, 0, NULL, 0, NULL};
  char *j3 = NULL;
  CHECK(vt_spine_report_fhir(&none, NULL, &j3, &err) == VT_OK);
  CHECK(j3 && strstr(j3, "No vertebra measured"));
  free(j3);
  CHECK(vt_spine_report_fhir(NULL, NULL, &j3, &err) == VT_EINVAL);

  free(json), free(truth), free(m);
  vt_volume_free(ct), vt_volume_free(lab);
  return VT_TEST_END();
}
