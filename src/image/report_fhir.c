/* report_fhir.c — the report.fhir.json of `vertebra ct analyze`: a FHIR R4
 * Bundle (collection) with one DiagnosticReport and its Observations (body
 * heights, Genant grade and trabecular HU per vertebra; the L1 osteoporosis
 * category; the Cobb angle, lumbar lordosis, thoracic kyphosis). Only verified codes are used; where none is
 * verified the concept carries text alone (docs/image-outputs.md lists the
 * sources). Built with jansson so the JSON is always well formed. */
#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vertebra/spine_render.h"

#define SNOMED "http://snomed.info/sct"
#define UCUM "http://unitsofmeasure.org"
/* HL7 v2 table 0074 (diagnostic service section), code RAD "Radiology", as
 * used by the official R4 DiagnosticReport examples (f201, ultrasound). */
#define V2_0074 "http://terminology.hl7.org/CodeSystem/v2-0074"
/* R4 observation-category code system, code "imaging"
 * (hl7.org/fhir/R4/codesystem-observation-category.html). */
#define OBS_CATEGORY "http://terminology.hl7.org/CodeSystem/observation-category"

/* SNOMED CT body sites of the vertebral levels, copied from
 * shared/data/terminology/spine_snomed.tsv (each checked there against the
 * DICOM concept tables; test_report_fhir compares this table with the file).
 * Levels not listed (C1-T11, L6, T13) have no verified code: text only. */
static const struct {
  int verse_label;
  const char *code, *display;
} LEVEL_CODES[] = {
    {19, "23215003", "T12 vertebra"}, {20, "66794005", "L1 vertebra"},
    {21, "14293000", "L2 vertebra"},  {22, "36470004", "L3 vertebra"},
    {23, "11994002", "L4 vertebra"},  {24, "49668003", "L5 vertebra"},
    {26, "54735007", "Bone structure of sacrum"},
};
#define VERTEBRAL_COLUMN_CODE "421060004" /* Structure of vertebral column (same file) */

typedef struct ctx {
  int bad;  /* an allocation failed somewhere */
  const char *seed;
  const char *subject;
  size_t next; /* entry counter for the uuids */
} ctx;

static void put(ctx *c, json_t *obj, const char *key, json_t *val) {
  if (!obj || !val || json_object_set_new(obj, key, val)) c->bad = 1;
}

static void push(ctx *c, json_t *arr, json_t *val) {
  if (!arr || !val || json_array_append_new(arr, val)) c->bad = 1;
}

static json_t *coding(ctx *c, const char *system, const char *code, const char *display) {
  json_t *o = json_object();
  put(c, o, "system", json_string(system));
  put(c, o, "code", json_string(code));
  if (display) put(c, o, "display", json_string(display));
  return o;
}

/* A CodeableConcept: one coding (when code is not NULL) and text. */
static json_t *concept(ctx *c, const char *system, const char *code, const char *display, const char *text) {
  json_t *cc = json_object();
  if (code) {
    json_t *arr = json_array();
    push(c, arr, coding(c, system, code, display));
    put(c, cc, "coding", arr);
  }
  if (text) put(c, cc, "text", json_string(text));
  return cc;
}

static double round_to(double x, double unit) { return round(x / unit) * unit; }

static json_t *quantity(ctx *c, double value, const char *unit, const char *ucum) {
  json_t *q = json_object();
  put(c, q, "value", json_real(value));
  put(c, q, "unit", json_string(unit));
  put(c, q, "system", json_string(UCUM));
  put(c, q, "code", json_string(ucum));
  return q;
}

/* Name-based urn:uuid (SHA-1, RFC 4122 section 4.3) from the seed and an
 * entry number, so re-runs of the same study give the same fullUrls. */
