/* test_section.c — section headers on real MTSamples reports (headers checked
 * by reading each transcription), on capitals / title case / colon-less forms,
 * and with medspaCy's en_section_patterns.json loaded. */
#include <stdio.h>
#include <stdlib.h>

#include "vt_test.h"
#include "io/csv.h"
#include "text/stages.h"

/* The transcription of MTSamples note `id` (malloc'd), or NULL. */
static char *mtsample(const char *id) {
  vt__csv *csv = NULL;
  vt_error err;
  char *out = NULL;
  if (vt__csv_open_file(VT_SHARED_DATA "/reports/mtsamples_spine.csv", NULL, &csv, &err))
    return NULL;
  size_t nf;
  while (!out && vt__csv_next(csv, &nf, &err) == VT_OK && nf >= 5) {
    size_t len;
    if (strcmp(vt__csv_field(csv, 0, NULL), id) != 0) continue;
    const char *t = vt__csv_field(csv, 4, &len);
    out = malloc(len + 1);
    if (out) memcpy(out, t, len + 1);
  }
  vt__csv_free(csv);
  return out;
}

/* Runs the tokenizer and section finder; returns names joined by '|'. */
static const char *sections(const vt__section_rules *rules, const char *text, vt__doc *d) {
  static char buf[2048];
  vt_error err;
  buf[0] = '\0';
  if (vt__doc_init(d, text, strlen(text), &err) || vt__sections_find(rules, d, &err)) {
    snprintf(buf, sizeof buf, "ERROR %s", err.message);
    return buf;
  }
  size_t p = 0;
  for (size_t i = 0; i < d->nsecs && p + 64 < sizeof buf; i++)
    p += (size_t)snprintf(buf + p, sizeof buf - p, "%s%s", i ? "|" : "", d->secs[i].name);
  return buf;
}

static void check_secs(const vt__section_rules *rules, const char *text, const char *expect) {
  vt__doc d;
  CHECK_STR(sections(rules, text, &d), expect);
  vt__doc_free(&d);
}

/* The text of section i's header. */
static const char *head(const vt__doc *d, size_t i) {
  static char buf[256];
  size_t n = d->secs[i].head_end - d->secs[i].head_start;
  if (n >= sizeof buf) n = sizeof buf - 1;
  memcpy(buf, d->text + d->secs[i].head_start, n);
  buf[n] = '\0';
  return buf;
}

