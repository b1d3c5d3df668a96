/* test_engine.c — the text engine as a whole: stages run in order, findings
 * sorted with spans inside the text, bad input refused with its place, and a
 * shared engine giving the same results from many threads at once. */
#include <pthread.h>
#include <stdlib.h>

#include "vertebra/text.h"
#include "vt_test.h"

static const char *docs[] = {
    "IMPRESSION: Mild disc protrusion at L4-5. No spinal stenosis.\n",
    "FINDINGS: Acute compression fracture of L1. History of scoliosis.\n"
    "L5-S1: Moderate left foraminal stenosis. Possible annular fissure.\n",
    "MYELOGRAM: AT L3 4 THERE IS A DISC BULGE. NO DISC HERNIATION.\n",
    "",
};
#define NDOCS (sizeof docs / sizeof docs[0])

static vt_text_engine *eng;

/* A compact fingerprint of a result, to compare runs. */
static unsigned long fingerprint(const vt_text_result *r) {
  unsigned long h = 5381;
  for (size_t i = 0; i < vt_text_result_count(r); i++) {
    const vt_finding *f = vt_text_result_get(r, i);
    h = h * 33 + f->span.start;
    h = h * 33 + f->span.end;
    h = h * 33 + (unsigned long)f->negated * 7 + (unsigned long)f->historical * 11;
    for (const char *p = f->finding; p && *p; p++) h = h * 33 + (unsigned char)*p;
    for (const char *p = f->level; *p; p++) h = h * 33 + (unsigned char)*p;
  }
  return h;
}

static unsigned long expected[NDOCS];

static void *hammer(void *arg) {
  long bad = 0;
  for (int round = 0; round < 200; round++) {
    for (size_t d = 0; d < NDOCS; d++) {
      vt_text_result *r = NULL;
      vt_error err;
      if (vt_text_extract(eng, docs[d], strlen(docs[d]), &r, &err) || fingerprint(r) != expected[d])
        bad++;
      vt_text_result_free(r);
    }
  }
  *(long *)arg = bad;
  return NULL;
}

int main(void) {
  vt_error err;
  CHECK_INT(vt_text_engine_new(&eng, &err), VT_OK);
  if (!eng) return VT_TEST_END();

  for (size_t d = 0; d < NDOCS; d++) {
    vt_text_result *r = NULL;
    size_t len = strlen(docs[d]);
    CHECK_INT(vt_text_extract(eng, docs[d], len, &r, &err), VT_OK);
    size_t prev = 0;
    for (size_t i = 0; i < vt_text_result_count(r); i++) {
      const vt_finding *f = vt_text_result_get(r, i);
      CHECK(f->finding && *f->finding);
      CHECK(f->span.start < f->span.end && f->span.end <= len);
      CHECK(f->span.start >= prev); /* sorted by start */
      prev = f->span.start;
      CHECK(f->sentence.start == VT_SPAN_NONE ||
            (f->sentence.start <= f->span.start && f->span.end <= f->sentence.end));
    }
    CHECK(vt_text_result_get(r, vt_text_result_count(r)) == NULL);
    expected[d] = fingerprint(r);
    if (d == 0) {
      /* the interface of issue 2: disc_protrusion at L4-L5, stenosis negated */
      int prot = 0, neg = 0;
      for (size_t i = 0; i < vt_text_result_count(r); i++) {
        const vt_finding *f = vt_text_result_get(r, i);
        if (!strcmp(f->finding, "disc_protrusion") && !strcmp(f->level, "L4-L5") && !f->negated)
          prot++;
        if (strstr(f->finding, "stenosis") && f->negated) neg++;
      }
      CHECK_INT(prot, 1);
      CHECK_INT(neg, 1);
    }
    if (d == NDOCS - 1) CHECK_INT(vt_text_result_count(r), 0);
    vt_text_result_free(r);
  }

  /* bad input: refused with a place, nothing returned */
  vt_text_result *r = NULL;
  const char bad[] = "disc bulge \xff at L4-5";
  CHECK_INT(vt_text_extract(eng, bad, sizeof bad - 1, &r, &err), VT_EFORMAT);
  CHECK(r == NULL);
  CHECK_MSG(strstr(err.where, "11") || strstr(err.message, "11"), "%s: %s", err.where, err.message);
  const char nul[] = "disc\0bulge";
  CHECK_INT(vt_text_extract(eng, nul, sizeof nul - 1, &r, &err), VT_EFORMAT);
  /* over the limit: refused before reading a byte */
  CHECK_INT(vt_text_extract(eng, bad, ((size_t)64 << 20) + 1, &r, &err), VT_ELIMIT);
  CHECK_INT(vt_text_extract(eng, NULL, 3, &r, &err), VT_EINVAL);
  CHECK_INT(vt_text_extract(eng, NULL, 0, &r, &err), VT_OK);
  vt_text_result_free(r);
  CHECK_INT(vt_text_engine_load_targets(eng, "/nonexistent/rules.json", &err) != VT_OK, 1);
  CHECK_INT(vt_text_engine_load_context(eng, NULL, &err), VT_EINVAL);

  /* one engine, four threads, same answers */
  pthread_t th[4];
  long bads[4] = {0};
  for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, hammer, &bads[i]);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < 4; i++) CHECK_INT(bads[i], 0);

  vt_text_engine_free(eng);
  vt_text_engine_free(NULL);
  vt_text_result_free(NULL);
  CHECK_INT(vt_text_result_count(NULL), 0);
  return VT_TEST_END();
}
