/* analyze_anatomy.c — the anatomical anchors of each level cut from the
 * column: ribs beside it (thoracic), the sacrum (closed or vanishing canal
 * and/or wide alae at the caudal end), and the HU of the aorta (a contrast
 * warning). Method and limits: docs/image-analyze.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"

/* A rib leaves the vertebra at the transverse process and runs on
 * laterally: in a slice of a rib-bearing level there is bone both near the
 * column (30-60 mm to the side of the body centre: rib neck and tubercle on
 * the transverse process) and far out (60-110 mm: the rib's shaft), between
 * 45 mm behind and 25 mm in front of the body's posterior wall. A lumbar
 * transverse process gives only the near part; the tips of the floating
 * ribs beside L1 only the far part (on example_ct: T12 27/13 mm^2 median
 * near/far, L1 0/18, L4 45/0). Each part is a small cross-section; the iliac
 * wings, larger, lie caudal and are handled by the labeller. */
#define RIB_NEAR0_MM 30.0
#define RIB_NEAR1_MM 60.0
#define RIB_FAR1_MM 110.0
#define RIB_Y0_MM (-45.0)
#define RIB_Y1_MM 25.0
#define RIB_MIN_MM2 12.0
#define RIB_MAX_MM2 700.0
/* Sacral alae: bone 26-50 mm to each side of the body centre, at the body's
 * depth, in at least half of a level's slices. */
#define ALA_X0_MM 26.0
#define ALA_X1_MM 50.0
#define ALA_MIN_FRAC 0.35

/* Bone area (mm^2) in the box [x0, x1] x [y0, y1] (view mm) of slice k. */
static double bone_area(const vt__view *v, long k, double x0, double x1, double y0, double y1,
                        double thr) {
  long i0 = (long)floor(x0 / v->sp[0]), i1 = (long)ceil(x1 / v->sp[0]);
  long j0 = (long)floor(y0 / v->sp[1]), j1 = (long)ceil(y1 / v->sp[1]);
  size_t n = 0;
  for (long j = j0; j <= j1; j++)
    for (long i = i0; i <= i1; i++)
      if (vt__hu(v, i, j, k) >= thr) n++;
  return (double)n * v->sp[0] * v->sp[1];
}

/* Fraction of the box's voxels that are bone. */
static double bone_frac(const vt__view *v, long k, double x0, double x1, double y0, double y1,
                        double thr) {
  double a = bone_area(v, k, x0, x1, y0, y1, thr);
  double box = (x1 - x0 + v->sp[0]) * (y1 - y0 + v->sp[1]);
  return box > 0 ? a / box : 0;
}

