/* test_context.c — the ConText stage: triggers, pseudo-triggers, terminators,
 * scope windows and directions on spine-report sentences written for this test;
 * the three rule-file formats, read from the public NegEx, genConText and
 * medspaCy files in ../shared/data (in place) and from small files written here;
 * bad rule files; and vt__context_apply on a hand-built document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/context_rules.h"
#include "text/engine.h"
#include "vt_test.h"

#define NEGEX VT_SHARED_DATA "/negex/chapman_negex"

static vt_text_engine eng;

static vt_assertion run(const char *sentence, const char *target) {
  vt_assertion a;
  vt_error err;
  memset(&a, 0xAB, sizeof a);
  vt_status st = vt_text_assert(&eng, sentence, strlen(sentence), target, strlen(target), &a, &err);
  CHECK_MSG(st == VT_OK, "'%s' in '%s': %s", target, sentence, err.message);
  return a;
}

static void trigger_is(const char *sentence, const vt_assertion *a, const char *text,
                       const char *cat) {
  size_t n = strlen(text);
  CHECK_MSG(a->trigger_span.start != VT_SPAN_NONE && a->trigger_span.end - a->trigger_span.start == n &&
                !strncmp(sentence + a->trigger_span.start, text, n),
            "trigger of '%s' is not '%s'", sentence, text);
  CHECK_MSG(a->trigger_category && !strcmp(a->trigger_category, cat), "category %s != %s",
            a->trigger_category ? a->trigger_category : "(null)", cat);
}

static void test_negation(void) {
  const char *s = "No evidence of fracture or subluxation.";
  vt_assertion a = run(s, "fracture");
  CHECK(a.negated && !a.uncertain && !a.historical && !a.hypothetical);
  trigger_is(s, &a, "No evidence of", "NEGATED_EXISTENCE");
  CHECK(run(s, "subluxation").negated);
  /* backward trigger */
  s = "Spondylolysis is not seen.";
  a = run(s, "spondylolysis");
  CHECK(a.negated);
  trigger_is(s, &a, "is not seen", "NEGATED_EXISTENCE");
  CHECK(run("Acute fracture is excluded.", "fracture").negated);
  /* nothing: affirmed, with no trigger */
  a = run("Mild disc bulge at L4-L5.", "disc bulge");
  CHECK(!a.negated && !a.uncertain && !a.historical && !a.hypothetical);
  CHECK(a.experiencer == VT_EXPERIENCER_PATIENT);
  CHECK(a.trigger_span.start == VT_SPAN_NONE && a.trigger_category == NULL);
  /* pseudo-triggers negate nothing */
  CHECK(!run("No change in the disc protrusion at L4-5.", "disc protrusion").negated);
  CHECK(!run("No significant interval change of the L1 compression fracture.", "compression fracture").negated);
  CHECK(!run("Not only stenosis but also facet arthropathy.", "stenosis").negated);
  CHECK(!run("MRI of the lumbar spine without contrast shows a disc extrusion.", "disc extrusion").negated);
  /* terminators end the scope */
  CHECK(!run("No stenosis, but there is a disc bulge.", "disc bulge").negated);
  CHECK(run("No stenosis, but there is a disc bulge.", "stenosis").negated);
  CHECK(!run("No fracture; however, an old Schmorl node.", "schmorl node").negated);
  CHECK(!run("No canal stenosis, although mild foraminal narrowing persists.", "foraminal narrowing").negated);
  CHECK(!run("No cord compression which would explain myelopathy.", "myelopathy").negated);
  CHECK(!run("Aside from disc desiccation, no other findings.", "disc desiccation").negated);
  /* a new sentence ends the scope */
  CHECK(!run("No fracture. Disc bulge at L4-5.", "disc bulge").negated);
  /* the window: eight words for negation */
  CHECK(run("No one two three four five six stenosis.", "stenosis").negated);
  CHECK(!run("No one two three four five six seven eight nine ten stenosis.", "stenosis").negated);
  /* case and white space do not matter */
  CHECK(run("NEGATIVE   FOR\tSPONDYLOLISTHESIS.", "spondylolisthesis").negated);
}

