/* gold_eval.c — scores the whole text engine against the hand-annotated gold
 * set tests/text/gold/spine_mentions.tsv (docs/text-gold-guideline.md) on the
 * MTSamples reports it names, read in place from VT_SHARED_DATA. A mention
 * matches when the spans overlap and finding, level and every assertion flag
 * agree (one-to-one). Asserts precision and recall >= 0.90. */
#include <stdio.h>
#include <stdlib.h>

#include "vt_test.h"
#include "io/csv.h"
#include "vertebra/text.h"

typedef struct gold {
  long note;
  size_t start, end;
  char finding[48], level[16];
  int neg, unc, hist, hyp;
  char exp[16];
  int used;
} gold;

static const char *exp_name(vt_experiencer e) {
  return e == VT_EXPERIENCER_FAMILY ? "family" : e == VT_EXPERIENCER_OTHER ? "other" : "patient";
}

static int same_assertion(const gold *g, const vt_finding *f) {
  return !g->neg == !f->negated && !g->unc == !f->uncertain && !g->hist == !f->historical &&
         !g->hyp == !f->hypothetical && strcmp(g->exp, exp_name(f->experiencer)) == 0;
}

static int overlaps(const gold *g, const vt_finding *f) {
  return f->span.start != VT_SPAN_NONE && f->span.start < g->end && g->start < f->span.end;
}

int main(void) {
  /* the gold annotations */
  static gold G[4096];
  size_t ng = 0;
  vt__csv *csv = NULL;
  vt_error err;
  vt__csv_options tsv = {0};
  tsv.delimiter = '\t';
  tsv.quoting = -1;
  CHECK_INT(vt__csv_open_file(VT_SOURCE_DIR "/tests/text/gold/spine_mentions.tsv", &tsv, &csv,
                              &err),
            VT_OK);
  if (!csv) return VT_TEST_END();
  size_t nf;
  int header = 1;
  while (vt__csv_next(csv, &nf, &err) == VT_OK && nf) {
    if (header) {
      header = 0;
      CHECK_INT(nf, 10);
      continue;
    }
    if (nf != 10 || ng == sizeof G / sizeof *G) break;
    gold *g = &G[ng++];
    memset(g, 0, sizeof *g);
    g->note = strtol(vt__csv_field(csv, 0, NULL), NULL, 10);
    g->start = strtoul(vt__csv_field(csv, 1, NULL), NULL, 10);
    g->end = strtoul(vt__csv_field(csv, 2, NULL), NULL, 10);
    snprintf(g->finding, sizeof g->finding, "%s", vt__csv_field(csv, 3, NULL));
    snprintf(g->level, sizeof g->level, "%s", vt__csv_field(csv, 4, NULL));
    g->neg = vt__csv_field(csv, 5, NULL)[0] == '1';
    g->unc = vt__csv_field(csv, 6, NULL)[0] == '1';
    g->hist = vt__csv_field(csv, 7, NULL)[0] == '1';
    g->hyp = vt__csv_field(csv, 8, NULL)[0] == '1';
    snprintf(g->exp, sizeof g->exp, "%s", vt__csv_field(csv, 9, NULL));
  }
  vt__csv_free(csv);
  CHECK(ng >= 150);

  vt_text_engine *eng = NULL;
  CHECK_INT(vt_text_engine_new(&eng, &err), VT_OK);
  if (!eng) return VT_TEST_END();

  /* each annotated report, once */
  CHECK_INT(vt__csv_open_file(VT_SHARED_DATA "/reports/mtsamples_spine.csv", NULL, &csv, &err),
            VT_OK);
  size_t tp = 0, npred = 0, tp_loose = 0, ndocs = 0;
  while (csv && vt__csv_next(csv, &nf, &err) == VT_OK && nf >= 5) {
    long note = strtol(vt__csv_field(csv, 0, NULL), NULL, 10);
    int annotated = 0;
    for (size_t i = 0; i < ng && !annotated; i++) annotated = G[i].note == note;
    if (!annotated) continue;
    ndocs++;
    size_t len;
    const char *text = vt__csv_field(csv, 4, &len);
    vt_text_result *res = NULL;
    CHECK_INT(vt_text_extract(eng, text, len, &res, &err), VT_OK);
    if (!res) continue;
    size_t n = vt_text_result_count(res);
    for (size_t k = 0; k < n; k++) {
      const vt_finding *f = vt_text_result_get(res, k);
      npred++;
      gold *hit = NULL;
      int loose = 0;
      for (size_t i = 0; i < ng && !hit; i++) {
        gold *g = &G[i];
        if (g->note != note || g->used || !overlaps(g, f)) continue;
        if (strcmp(g->finding, f->finding) != 0) continue;
        loose = 1;
        if (strcmp(g->level, f->level) == 0 && same_assertion(g, f)) hit = g;
      }
      if (hit) {
        hit->used = 1;
        tp++;
      } else {
        tp_loose += loose;
        fprintf(stderr, "FP note %ld [%zu,%zu) %.*s: %s level=%s neg=%d unc=%d hist=%d hyp=%d%s\n",
                note, f->span.start, f->span.end, (int)(f->span.end - f->span.start),
                text + f->span.start, f->finding, f->level, f->negated, f->uncertain,
                f->historical, f->hypothetical, loose ? " (finding+span match: attribute differs)" : "");
      }
    }
    for (size_t i = 0; i < ng; i++)
      if (G[i].note == note && !G[i].used)
        fprintf(stderr, "FN note %ld [%zu,%zu) %.*s: %s level=%s neg=%d unc=%d\n", note,
                G[i].start, G[i].end, (int)(G[i].end - G[i].start), text + G[i].start,
                G[i].finding, G[i].level, G[i].neg, G[i].unc);
    vt_text_result_free(res);
  }
  vt__csv_free(csv);
  vt_text_engine_free(eng);
  double p = npred ? (double)tp / (double)npred : 0.0, r = ng ? (double)tp / (double)ng : 0.0;
  printf("gold: %zu mentions in %zu reports; predicted %zu; exact matches %zu\n", ng, ndocs,
         npred, tp);
  printf("precision %.3f recall %.3f (finding+level+assertion); %zu more agree on finding+span\n",
         p, r, tp_loose);
  CHECK(p >= 0.90);
  CHECK(r >= 0.90);
  return VT_TEST_END();
}
