/* analyze_cervical.c — the dens of the axis (C2) as a labelling anchor.
 * The atlas (C1) has no body: above the axis's body the column's bone in
 * front of the canal narrows to the dens, a peg ~10 mm wide and ~15 mm tall
 * that rises through the atlas ring (its anterior arch in front, its lateral
 * masses to the sides, separated from the peg by the joints). No other level
 * shows a body that continues upward as a peg less than two thirds its width
 * for several millimetres, so the top level that does is C2 (method and
 * limits: docs/image-analyze.md; validated on the phantom only: the shared
 * data hold no CT of the cervical spine). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"

#define ROW_DEPTH 0.35    /* the row measured: this fraction of the body's depth in front of its wall */
#define PEG_MAX_FRAC 0.65 /* a peg is narrower than this times the body's width */
#define PEG_MIN_MM 4.0    /* and at least this wide (bone, not a speck) */
#define PEG_RISE_MM 4.0   /* over at least this height */
#define PEG_OFF_MM 4.0    /* centred within this of the body's centre (left-right) */
#define BODY_MIN_MM 12.0  /* a body row at least this wide */

/* Width (mm) and centre x of the bone run through (x, y) in slice k: the
 * 3x3 mean HU >= thr, contiguous along x. 0 when (x, y) is not bone. */