static void test_other_categories(void) {
  const char *s = "Possible small disc herniation at L5-S1.";
  vt_assertion a = run(s, "disc herniation");
  CHECK(a.uncertain && !a.negated);
  trigger_is(s, &a, "Possible", "POSSIBLE_EXISTENCE");
  a = run("Cannot exclude a small fracture.", "fracture");
  CHECK(a.uncertain && !a.negated);
  a = run("A pars defect cannot be excluded.", "pars defect");
  CHECK(a.uncertain && !a.negated);
  CHECK(run("Findings suggestive of discitis.", "discitis").uncertain);
  CHECK(run("Rule out cauda equina syndrome.", "cauda equina syndrome").uncertain);

  s = "History of L1 compression fracture.";
  a = run(s, "compression fracture");
  CHECK(a.historical && !a.negated);
  trigger_is(s, &a, "History of", "HISTORICAL");
  /* status post: historical for the procedure, not for the current change */
  s = "Status post laminectomy at L4-5 with postoperative change.";
  CHECK(run(s, "laminectomy").historical);
  CHECK(!run(s, "postoperative change").historical);
  CHECK(run("S/P fusion L4-S1.", "fusion").historical);
  CHECK(run("Prior discectomy at L5-S1.", "discectomy").historical);
  CHECK(!run("Compared to prior MRI, the stenosis is unchanged.", "stenosis").historical);
  CHECK(!run("Two day history of back pain.", "back pain").historical);
  /* a history header reaches the whole list; what the patient presents with ends it */
  s = "PAST MEDICAL HISTORY: diabetes, hypertension, status post CABG, gout and osteoporosis.";
  CHECK(run(s, "osteoporosis").historical);
  s = "History of scoliosis who presents with acute back pain.";
  CHECK(run(s, "scoliosis").historical);
  CHECK(!run(s, "back pain").historical);

  s = "Return to the clinic if leg weakness develops.";
  a = run(s, "leg weakness");
  CHECK(a.hypothetical && !a.negated);
  trigger_is(s, &a, "if", "HYPOTHETICAL");
  CHECK(run("Call if any numbness or weakness.", "numbness").hypothetical);

  s = "Family history of scoliosis in her mother.";
  a = run(s, "scoliosis");
  CHECK(a.experiencer == VT_EXPERIENCER_FAMILY && a.historical);
  CHECK(run("Her mother has osteoporosis.", "osteoporosis").experiencer == VT_EXPERIENCER_FAMILY);
  CHECK(run("Brought in by his wife with back pain.", "back pain").experiencer ==
        VT_EXPERIENCER_PATIENT);
  CHECK(run("His roommate had a fracture.", "fracture").experiencer == VT_EXPERIENCER_OTHER);
  /* categories combine */
  a = run("No history of spinal fracture.", "spinal fracture");
  CHECK(a.negated && a.historical);
}

