/* bench_targets.c — throughput of the targets + attributes stages on ~1,500-word
 * spine reports built from MTSamples spine transcriptions (read in place).
 * Tokens and sentences come from the test fixture (the tokenizer is timed by
 * its own benchmark); prints reports/s and MB/s for one core. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "text/stages.h"
#include "text_fixture.h"

int main(int argc, char **argv) {
  const char *csv = argc > 1 ? argv[1] : "../shared/data/reports/mtsamples_spine.csv";
  int reps = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3000;
  char *data;
  size_t len;
  vt_error err;
  if (vt__read_file(csv, (size_t)64 << 20, &data, &len, &err)) {
    fprintf(stderr, "%s: %s\n", err.where, err.message);
    return 1;
  }
  /* 16 reports of ~1,500 words: consecutive slices of the file cut at a ". " */
  enum { NDOC = 16 };
  char *docs[NDOC];
  size_t off = len / 3, words_total = 0, bytes = 0;
  for (int d = 0; d < NDOC; d++) {
    size_t start = off, words = 0;
    while (off < len && words < 1500) {
      if (data[off] == ' ') words++;
      off++;
    }
    while (off < len && !(data[off] == '.' && data[off + 1] == ' ')) off++;
    size_t n = off - start + 1;
    docs[d] = malloc(n + 1);
    memcpy(docs[d], data + start, n);
    docs[d][n] = 0;
    words_total += words;
    bytes += n;
  }
  vt__targets *t;
  if (vt__targets_builtin(&t, &err)) return 1;
  vt__doc doc[NDOC];
  for (int d = 0; d < NDOC; d++) fx_doc(&doc[d], docs[d]);
  size_t mentions = 0;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int r = 0; r < reps; r++) {
    vt__findings l = {0};
    vt__doc *dd = &doc[r % NDOC];
    if (vt__targets_match(t, dd, &l, &err) || vt__attributes_apply(dd, &l, &err)) return 1;
    mentions += l.n;
    vt__findings_free(&l);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
  double mb = (double)bytes / NDOC * reps / 1e6;
  printf("reports=%d words/report=%zu bytes/report=%zu mentions/report=%.1f\n", reps,
         words_total / NDOC, bytes / NDOC, (double)mentions / reps);
  printf("targets+attributes: %.0f reports/s, %.1f MB/s (one core)\n", reps / s, mb / s);
  for (int d = 0; d < NDOC; d++) {
    fx_free(&doc[d]);
    free(docs[d]);
  }
  vt__targets_free(t);
  free(data);
  return 0;
}
