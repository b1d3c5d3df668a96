/* test_report_sentences.c — targets and attributes on real sentences of MTSamples
 * spine reports (read in place from ../shared/data/reports/mtsamples_spine.csv),
 * asserting the labels a radiologist gives them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "text/stages.h"
#include "text_fixture.h"
#include "vt_test.h"

typedef struct want {
  const char *finding, *level, *side, *severity;
} want;

static char *CSV;
static vt__targets *T;

/* The sentence under test is read from the corpus, not written here: it
 * starts `offset` bytes into the CSV record of note `note_id` (the record
 * begins at the line starting "<note_id>,") and runs to the next full stop,
 * so the test carries only a key into the shared data. */
static void check(int note_id, size_t offset, const want *w, size_t n) {
  char key[32], sentence[48];
  snprintf(key, sizeof key, "\n%d,", note_id);
  snprintf(sentence, sizeof sentence, "note %d at byte %zu", note_id, offset);
  const char *rec = strstr(CSV, key);
  CHECK_MSG(rec != NULL, "note_id %d not in mtsamples_spine.csv", note_id);
  if (!rec) return;
  rec++;
  CHECK_MSG(offset < strlen(rec), "%s: past the end of the corpus", sentence);
  if (offset >= strlen(rec)) return;
  const char *at = rec + offset;
  const char *stop = strchr(at, '.');
  CHECK_MSG(stop != NULL, "%s: no full stop after it", sentence);
  if (!stop) return;
  size_t len = (size_t)(stop + 1 - at);
  char *copy = malloc(len + 1);
  memcpy(copy, at, len);
  copy[len] = 0;
  vt__doc doc;
  fx_doc(&doc, copy);
  vt__findings l = {0};
  vt_error err;
  CHECK_INT(vt__targets_match(T, &doc, &l, &err), VT_OK);
  CHECK_INT(vt__attributes_apply(&doc, &l, &err), VT_OK);
  CHECK_MSG(l.n == n, "%s: %zu mentions, expected %zu", sentence, l.n, n);
  for (size_t i = 0; i < n && i < l.n; i++) {
    CHECK_STR(l.v[i].finding, w[i].finding);
    CHECK_STR(l.v[i].level, w[i].level);
    CHECK_STR(l.v[i].side, w[i].side);
    CHECK_STR(l.v[i].severity, w[i].severity);
  }
  vt__findings_free(&l);
  fx_free(&doc);
  free(copy);
}

int main(void) {
  vt_error err;
  size_t len;
  CHECK_INT(vt__read_file(VT_SHARED_DATA "/reports/mtsamples_spine.csv", (size_t)64 << 20, &CSV,
                          &len, &err),
            VT_OK);
  CHECK_INT(vt__targets_builtin(&T, &err), VT_OK);
  if (!CSV || !T) return VT_TEST_END();
  {
    const want w[] = {{"central_stenosis", "C3-C4", "central", "moderate"}};
    check(1587, 1474, w, 1); /* moderate central stenosis at C3-4 */
  }
  {
    const want w[] = {{"spondylosis", "C6-C7", "", "mild"}, {"spondylosis", "C5-C6", "", "mild"},
                      {"spondylosis", "C4-C5", "", "mild"}, {"spondylosis", "C3-C4", "", "mild"},
                      {"disc_bulge", "C6-C7", "", ""},      {"disc_bulge", "C5-C6", "", ""},
                      {"disc_bulge", "C4-C5", "", ""},      {"disc_bulge", "C3-C4", "", ""}};
    check(1587, 1387, w, 8); /* mild spondylosis and bulges over four cervical discs */
  }
  {
    const want w[] = {{"foraminal_stenosis", "L5-S1", "bilateral", ""}};
    check(1643, 2624, w, 1); /* bilateral L5-S1 foraminal narrowing */
  }
  {
    const want w[] = {{"foraminal_stenosis", "L5-S1", "bilateral", "mild"}};
    check(1683, 2817, w, 1); /* mild bilateral L5-S1 foraminal narrowing */
  }
  {
    const want w[] = {{"disc_herniation", "L3-L4", "", ""}};
    check(1571, 3089, w, 1); /* an L3-4 herniation */
  }
  {
    const want w[] = {{"facet_degeneration", "L4-L5", "bilateral", "mild"}};
    check(1683, 1426, w, 1); /* mild bilateral L4-5 facet change */
  }
  {
    const want w[] = {{"disc_desiccation", "L4-L5", "", ""},
                      {"disc_desiccation", "L5-S1", "", ""},
                      {"central_stenosis", "L1-L2", "central", ""},
                      {"central_stenosis", "L2-L3", "central", ""},
                      {"central_stenosis", "L3-L4", "central", ""},
                      {"foraminal_stenosis", "L1-L2", "", ""},
                      {"foraminal_stenosis", "L2-L3", "", ""},
                      {"foraminal_stenosis", "L3-L4", "", ""}};
    /* the elided "central canal [stenosis]" is its own mention */
    check(1564, 980, w, 8);
  }
  vt__targets_free(T);
  free(CSV);
  return VT_TEST_END();
}