/* Typical lumbar MRI/CT impressions, written for this test. */
static void test_spine_phrases(void) {
  const char *s = "Mild degenerative changes without significant spinal canal stenosis.";
  CHECK(run(s, "spinal canal stenosis").negated);
  CHECK(!run(s, "degenerative changes").negated);
  CHECK(run("There is no significant neural foraminal narrowing at L4-5.", "foraminal narrowing").negated);
  CHECK(run("No evidence of cord compression or myelopathy.", "myelopathy").negated);
  CHECK(run("Previously seen endplate edema has resolved.", "endplate edema").negated);
  s = "Broad-based disc bulge versus small protrusion at L5-S1.";
  CHECK(run(s, "disc bulge").uncertain && run(s, "protrusion").uncertain);
  CHECK(run("Findings may represent Modic type 1 change.", "modic type 1").uncertain);
  CHECK(!run("Findings consistent with Modic type 2 change.", "modic type 2").uncertain);
  CHECK(run("Recommend MRI to assess for progression of stenosis.", "stenosis").hypothetical);
  CHECK(run("Indication: evaluate for cauda equina syndrome.", "cauda equina syndrome").hypothetical);
  s = "Post-surgical changes at L4-5 status post laminectomy.";
  CHECK(!run(s, "changes").historical);
  CHECK(run(s, "laminectomy").historical);
  s = "Status post L4-5 fusion with hardware loosening at S1.";
  CHECK(run(s, "fusion").historical);
  CHECK(!run(s, "hardware loosening").historical);
  CHECK(run("Old healed fracture of the right transverse process of L2.", "fracture").historical);
  /* history subjects, problem lists, habitual aspect, "the last time" */
  CHECK(run("Denies alcohol or other drug use.", "alcohol").historical);
  CHECK(run("Denies alcohol or other drug use.", "alcohol").negated);
  CHECK(run("ALLERGIES: TO PENICILLIN.", "allergies: to penicillin").historical);
  CHECK(run("PSYCHIATRIC HISTORY.", "psychiatric history").historical);
  CHECK(!run("Back pain.", "back pain").historical);
  s = "She has multiple medical problems including diabetes, CKD, and remote lung cancer.";
  CHECK(run(s, "CKD").historical);
  s = "He is admitted quite frequently for abdominal pain and vomiting.";
  CHECK(run(s, "vomiting").historical);
  CHECK(run("This made her nauseated the last time she had it.", "nauseated").historical);
  CHECK(run("Menstrual History: POST-MENOPAUSAL", "post-menopausal").historical);
  /* an inline numbered list item is a sentence of its own: "s/p" in item 1
   * does not date item 2 */
  s = "DIAGNOSIS: 1) Severe esophagitis s/p biopsy 2) Large hiatal hernia";
  CHECK(!run(s, "hiatal hernia").historical);
  CHECK(run(s, "biopsy").historical);
  CHECK(!run("Acute L1 compression fracture.", "compression fracture").historical);
  /* copula forms of backward negations: "is not" must not hide "not identified" */
  CHECK(run("A discrete cord signal abnormality is not identified.", "cord signal abnormality").negated);
  CHECK(run("Distinct neuroforaminal narrowing is not evident.", "neuroforaminal narrowing").negated);
  CHECK(run("Fracture has not been seen.", "fracture").negated);
  CHECK(run("There is no CT evidence of a moderate or high-grade stenosis.", "stenosis").negated);
  /* a modal hedges the verb after it; "borderline" is a severity */
  CHECK(run("Disc osteophyte may mildly indent the cord contour.", "indent the cord contour").uncertain);
  CHECK(run("There may also be some narrowing of the neuroforamina.", "narrowing").uncertain);
  CHECK(!run("A borderline central canal stenosis.", "central canal stenosis").uncertain);
  CHECK(run("The differential diagnosis included polymyositis and disc herniation.",
            "disc herniation").uncertain);
}

