/* analyze_canal.c — finds the spinal canal in every axial slice (a soft-tissue
 * point ringed by bone with the vertebral body in front) and tracks it along
 * the whole field of view as the column's centre line. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"

#define RAY_N 12          /* ray directions, every 30 degrees */
#define RAY_MAX_MM 26.0   /* a lumbar canal is <= ~25 mm wide (Eisenstein 1977) */
#define RAY_MIN_MM 2.5    /* bone closer than this: the point is not in a canal */
#define SEED_SCORE 9      /* a seed slice needs bone in 9 of 12 directions */
#define TRACK_SCORE 6     /* a tracked slice needs 6 of 12 */
#define MAX_GAP_MM 30.0   /* tracking stops after this much z without a canal */
#define SEED_STEP_MM 3.0  /* seed slices at most this far apart */
#define LATERAL_MM 80.0   /* canal search within this of the body outline's centre */
#define EXTRAP_MM 60.0    /* the column continues this far past the track (sacrum) */

vt_status vt__view_init(const vt_volume *ct, vt__view *v, vt_error *err) {
  size_t d[3];
  vt_volume_dims(ct, d);
  const double *A = vt_volume_affine(ct);
  memset(v, 0, sizeof *v);
  v->data = vt_volume_cdata(ct);
  int used[3] = {0, 0, 0};
  long long vst[3] = {1, (long long)d[0], (long long)d[0] * (long long)d[1]};
  /* view axis a takes the voxel axis whose affine column points most along world a */
  for (int a = 0; a < 3; a++) {
    int best = -1;
    double bv = -1;
    for (int c = 0; c < 3; c++) {
      if (used[c]) continue;
      double w = fabs(A[4 * a + c]) / (1e-12 + sqrt(A[c] * A[c] + A[4 + c] * A[4 + c] + A[8 + c] * A[8 + c]));
      if (w > bv) bv = w, best = c;
    }
    used[best] = 1;
    v->perm[a] = best;
    v->flip[a] = A[4 * a + best] < 0;
    v->n[a] = d[best];
    v->sp[a] = sqrt(A[best] * A[best] + A[4 + best] * A[4 + best] + A[8 + best] * A[8 + best]);
    v->st[a] = v->flip[a] ? -vst[best] : vst[best];
    if (v->flip[a]) v->base += (long long)(d[best] - 1) * vst[best];
  }
  (void)err;
  return VT_OK;
}

void vt__column_free(vt__column *c) {
  free(c->cx), free(c->cy), free(c->score), free(c->bx), free(c->by), free(c->pw), free(c->depth);
  free(c->state);
  memset(c, 0, sizeof *c);
}

/* unit ray directions, every 360/RAY_N degrees */
static const double RAY_DX[RAY_N] = {1, 0.8660254037844387, 0.5, 0, -0.5, -0.8660254037844387,
                                     -1, -0.8660254037844387, -0.5, 0, 0.5, 0.8660254037844387};
static const double RAY_DY[RAY_N] = {0, 0.5, 0.8660254037844387, 1, 0.8660254037844387, 0.5,
                                     0, -0.5, -0.8660254037844387, -1, -0.8660254037844387, -0.5};

/* Canal score of (x, y) in slice k: the number of ray directions that meet
 * bone within RAY_MAX_MM, 0 when the point itself is not soft tissue/CSF, when
 * bone lies within RAY_MIN_MM, or when no bone lies in front (no body); also 0
 * as soon as it cannot reach `need` (the caller's best so far). */
static int canal_score(const vt__view *v, double x, double y, long k, int need) {
  float c = vt__hu_mm(v, x, y, k);
  if (!(c > -60.0f && c < 130.0f)) return 0;
  /* the canal holds CSF, cord and epidural fat (about -100 to 45 HU): the
   * mean over a 2.5 mm disk must be low. Trabecular bone (60-250 HU) inside
   * a cortical ring otherwise looks just like a canal ringed by bone. */
  double s = 0;
  int m = 0;
  for (double dy = -2.5; dy <= 2.5; dy += 1.25)
    for (double dx = -2.5; dx <= 2.5; dx += 1.25)
      if (dx * dx + dy * dy <= 6.25) s += vt__hu_mm(v, x + dx, y + dy, k), m++;
  if (!(s / m < 60.0)) return 0;
  double step = fmin(fmin(v->sp[0], v->sp[1]), 1.0);
  int hits = 0, front = 0;
  for (int r = 0; r < RAY_N; r++) {
    if (hits + (RAY_N - r) < need) return 0; /* cannot reach the score the caller needs */
    double dx = RAY_DX[r], dy = RAY_DY[r];
    for (double t = step; t <= RAY_MAX_MM; t += step) {
      if (vt__hu_mm(v, x + t * dx, y + t * dy, k) >= VT__BONE_HU) {
        if (t < RAY_MIN_MM) return 0;
        hits++;
        if (r >= 2 && r <= 4) front = 1; /* 60..120 degrees: anterior (+y) */
        break;
      }
    }
  }
  return front ? hits : 0;
}