static json_t *entry_uuid(ctx *c, size_t index) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  char idx[32];
  int n = snprintf(idx, sizeof idx, "%zu", index);
  EVP_MD_CTX *h = EVP_MD_CTX_new();
  int ok = h && EVP_DigestInit_ex(h, EVP_sha1(), NULL) && EVP_DigestUpdate(h, "vertebra-ct-report", 18) &&
           EVP_DigestUpdate(h, c->seed, strlen(c->seed)) && EVP_DigestUpdate(h, "", 1) &&
           EVP_DigestUpdate(h, idx, (size_t)n) && EVP_DigestFinal_ex(h, md, &mdlen);
  EVP_MD_CTX_free(h);
  if (!ok || mdlen < 16) {
    c->bad = 1;
    return NULL;
  }
  md[6] = (unsigned char)((md[6] & 0x0F) | 0x50);
  md[8] = (unsigned char)((md[8] & 0x3F) | 0x80);
  char u[64];
  snprintf(u, sizeof u, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0],
           md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12], md[13], md[14],
           md[15]);
  return json_string(u);
}

static json_t *body_site(ctx *c, int verse_label, const char *name) {
  char text[64];
  if (verse_label <= 0) return concept(c, NULL, NULL, NULL, "vertebra (level withheld)");
  snprintf(text, sizeof text, "%s vertebra", name);
  if (verse_label == 26) snprintf(text, sizeof text, "sacrum");
  for (size_t i = 0; i < sizeof LEVEL_CODES / sizeof LEVEL_CODES[0]; i++)
    if (LEVEL_CODES[i].verse_label == verse_label)
      return concept(c, SNOMED, LEVEL_CODES[i].code, LEVEL_CODES[i].display, text);
  return concept(c, NULL, NULL, NULL, text); /* no verified SNOMED code for this level */
}

/* A new Observation with status, category, code text and subject. */
static json_t *observation(ctx *c, const char *code_text) {
  json_t *o = json_object();
  put(c, o, "resourceType", json_string("Observation"));
  put(c, o, "status", json_string("final"));
  json_t *cat = json_array();
  push(c, cat, concept(c, OBS_CATEGORY, "imaging", "Imaging", NULL));
  put(c, o, "category", cat);
  put(c, o, "code", concept(c, NULL, NULL, NULL, code_text));
  if (c->subject) {
    json_t *r = json_object();
    put(c, r, "reference", json_string(c->subject));
    put(c, o, "subject", r);
  }
  return o;
}

static json_t *component(ctx *c, const char *text, const char *value_key, json_t *value) {
  json_t *o = json_object();
  put(c, o, "code", concept(c, NULL, NULL, NULL, text));
  put(c, o, value_key, value);
  return o;
}

static void note(ctx *c, json_t *o, const char *text) {
  json_t *arr = json_array(), *a = json_object();
  put(c, a, "text", json_string(text));
  push(c, arr, a);
  put(c, o, "note", arr);
}

/* Appends the Observation as a Bundle entry and its reference to the report. */
static void add_entry(ctx *c, json_t *entries, json_t *results, json_t *res) {
  json_t *e = json_object(), *url = entry_uuid(c, c->next++);
  if (url && results) {
    json_t *r = json_object();
    put(c, r, "reference", json_string(json_string_value(url)));
    push(c, results, r);
  }
  put(c, e, "fullUrl", url);
  put(c, e, "resource", res);
  push(c, entries, e);
}

/* Label decision of vertebra i: the analyzer's when given, else the mask's. */
static void level_of(const vt_spine_findings *f, size_t i, int *label, const char **name) {
  const vt_spine_level *l = f->levels ? &f->levels[i] : NULL;
  *label = l ? l->verse_label : f->morph[i].verse_label;
  *name = l ? l->label : f->morph[i].label;
}

static void level_note(ctx *c, json_t *o, const vt_spine_findings *f, size_t i) {
  if (!f->levels) {
    note(c, o, "level taken from the given label mask");
    return;
  }
  const vt_spine_level *l = &f->levels[i];
  char t[320];
  snprintf(t, sizeof t, "level %s%s%s, confidence %.2f%s; basis: %s", l->label[0] ? l->label : "?",
           l->candidate[0] ? ", candidate " : "", l->candidate, l->confidence,
           l->label_uncertain ? " (uncertain)" : "", l->basis[0] ? l->basis : "not stated");
  note(c, o, t);
}