static void test_target_lookup(void) {
  vt_assertion a;
  vt_error err;
  const char *s = "No fracture.";
  CHECK(vt_text_assert(&eng, s, strlen(s), "stenosis", 8, &a, &err) == VT_ENOTFOUND);
  CHECK(vt_text_assert(&eng, s, strlen(s), "  ", 2, &a, &err) == VT_EINVAL);
  CHECK(vt_text_assert(NULL, s, strlen(s), "fracture", 8, &a, &err) == VT_EINVAL);
  /* whole words first, then the occurrence in capitals (the test-kit mark) */
  a = run("Pain. No new PAIN.", "pain");
  CHECK(a.negated);
  a = run("PAIN: the pain in his back is not new.", "pain");
  CHECK(!a.negated);
  /* target phrase with other spacing than the sentence */
  CHECK(run("No   disc    herniation.", "disc herniation").negated);
  /* a long sentence costs no more than its window */
  size_t n = 5u << 20;
  char *big = malloc(n + 32);
  CHECK(big != NULL);
  if (big) {
    memcpy(big, "no fracture ", 12);
    for (size_t i = 12; i < n; i++) big[i] = (i % 7 == 0) ? ' ' : 'x';
    memcpy(big + n, " stenosis", 10);
    CHECK(vt_text_assert(&eng, big, n + 9, "fracture", 8, &a, &err) == VT_OK && a.negated);
    CHECK(vt_text_assert(&eng, big, n + 9, "stenosis", 8, &a, &err) == VT_OK && !a.negated);
    free(big);
  }
  /* many near-matches of a long target: linear, not quadratic */
  size_t m = 2u << 20;
  char *run = malloc(m + 1);
  char target[301];
  CHECK(run != NULL);
  if (run) {
    memset(run, 'a', m);
    memset(target, 'a', 300);
    target[299] = 'b';
    target[300] = 0;
    CHECK(vt_text_assert(&eng, run, m, target, 300, &a, &err) == VT_ENOTFOUND);
    run[m - 1] = 'b';
    CHECK(vt_text_assert(&eng, run, m, target, 300, &a, &err) == VT_OK);
    free(run);
  }
  char longt[5000];
  memset(longt, 'x', sizeof longt);
  CHECK(vt_text_assert(&eng, s, strlen(s), longt, sizeof longt, &a, &err) == VT_ELIMIT);
  /* bytes over 0x7F are letters, NUL bytes are not special */
  const char bin[] = "no \xC3\xA9 fracture\0x";
  CHECK(vt_text_assert(&eng, bin, sizeof bin - 1, "fracture", 8, &a, &err) == VT_OK && a.negated);
}

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fputs(text, f);
  return fclose(f) == 0;
}

static vt__context *empty(void) {
  vt__context *c = NULL;
  CHECK(vt__ctx_new_empty(&c) == VT_OK);
  return c;
}

static vt_assertion run_with(vt__context *c, const char *sentence, const char *target) {
  vt__context *saved = eng.context;
  eng.context = c;
  vt_assertion a = run(sentence, target);
  eng.context = saved;
  return a;
}