/* Lateral centre of the patient outline (HU > -500) in slice k (mm). */
static double outline_centre(const vt__view *v, long k) {
  double s = 0;
  size_t n = 0;
  size_t stp = v->n[1] > 64 ? v->n[1] / 64 : 1;
  for (size_t j = 0; j < v->n[1]; j += stp)
    for (size_t i = 0; i < v->n[0]; i++)
      if (vt__hu(v, (long)i, (long)j, k) > -500.0f) s += (double)i, n++;
  return n ? s / (double)n * v->sp[0] : 0.5 * (double)v->n[0] * v->sp[0];
}

/* Best canal point of slice k within a window with a score of at least
 * `floor` (the least the caller can use); returns its score, 0 if none. */
static int best_in(const vt__view *v, long k, double x0, double x1, double y0, double y1, double g,
                   double px, double py, int floor, double *bx, double *by) {
  int best = 0;
  double bd = 1e30;
  for (double y = fmax(y0, 0); y <= y1 && y < v->n[1] * v->sp[1]; y += g)
    for (double x = fmax(x0, 0); x <= x1 && x < v->n[0] * v->sp[0]; x += g) {
      int s = canal_score(v, x, y, k, best > floor ? best : floor);
      if (s == 0 || s < best || s < floor) continue;
      double d = (x - px) * (x - px) + (y - py) * (y - py);
      if (s > best || d < bd) best = s, bd = d, *bx = x, *by = y;
    }
  return best;
}

typedef struct {
  double *x, *y;
  int *s;
  long lo, hi;
  double sum;
} track;

static void track_from(const vt__view *v, long seed, double sx, double sy, int ss, track *t) {
  long nz = (long)v->n[2];
  for (long k = 0; k < nz; k++) t->s[k] = 0;
  t->x[seed] = sx, t->y[seed] = sy, t->s[seed] = ss;
  t->lo = t->hi = seed;
  t->sum = ss;
  double g = fmin(fmin(v->sp[0], v->sp[1]), 1.0);
  for (int dir = -1; dir <= 1; dir += 2) {
    double px = sx, py = sy, gap = 0;
    for (long k = seed + dir; k >= 0 && k < nz; k += dir) {
      double w = 3.0 + 0.6 * v->sp[2] + 0.5 * gap, bx = px, by = py;
      int s = best_in(v, k, px - w, px + w, py - w, py + w, g, px, py, TRACK_SCORE, &bx, &by);
      if (s >= TRACK_SCORE) {
        t->x[k] = bx, t->y[k] = by, t->s[k] = s;
        t->sum += s;
        px = bx, py = by, gap = 0;
        if (dir < 0) t->lo = k;
        else t->hi = k;
      } else {
        gap += v->sp[2];
        if (gap > MAX_GAP_MM) break;
      }
    }
  }
}

/* Median filter of a[lo..hi] over +-h samples, into out. */
static void median_filter(const double *a, double *out, long lo, long hi, long h) {
  double buf[129];
  if (h > 64) h = 64;
  for (long k = lo; k <= hi; k++) {
    int n = 0;
    for (long q = k - h; q <= k + h; q++)
      if (q >= lo && q <= hi) buf[n++] = a[q];
    qsort(buf, (size_t)n, sizeof buf[0], vt__cmp_double);
    out[k] = buf[n / 2];
  }
}

