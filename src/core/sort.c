/* sort.c — stable LSD radix sort of doubles (see sort.h): eight byte-wide
 * counting passes over order-preserving 64-bit keys, skipping the bytes all
 * keys share. */
#include "core/sort.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An unsigned key with the doubles' order: negatives have every bit flipped,
 * non-negatives the sign bit set; -0 becomes +0's key, so they tie. */
static uint64_t key_of(double x) {
  uint64_t u;
  if (x == 0) x = 0.0;
  memcpy(&u, &x, sizeof u);
  return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

vt_status vt__sort_order(const double *key, size_t n, size_t *order, vt_error *err) {
  uint64_t *kbuf = malloc((2 * n + 1) * sizeof *kbuf);
  size_t *obuf = malloc((n + 1) * sizeof *obuf);
  size_t (*count)[256] = calloc(8, sizeof *count);
  if (!kbuf || !obuf || !count) {
    free(kbuf);
    free(obuf);
    free(count);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory sorting %zu values", n);
  }
  uint64_t *k = kbuf, *k2 = kbuf + n;
  size_t *o = order, *o2 = obuf;
  for (size_t i = 0; i < n; i++) {
    k[i] = key_of(key[i]);
    o[i] = i;
    for (int b = 0; b < 8; b++) count[b][(k[i] >> (8 * b)) & 255]++;
  }
  for (int b = 0; b < 8; b++) {
    size_t *c = count[b], sum = 0;
    if (n && c[(k[0] >> (8 * b)) & 255] == n) continue; /* every key has this byte */
    for (int v = 0; v < 256; v++) {
      size_t t = c[v];
      c[v] = sum;
      sum += t;
    }
    for (size_t i = 0; i < n; i++) {
      size_t d = c[(k[i] >> (8 * b)) & 255]++;
      k2[d] = k[i];
      o2[d] = o[i];
    }
    uint64_t *tk = k;
    k = k2;
    k2 = tk;
    size_t *to = o;
    o = o2;
    o2 = to;
  }
  if (o != order) memcpy(order, o, n * sizeof *order);
  free(kbuf);
  free(obuf);
  free(count);
  return VT_OK;
}

vt_status vt__sort_doubles(double *v, size_t n, vt_error *err) {
  size_t *order = malloc((n + 1) * sizeof *order);
  double *tmp = malloc((n + 1) * sizeof *tmp);
  vt_status st = order && tmp ? vt__sort_order(v, n, order, err)
                              : vt_error_set(err, VT_ENOMEM, NULL, "out of memory sorting %zu values", n);
  if (!st) {
    for (size_t i = 0; i < n; i++) tmp[i] = v[order[i]];
    memcpy(v, tmp, n * sizeof *v);
  }
  free(order);
  free(tmp);
  return st;
}