static void vertebra_observations(ctx *c, const vt_spine_findings *f, size_t i, json_t *entries,
                                  json_t *results) {
  const vt_vertebra_morph *m = &f->morph[i];
  int label;
  const char *name;
  level_of(f, i, &label, &name);
  /* body heights: one Observation, the three heights as components */
  const double h[3] = {m->height_anterior_mm, m->height_middle_mm, m->height_posterior_mm};
  const char *hn[3] = {"Anterior vertebral body height", "Middle vertebral body height",
                       "Posterior vertebral body height"};
  if (isfinite(h[0]) || isfinite(h[1]) || isfinite(h[2])) {
    json_t *o = observation(c, "Vertebral body heights (six-point morphometry)");
    put(c, o, "bodySite", body_site(c, label, name));
    put(c, o, "method", concept(c, NULL, NULL, NULL,
                                "extent along the column axis at 20/50/80 % of the body depth on the "
                                "mid-sagittal plane (docs/image-spine.md)"));
    json_t *comp = json_array();
    for (int k = 0; k < 3; k++)
      if (isfinite(h[k])) push(c, comp, component(c, hn[k], "valueQuantity", quantity(c, round_to(h[k], 0.1), "mm", "mm")));
    if (isfinite(m->expected_height_mm))
      push(c, comp, component(c, "Expected (unfractured) vertebral body height", "valueQuantity",
                              quantity(c, round_to(m->expected_height_mm, 0.1), "mm", "mm")));
    put(c, o, "component", comp);
    level_note(c, o, f, i);
    add_entry(c, entries, results, o);
  }
  /* Genant grade */
  if (m->genant_grade >= 0) {
    json_t *o = observation(c, "Genant semiquantitative vertebral fracture grade");
    put(c, o, "bodySite", body_site(c, label, name));
    put(c, o, "method", concept(c, NULL, NULL, NULL,
                                "Genant et al. 1993: height loss < 20 % grade 0, 20-25 % 1, 25-40 % 2, > 40 % 3"));
    put(c, o, "valueInteger", json_integer(m->genant_grade));
    if (isfinite(m->height_loss)) {
      json_t *comp = json_array();
      push(c, comp, component(c, "Vertebral body height loss", "valueQuantity",
                              quantity(c, round_to(100 * m->height_loss, 0.1), "%", "%")));
      put(c, o, "component", comp);
    }
    level_note(c, o, f, i);
    add_entry(c, entries, results, o);
  }
  /* trabecular attenuation */
  if (isfinite(m->trabecular_hu_mean)) {
    json_t *o = observation(c, "Trabecular bone attenuation, vertebral body ROI mean");
    put(c, o, "bodySite", body_site(c, label, name));
    put(c, o, "method", concept(c, NULL, NULL, NULL,
                                "body voxels eroded 5 mm, within +-5 mm of the centroid along the column "
                                "axis (after Pickhardt 2013)"));
    put(c, o, "valueQuantity", quantity(c, round_to(m->trabecular_hu_mean, 0.1), "HU", "[hnsf'U]"));
    json_t *comp = json_array();
    if (isfinite(m->trabecular_hu_sd))
      push(c, comp, component(c, "Standard deviation in the ROI", "valueQuantity",
                              quantity(c, round_to(m->trabecular_hu_sd, 0.1), "HU", "[hnsf'U]")));
    push(c, comp, component(c, "Voxels in the ROI", "valueInteger", json_integer((json_int_t)m->trabecular_voxels)));
    put(c, o, "component", comp);
    level_note(c, o, f, i);
    add_entry(c, entries, results, o);
  }
}