static void test_loaders(void) {
  vt_error err;
  /* NegEx trigger file (CRLF, 272 rules) */
  vt__context *c = empty();
  CHECK(vt__context_load(c, NEGEX "/negex_triggers.txt", &err) == VT_OK);
  CHECK_INT(c->nrules, 272);
  CHECK(run_with(c, "The patient denies chest pain.", "chest pain").negated);
  CHECK(!run_with(c, "No change in the effusion.", "effusion").negated);
  CHECK(run_with(c, "Rule out pneumonia.", "pneumonia").uncertain);
  CHECK(run_with(c, "Pneumonia was ruled out.", "pneumonia").negated);
  CHECK(!run_with(c, "No fever but cough.", "cough").negated);
  vt__context_free(c);

  /* genConText: NegEx format, category given by prefix */
  c = empty();
  CHECK(vt__context_load(c, "historical=" NEGEX "/genConText_triggers/history_triggers.txt", &err) == VT_OK);
  CHECK(vt__context_load(c, "hypothetical=" NEGEX "/genConText_triggers/hypothetical_triggers.txt", &err) == VT_OK);
  CHECK(vt__context_load(c, "family=" NEGEX "/genConText_triggers/experiencer_triggers.txt", &err) == VT_OK);
  CHECK(run_with(c, "History of gout.", "gout").historical);
  CHECK(!run_with(c, "History of present illness: gout.", "gout").historical);
  CHECK(run_with(c, "Return if fever.", "fever").hypothetical);
  CHECK(run_with(c, "Mother's diabetes.", "diabetes").experiencer == VT_EXPERIENCER_FAMILY);
  vt__context_free(c);

  /* medspaCy en_context_rules.json: literals and token patterns */
  c = empty();
  CHECK_MSG(vt__context_load(c, VT_SHARED_DATA "/negex/medspacy/en_context_rules.json", &err) == VT_OK,
            "%s: %s", err.where, err.message);
  CHECK(c->nrules > 102);
  CHECK(run_with(c, "There is no evidence of pneumonia.", "pneumonia").negated);
  CHECK(run_with(c, "Sufficient to rule her out for PE.", "PE").negated);   /* IN + OP "?" */
  CHECK(run_with(c, "PE has been ruled out.", "PE").negated);               /* backward */
  CHECK(run_with(c, "Past medical history of gout.", "gout").historical);   /* optional token */
  CHECK(run_with(c, "Her sister's diabetes.", "diabetes").experiencer == VT_EXPERIENCER_FAMILY);
  CHECK(!run_with(c, "No fever but cough.", "cough").negated);              /* TERMINATE */
  vt__context_free(c);

  /* Vertebra JSON */
  const char *tmp = "test_context_rules.json";
  CHECK(write_file(tmp, "{\"format\": \"vertebra-context\", \"version\": 1,\n"
                        " \"default_scope\": {\"negated\": 3},\n"
                        " \"rules\": [\n"
                        "  {\"phrase\": \"nope\", \"category\": \"negated\", \"direction\": \"forward\"},\n"
                        "  {\"phrases\": [\"ruled away\", \"gone\"], \"category\": \"negated\","
                        " \"direction\": \"backward\", \"max_scope\": 2},\n"
                        "  {\"phrase\": \"yet\", \"category\": \"all\", \"direction\": \"terminate\"},\n"
                        "  {\"phrase\": \"vaping\", \"category\": \"historical\", \"direction\": \"subject\"}]}\n"));
  c = empty();
  CHECK_MSG(vt__context_load(c, tmp, &err) == VT_OK, "%s", err.message);
  CHECK(run_with(c, "nope a b stenosis", "stenosis").negated);
  CHECK(!run_with(c, "nope a b c stenosis", "stenosis").negated); /* default_scope 3 */
  CHECK(run_with(c, "stenosis a gone", "stenosis").negated);
  CHECK(!run_with(c, "stenosis a b gone", "stenosis").negated);   /* max_scope 2 */
  CHECK(!run_with(c, "nope yet stenosis", "stenosis").negated);
  /* a subject rule acts inside the target only, never as a trigger outside it */
  CHECK(run_with(c, "Admits to daily vaping.", "daily vaping").historical);
  CHECK(!run_with(c, "After vaping, cough.", "cough").historical);
  vt__context_free(c);

  /* bad files: clear error, rules unchanged */
  struct {
    const char *text;
    vt_status st;
    const char *where;
  } bad[] = {
      {"no evidence of\n", VT_EFORMAT, "line 1"},
      {"no\t\t[PREN]\nnot\t\t[NOPE]\n", VT_EFORMAT, "line 2"},
      {"{\"context_rules\": [{\"category\": \"NEGATED_EXISTENCE\", \"literal\": \"x\", "
       "\"pattern\": [{\"LEMMA\": \"be\"}]}]}",
       VT_EUNSUPPORTED, "context_rules[0]"},
      {"{\"context_rules\": [{\"category\": \"NEGATED_EXISTENCE\", \"literal\": \"x\", "
       "\"pattern\": [{\"LOWER\": \"x\", \"OP\": \"*\"}]}]}",
       VT_EUNSUPPORTED, "pattern[0]"},
      {"{\"context_rules\": [{\"category\": \"INDICATION\", \"literal\": \"x\"}]}",
       VT_EUNSUPPORTED, "context_rules[0]"},
      {"{\"context_rules\": [{\"category\": \"HISTORICAL\", \"literal\": \"x\", \"direction\": \"UP\"}]}",
       VT_EFORMAT, "context_rules[0]"},
      {"{\"format\": \"vertebra-context\", \"rules\": [{\"phrase\": \"\", \"category\": "
       "\"negated\", \"direction\": \"forward\"}]}",
       VT_EFORMAT, "rules[0]"},
      {"{\"format\": \"vertebra-context\", \"rules\": [{\"phrase\": \"x\", \"category\": "
       "\"negated\", \"direction\": \"forward\", \"max_scope\": 1000}]}",
       VT_EFORMAT, "rules[0]"},
      {"{\"rules\": []}", VT_EFORMAT, tmp},
      {"{\"context_rules\": [", VT_EFORMAT, tmp},
      {"", VT_EFORMAT, tmp},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK(write_file(tmp, bad[i].text));
    c = empty();
    vt_status st = vt__context_load(c, tmp, &err);
    CHECK_MSG(st == bad[i].st, "bad[%zu]: %s (%s: %s)", i, vt_status_name(st), err.where, err.message);
    CHECK_MSG(strstr(err.where, bad[i].where) != NULL, "bad[%zu]: where '%s'", i, err.where);
    CHECK_INT(c->nrules, 0);
    vt__context_free(c);
  }
  c = empty();
  CHECK(vt__context_load(c, "/nonexistent/rules.txt", &err) == VT_EIO);
  vt__context_free(c);
  remove(tmp);
}