void vt__level_anatomy(const vt__view *v, const vt__column *col, vt__level *lv, size_t nl) {
  for (size_t L = 0; L < nl; L++) {
    vt__level *l = &lv[L];
    long ka = (long)ceil(l->z_bot / v->sp[2]), kb = (long)floor(l->z_top / v->sp[2]);
    if (ka < col->k0) ka = col->k0;
    if (kb > col->k1) kb = col->k1;
    size_t ns = 0, ala = 0, closed = 0, nmid = 0, rib_side[2] = {0, 0};
    for (long k = ka; k <= kb; k++) {
      if (k < 0 || (size_t)k >= v->n[2]) continue;
      ns++;
      double cx = col->cx[k], pw = col->pw[k], bx = col->bx[k], by = col->by[k];
      if (!isfinite(cx) || !isfinite(pw)) continue;
      int side_hit[2] = {0, 0};
      double mx = isfinite(bx) ? bx : cx;
      for (int sg = -1; sg <= 1; sg += 2) {
        double n0 = mx + sg * RIB_NEAR0_MM, n1 = mx + sg * RIB_NEAR1_MM, f1 = mx + sg * RIB_FAR1_MM;
        double near = bone_area(v, k, fmin(n0, n1), fmax(n0, n1), pw + RIB_Y0_MM, pw + RIB_Y1_MM, VT__BONE_HU);
        double far = bone_area(v, k, fmin(n1, f1), fmax(n1, f1), pw + RIB_Y0_MM, pw + RIB_Y1_MM, VT__BONE_HU);
        if (near >= RIB_MIN_MM2 && near <= RIB_MAX_MM2 && far >= RIB_MIN_MM2 && far <= RIB_MAX_MM2)
          side_hit[sg > 0] = 1;
      }
      /* ribs come in pairs, each side counted on its own (a curved spine
       * tilts the pair across slices); only the middle 60 % of the level
       * counts, so a disc placed a few mm off does not lend a neighbour's ribs */
      double z = (double)k * v->sp[2], h = l->z_top - l->z_bot;
      if (z >= l->z_bot + 0.2 * h && z <= l->z_top - 0.2 * h) {
        rib_side[0] += (size_t)side_hit[0];
        rib_side[1] += (size_t)side_hit[1];
      }
      if (z >= l->z_bot + 0.2 * h && z <= l->z_top - 0.2 * h) nmid++;
      if (isfinite(bx) && isfinite(by) && isfinite(col->depth[k])) {
        double hd = 0.35 * col->depth[k];
        double fl = bone_frac(v, k, bx - ALA_X1_MM, bx - ALA_X0_MM, by - hd, by + hd, 150.0);
        double fr = bone_frac(v, k, bx + ALA_X0_MM, bx + ALA_X1_MM, by - hd, by + hd, 150.0);
        if (fl >= ALA_MIN_FRAC && fr >= ALA_MIN_FRAC) ala++;
      }
      if (col->state[k] == 3) closed++;
    }
    size_t rib_min = rib_side[0] < rib_side[1] ? rib_side[0] : rib_side[1];
    l->rib = nmid ? (double)rib_min / (double)nmid : 0;
    l->rib_bearing = (double)rib_min * v->sp[2] >= fmax(v->sp[2], 3.0) && l->rib >= 0.2;
    double fa = ns ? (double)ala / (double)ns : 0, fc = ns ? (double)closed / (double)ns : 0;
    /* only the caudal end of the column can be the sacrum */
    l->sacrum = L + 1 == nl && (fa >= 0.5 || fc >= 0.6);
  }
}

double vt__aorta_hu(const vt__view *v, const vt__column *col) {
  /* the aorta runs left-anterior of the bodies in the thorax and upper
   * abdomen: the median HU of the brightest non-bone spot 5-45 mm in front
   * of and 0-40 mm to the left of each body centre (left = -x in RAS view) */
  size_t n = 0, cap = (size_t)(col->k1 - col->k0 + 1);
  double *h = malloc(cap * sizeof *h);
  if (!h) return NAN;
  for (long k = col->k0; k <= col->k1; k += 1) {
    double bx = col->bx[k], by = col->by[k], d = col->depth[k];
    if (!isfinite(bx) || !isfinite(by) || !isfinite(d)) continue;
    double best = -1e9;
    for (double y = by + 0.5 * d + 5.0; y <= by + 0.5 * d + 45.0; y += 2.0)
      for (double x = bx - 40.0; x <= bx; x += 2.0) {
        /* a 3x3 mm mean, so one bright voxel (calcium) does not count */
        double s = 0;
        int m = 0;
        for (double dy = -1.5; dy <= 1.5; dy += 1.5)
          for (double dx = -1.5; dx <= 1.5; dx += 1.5) s += vt__hu_mm(v, x + dx, y + dy, k), m++;
        s /= m;
        if (s < VT__BONE_HU + 400 && s > best) best = s;
      }
    if (best > -1e8) h[n++] = best;
  }
  double out = NAN;
  if (n) {
    for (size_t i = 1; i < n; i++) /* insertion sort: n is a few hundred at most */
      for (size_t j = i; j > 0 && h[j - 1] > h[j]; j--) {
        double t = h[j];
        h[j] = h[j - 1];
        h[j - 1] = t;
      }
    out = h[n / 2];
  }
  free(h);
  return out;
}