vt_status vt_spine_report_fhir(const vt_spine_findings *f, const vt_spine_report_opts *opts, char **json,
                               vt_error *err) {
  if (!f || !json || (f->n && !f->morph)) return vt_error_set(err, VT_EINVAL, NULL, "report: no findings given");
  ctx c = {0, "vertebra-ct", NULL, 0};
  if (opts && opts->id_seed) c.seed = opts->id_seed;
  if (opts && opts->subject_reference && opts->subject_reference[0]) c.subject = opts->subject_reference;
  json_t *bundle = json_object(), *entries = json_array(), *results = json_array();
  json_t *report = json_object();
  json_t *report_url = entry_uuid(&c, c.next++);
  char conclusion[4096];
  size_t cl = 0;
#define CONCL(...)                                                                                     \
  do {                                                                                                 \
    if (cl < sizeof conclusion) {                                                                      \
      int w_ = snprintf(conclusion + cl, sizeof conclusion - cl, __VA_ARGS__);                         \
      cl = w_ < 0 ? sizeof conclusion : cl + (size_t)w_;                                               \
    }                                                                                                  \
  } while (0)
  if (f->n) {
    int l0, l1;
    const char *n0, *n1;
    level_of(f, 0, &l0, &n0);
    level_of(f, f->n - 1, &l1, &n1);
    CONCL("%zu vertebrae measured, %s to %s.", f->n, n0[0] ? n0 : "?", n1[0] ? n1 : "?");
  } else {
    CONCL("No vertebra measured.");
  }
  int fractures = 0;
  for (size_t i = 0; i < f->n; i++) {
    vertebra_observations(&c, f, i, entries, results);
    if (f->morph[i].genant_grade >= 1) {
      int l;
      const char *nm;
      level_of(f, i, &l, &nm);
      CONCL("%s %s Genant grade %d (height loss %.0f %%)", fractures++ ? "," : " Vertebral deformity:",
            nm[0] ? nm : "?", f->morph[i].genant_grade, 100 * f->morph[i].height_loss);
    }
  }
  if (f->n && !fractures) CONCL(" No vertebral deformity of Genant grade 1 or more.");
  if (fractures) CONCL(".");
  /* osteoporosis category from L1 (Pickhardt PJ et al., Ann Intern Med
   * 2013;158:588-95: <= 110 HU specific, <= 160 HU sensitive for DXA
   * osteoporosis), the same rule as vertebrae.json */
  for (size_t i = 0; i < f->n; i++) {
    int l;
    const char *nm;
    level_of(f, i, &l, &nm);
    double hu = f->morph[i].trabecular_hu_mean;
    if (l != 20 || !isfinite(hu)) continue;
    const char *cat = hu <= 110.0 ? "osteoporosis likely (L1 trabecular <= 110 HU, specific threshold)"
                      : hu <= 160.0 ? "low bone density possible (L1 trabecular <= 160 HU, sensitive threshold)"
                                    : "normal bone density likely (L1 trabecular > 160 HU)";
    json_t *o = observation(&c, "Opportunistic osteoporosis screening category from CT attenuation");
    put(&c, o, "bodySite", body_site(&c, l, nm));
    put(&c, o, "method", concept(&c, NULL, NULL, NULL, "Pickhardt et al., Ann Intern Med 2013;158:588-95"));
    put(&c, o, "valueString", json_string(cat));
    json_t *comp = json_array();
    push(&c, comp, component(&c, "L1 trabecular attenuation", "valueQuantity",
                             quantity(&c, round_to(hu, 0.1), "HU", "[hnsf'U]")));
    put(&c, o, "component", comp);
    add_entry(&c, entries, results, o);
    CONCL(" Bone density: %s, %.0f HU.", cat, hu);
    break;
  }
  /* Cobb angle: largest coronal tilt difference of two levels above the
   * sacrum (the rule of vertebrae.json, docs/image-spine.md) */
  size_t bu = 0, bl = 0;
  double best = vt_spine_cobb(f->morph, f->n, &bu, &bl);
  if (best >= 0) {
    int lu, ll;
    const char *nu, *nl;
    level_of(f, bu, &lu, &nu);
    level_of(f, bl, &ll, &nl);
    json_t *o = observation(&c, "Cobb angle (coronal)");
    put(&c, o, "bodySite", concept(&c, SNOMED, VERTEBRAL_COLUMN_CODE, "Structure of vertebral column", "vertebral column"));
    put(&c, o, "method", concept(&c, NULL, NULL, NULL,
                                 "largest difference of the coronal endplate tilt (principal axes of the "
                                 "vertebral bodies) between two levels"));
    put(&c, o, "valueQuantity", quantity(&c, round_to(best, 0.1), "deg", "deg"));
    json_t *comp = json_array();
    push(&c, comp, component(&c, "Upper end vertebra", "valueString", json_string(nu[0] ? nu : "?")));
    push(&c, comp, component(&c, "Lower end vertebra", "valueString", json_string(nl[0] ? nl : "?")));
    put(&c, o, "component", comp);
    add_entry(&c, entries, results, o);
    CONCL(" Cobb angle %.1f deg (%s-%s).", best, nu[0] ? nu : "?", nl[0] ? nl : "?");
  }
  /* lumbar lordosis and thoracic kyphosis: sagittal Cobb angles between the
   * fitted endplates (sagittal_alignment.c, the rule of vertebrae.json); no
   * verified code for either, so text only, as the Cobb angle */
  for (int k = 0; k < 2; k++) {
    vt_sagittal_angle sa;
    if (k == 0) vt_spine_lordosis(f->morph, f->n, &sa);
    else vt_spine_kyphosis(f->morph, f->n, &sa);
    if (!sa.measured) continue;
    json_t *o = observation(&c, k == 0 ? "Lumbar lordosis angle (sagittal Cobb)" : "Thoracic kyphosis angle (sagittal Cobb)");
    put(&c, o, "bodySite", concept(&c, SNOMED, VERTEBRAL_COLUMN_CODE, "Structure of vertebral column", "vertebral column"));
    put(&c, o, "method", concept(&c, NULL, NULL, NULL, sa.method));
    put(&c, o, "valueQuantity", quantity(&c, round_to(sa.angle_deg, 0.1), "deg", "deg"));
    json_t *comp = json_array();
    push(&c, comp, component(&c, "Upper end vertebra", "valueString", json_string(sa.upper)));
    push(&c, comp, component(&c, "Lower end vertebra", "valueString", json_string(sa.lower)));
    put(&c, o, "component", comp);
    note(&c, o, sa.warning[0] ? sa.warning
                              : (k == 0 ? "positive = lordosis (concave posteriorly), negative = lumbar kyphosis"
                                        : "positive = kyphosis (concave anteriorly), negative = thoracic lordosis"));
    add_entry(&c, entries, results, o);
    CONCL(" %s %.1f deg (%s-%s).", k == 0 ? "Lumbar lordosis" : "Thoracic kyphosis", sa.angle_deg, sa.upper, sa.lower);
  }
  for (size_t w = 0; w < f->nwarnings; w++)
    if (f->warnings && f->warnings[w]) CONCL(" Warning: %s.", f->warnings[w]);
  CONCL(" Automated measurement, not reviewed by a radiologist.");
#undef CONCL
  if (cl >= sizeof conclusion) memcpy(conclusion + sizeof conclusion - 4, "...", 4);
  /* the DiagnosticReport: no verified LOINC code for "CT spine" was found in
   * the project's sources, so its code is text only */
  put(&c, report, "resourceType", json_string("DiagnosticReport"));
  put(&c, report, "status", json_string("final"));
  json_t *cat = json_array();
  push(&c, cat, concept(&c, V2_0074, "RAD", "Radiology", NULL));
  put(&c, report, "category", cat);
  put(&c, report, "code", concept(&c, NULL, NULL, NULL, "CT spine analysis (vertebral morphometry and bone density)"));
  if (c.subject) {
    json_t *r = json_object();
    put(&c, r, "reference", json_string(c.subject));
    put(&c, report, "subject", r);
  }
  if (json_array_size(results)) put(&c, report, "result", results);
  else json_decref(results);
  put(&c, report, "conclusion", json_string(conclusion));
  json_t *first = json_object();
  put(&c, first, "fullUrl", report_url);
  put(&c, first, "resource", report);
  if (json_array_insert_new(entries, 0, first)) c.bad = 1;
  put(&c, bundle, "resourceType", json_string("Bundle"));
  put(&c, bundle, "type", json_string("collection"));
  put(&c, bundle, "entry", entries);
  char *text = c.bad ? NULL : json_dumps(bundle, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
  json_decref(bundle);
  if (!text) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory rendering the FHIR report");
  *json = text;
  return VT_OK;
}
