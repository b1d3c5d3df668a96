/* analyze_lungs.c — the lung bases as a check on the rib anchor. Air
 * (< -500 HU) in the paravertebral gutters, beside and behind the vertebral
 * bodies, is lung: the posterior costophrenic recess runs down beside the
 * column to about T12 (T11-L1 across people and breathing), and nothing
 * below it holds air there (the psoas, the crura and the kidneys do; bowel
 * lies in front). So the lowest level with lung beside it, above lung-free
 * ones, is T12 to within about one level: it can confirm a rib anchor, or
 * contradict one that is two or more levels off, but never name a level on
 * its own (docs/image-analyze.md, step 4). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "image/analyze_internal.h"

/* The gutter box, each side of the body centre: 15-60 mm out (beside the
 * body, the pedicle and the transverse process), 45 mm behind to 25 mm in
 * front of the posterior wall. On aorta_report_case (1.5 mm) its air reads
 * 0-9 mm^2 in L1's slices, 40-110 at the T12/L1 disc and 180-1240 in T12's
 * middle; a slice counts when both sides hold LUNG_MIN_MM2. */
#define LUNG_HU (-500.0)
#define LUNG_X0_MM 15.0
#define LUNG_X1_MM 60.0
#define LUNG_Y0_MM (-45.0)
#define LUNG_Y1_MM 25.0
#define LUNG_MIN_MM2 100.0
#define LUNG_MIN_FRAC 0.5 /* of the middle 60 % of a level's slices */

/* Air area (mm^2) in the box [x0, x1] x [y0, y1] (view mm) of slice k, only
 * voxels inside the image (outside the field of view is not air). */
static double air_area(const vt__view *v, long k, double x0, double x1, double y0, double y1) {
  long i0 = (long)floor(x0 / v->sp[0]), i1 = (long)ceil(x1 / v->sp[0]);
  long j0 = (long)floor(y0 / v->sp[1]), j1 = (long)ceil(y1 / v->sp[1]);
  if (i0 < 0) i0 = 0;
  if (j0 < 0) j0 = 0;
  if (i1 >= (long)v->n[0]) i1 = (long)v->n[0] - 1;
  if (j1 >= (long)v->n[1]) j1 = (long)v->n[1] - 1;
  size_t n = 0;
  for (long j = j0; j <= j1; j++)
    for (long i = i0; i <= i1; i++)
      if (vt__hu(v, i, j, k) < LUNG_HU) n++;
  return (double)n * v->sp[0] * v->sp[1];
}

void vt__level_lungs(const vt__view *v, const vt__column *col, vt__level *lv, size_t nl) {
  int debug = getenv("VT_ANALYZE_DEBUG") != NULL;
  for (size_t L = 0; L < nl; L++) {
    vt__level *l = &lv[L];
    double h = l->z_top - l->z_bot;
    long ka = (long)ceil((l->z_bot + 0.2 * h) / v->sp[2]), kb = (long)floor((l->z_top - 0.2 * h) / v->sp[2]);
    if (ka < col->k0) ka = col->k0;
    if (kb > col->k1) kb = col->k1;
    size_t n = 0, hit = 0;
    for (long k = ka; k <= kb; k++) {
      if (k < 0 || (size_t)k >= v->n[2]) continue;
      double bx = col->bx[k], pw = col->pw[k];
      if (!isfinite(bx) || !isfinite(pw)) continue;
      n++;
      double left = air_area(v, k, bx - LUNG_X1_MM, bx - LUNG_X0_MM, pw + LUNG_Y0_MM, pw + LUNG_Y1_MM);
      double right = air_area(v, k, bx + LUNG_X0_MM, bx + LUNG_X1_MM, pw + LUNG_Y0_MM, pw + LUNG_Y1_MM);
      if (left >= LUNG_MIN_MM2 && right >= LUNG_MIN_MM2) hit++;
    }
    l->lung = n ? (double)hit / (double)n : 0;
    l->lung_bearing = n > 0 && l->lung >= LUNG_MIN_FRAC;
    if (debug) fprintf(stderr, "lung level %zu %.2f/%d\n", L, l->lung, l->lung_bearing);
  }
}

long vt__lung_base(const vt__level *lv, size_t nl) {
  /* one run of lung-bearing levels, from the top of the view down to the
   * base, and at least one lung-free level below it: air beside the column
   * that comes and goes (bowel gas, a crop's border) tells no level */
  long base = -1;
  int runs = 0;
  for (size_t i = 0; i < nl; i++) {
    if (!lv[i].lung_bearing) continue;
    if (i == 0 || !lv[i - 1].lung_bearing) runs++;
    base = (long)i;
  }
  if (runs != 1 || !lv[0].lung_bearing || base + 1 >= (long)nl) return -1;
  return base;
}
