/* test_sort.c — the radix sort orders like a stable comparison sort: signs,
 * zeros, infinities, subnormals and ties (in input order), on random data
 * against insertion sort. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "vt_test.h"
#include "core/sort.h"

/* Stable reference: insertion sort of the indices by key. */
static void ref_order(const double *key, size_t n, size_t *o) {
  for (size_t i = 0; i < n; i++) {
    size_t j = i;
    while (j > 0 && key[o[j - 1]] > key[i]) o[j] = o[j - 1], j--;
    o[j] = i;
  }
}

int main(void) {
  double edge[] = {3.5, -0.0, 1e-310, -INFINITY, 0.0, -2.0, INFINITY, -1e-310, 0.0, -0.0,
                   3.5, -2.0, 1.0, DBL_MAX, -DBL_MAX};
  size_t n = sizeof edge / sizeof *edge, o[32], want[32];
  vt_error err;
  CHECK_INT(vt__sort_order(edge, n, o, &err), VT_OK);
  ref_order(edge, n, want);
  for (size_t i = 0; i < n; i++) CHECK_INT(o[i], want[i]);

  /* random keys with many ties, several sizes */
  uint64_t x = 12345;
  for (size_t len = 0; len <= 3000; len = len * 3 + 1) {
    double *k = malloc((len + 1) * sizeof *k), *v = malloc((len + 1) * sizeof *v);
    size_t *got = malloc((len + 1) * sizeof *got), *ref = malloc((len + 1) * sizeof *ref);
    CHECK(k && v && got && ref);
    for (size_t i = 0; i < len; i++) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      k[i] = (double)((int64_t)(x >> 40) % 200 - 100) / 8.0; /* ties, negatives, -0 never */
      v[i] = k[i];
    }
    CHECK_INT(vt__sort_order(k, len, got, &err), VT_OK);
    ref_order(k, len, ref);
    int same = 1;
    for (size_t i = 0; i < len; i++) same &= got[i] == ref[i];
    CHECK(same);
    CHECK_INT(vt__sort_doubles(v, len, &err), VT_OK);
    for (size_t i = 0; i < len; i++) same &= v[i] == k[ref[i]];
    CHECK(same);
    free(k);
    free(v);
    free(got);
    free(ref);
  }
  return VT_TEST_END();
}
