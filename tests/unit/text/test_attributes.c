/* test_attributes.c — levels (discs, ranges, coordinated levels, headings,
 * impossible labels, MRI "T2" words), side, severity, listhesis grade and size,
 * with exact spans, on radiology-style sentences (capitals too). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/stages.h"
#include "text_fixture.h"
#include "vt_test.h"

static vt__targets *T;
static const char *TEXT;

static vt__findings run(const char *text) {
  vt__doc doc;
  fx_doc(&doc, text);
  vt__findings out = {0};
  vt_error err;
  TEXT = text;
  CHECK_INT(vt__targets_match(T, &doc, &out, &err), VT_OK);
  CHECK_INT(vt__attributes_apply(&doc, &out, &err), VT_OK);
  fx_free(&doc);
  return out;
}

static void span_is(vt_text_span sp, const char *words) {
  const char *at = strstr(TEXT, words);
  CHECK_MSG(at != NULL, "'%s' not in '%s'", words, TEXT);
  if (!at) return;
  CHECK_MSG(sp.start == (size_t)(at - TEXT) && sp.end == sp.start + strlen(words),
            "span [%zu,%zu) is not '%s' in '%s'", sp.start, sp.end, words, TEXT);
}

/* Checks mention i: id, level ("" for none) and its words. */
static const vt_finding *m(const vt__findings *l, size_t i, const char *id, const char *level,
                           const char *level_words) {
  CHECK_MSG(i < l->n, "%s: only %zu mentions", TEXT, l->n);
  if (i >= l->n) return NULL;
  const vt_finding *f = &l->v[i];
  CHECK_STR(f->finding, id);
  CHECK_STR(f->level, level);
  if (level_words) span_is(f->level_span, level_words);
  else CHECK(f->level_span.start == VT_SPAN_NONE);
  return f;
}

static void levels(void) {
  static const struct {
    const char *text, *level, *words;
    vt_level_kind kind;
  } C[] = {
      {"Disc bulge at L4-5.", "L4-L5", "L4-5", VT_LEVEL_DISC},
      {"Disc bulge at L4/L5.", "L4-L5", "L4/L5", VT_LEVEL_DISC},
      {"Disc bulge at L4-L5.", "L4-L5", "L4-L5", VT_LEVEL_DISC},
      {"Disc bulge at L4 5.", "L4-L5", "L4 5", VT_LEVEL_DISC},
      {"DISC BULGE AT L5-S1.", "L5-S1", "L5-S1", VT_LEVEL_DISC},
      {"Disc osteophyte complex at C5-6.", "C5-C6", "C5-6", VT_LEVEL_DISC},
      {"Disc bulge at T12-L1.", "T12-L1", "T12-L1", VT_LEVEL_DISC},
      {"Disc bulge at C7-T1.", "C7-T1", "C7-T1", VT_LEVEL_DISC},
      {"Disc bulge between L4 and L5.", "L4-L5", "L4 and L5", VT_LEVEL_DISC},
      {"Degenerative changes from L3 to S1.", "L3-S1", "L3 to S1", VT_LEVEL_RANGE},
      {"Degenerative changes L3 through S1.", "L3-S1", "L3 through S1", VT_LEVEL_RANGE},
      {"Fusion at L3-5.", "L3-L5", "L3-5", VT_LEVEL_RANGE},
      {"Compression fracture of L1.", "L1", "L1", VT_LEVEL_VERTEBRA},
      {"At the L4-5 level, there is a disc protrusion.", "L4-L5", "L4-5", VT_LEVEL_DISC},
      {"Disc bulge at L5-L6.", "L5-L6", "L5-L6", VT_LEVEL_DISC}, /* transitional, kept */
      {"Disc bulge at L6-S1.", "L6-S1", "L6-S1", VT_LEVEL_DISC},
      {"Fracture of T13.", "T13", "T13", VT_LEVEL_VERTEBRA},
      {"Herniation at L5S1.", "L5-S1", "L5S1", VT_LEVEL_DISC},
  };
  for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
    vt__findings l = run(C[i].text);
    CHECK_MSG(l.n == 1, "%s: %zu mentions", C[i].text, l.n);
    if (l.n >= 1) {
      CHECK_STR(l.v[0].level, C[i].level);
      CHECK_INT(l.v[0].level_kind, C[i].kind);
      span_is(l.v[0].level_span, C[i].words);
    }
    vt__findings_free(&l);
  }
  /* impossible levels are no levels */
  const char *bad[] = {"Fracture at L7.", "Disc bulge at C9-10.", "Fracture of T14.",
                       "Disc bulge at L4-3."};
  for (size_t i = 0; i < 4; i++) {
    vt__findings l = run(bad[i]);
    CHECK_MSG(l.n == 1 && (!strcmp(l.v[0].level, "") || !strcmp(l.v[0].level, "L4")),
              "%s: level '%s'", bad[i], l.n ? l.v[0].level : "?");
    vt__findings_free(&l);
  }
}