static double run_width(const vt__view *v, long k, double x, double y, double thr, double *centre) {
  long i = (long)lround(x / v->sp[0]), j = (long)lround(y / v->sp[1]);
  double s = 0;
  for (long b = -1; b <= 1; b++)
    for (long a = -1; a <= 1; a++) s += vt__hu(v, i + a, j + b, k);
  if (s / 9.0 < thr) return 0;
  long lo = i, hi = i;
  for (;;) {
    double t = 0;
    for (long b = -1; b <= 1; b++)
      for (long a = -1; a <= 1; a++) t += vt__hu(v, lo - 1 + a, j + b, k);
    if (t / 9.0 < thr || lo - 1 < 0) break;
    lo--;
  }
  for (;;) {
    double t = 0;
    for (long b = -1; b <= 1; b++)
      for (long a = -1; a <= 1; a++) t += vt__hu(v, hi + 1 + a, j + b, k);
    if (t / 9.0 < thr || hi + 1 >= (long)v->n[0]) break;
    hi++;
  }
  *centre = 0.5 * (double)(lo + hi) * v->sp[0];
  return (double)(hi - lo + 1) * v->sp[0];
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void vt__find_dens(const vt__view *v, const vt__column *col, vt__level *lv, size_t nl) {
  if (nl < 2) return;
  vt__level *l = &lv[0];
  long ka = (long)ceil(l->z_bot / v->sp[2]), kb = (long)floor(l->z_top / v->sp[2]);
  if (ka < col->k0) ka = col->k0;
  if (kb > col->k1) kb = col->k1;
  long n = kb - ka + 1;
  if (n < 3) return;
  double *w = malloc((size_t)n * sizeof *w), *c = malloc((size_t)n * sizeof *c), *tmp = malloc((size_t)n * sizeof *tmp);
  if (!w || !c || !tmp) goto done;
  /* the row measured in every slice: through the axis body's midline, at
   * 35 % of its depth from the posterior wall, where the dens stands (its
   * posterior face continues the body's posterior wall; adult dens ~10 mm
   * deep on a ~15 mm body) — from the level's lower half, the body */
  size_t m = 0;
  for (long q = 0; q < n / 2; q++) {
    long k = ka + q;
    if (isfinite(col->bx[k]) && isfinite(col->pw[k]) && isfinite(col->depth[k])) tmp[m++] = col->bx[k];
  }
  if (m == 0) goto done;
  qsort(tmp, m, sizeof *tmp, cmp);
  double xr = tmp[m / 2];
  m = 0;
  for (long q = 0; q < n / 2; q++) {
    long k = ka + q;
    if (isfinite(col->pw[k]) && isfinite(col->depth[k])) tmp[m++] = col->pw[k] + ROW_DEPTH * col->depth[k];
  }
  qsort(tmp, m, sizeof *tmp, cmp);
  double yr = tmp[m / 2];
  for (long k = ka; k <= kb; k++) {
    w[k - ka] = c[k - ka] = NAN;
    if (col->state[k] == 3) continue;
    w[k - ka] = run_width(v, k, xr, yr, col->body_thr, &c[k - ka]);
  }
  /* the body's width: the median over the level's lower half */
  m = 0;
  for (long q = 0; q < n / 2; q++)
    if (isfinite(w[q]) && w[q] > 0) tmp[m++] = w[q];
  if (m == 0) goto done;
  qsort(tmp, m, sizeof *tmp, cmp);
  double wb = tmp[m / 2];
  if (wb < BODY_MIN_MM) goto done;
  /* the first peg slice above the lower 40 %: a run of narrow slices */
  long need = (long)ceil(PEG_RISE_MM / v->sp[2] - 1e-9), first = -1, len = 0;
  for (long q = (long)(0.4 * (double)n); q < n; q++) {
    int peg = isfinite(w[q]) && w[q] >= PEG_MIN_MM && w[q] <= PEG_MAX_FRAC * wb &&
              fabs(c[q] - xr) <= PEG_OFF_MM && col->state[ka + q] != 3;
    if (peg) {
      if (first < 0) first = q, len = 0;
      len++;
      if (len >= need) break;
    } else {
      first = -1, len = 0;
    }
  }
  if (getenv("VT_ANALYZE_DEBUG"))
    for (long q = 0; q < n; q++)
      fprintf(stderr, "dens slice %ld width %.1f centre %.1f (body %.1f)%s\n", ka + q, w[q], c[q], wb,
              q == first ? " <- peg" : "");
  if (first < 0 || len < need) goto done;
  /* the peg's centre and radius over its slices */
  double sx = 0, sw = 0;
  for (long q = first; q < first + len; q++) sx += c[q], sw += w[q];
  l->dens = 1;
  l->dens_z = ((double)(ka + first) - 0.5) * v->sp[2];
  l->dens_x = sx / (double)len;
  l->dens_y = yr;
  l->dens_r = 0.5 * sw / (double)len + 1.5;
done:
  free(w);
  free(c);
  free(tmp);
}

size_t vt__split_atlas(const vt__view *v, vt__level *lv, size_t nl, size_t maxl, unsigned char *levmask) {
  if (nl == 0 || !lv[0].dens || nl >= maxl || nl >= 0x7f) return nl;
  size_t nvox = v->n[0] * v->n[1] * v->n[2];
  /* level codes move down by one; the atlas becomes level 1 */
  for (size_t q = 0; q < nvox; q++) {
    unsigned char c = levmask[q];
    if (c & 0x7f) levmask[q] = (unsigned char)((c & 0x80) | ((c & 0x7f) + 1));
  }
  memmove(lv + 1, lv, nl * sizeof *lv);
  vt__level *at = &lv[0], *ax = &lv[1];
  memset(at, 0, sizeof *at);
  at->z_top = ax->z_top, at->z_bot = ax->dens_z;
  at->cut_top = ax->cut_top, at->cut_bot = 0;
  at->height_mm = at->z_top - at->z_bot;
  at->atlas = 1;
  ax->z_top = ax->dens_z, ax->cut_top = 0;
  ax->height_mm = ax->z_top - ax->z_bot;
  ax->voxels = 0;
  /* above the axis body's top: the dens stays the axis's (not its body),
   * the rest (arches, lateral masses) is the atlas */
  long k0 = (long)ceil(ax->dens_z / v->sp[2]);
  if (k0 < 0) k0 = 0;
  double r2 = ax->dens_r * ax->dens_r;
  for (size_t k = (size_t)k0; k < v->n[2]; k++)
    for (size_t j = 0; j < v->n[1]; j++)
      for (size_t i = 0; i < v->n[0]; i++) {
        size_t q = vt__index(v, i, j, k);
        if ((levmask[q] & 0x7f) != 2) continue;
        double dx = (double)i * v->sp[0] - ax->dens_x, dy = (double)j * v->sp[1] - ax->dens_y;
        levmask[q] = dx * dx + dy * dy <= r2 ? 2 : 1;
      }
  for (size_t q = 0; q < nvox; q++) {
    int l = levmask[q] & 0x7f;
    if (l && (levmask[q] & 0x80)) lv[l - 1].voxels++;
  }
  return nl + 1;
}
