/* test_sentence.c — sentence boundaries on hand-checked report text:
 * abbreviations, decimals, levels, numbered lists, blank lines, headers. */
#include <stdio.h>
#include <stdlib.h>

#include "vt_test.h"
#include "text/stages.h"

/* Sentences of `text` as "[...]" joined, after sections with built-in rules. */
static const char *split(const vt__section_rules *rules, const char *text) {
  static char buf[4096];
  vt__doc d;
  vt_error err;
  buf[0] = '\0';
  if (vt__doc_init(&d, text, strlen(text), &err) || vt__sections_find(rules, &d, &err) ||
      vt__sentences_split(&d, &err)) {
    snprintf(buf, sizeof buf, "ERROR %s", err.message);
    vt__doc_free(&d);
    return buf;
  }
  size_t p = 0;
  for (size_t i = 0; i < d.nsents && p + 8 < sizeof buf; i++) {
    const vt__sentence *s = &d.sents[i];
    int n = (int)(s->end - s->start);
    p += (size_t)snprintf(buf + p, sizeof buf - p, "[%.*s]", n, text + s->start);
  }
  vt__doc_free(&d);
  return buf;
}

int main(void) {
  vt__section_rules *rules = NULL;
  vt_error err;
  CHECK_INT(vt__section_rules_builtin(&rules, &err), VT_OK);
  if (!rules) return VT_TEST_END();

  CHECK_STR(split(rules, "Seen by Dr. Smith vs. Dr. Jones. Disc bulge."),
            "[Seen by Dr. Smith vs. Dr. Jones.][Disc bulge.]");
  CHECK_STR(split(rules, "A 3.5 mm protrusion at L4-5. The L5-S1 level is normal."),
            "[A 3.5 mm protrusion at L4-5.][The L5-S1 level is normal.]");
  CHECK_STR(split(rules, "Stenosis at L4-5."), "[Stenosis at L4-5.]");
  CHECK_STR(split(rules, "Changes, e.g. osteophytes, i.e. spurs, etc. are seen. Next."),
            "[Changes, e.g. osteophytes, i.e. spurs, etc. are seen.][Next.]");
  CHECK_STR(split(rules, "Measures approx. 4 mm. Mr. and Mrs. Doe. Screw No. 2 placed."),
            "[Measures approx. 4 mm.][Mr. and Mrs. Doe.][Screw No. 2 placed.]");
  CHECK_STR(split(rules, "Mild bulge; no stenosis; no herniation. Stable? Yes!"),
            "[Mild bulge; no stenosis; no herniation.][Stable?][Yes!]");
  CHECK_STR(split(rules, "(Compare with prior.) Stable."), "[(Compare with prior.)][Stable.]");
  /* numbered lists: each item a sentence, the number in none */
  CHECK_STR(split(rules, "IMPRESSION:\n1. Mild stenosis at L4-5.\n2. Disc bulge at L5-S1."),
            "[IMPRESSION:][Mild stenosis at L4-5.][Disc bulge at L5-S1.]");
  CHECK_STR(split(rules, "IMPRESSION: 1. No fracture 2. Mild spondylosis"),
            "[IMPRESSION:][No fracture][Mild spondylosis]");
  CHECK_STR(split(rules, "Impression:\n1) Bulge\n2) Stenosis"),
            "[Impression:][Bulge][Stenosis]");
  /* MTSamples flattening: ".," and ":," for line breaks (note 1673 style) */
  CHECK_STR(split(rules, "IMPRESSION:,1.  No evidence for acute fracture.,2.  Mild degenerative "
                         "changes.,"),
            "[IMPRESSION:][No evidence for acute fracture.][Mild degenerative changes.]");
  CHECK_STR(split(rules, "PMH: ,1) Headaches. 2) Allergy to Macrodantin.,SHX:, Smokes."),
            "[PMH:][Headaches.][Allergy to Macrodantin.][SHX:][Smokes.]");
  /* blank lines and section headers end sentences; wrapped lines do not */
  CHECK_STR(split(rules, "Disc bulge at\nL4-5 without stenosis\n\nNo fracture"),
            "[Disc bulge at\nL4-5 without stenosis][No fracture]");
  CHECK_STR(split(rules, "FINDINGS\nMild bulge\nIMPRESSION\nStable"),
            "[FINDINGS][Mild bulge][IMPRESSION][Stable]");
  CHECK_STR(split(rules, "THERE IS A DISC\nBULGE AT L4-5. NO FRACTURE."),
            "[THERE IS A DISC\nBULGE AT L4-5.][NO FRACTURE.]");
  CHECK_STR(split(rules, "L4-5: mild bulge\nL5-S1: normal"), "[L4-5: mild bulge][L5-S1: normal]");
  CHECK_STR(split(rules, "Grade 1. Stable. Sizes 1. 2. Then"), "[Grade 1.][Stable.][Sizes 1.][Then]");
  CHECK_STR(split(rules, "EXAM:,  CT of the lumbar spine,REASON FOR EXAM: , Pain."),
            "[EXAM:][CT of the lumbar spine][REASON FOR EXAM:][Pain.]");
  CHECK_STR(split(rules, ""), "");
  CHECK_STR(split(rules, "..."), "[...]");

  /* section index and token range */
  const char *t = "History: pain.\nFINDINGS: Bulge. Stenosis.";
  vt__doc d;
  CHECK_INT(vt__doc_init(&d, t, strlen(t), &err), VT_OK);
  CHECK_INT(vt__sections_find(rules, &d, &err), VT_OK);
  CHECK_INT(vt__sentences_split(&d, &err), VT_OK);
  CHECK_INT(d.nsents, 5);
  if (d.nsents == 5) {
    CHECK_INT(d.sents[0].section, 0);
    CHECK_INT(d.sents[1].section, 0);
    CHECK_INT(d.sents[3].section, 1);
    CHECK_INT(d.sents[4].section, 1);
    CHECK_INT(d.sents[3].tok_begin, 6);
    CHECK_INT(d.sents[3].tok_end, 8);
    CHECK_INT(d.sents[4].end, strlen(t));
  }
  vt__doc_free(&d);
  const char *u = "No header. Two.";
  CHECK_INT(vt__doc_init(&d, u, strlen(u), &err), VT_OK);
  CHECK_INT(vt__sections_find(rules, &d, &err), VT_OK);
  CHECK_INT(vt__sentences_split(&d, &err), VT_OK);
  CHECK_INT(d.nsents, 2);
  CHECK_INT(d.sents[1].section, -1);
  vt__doc_free(&d);
  vt__section_rules_free(rules);
  return VT_TEST_END();
}
