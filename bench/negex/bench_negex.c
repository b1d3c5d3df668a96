/* bench_negex.c — throughput of vt_text_assert on the NegEx/ConText test kit:
 * loads the kit's (condition, sentence) pairs into memory, then asserts each
 * pair ROUNDS times on one thread and prints sentences per second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vertebra/text.h"

typedef struct row {
  char *target, *sentence;
  size_t tl, sl;
} row;

static char *field(char **p) {
  char *s = *p, *t = strchr(s, '\t');
  if (t) {
    *t = 0;
    *p = t + 1;
  } else {
    *p = s + strlen(s);
  }
  return s;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_negex KIT.tsv [ROUNDS]\n");
    return 64;
  }
  long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 66;
  }
  row *rows = NULL;
  size_t n = 0, cap = 0;
  char line[1 << 16];
  int first = 1;
  while (fgets(line, sizeof line, f)) {
    if (first) { /* header */
      first = 0;
      continue;
    }
    line[strcspn(line, "\r\n")] = 0;
    char *p = line;
    field(&p);
    char *t = field(&p), *s = field(&p);
    if (n == cap) {
      cap = cap ? cap * 2 : 4096;
      rows = realloc(rows, cap * sizeof *rows);
      if (!rows) return 71;
    }
    rows[n].target = strdup(t);
    rows[n].sentence = strdup(s);
    rows[n].tl = strlen(t);
    rows[n].sl = strlen(s);
    n++;
  }
  fclose(f);
  vt_error err;
  vt_text_engine *eng;
  if (vt_text_engine_new(&eng, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 70;
  }
  long negated = 0;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long r = 0; r < rounds; r++)
    for (size_t i = 0; i < n; i++) {
      vt_assertion as;
      if (vt_text_assert(eng, rows[i].sentence, rows[i].sl, rows[i].target, rows[i].tl, &as,
                         &err) == VT_OK)
        negated += as.negated;
    }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double dt = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
  printf("vertebra_sentences_per_s %.1f\n", (double)n * (double)rounds / dt);
  printf("(%zu sentences x %ld rounds in %.3f s; %ld negated per round)\n", n, rounds, dt,
         negated / (rounds ? rounds : 1));
  vt_text_engine_free(eng);
  for (size_t i = 0; i < n; i++) {
    free(rows[i].target);
    free(rows[i].sentence);
  }
  free(rows);
  return 0;
}