static void coordination_and_nearest(void) {
  vt__findings l = run("Stenosis of the neural foramina at L3-4 and L4-5.");
  CHECK_INT(l.n, 2);
  m(&l, 0, "foraminal_stenosis", "L3-L4", "L3-4");
  m(&l, 1, "foraminal_stenosis", "L4-L5", "L4-5");
  if (l.n == 2) CHECK(l.v[0].span.start == l.v[1].span.start);
  vt__findings_free(&l);

  l = run("Compression fractures of T12 and L1.");
  CHECK_INT(l.n, 2);
  m(&l, 0, "compression_fracture", "T12", "T12");
  m(&l, 1, "compression_fracture", "L1", "L1");
  vt__findings_free(&l);

  l = run("Mild disc bulge at L3-4 and a left paracentral disc protrusion at L4-5.");
  CHECK_INT(l.n, 2);
  const vt_finding *f = m(&l, 0, "disc_bulge", "L3-L4", "L3-4");
  if (f) CHECK_STR(f->severity, "mild");
  f = m(&l, 1, "disc_protrusion", "L4-L5", "L4-5");
  if (f) {
    CHECK_STR(f->side, "left");
    span_is(f->side_span, "left paracentral");
    CHECK_STR(f->severity, "");
  }
  vt__findings_free(&l);

  /* "T2" of an MRI sequence is not a level */
  l = run("T2 hyperintense lesion in the L1 vertebral body consistent with a hemangioma.");
  CHECK_INT(l.n, 1);
  m(&l, 0, "hemangioma", "L1", "L1");
  vt__findings_free(&l);
}

static void headings(void) {
  const char *t = "L4-5: Disc bulge. Mild facet arthropathy.\nL5-S1: Severe central canal "
                  "stenosis.\n\nScoliosis.";
  vt__findings l = run(t);
  CHECK_INT(l.n, 4);
  m(&l, 0, "disc_bulge", "L4-L5", "L4-5");
  const vt_finding *f = m(&l, 1, "facet_degeneration", "L4-L5", "L4-5");
  if (f) CHECK_STR(f->severity, "mild");
  f = m(&l, 2, "central_stenosis", "L5-S1", "L5-S1");
  if (f) {
    CHECK_STR(f->severity, "severe");
    CHECK_STR(f->side, "central");
  }
  m(&l, 3, "scoliosis", "", NULL); /* an empty line ends the heading */
  vt__findings_free(&l);

  /* "at that level" refers back; a sentence naming another region ends a heading */
  t = "C6-7: Disc bulge. MRI of the lumbar spine shows a disc protrusion at L4-L5. The nerve "
      "root on the right is impinged at that level. Scoliosis.";
  l = run(t);
  CHECK_INT(l.n, 4);
  m(&l, 0, "disc_bulge", "C6-C7", "C6-7");
  m(&l, 1, "disc_protrusion", "L4-L5", "L4-L5");
  m(&l, 2, "nerve_root_compression", "L4-L5", "L4-L5");
  m(&l, 3, "scoliosis", "", NULL);
  vt__findings_free(&l);

  /* a paragraph's opening sentence with a level heads the paragraph */
  t = "Scoliosis.\n\nThere is marked disk space narrowing at the L5-S1 level. There is facet "
      "sclerosis bilaterally.";
  l = run(t);
  CHECK_INT(l.n, 3);
  m(&l, 0, "scoliosis", "", NULL);
  m(&l, 1, "disc_height_loss", "L5-S1", "L5-S1");
  const vt_finding *fs = m(&l, 2, "facet_degeneration", "L5-S1", "L5-S1");
  if (fs) CHECK_STR(fs->side, "bilateral");
  vt__findings_free(&l);

  /* "T11 and 12" are two vertebrae for a fracture */
  l = run("Mild anterior wedging of T11 and 12 vertebral bodies.");
  CHECK_INT(l.n, 2);
  m(&l, 0, "compression_fracture", "T11", "T11");
  m(&l, 1, "compression_fracture", "T12", "12");
  vt__findings_free(&l);
}

/* Level rules found by the gold-set evaluation (docs/text-gold-guideline.md). */
static void gold_level_rules(void) {
  /* a span of discs is one range */
  const char *t = "Disk/osteophyte at C4-5 through C6-7 with mild cord indentation.";
  vt__findings l = run(t);
  const vt_finding *f = m(&l, 0, "osteophyte", "C4-C7", "C4-5 through C6-7");
  if (f) CHECK_INT(f->level_kind, VT_LEVEL_RANGE);
  vt__findings_free(&l);
  /* "this disc" refers back to the last disc level, not to a vertebra named after it */
  t = "MRI revealed an L3-4 disc herniation behind the L4 vertebral body. This disc "
      "compromised the right neural foramen.";
  l = run(t);
  CHECK_INT(l.n, 2);
  m(&l, 0, "disc_herniation", "L3-L4", "L3-4");
  m(&l, 1, "foraminal_stenosis", "L3-L4", "L3-4");
  vt__findings_free(&l);
  /* under a heading, a vertebra that belongs to a later mention is not taken */
  t = "L5-S1: There is a laminectomy defect, spondylolisthesis with 3.5mm of anterolisthesis "
      "of L5.";
  l = run(t);
  CHECK_INT(l.n, 3);
  m(&l, 0, "postoperative_change", "L5-S1", "L5-S1");
  m(&l, 1, "spondylolisthesis", "L5-S1", "L5-S1");
  if (l.n == 3) CHECK_STR(l.v[2].level, "L5"); /* "anterolisthesis of L5" */
  vt__findings_free(&l);
}

