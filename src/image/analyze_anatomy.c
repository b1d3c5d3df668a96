/* analyze_anatomy.c — the anatomical anchors of each level cut from the
 * column: the sacrum (closed or vanishing canal, wide alae or the pelvis
 * joined to it at the caudal end), then the ribs (analyze_ribs.c) and the
 * lungs (analyze_lungs.c) beside it; and the HU of the aorta (a contrast
 * warning). Method and limits: docs/image-analyze.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"

/* Sacral alae: bone 26-50 mm to each side of the body centre, at the body's
 * depth, in at least half of a level's slices. */
#define ALA_X0_MM 26.0
#define ALA_X1_MM 50.0
#define ALA_MIN_FRAC 0.35

/* The sacrum is joined to the iliac bones at the sacroiliac joints: in its
 * slices, bone (trabecular level, 3x3 mean) connected to the body reaches
 * far out on both sides through the alae into the ilia, while a lumbar
 * vertebra's connected bone ends at its transverse processes (~40-50 mm out;
 * example_ct: L1-L5 slices at most 55 mm, S1 slices 80-135 mm), and the
 * iliac wings beside L5 are separated from it by the psoas. */
#define PELVIS_REACH_MM 65.0
/* ...in half of the level's slices, or over PELVIS_MIN_MM of them: a CT
 * that holds the whole sacrum sees the sacroiliac joints beside its upper
 * half only (S1-S3), and the phantom's at 5 mm slices in 4 of 9 */
#define PELVIS_MIN_FRAC 0.5
#define PELVIS_MIN_MM 15.0
#define BOX_AP_PELVIS_MM 30.0 /* the flood box: 90 mm behind the wall to 30 mm in front of the body centre */

/* 3x3 in-plane mean HU of view voxel (i, j) in slice k. */
static double hu9(const vt__view *v, long i, long j, long k) {
  double s = 0;
  for (long b = -1; b <= 1; b++)
    for (long a = -1; a <= 1; a++) s += vt__hu(v, i + a, j + b, k);
  return s / 9.0;
}

/* Lateral reach (mm, left and right of the body centre) of the bone
 * connected to the body in slice k, flooded inside a box round it. */
static void bone_reach(const vt__view *v, const vt__column *col, long k, unsigned char *seen, int *queue,
                       size_t cap, double *left, double *right) {
  *left = *right = 0;
  double bx = col->bx[k], by = col->by[k], pw = col->pw[k], thr = col->body_thr;
  if (!isfinite(bx) || !isfinite(by) || !isfinite(pw) || !(thr > 0)) return;
  long i0 = (long)floor((bx - 2 * PELVIS_REACH_MM) / v->sp[0]), i1 = (long)ceil((bx + 2 * PELVIS_REACH_MM) / v->sp[0]);
  long j0 = (long)floor((pw - 90.0) / v->sp[1]), j1 = (long)ceil((by + BOX_AP_PELVIS_MM) / v->sp[1]);
  if (i0 < 0) i0 = 0;
  if (j0 < 0) j0 = 0;
  if (i1 >= (long)v->n[0]) i1 = (long)v->n[0] - 1;
  if (j1 >= (long)v->n[1]) j1 = (long)v->n[1] - 1;
  long w = i1 - i0 + 1, h = j1 - j0 + 1;
  if (w <= 0 || h <= 0) return;
  if ((size_t)(w * h) > cap) h = (long)(cap / (size_t)w); /* a very deep body: the box ends sooner in front */
  memset(seen, 0, (size_t)(w * h));
  size_t qn = 0, qh = 0;
  /* seeds: bone within 6 mm of the body centre */
  for (double dy = -6; dy <= 6; dy += v->sp[1])
    for (double dx = -6; dx <= 6; dx += v->sp[0]) {
      long i = (long)lround((bx + dx) / v->sp[0]) - i0, j = (long)lround((by + dy) / v->sp[1]) - j0;
      if (i < 0 || j < 0 || i >= w || j >= h || seen[i + w * j]) continue;
      if (hu9(v, i + i0, j + j0, k) < thr) continue;
      seen[i + w * j] = 1;
      queue[qn++] = (int)(i + w * j);
    }
  double lo = 0, hi = 0;
  while (qh < qn) {
    int q = queue[qh++];
    long i = q % w, j = q / w;
    double x = (double)(i + i0) * v->sp[0] - bx;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
    const long di[4] = {1, -1, 0, 0}, dj[4] = {0, 0, 1, -1};
    for (int d = 0; d < 4; d++) {
      long a = i + di[d], b = j + dj[d];
      if (a < 0 || b < 0 || a >= w || b >= h || seen[a + w * b]) continue;
      seen[a + w * b] = 1;
      if (hu9(v, a + i0, b + j0, k) < thr) continue;
      queue[qn++] = (int)(a + w * b);
    }
  }
  *left = -lo, *right = hi;
}

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
  int debug = getenv("VT_ANALYZE_DEBUG") != NULL; /* pelvis reach per slice on stderr */
  size_t cap = (size_t)((4 * PELVIS_REACH_MM / v->sp[0] + 3) * ((150.0 + BOX_AP_PELVIS_MM) / v->sp[1] + 3));
  unsigned char *seen = malloc(cap);
  int *queue = malloc(cap * sizeof *queue);
  for (size_t L = 0; L < nl; L++) {
    vt__level *l = &lv[L];
    long ka = (long)ceil(l->z_bot / v->sp[2]), kb = (long)floor(l->z_top / v->sp[2]);
    if (ka < col->k0) ka = col->k0;
    if (kb > col->k1) kb = col->k1;
    size_t ns = 0, ala = 0, closed = 0, pelvis = 0;
    for (long k = ka; k <= kb; k++) {
      if (k < 0 || (size_t)k >= v->n[2]) continue;
      ns++;
      double cx = col->cx[k], pw = col->pw[k], bx = col->bx[k], by = col->by[k];
      if (!isfinite(cx) || !isfinite(pw)) continue;
      if (isfinite(bx) && isfinite(by) && isfinite(col->depth[k])) {
        double hd = 0.35 * col->depth[k];
        double fl = bone_frac(v, k, bx - ALA_X1_MM, bx - ALA_X0_MM, by - hd, by + hd, 150.0);
        double fr = bone_frac(v, k, bx + ALA_X0_MM, bx + ALA_X1_MM, by - hd, by + hd, 150.0);
        if (fl >= ALA_MIN_FRAC && fr >= ALA_MIN_FRAC) ala++;
      }
      if (col->state[k] == 3) closed++;
      if (L + 1 == nl && seen && queue) {
        double left, right;
        bone_reach(v, col, k, seen, queue, cap, &left, &right);
        if (left >= PELVIS_REACH_MM && right >= PELVIS_REACH_MM) pelvis++;
        if (debug) fprintf(stderr, "pelvis slice %ld reach %.0f/%.0f\n", k, left, right);
      }
    }
    double fa = ns ? (double)ala / (double)ns : 0, fc = ns ? (double)closed / (double)ns : 0;
    /* only the caudal end of the column can be the sacrum */
    double fp = ns ? (double)pelvis / (double)ns : 0;
    l->sacrum = L + 1 == nl && (fa >= 0.5 || fc >= 0.6 || fp >= PELVIS_MIN_FRAC ||
                                (double)pelvis * v->sp[2] >= PELVIS_MIN_MM);
  }
  free(seen);
  free(queue);
  vt__level_ribs(v, col, lv, nl);
  vt__level_lungs(v, col, lv, nl);
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