int main(void) {
  vt__section_rules *rules = NULL;
  vt_error err;
  vt_error_clear(&err);
  CHECK_INT(vt__section_rules_builtin(&rules, &err), VT_OK);
  if (!rules) return VT_TEST_END();
  vt__doc d;

  /* MTSamples 1566 (MRI lumbar spine): EXAM, HISTORY, TECHNIQUE, FINDINGS,
   * IMPRESSION; "L5-S1:  Central canal ..." lines are not headers. */
  char *t = mtsample("1566");
  CHECK(t != NULL);
  if (t) {
    CHECK_STR(sections(rules, t, &d), "exam|history|technique|findings|impression");
    if (d.nsecs == 5) {
      CHECK_STR(head(&d, 3), "FINDINGS:");
      CHECK(strncmp(t + d.secs[3].start, " , The visualized cord", 22) == 0);
      CHECK_INT(d.secs[3].end, d.secs[4].head_start);
      CHECK_INT(d.secs[4].end, strlen(t));
    }
    vt__doc_free(&d);
    free(t);
  }
  /* 191 (vertebroplasty): flattened ".," line breaks between headers. */
  t = mtsample("191");
  CHECK(t != NULL);
  if (t) {
    check_secs(rules, t,
               "preoperative_diagnosis|postoperative_diagnosis|procedure|anesthesia|"
               "complications|summary");
    free(t);
  }
  /* 1585 (C5-6 disc herniation case): CC, HX, PMH, SHX/FHX, EXAM, IMPRESSION,
   * COURSE; "Motor:", "Sensory:", "CN:" inside the exam are not sections. */
  t = mtsample("1585");
  CHECK(t != NULL);
  if (t) {
    check_secs(rules, t,
               "chief_complaint|history|past_medical_history|other|exam|impression|other");
    free(t);
  }
  /* 1564: INTERPRETATION then IMPRESSION. */
  t = mtsample("1564");
  CHECK(t != NULL);
  if (t) {
    check_secs(rules, t, "impression|impression");
    free(t);
  }

  /* without a colon: capitals or title case alone on a line */
  check_secs(rules, "FINDINGS\nDisc bulge at L4-5.\n\nIMPRESSION\n1. Bulge.", "findings|impression");
  check_secs(rules, "Clinical History\r\nBack pain.\r\nFindings\r\nNormal.",
             "history|findings");
  check_secs(rules, "History of Present Illness\nPain.", "history_of_present_illness");
  check_secs(rules, "IMPRESSION - mild stenosis", "impression");
  /* not headers: lower case without colon, sentences, words mid-line */
  check_secs(rules, "findings\nnormal", "");
  check_secs(rules, "Findings are normal.\nHistory of trauma.", "");
  check_secs(rules, "The findings: normal. She has a history: none.", "");
  check_secs(rules, "There is no history of trauma. Impression is stable.", "");
  check_secs(rules, "IMPRESSION OF THE THECAL SAC at L4.", "");
  /* with a colon: any case at a line start, capitals/title mid-line */
  check_secs(rules, "impression: stable\nfindings: none", "impression|findings");
  check_secs(rules, "Pain. FINDINGS: bulge. Impression: mild. Past Medical History: none.",
             "findings|impression|past_medical_history");
  check_secs(rules, "PRE-OPERATIVE DIAGNOSIS: x\nPOST-OPERATIVE DIAGNOSES: y",
             "preoperative_diagnosis|postoperative_diagnosis");
  check_secs(rules, "ESTIMATED FLUIDS: 2 L", "other");
  check_secs(rules, "L4-5: bulge", "");
  check_secs(rules, "", "");

  /* medspaCy rules: loaded categories win ties, new phrases are added */
  CHECK_INT(vt__section_rules_load_medspacy(
                rules, VT_SHARED_DATA "/negex/medspacy/en_section_patterns.json", &err),
            VT_OK);
  check_secs(rules, "FINDINGS: x\nIMPRESSION: y\nPMHx: z\nUNDERLYING MEDICAL CONDITION: w",
             "labs_and_studies|observation_and_plan|past_medical_history|past_medical_history");
  check_secs(rules, "TECHNIQUE:\nx", "imaging");
  vt__section_rules_free(rules);

  /* token-dict patterns and errors */
  char path[] = "/tmp/vt_test_section_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("[{\"section_title\": \"spine_levels\", \"pattern\": [{\"LOWER\": \"levels\"},"
        " {\"LOWER\": \"examined\"}, {\"TEXT\": \":\"}]},"
        " {\"section_title\": \"x\", \"pattern\": \"Level Notes:\"}]",
        f);
  fclose(f);
  CHECK_INT(vt__section_rules_builtin(&rules, &err), VT_OK);
  CHECK_INT(vt__section_rules_load_medspacy(rules, path, &err), VT_OK);
  check_secs(rules, "Levels examined: L3-S1\nLEVELS EXAMINED\nLevel Notes: a\nLevel notes\n",
             "spine_levels|x");
  f = fopen(path, "w");
  fputs("[{\"section_title\": \"a\", \"pattern\": [{\"LOWER\": {\"IN\": [\"x\"]}}]}]", f);
  fclose(f);
  CHECK_INT(vt__section_rules_load_medspacy(rules, path, &err), VT_EUNSUPPORTED);
  CHECK(strstr(err.where, "section rule 1") != NULL);
  f = fopen(path, "w");
  fputs("{\"section_rules\": [\n{\"literal\": \"A:\"}\n", f);
  fclose(f);
  CHECK_INT(vt__section_rules_load_medspacy(rules, path, &err), VT_EFORMAT);
  CHECK(strstr(err.where, "line 3") != NULL);
  f = fopen(path, "w");
  fputs("{\"section_rules\": [{\"literal\": \"A:\"}]}", f);
  fclose(f);
  CHECK_INT(vt__section_rules_load_medspacy(rules, path, &err), VT_EFORMAT);
  CHECK_INT(vt__section_rules_load_medspacy(rules, "/nonexistent.json", &err), VT_EIO);
  remove(path);
  vt__section_rules_free(rules);
  vt__section_rules_free(NULL);
  return VT_TEST_END();
}