static void side_severity(void) {
  const char *t = "MILD DISC BULGE AT L4-5 WITH MODERATE LEFT NEURAL FORAMINAL NARROWING.";
  vt__findings l = run(t);
  CHECK_INT(l.n, 2);
  const vt_finding *f = m(&l, 0, "disc_bulge", "L4-L5", "L4-5");
  if (f) {
    CHECK_STR(f->severity, "mild");
    span_is(f->severity_span, "MILD");
    CHECK_STR(f->side, "");
  }
  f = m(&l, 1, "foraminal_stenosis", "L4-L5", "L4-5");
  if (f) {
    CHECK_STR(f->severity, "moderate");
    span_is(f->severity_span, "MODERATE");
    CHECK_STR(f->side, "left");
    span_is(f->side_span, "LEFT");
  }
  vt__findings_free(&l);

  static const struct {
    const char *text, *sev, *sev_words, *side;
  } C[] = {
      {"Mild to moderate bilateral neural foraminal narrowing.", "mild-to-moderate",
       "Mild to moderate", "bilateral"},
      {"Moderate-to-severe central canal stenosis.", "moderate-to-severe", "Moderate-to-severe",
       "central"},
      {"Minimal disc bulge.", "mild", "Minimal", ""},
      {"Marked right foraminal stenosis.", "severe", "Marked", "right"},
      {"Significant canal stenosis.", "", NULL, ""},
      {"Left-sided facet arthropathy, severe.", "severe", "severe", "left"},
      {"Foraminal stenosis on the right is mild.", "mild", "mild", "right"},
      {"Facet arthropathy on the left and right.", "", NULL, "bilateral"},
  };
  for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
    l = run(C[i].text);
    CHECK_MSG(l.n == 1, "%s: %zu", C[i].text, l.n);
    if (l.n) {
      CHECK_STR(l.v[0].severity, C[i].sev);
      if (C[i].sev_words) span_is(l.v[0].severity_span, C[i].sev_words);
      CHECK_STR(l.v[0].side, C[i].side);
    }
    vt__findings_free(&l);
  }
}

static void grade_size(void) {
  static const struct {
    const char *text;
    int grade;
    double mm;
    const char *level;
  } C[] = {
      {"Grade 1 anterolisthesis of L4 on L5.", 1, -1, "L4"},
      {"GRADE II SPONDYLOLISTHESIS AT L5-S1.", 2, -1, "L5-S1"},
      {"Meyerding grade III spondylolisthesis of L5.", 3, -1, "L5"},
      {"4 mm anterolisthesis of L5 on S1.", 0, 4.0, "L5"},
      {"Retrolisthesis of L2 on L3 measuring 3.5 mm.", 0, 3.5, "L2"},
  };
  for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
    vt__findings l = run(C[i].text);
    CHECK_MSG(l.n == 1, "%s: %zu", C[i].text, l.n);
    if (l.n) {
      CHECK_STR(l.v[0].finding, "spondylolisthesis");
      CHECK_INT(l.v[0].listhesis_grade, C[i].grade);
      CHECK_NEAR(l.v[0].size_mm, C[i].mm, 1e-9);
      CHECK_STR(l.v[0].level, C[i].level);
    }
    vt__findings_free(&l);
  }
  vt__findings l = run("Left paracentral disc extrusion measuring 1.2 x 0.8 cm at L5-S1.");
  CHECK_INT(l.n, 1);
  if (l.n) {
    CHECK_NEAR(l.v[0].size_mm, 12.0, 1e-9);
    CHECK_STR(l.v[0].side, "left");
    CHECK_STR(l.v[0].level, "L5-S1");
  }
  vt__findings_free(&l);
  l = run("A 6 mm disc protrusion.");
  if (l.n) CHECK_NEAR(l.v[0].size_mm, 6.0, 1e-9);
  vt__findings_free(&l);
}

static void odd_input(void) {
  const char *odd[] = {"L4-", "L4 and", "- L4 - - 5 / /", "grade", "stenosis grade",
                       "spondylolisthesis grade", "4 x", "disc bulge 4 x 5 x", ":",
                       "L4-5:", "at the", "mild to", "stenosis mild to", "left and"};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    vt__findings l = run(odd[i]);
    vt__findings_free(&l);
  }
  vt__findings l = run("spondylolisthesis grade");
  CHECK_INT(l.n, 1);
  if (l.n) CHECK_INT(l.v[0].listhesis_grade, 0);
  vt__findings_free(&l);
}

int main(void) {
  vt_error err;
  CHECK_INT(vt__targets_builtin(&T, &err), VT_OK);
  levels();
  coordination_and_nearest();
  headings();
  gold_level_rules();
  side_severity();
  grade_size();
  odd_input();
  vt__targets_free(T);
  return VT_TEST_END();
}