vt_status vt__find_canal(const vt__view *v, vt__column *col, vt_error *err) {
  long nz = (long)v->n[2];
  memset(col, 0, sizeof *col);
  col->nz = (size_t)nz;
  double **arrs[] = {&col->cx, &col->cy, &col->score, &col->bx, &col->by, &col->pw, &col->depth};
  for (size_t a = 0; a < sizeof arrs / sizeof arrs[0]; a++)
    if (!(*arrs[a] = calloc((size_t)nz, sizeof(double)))) goto oom;
  col->state = calloc((size_t)nz, sizeof(int));
  track cur = {calloc((size_t)nz, sizeof(double)), calloc((size_t)nz, sizeof(double)),
               calloc((size_t)nz, sizeof(int)), 0, 0, 0};
  double *sbx = calloc((size_t)nz, sizeof(double)), *sby = calloc((size_t)nz, sizeof(double));
  int *ss = calloc((size_t)nz, sizeof(int));
  if (!col->state || !cur.x || !cur.y || !cur.s || !sbx || !sby || !ss) {
    free(cur.x), free(cur.y), free(cur.s), free(sbx), free(sby), free(ss);
    goto oom;
  }
  /* coarse search for seeds, one slice every SEED_STEP_MM (the tracks then
   * visit every slice; a canal is far longer than that) */
  double g = fmax(2.0, fmax(v->sp[0], v->sp[1]));
  long kstep = (long)floor(SEED_STEP_MM / v->sp[2]);
  if (kstep < 1) kstep = 1;
  for (long k = 0; k < nz; k += kstep) {
    double xc = outline_centre(v, k);
    ss[k] = best_in(v, k, xc - LATERAL_MM, xc + LATERAL_MM, 0, 1e9, g, xc, 0, SEED_SCORE, &sbx[k], &sby[k]);
  }
  /* track from the strongest seeds; keep the track with the largest total score */
  double best_sum = 0;
  long blo = 0, bhi = -1;
  for (int attempt = 0; attempt < 6; attempt++) {
    long seed = -1;
    for (long k = 0; k < nz; k++)
      if (ss[k] >= SEED_SCORE && (seed < 0 || ss[k] > ss[seed])) seed = k;
    if (seed < 0) break;
    track_from(v, seed, sbx[seed], sby[seed], ss[seed], &cur);
    for (long k = cur.lo; k <= cur.hi; k++) ss[k] = 0; /* seeds inside this track are used */
    ss[seed] = 0;
    if (cur.sum > best_sum) {
      best_sum = cur.sum, blo = cur.lo, bhi = cur.hi;
      for (long k = 0; k < nz; k++) {
        col->cx[k] = cur.x[k], col->cy[k] = cur.y[k], col->score[k] = cur.s[k];
        col->state[k] = cur.s[k] ? 1 : 0;
      }
    }
  }
  free(cur.x), free(cur.y), free(cur.s), free(sbx), free(sby), free(ss);
  int found = 0;
  for (long k = blo; k <= bhi; k++) found += col->state[k] == 1;
  if (bhi < blo || found < 3 || (double)(bhi - blo) * v->sp[2] < 15.0) {
    vt__column_free(col);
    return vt_error_set(err, VT_ENOTFOUND, "ct", "no spine found: no spinal canal (soft tissue ringed by bone, body in front) along %.0f mm of the scan",
                        (double)nz * v->sp[2]);
  }
  /* interpolate gaps, then a median and a mean filter over +-6 mm */
  long last = -1;
  for (long k = blo; k <= bhi; k++) {
    if (col->state[k] != 1) continue;
    if (last >= 0 && k - last > 1)
      for (long q = last + 1; q < k; q++) {
        double f = (double)(q - last) / (double)(k - last);
        col->cx[q] = col->cx[last] + f * (col->cx[k] - col->cx[last]);
        col->cy[q] = col->cy[last] + f * (col->cy[k] - col->cy[last]);
        col->state[q] = 2;
      }
    last = k;
  }
  long h = (long)lround(6.0 / v->sp[2]);
  double *tmp = malloc((size_t)nz * sizeof *tmp);
  if (!tmp) goto oom;
  median_filter(col->cx, tmp, blo, bhi, h);
  memcpy(col->cx + blo, tmp + blo, (size_t)(bhi - blo + 1) * sizeof *tmp);
  median_filter(col->cy, tmp, blo, bhi, h);
  memcpy(col->cy + blo, tmp + blo, (size_t)(bhi - blo + 1) * sizeof *tmp);
  free(tmp);
  col->t0 = blo, col->t1 = bhi;
  /* extend past the track ends (the sacrum closes an idealised canal; the
   * field of view may cut it): straight on, at most EXTRAP_MM */
  long ext = (long)(EXTRAP_MM / v->sp[2]);
  col->k0 = blo - ext < 0 ? 0 : blo - ext;
  col->k1 = bhi + ext >= nz ? nz - 1 : bhi + ext;
  for (long k = col->k0; k < blo; k++) col->cx[k] = col->cx[blo], col->cy[k] = col->cy[blo], col->state[k] = 3;
  for (long k = bhi + 1; k <= col->k1; k++) col->cx[k] = col->cx[bhi], col->cy[k] = col->cy[bhi], col->state[k] = 3;
  return VT_OK;
oom:
  vt__column_free(col);
  return vt_error_set(err, VT_ENOMEM, NULL, "out of memory tracking the spinal canal");
}