static void test_apply(void) {
  const char *text = "FINDINGS: No fracture. Old compression deformity at L1.";
  vt__doc doc;
  memset(&doc, 0, sizeof doc);
  char lower[64];
  size_t len = strlen(text);
  for (size_t i = 0; i <= len; i++)
    lower[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
  doc.text = text;
  doc.len = len;
  doc.lower = lower;
  vt__sentence sents[2] = {{0, 22, 0, 0, -1}, {23, len, 0, 0, -1}};
  doc.sents = sents;
  doc.nsents = 2;
  vt__findings list = {0};
  vt_finding f;
  vt__finding_init(&f);
  f.span.start = 13; /* "fracture" */
  f.span.end = 21;
  CHECK(vt__findings_push(&list, &f) == VT_OK);
  vt__finding_init(&f);
  f.span.start = 27; /* "compression deformity" */
  f.span.end = 48;
  f.sentence.start = 23;
  f.sentence.end = len;
  CHECK(vt__findings_push(&list, &f) == VT_OK);
  vt__finding_init(&f);
  f.span.start = 27;
  f.span.end = 48;
  f.section = "past medical history";
  CHECK(vt__findings_push(&list, &f) == VT_OK);
  vt_error err;
  CHECK(vt__context_apply(eng.context, &doc, &list, &err) == VT_OK);
  CHECK(list.v[0].negated && !list.v[0].historical);
  CHECK(list.v[0].trigger_span.start == 10 && list.v[0].trigger_span.end == 12);
  CHECK(!list.v[1].negated && list.v[1].historical);
  CHECK(list.v[2].historical);
  vt__findings_free(&list);

  /* in the findings of an imaging report, "chronic", "old", "status post"
   * date the finding's origin: it is seen now (docs/text-context.md) */
  text = "Mild chronic anterior wedging. History of fracture.";
  len = strlen(text);
  for (size_t i = 0; i <= len; i++)
    lower[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
  doc.text = text;
  doc.len = len;
  vt__sentence s2[2] = {{0, 30, 0, 0, -1}, {31, len, 0, 0, -1}};
  doc.sents = s2;
  static const char *const secs[] = {"findings", "impression", "history"};
  for (size_t k = 0; k < 3; k++) {
    memset(&list, 0, sizeof list);
    vt__finding_init(&f);
    f.span.start = 13; /* "anterior wedging" */
    f.span.end = 29;
    f.section = secs[k];
    CHECK(vt__findings_push(&list, &f) == VT_OK);
    vt__finding_init(&f);
    f.span.start = 42; /* "fracture" */
    f.span.end = 50;
    f.section = secs[k];
    CHECK(vt__findings_push(&list, &f) == VT_OK);
    CHECK(vt__context_apply(eng.context, &doc, &list, &err) == VT_OK);
    CHECK_MSG(list.v[0].historical == (k == 2), "chronic in %s", secs[k]);
    CHECK_MSG(list.v[1].historical, "history of in %s", secs[k]);
    vt__findings_free(&list);
  }
}

int main(void) {
  vt_error err;
  memset(&eng, 0, sizeof eng);
  if (vt__context_builtin(&eng.context, &err) != VT_OK) {
    fprintf(stderr, "builtin: %s\n", err.message);
    return 1;
  }
  test_negation();
  test_other_categories();
  test_spine_phrases();
  test_target_lookup();
  test_loaders();
  test_apply();
  vt__context_free(eng.context);
  return VT_TEST_END();
}
