/* bench_front.c — throughput of the text pipeline's front (UTF-8 check,
 * tokens, sections, sentences) on MTSamples spine transcriptions, concatenated
 * into ~1,500-word reports. Usage: bench_front mtsamples_spine.csv [seconds]. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "io/csv.h"
#include "text/stages.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s mtsamples_spine.csv [seconds]\n", argv[0]);
    return 2;
  }
  double secs = argc > 2 ? strtod(argv[2], NULL) : 3.0;
  vt_error err;
  vt__csv *csv;
  if (vt__csv_open_file(argv[1], NULL, &csv, &err)) return 1;
  /* reports of ~1,500 words: consecutive transcriptions joined by blank lines */
  enum { MAXR = 4096 };
  static char *rep[MAXR];
  static size_t rlen[MAXR];
  size_t nr = 0, nf, words = 0;
  vt_buf b;
  vt__buf_init(&b, 0);
  int header = 1;
  while (nr < MAXR && vt__csv_next(csv, &nf, &err) == VT_OK && nf >= 5) {
    if (header) {
      header = 0;
      continue;
    }
    size_t len;
    const char *t = vt__csv_field(csv, 4, &len);
    for (size_t i = 0; i < len; i++)
      words += (t[i] == ' ' && i + 1 < len && t[i + 1] != ' ');
    vt__buf_append(&b, t, len);
    vt__buf_puts(&b, "\n\n");
    if (words >= 1500) {
      rep[nr] = vt__buf_take(&b, &rlen[nr]);
      nr++;
      words = 0;
    }
  }
  vt__csv_free(csv);
  vt__buf_free(&b);
  vt__section_rules *rules;
  if (vt__section_rules_builtin(&rules, &err)) return 1;
  size_t docs = 0, bytes = 0, toks = 0, sents = 0;
  double t0 = now(), t1;
  do {
    for (size_t i = 0; i < nr; i++) {
      vt__doc d;
      if (vt__doc_init(&d, rep[i], rlen[i], &err) || vt__sections_find(rules, &d, &err) ||
          vt__sentences_split(&d, &err))
        return 1;
      toks += d.ntoks;
      sents += d.nsents;
      bytes += rlen[i];
      docs++;
      vt__doc_free(&d);
    }
    t1 = now();
  } while (t1 - t0 < secs);
  double dt = t1 - t0;
  printf("reports %zu (~1500 words, %.0f bytes avg), %.0f reports/s, %.1f MB/s, "
         "%.0f tokens/report, %.0f sentences/report (1 thread)\n",
         nr, (double)bytes / (double)docs, (double)docs / dt, (double)bytes / dt / 1e6,
         (double)toks / (double)docs, (double)sents / (double)docs);
  for (size_t i = 0; i < nr; i++) free(rep[i]);
  vt__section_rules_free(rules);
  return 0;
}
