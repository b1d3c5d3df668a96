/* analyze_bodies.c — segments the vertebral bodies in front of the tracked
 * canal, finds the discs in the intensity profile along the column (low-HU
 * gaps between bone, spaced like vertebrae) and cuts the column into levels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"

#define WALL_MAX_MM 30.0  /* posterior body wall within this of the canal centre */
#define BOX_AP_MM 55.0    /* a body is at most ~50 mm deep (Panjabi 1991/1992) */
#define BOX_LR_MM 32.0    /* and ~60 mm wide */
#define MIN_AREA_MM2 80.0 /* smaller cross-sections are not a body */
#define PROF_R_MM 12.0    /* profile disk radius */
#define MIN_GAP_DEPTH 0.6 /* discs at least 0.6 x body depth apart (body height ~0.7-0.8 x depth) */
#define REF_LVL 0.25    /* candidates within 25 % of each other's bone level are of one kind */
#define REF_MIN 3         /* the typical dip needs this many of a kind, else all are used */
#define THIN_MM 5         /* a thin disc's endplates lie within this of its centre */
#define THIN_DIP_HU 8.0   /* ... and stand at least this far above it */
#define BODY_LIKE 0.9      /* a body is at most this x as deep as it is wide */
#define BOX_LOCAL_MM 20.0  /* the box follows the body depth over +-this */
#define BOX_GROW 1.15      /* where the local depth exceeds the median by this */
#define LEAK_EDGE_MM 6.0  /* a body along more of its box's front edge has leaked forward */
#define LEAK_OUT_MM 6.0   /* a slice's body reaching this far in front of its neighbours' front face has leaked */
#define LEAK_CLIP_MM 3.0  /* and keeps its marks up to this in front of that face */
#define DISC_BAND 0.11    /* half disc thickness ~ 0.11 x pitch (discs ~ 20-25 % of it) */
#define NOTCH_MM 12.0     /* body gaps along the column 3 to 12 mm long are filled */
#define NOTCH_MIN_MM 3.0
#define NOTCH_DEPTH 0.4   /* in the posterior 40 % of the body's depth */
#define CONCAVE_MIN_MM 4.0 /* hole-filled runs this long from a disc are a depressed endplate */
#define CONCAVE_AREA 0.06  /* and shorter ones over this fraction of the cross-section in one patch */
#define WALL_BAND 0.25    /* the posterior wall line: from the columns within 0.25 x width of the canal's x */
#define WALL_TOL_MM 1.0   /* body cells more than this behind that line are pedicle bases */

enum { M_BODY = 1, M_POST = 2, M_FILL = 4 }; /* M_FILL: a body cell from the 2-D hole fill */

static double median_of(double *a, size_t n) {
  if (!n) return NAN;
  qsort(a, n, sizeof a[0], vt__cmp_double);
  return a[n / 2];
}

/* fills NaN entries of a[k0..k1] from the nearest finite neighbours */
static void fill_nan(double *a, long k0, long k1) {
  long last = -1;
  for (long k = k0; k <= k1; k++) {
    if (!isfinite(a[k])) continue;
    if (last < 0)
      for (long q = k0; q < k; q++) a[q] = a[k];
    else
      for (long q = last + 1; q < k; q++) a[q] = a[last] + (a[k] - a[last]) * (double)(q - last) / (double)(k - last);
    last = k;
  }
  if (last >= 0)
    for (long q = last + 1; q <= k1; q++) a[q] = a[last];
}

static void smooth_median(double *a, long k0, long k1, long h) {
  size_t n = (size_t)(k1 - k0 + 1);
  double *o = malloc(n * sizeof *o), buf[129];
  if (!o) return;
  if (h > 64) h = 64;
  for (long k = k0; k <= k1; k++) {
    size_t m = 0;
    for (long q = k - h; q <= k + h; q++)
      if (q >= k0 && q <= k1 && isfinite(a[q])) buf[m++] = a[q];
    o[k - k0] = m ? median_of(buf, m) : a[k];
  }
  memcpy(a + k0, o, n * sizeof *o);
  free(o);
}

/* HU of (i, j, k) averaged with its four in-plane neighbours: trabecular
 * bone is noisy at the voxel level (60-180 HU in one lumbar body of a 3 mm
 * CT), and a single dark voxel must not cut the region in two. */
static float hu5(const vt__view *v, long i, long j, long k) {
  return 0.2f * (vt__hu(v, i, j, k) + vt__hu(v, i - 1, j, k) + vt__hu(v, i + 1, j, k) +
                 vt__hu(v, i, j - 1, k) + vt__hu(v, i, j + 1, k));
}

/* Floods from the qn cells already queued (and marked): every 4-connected
 * unmarked cell of the box (w x h cells from view voxel (i0, j0) of slice k)
 * with hu5 >= thr is marked `val`; thr -INFINITY floods regardless of HU.
 * Returns the cells in the region. */
static long flood(const vt__view *v, long k, double thr, unsigned char *box, long w, long h, long i0, long j0,
                  unsigned char val, int *queue, long qn) {
  long qh = 0;
  while (qh < qn) {
    int q = queue[qh++];
    long i = q % w, j = q / w;
    const long di[4] = {1, -1, 0, 0}, dj[4] = {0, 0, 1, -1};
    for (int d = 0; d < 4; d++) {
      long a = i + di[d], b = j + dj[d];
      if (a < 0 || b < 0 || a >= w || b >= h || box[a + w * b]) continue;
      if (thr > -INFINITY && hu5(v, a + i0, b + j0, k) < thr) continue;
      box[a + w * b] = val;
      queue[qn++] = (int)(a + w * b);
    }
  }
  return qn;
}

/* The region of hu5 >= thr grown from box cell `seed`, marked `val`. */
static long grow(const vt__view *v, long k, double thr, unsigned char *box, long w, long h, long i0, long j0,
                 int seed, unsigned char val, int *queue) {
  box[seed] = val;
  queue[0] = seed;
  return flood(v, k, thr, box, w, h, i0, j0, val, queue, 1);
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* The posterior wall line of the region (box cells != 2, w x h from view
 * column i0; box row 0 is the back): the median posterior edge of the
 * region's columns within WALL_BAND x its width of the canal's x. A
 * vertebral body's posterior wall is a flat (or slightly concave) line in
 * front of the canal; the pedicles leave it backwards on either side, and at
 * the levels of the pedicles the region grown from the body ran 3-9 mm back
 * along their bases (example_ct L5: 243 of its 460 voxels outside the
 * reference body lay behind the reference's wall). Returns the first row
 * within WALL_TOL_MM of the line: the rows behind it are not body. The
 * median of the central columns stays on the wall where the basivertebral
 * foramen notches it at the midline; with fewer than three central columns
 * (a crescent off the midline where a tilted endplate crosses the slice)
 * nothing is cut (0). edge: scratch of at least w ints. */
static long wall_row(const vt__view *v, double cx, const unsigned char *box, long w, long h, long i0, int *edge) {
  long a0 = w, a1 = -1, ne = 0;
  for (long a = 0; a < w; a++)
    for (long b = 0; b < h; b++)
      if (box[a + w * b] != 2) {
        if (a < a0) a0 = a;
        if (a > a1) a1 = a;
        break;
      }
  if (a1 < a0) return 0;
  double half = WALL_BAND * (double)(a1 - a0 + 1) * v->sp[0];
  for (long a = a0; a <= a1; a++) {
    if (fabs((double)(a + i0) * v->sp[0] - cx) > half) continue;
    for (long b = 0; b < h; b++)
      if (box[a + w * b] != 2) {
        edge[ne++] = (int)b;
        break;
      }
  }
  if (ne < 3) return 0;
  qsort(edge, (size_t)ne, sizeof *edge, cmp_int);
  return (long)ceil((double)edge[ne / 2] - WALL_TOL_MM / v->sp[1] - 1e-9);
}

/* 2-D body of slice k: region grown over HU >= thr from a seed in front of
 * the posterior wall, inside a box, holes filled. Marks M_BODY in mark[]
 * except behind its posterior wall line (wall_row: the pedicle bases) and
 * returns the area (mm2); *cy_out, *depth_out, *cx_out (and *width_out
 * unless NULL) describe the whole region (the column line and the disc
 * profile follow it: with the pedicle bases left out of them as well,
 * example_ct's L5/S1 plane tilted 5 degrees more and L5 read 4 mm taller
 * anteriorly, and a thoracic disc of aorta_report_case moved 9 mm), and
 * edge_mm[0..2] the length of the box's front, left and right edges the
 * region touches (a body lies inside its box; one that reaches an edge has
 * leaked into what touches it, such as a contrast-filled aorta). */
static double body_slice(const vt__view *v, long k, double cx, double pw, double thr, double ap_max,
                         double lr_max, unsigned char *mark, unsigned char *box, size_t boxmax, int *queue,
                         double *cx_out, double *cy_out, double *depth_out, double *edge_mm, double *width_out) {
  long i0 = (long)floor((cx - lr_max) / v->sp[0]), i1 = (long)ceil((cx + lr_max) / v->sp[0]);
  long j0 = (long)floor((pw - 2.0) / v->sp[1]), j1 = (long)ceil((pw + ap_max) / v->sp[1]);
  if (i0 < 0) i0 = 0;
  if (j0 < 0) j0 = 0;
  if (i1 >= (long)v->n[0]) i1 = (long)v->n[0] - 1;
  if (j1 >= (long)v->n[1]) j1 = (long)v->n[1] - 1;
  if (i1 < i0 || j1 < j0) return 0;
  long w = i1 - i0 + 1, h = j1 - j0 + 1;
  if ((size_t)(w * h) > boxmax) return 0; /* cannot happen with the callers' boxes */
  memset(box, 0, (size_t)(w * h));
  /* seeds: voxels >= thr from 3 to 25 mm in front of the wall on the
   * canal's x; the first region (4-connected) as large as a body is the
   * body, else the largest region seeded there or on lines up to 18 mm to
   * either side. A bright speck of posterior cortex isolated by the
   * basivertebral veins is not the body (example_ct T12), and where a
   * tilted endplate crosses the slice only a crescent of the body lies in
   * it, off the midline (a scoliotic phantom's body corners) */
  long best_n = 0, best_q = -1;
  double min_vox = MIN_AREA_MM2 / (v->sp[0] * v->sp[1]);
  static const double XOFF[7] = {0, -6, 6, -12, 12, -18, 18};
  for (int xo = 0; xo < 7 && !(xo > 0 && best_n >= min_vox); xo++) /* off-midline lines only if the midline found no body */
    for (double t = 3.0; t <= 25.0 && !(best_n >= min_vox); t += 0.5 * v->sp[1]) {
      long si = (long)((cx + XOFF[xo]) / v->sp[0] + 0.5), sj = (long)((pw + t) / v->sp[1] + 0.5);
      if (si < i0 || si > i1 || sj < j0 || sj > j1 || box[(si - i0) + w * (sj - j0)]) continue;
      if (hu5(v, si, sj, k) < thr) continue;
      int seed = (int)((si - i0) + w * (sj - j0));
      long n = grow(v, k, thr, box, w, h, i0, j0, seed, 3, queue); /* 3: grown while searching */
      if (n > best_n) best_n = n, best_q = seed;
    }
  if (best_q < 0) return 0;
  /* the chosen region again, as the body (1); the others back to 0 */
  for (long q = 0; q < w * h; q++)
    if (box[q] == 3) box[q] = 0;
  grow(v, k, thr, box, w, h, i0, j0, (int)best_q, 1, queue);
  /* fill holes: flood the outside (2) from the box border, the rest is body */
  long qn = 0;
  for (long a = 0; a < w; a++)
    for (long b = 0; b < h; b++)
      if ((a == 0 || b == 0 || a == w - 1 || b == h - 1) && !box[a + w * b]) {
        box[a + w * b] = 2;
        queue[qn++] = (int)(a + w * b);
      }
  flood(v, k, -INFINITY, box, w, h, i0, j0, 2, queue, qn);
  long wall = wall_row(v, cx, box, w, h, i0, queue);
  double n = 0, sx = 0, sy = 0, ymin = 1e30, ymax = -1e30, xmin = 1e30, xmax = -1e30, ef = 0, el = 0, er = 0;
  for (long b = 0; b < h; b++)
    for (long a = 0; a < w; a++) {
      if (box[a + w * b] == 2) continue;
      double x = (double)(a + i0) * v->sp[0], y = (double)(b + j0) * v->sp[1];
      n++, sx += x, sy += y;
      if (b == h - 1) ef += v->sp[0];
      if (a == 0) el += v->sp[1];
      if (a == w - 1) er += v->sp[1];
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
      if (mark && b >= wall) mark[vt__index(v, (size_t)(a + i0), (size_t)(b + j0), (size_t)k)] |= M_BODY | (box[a + w * b] ? 0 : M_FILL);
    }
  if (n == 0) return 0;
  *cx_out = sx / n, *cy_out = sy / n, *depth_out = ymax - ymin + v->sp[1], edge_mm[0] = ef, edge_mm[1] = el, edge_mm[2] = er;
  if (width_out) *width_out = xmax - xmin + v->sp[0];
  return n * v->sp[0] * v->sp[1];
}

/* Fills the gaps along each cranio-caudal voxel column between two body
 * voxels of the same level (levmask codes, 0x80 = body) when the gap is at
 * most NOTCH_MM long. The basivertebral veins enter the body through a
 * foramen in the middle of its posterior wall: in each axial slice that
 * notch is open to the canal, so the 2-D hole fill keeps it out, and the
 * body read 5-9 mm short at its posterior height (example_ct L5). Bone
 * above and below it in the same column shows it is inside the body; a gap
 * reaching into a disc band is disc, not notch, and stays open, and so does
 * one in the anterior part of the body, where no such foramen is, and one
 * shorter than 3 mm: noise under a tilted endplate, not the foramen (filling
 * it moved a wedge-fractured phantom's heights by 0.6 mm at 1 mm slices). */
/* 1 when p lies in level L's core: clear of the disc bands above and below
 * (levels numbered cranially down, as in vt__find_levels) */
static int in_level_core(const double p[3], size_t L, const vt__disc *discs, size_t nd, size_t nl) {
  if (L > 0) {
    const vt__disc *d = &discs[nd - L];
    double s = (p[0] - d->p[0]) * d->nrm[0] + (p[1] - d->p[1]) * d->nrm[1] + (p[2] - d->p[2]) * d->nrm[2];
    if (s >= -d->half) return 0;
  }
  if (L + 1 < nl) {
    const vt__disc *d = &discs[nd - 1 - L];
    double s = (p[0] - d->p[0]) * d->nrm[0] + (p[1] - d->p[1]) * d->nrm[1] + (p[2] - d->p[2]) * d->nrm[2];
    if (s <= d->half) return 0;
  }
  return 1;
}

static int fill_body_notches(const vt__view *v, const vt__column *col, unsigned char *levmask, long k0, long k1,
                             vt__level *lv, const vt__disc *discs, size_t nd, size_t nl) {
  size_t nx = v->n[0], nxy = v->n[0] * v->n[1];
  long *last = malloc(nxy * sizeof *last);
  if (!last) return -1;
  long gmax = (long)floor(NOTCH_MM / v->sp[2]), gmin = (long)ceil(NOTCH_MIN_MM / v->sp[2] - 1e-9);
  for (size_t q = 0; q < nxy; q++) last[q] = -1;
  for (long k = k0; k <= k1; k++)
    for (size_t q = 0; q < nxy; q++) {
      size_t i = q % nx, j = q / nx;
      unsigned char c = levmask[vt__index(v, i, j, (size_t)k)];
      if (!(c & 0x80)) continue;
      long kl = last[q];
      if (kl >= 0 && k - kl - 1 >= gmin && k - kl - 1 <= gmax && levmask[vt__index(v, i, j, (size_t)kl)] == c) {
        int clean = 1; /* only unlabelled or the same level's posterior voxels */
        for (long g = kl + 1; g < k && clean; g++) {
          unsigned char o = levmask[vt__index(v, i, j, (size_t)g)];
          double p[3] = {(double)i * v->sp[0], (double)j * v->sp[1], (double)g * v->sp[2]};
          clean = (!o || o == (c & 0x7f)) && p[1] - col->pw[g] <= NOTCH_DEPTH * col->depth[g] &&
                  in_level_core(p, (size_t)(c & 0x7f) - 1, discs, nd, nl);
        }
        for (long g = kl + 1; g < k && clean; g++) {
          levmask[vt__index(v, i, j, (size_t)g)] = c;
          lv[(c & 0x7f) - 1].voxels++;
        }
      }
      last[q] = k;
    }
  free(last);
  return 0;
}

/* Removes the cells of one hole-filled run (view column q, slices k to r
 * exclusive, along step) from the bodies. */
static void drop_run(const vt__view *v, unsigned char *levmask, vt__level *lv, size_t q, long k, long r, long step) {
  size_t nx = v->n[0];
  for (long g = k; g != r; g += step) {
    size_t y = vt__index(v, q % nx, q / nx, (size_t)g);
    lv[(levmask[y] & 0x7f) - 1].voxels--;
    levmask[y] = 0;
  }
}

/* The median over slices k0..k1 of each level's body cross-section (mm2),
 * into area[0..nl) (0 where a level has no body). -1: out of memory. */
static int level_areas(const vt__view *v, const unsigned char *levmask, long k0, long k1, size_t nl, double *area) {
  long nk = k1 - k0 + 1;
  double *c = calloc(nl * (size_t)nk, sizeof *c);
  if (!c) return -1;
  for (long k = k0; k <= k1; k++)
    for (size_t j = 0; j < v->n[1]; j++)
      for (size_t i = 0; i < v->n[0]; i++) {
        unsigned char m = levmask[vt__index(v, i, j, (size_t)k)];
        if ((m & 0x80) && (size_t)(m & 0x7f) <= nl) c[(size_t)((m & 0x7f) - 1) * (size_t)nk + (size_t)(k - k0)]++;
      }
  for (size_t L = 0; L < nl; L++) {
    double *row = c + L * (size_t)nk;
    size_t n = 0;
    for (long k = 0; k < nk; k++)
      if (row[k] > 0) row[n++] = row[k];
    area[L] = n ? median_of(row, n) * v->sp[0] * v->sp[1] : 0;
  }
  free(c);
  return 0;
}

/* Takes back out of the bodies the hole-filled cells (M_FILL) that reach a
 * non-body voxel straight along the column: in an axial slice through a
 * depressed endplate (a biconcave fracture, a Schmorl's node) the disc
 * tissue filling the depression is ringed by the body's rim, so the 2-D
 * hole fill took it for marrow and the fracture read as an intact body. A
 * trabecular hole under an intact endplate has bone above and below it and
 * stays filled. A run is a depression when it is at least CONCAVE_MIN_MM
 * long, or when it belongs to a patch of runs entered from the same side
 * (columns 8-connected in the slice, starting within one slice of each
 * other) that covers at least CONCAVE_AREA of the level's median body
 * cross-section: a depression is a contiguous dish across the central
 * endplate. A single slice at an endplate can read as a short run where the
 * slice straddles a concave or tilted endplate (partial volume at 3 mm:
 * with every one-voxel run opened, example_ct's L5 middle height fell from
 * 25.4 to 24.0 mm, 3.8 mm under the same rule on the reference body), but
 * those runs lie in scattered patches of at most 72 mm2 (3.6 %
 * of the ~2000 mm2 lumbar cross-section; the largest patches there also
 * hold runs of 2-3 slices, opened by length), while a grade-2 biconcave
 * phantom at 2.5 mm, its ~4 mm depression one slice deep, shows one patch
 * of 124 mm2 per endplate (9.7 % of 1284 mm2). A short run reached only
 * through another short run's cells is not followed. -1: out of memory. */
static int open_concavities(const vt__view *v, const unsigned char *mark, unsigned char *levmask, long k0, long k1,
                            vt__level *lv, size_t nl) {
  size_t nx = v->n[0], nxy = v->n[0] * v->n[1];
  long rmin = (long)ceil(CONCAVE_MIN_MM / v->sp[2] - 1e-9);
  if (rmin < 1) rmin = 1;
  long *rk = malloc(nxy * sizeof *rk), *rr = malloc(nxy * sizeof *rr), *stack = malloc(nxy * sizeof *stack);
  double *area = malloc((nl ? nl : 1) * sizeof *area);
  if (!rk || !rr || !stack || !area || level_areas(v, levmask, k0, k1, nl, area)) {
    free(rk), free(rr), free(stack), free(area);
    return -1;
  }
  for (int dir = 0; dir < 2; dir++) { /* from the disc below (view z rises cranially), then from above */
    long step = dir ? -1 : 1, end = dir ? k0 - 1 : k1 + 1;
    for (size_t q = 0; q < nxy; q++) {
      size_t i = q % nx, j = q / nx;
      long k = dir ? k1 : k0;
      int open = 1; /* the voxel before k (along step) is not body */
      rk[q] = -1;   /* the column's first short run: start, end */
      while (k != end) {
        size_t x = vt__index(v, i, j, (size_t)k);
        if (!(levmask[x] & 0x80)) {
          open = 1, k += step;
          continue;
        }
        if (!open || !(mark[x] & M_FILL)) {
          open = 0, k += step;
          continue;
        }
        long r = k; /* a run of filled cells entered from outside the body */
        while (r != end && (levmask[vt__index(v, i, j, (size_t)r)] & 0x80) &&
               (mark[vt__index(v, i, j, (size_t)r)] & M_FILL) &&
               (levmask[vt__index(v, i, j, (size_t)r)] & 0x7f) == (levmask[x] & 0x7f))
          r += step;
        long len = (r - k) * step;
        if (len >= rmin) drop_run(v, levmask, lv, q, k, r, step);
        else if (rk[q] < 0) rk[q] = k, rr[q] = r;
        open = len >= rmin && r != end && !(levmask[vt__index(v, i, j, (size_t)r)] & 0x80);
        k = r;
      }
    }
    /* patches of short runs: flood over 8-neighbour columns of the same
     * level whose runs start within one slice; rk[] = -2 once visited */
    for (size_t q0 = 0; q0 < nxy; q0++) {
      if (rk[q0] < 0) continue;
      unsigned char lev = levmask[vt__index(v, q0 % nx, q0 / nx, (size_t)rk[q0])] & 0x7f;
      long n = 0, top = 0;
      stack[top++] = (long)q0;
      long kq0 = rk[q0];
      rk[q0] = -2 - kq0; /* visited, start kept as -2 - k */
      while (n < top) {
        size_t q = (size_t)stack[n++];
        long kq = -2 - rk[q];
        for (int dj = -1; dj <= 1; dj++)
          for (int di = -1; di <= 1; di++) {
            long a = (long)(q % nx) + di, b = (long)(q / nx) + dj;
            if (a < 0 || b < 0 || a >= (long)nx || b >= (long)v->n[1]) continue;
            size_t p = (size_t)a + nx * (size_t)b;
            if (rk[p] < 0 || labs(rk[p] - kq) > 1) continue;
            if ((levmask[vt__index(v, (size_t)a, (size_t)b, (size_t)rk[p])] & 0x7f) != lev) continue;
            rk[p] = -2 - rk[p];
            stack[top++] = (long)p;
          }
      }
      int big = (double)top * v->sp[0] * v->sp[1] >= CONCAVE_AREA * area[lev - 1];
      for (long t = 0; t < top; t++) {
        size_t q = (size_t)stack[t];
        if (big) drop_run(v, levmask, lv, q, -2 - rk[q], rr[q], step);
        rk[q] = -1; /* done */
      }
    }
  }
  free(rk), free(rr), free(stack), free(area);
  return 0;
}

/* The depth each slice's body box is fitted to (in place over d[k0..k1],
 * pass-1 depths of body-like regions, NaN elsewhere): the column's median
 * depth D, or the median of the body-like depths within +-h slices where
 * that is over BOX_GROW x D. Bodies change size along the column (cervical
 * ~16 mm deep, thoracic ~28, lumbar ~34): a box fitted to the median alone
 * cut the thoracic bodies of a C3-T4 column at its front edge, and they were
 * taken for leaks (centres and depths copied from the cervical ones). Only
 * body-like regions count: no deeper than BODY_LIKE x their width (vertebral
 * bodies are wider than deep, Panjabi 1991/1992; the phantom's 0.8) and
 * centred within a quarter of the width of the canal's x. A region leaked
 * into the aorta (aorta_report_case, pass 1: 46-60 mm deep, 39-48 wide, or
 * shifted 11-16 mm to the left) is not, so it does not grow the box; a
 * body as deep as wide (some of that case's thoracic ones) keeps the
 * median's box, as before. -1: out of memory. */
static int local_box_depth(double *d, long k0, long k1, long h, double D) {
  double *w = malloc((size_t)(2 * h + 1) * sizeof *w), *o = malloc((size_t)(k1 - k0 + 1) * sizeof *o);
  if (!w || !o) {
    free(w), free(o);
    return -1;
  }
  for (long k = k0; k <= k1; k++) {
    size_t n = 0;
    for (long q = k - h; q <= k + h; q++)
      if (q >= k0 && q <= k1 && isfinite(d[q])) w[n++] = d[q];
    double m = n >= (size_t)h ? median_of(w, n) : NAN;
    o[k - k0] = isfinite(m) && m > BOX_GROW * D ? m : D;
  }
  memcpy(d + k0, o, (size_t)(k1 - k0 + 1) * sizeof *d);
  free(w), free(o);
  return 0;
}

/* The brightest point of g[0..M) within THIN_MM of m on one side (dir -1
 * or 1), when it is a peak there: where g still rises past the window's
 * outer end, the bright point is the flank of something further out (the
 * endplates of a short cervical body, 14 mm apart, seen from its middle),
 * not an endplate bordering m; -1e30 then. */
static double side_peak(const double *g, long M, long m, int dir) {
  double best = -1e30;
  long at = -1;
  for (long t = 1; t <= THIN_MM; t++) {
    long q = m + dir * t;
    if (q < 0 || q >= M) break;
    if (g[q] > best) best = g[q], at = t;
  }
  long out = m + dir * (THIN_MM + 1);
  if (at == THIN_MM && out >= 0 && out < M && g[out] > best) return -1e30;
  return best;
}

/* The front face (view y, mm) of slice k's marked body, -INFINITY if none. */
static double marked_front(const vt__view *v, const unsigned char *mark, long k) {
  for (long j = (long)v->n[1] - 1; j >= 0; j--)
    for (size_t i = 0; i < v->n[0]; i++)
      if (mark[vt__index(v, i, (size_t)j, (size_t)k)] & M_BODY) return (double)j * v->sp[1];
  return -INFINITY;
}

/* Clears the body marks in front of the expected front face where a slice
 * leaked forward (the rule at the call). leak[3k] is finite where slice k's
 * region ran along its box's front edge. -1: out of memory. */
static int clip_leaked_fronts(const vt__view *v, unsigned char *mark, const double *leak, long k0, long k1, long nz) {
  double *fr = malloc((size_t)nz * sizeof *fr), *own = malloc((size_t)nz * sizeof *own);
  if (!fr || !own) {
    free(fr), free(own);
    return -1;
  }
  size_t nfin = 0;
  for (long k = k0; k <= k1; k++) {
    own[k] = marked_front(v, mark, k);
    fr[k] = isfinite(leak[3 * k]) || !isfinite(own[k]) ? NAN : own[k];
    nfin += isfinite(fr[k]);
  }
  if (nfin > 0) {
    fill_nan(fr, k0, k1);
    smooth_median(fr, k0, k1, (long)lround(15.0 / v->sp[2]));
    for (long k = k0; k <= k1; k++) {
      if (!isfinite(own[k]) || !(isfinite(leak[3 * k]) || own[k] > fr[k] + LEAK_OUT_MM)) continue;
      if (getenv("VT_ANALYZE_DEBUG"))
        fprintf(stderr, "leak clip slice %ld: front %.1f, expected %.1f\n", k, own[k], fr[k]);
      for (size_t j = 0; j < v->n[1]; j++) {
        if ((double)j * v->sp[1] <= fr[k] + LEAK_CLIP_MM) continue;
        for (size_t i = 0; i < v->n[0]; i++) mark[vt__index(v, i, j, (size_t)k)] &= (unsigned char)~(M_BODY | M_FILL);
      }
    }
  }
  free(fr), free(own);
  return 0;
}

/* Disc positions from the body profile: candidate minima, then the best
 * chain spaced at least MIN_GAP_DEPTH x the local body depth apart. */
static size_t pick_discs(const double *f, const double *depth, long m0, long M, double *zs, size_t maxd, double dz) {
  if (M < 5) return 0;
  int debug = getenv("VT_ANALYZE_DEBUG") != NULL; /* candidates on stderr */
  double *g = malloc((size_t)M * sizeof *g), *val = malloc((size_t)M * sizeof *val), *best = malloc((size_t)M * sizeof *best);
  double *lvl_c = malloc((size_t)M * sizeof *lvl_c); /* each candidate's bone level */
  double *thin_c = malloc((size_t)M * sizeof *thin_c); /* and its endplates-on-both-sides value */
  long *cand = malloc((size_t)M * sizeof *cand), *prev = malloc((size_t)M * sizeof *prev);
  size_t nd = 0;
  if (!g || !val || !best || !cand || !prev || !lvl_c || !thin_c) goto done;
  for (long m = 0; m < M; m++) { /* Gaussian smoothing, sigma 1 mm */
    double s = 0, w = 0;
    for (long q = m - 3; q <= m + 3; q++) {
      if (q < 0 || q >= M) continue;
      double ww = exp(-0.5 * (double)((q - m) * (q - m)));
      s += ww * f[q], w += ww;
    }
    g[m] = s / w;
  }
  long nc = 0;
  double win[41];
  for (long m = 1; m + 1 < M; m++) {
    if (!(g[m] <= g[m - 1] && g[m] < g[m + 1])) continue;
    /* value: how far below the local bone level (the median over +-20 mm:
     * mostly trabecular bone; a higher percentile would count the endplates
     * and let a point mid-body pass for a disc) */
    size_t k = 0;
    for (long q = m - 20; q <= m + 20; q++)
      if (q >= 0 && q < M) win[k++] = g[q];
    qsort(win, k, sizeof win[0], vt__cmp_double);
    double lvl = win[(k - 1) / 2];
    /* and below the endplates on both sides, which border a disc closely */
    double ml = -1e30, mr = -1e30;
    for (long q = m - 10; q < m; q++)
      if (q >= 0 && g[q] > ml) ml = g[q];
    for (long q = m + 1; q <= m + 10; q++)
      if (q < M && g[q] > mr) mr = g[q];
    double v = fmin(lvl, fmin(ml, mr)) - g[m];
    /* and `thin`: how far the endplates stand above the bone level within
     * THIN_MM on both sides. A disc 1-4 mm thick (aorta_report_case, 1.5 mm
     * slices) is no dark gap but a shallow dip between two endplate peaks
     * of 250-340 HU within +-3-5 mm, no darker than the bone level (v <= 0
     * there, 34-65 thin), while dark trabecular bands mid-body have v 36-53
     * and no such peaks; a point mid-body has an endplate on one side at
     * most. Only where slices resolve it (spacing <= THIN_MM / 2: one slice
     * between disc and endplate; at 5 mm a cervical body's endplates, one
     * sample each, passed for a thin disc) */
    double peaks = fmin(side_peak(g, M, m, -1), side_peak(g, M, m, 1)), thin = peaks - lvl;
    if (dz > 0.5 * THIN_MM) thin = -1e30; /* no slice between an endplate and the disc: not resolved */
    /* and a dip between them: inside a dense body whose HU climbs through
     * m (the 30-degree lordosis phantom's sacrum at 2.5 mm: 2 HU under its
     * lower side, 75 over the bone level) nothing borders a disc; the
     * aorta case's thin discs dip 13-63 HU */
    if (peaks - g[m] < THIN_DIP_HU) thin = -1e30;
    if (debug)
      fprintf(stderr, "cand %ld g %.0f lvl %.0f ml %.0f mr %.0f v %.1f thin %.1f\n", m0 + m, g[m], lvl, ml, mr, v,
              fmax(thin, -999.0));
    if (v < 8.0 && thin < 8.0) continue;
    cand[nc] = m;
    lvl_c[nc] = lvl;
    thin_c[nc] = thin;
    val[nc++] = v;
  }
  /* a disc is much darker than the bone around it; the dip of the
   * trabecular core between two endplates is not. Candidates are kept when
   * their depth reaches 45 % of the typical (75th percentile) candidate's,
   * and each costs 30 % of it in the chain, so that a shallow dip is not
   * added merely because it fits between two discs. The typical candidate is
   * taken among those whose bone level is within REF_LVL of this one's: the
   * profile disk is sized by the median body depth, so across a column whose
   * bodies change size (the cervicothoracic junction) it takes in cortex in
   * the small bodies (bone level ~300 HU, dips ~210) and none in the large
   * ones (~150, dips ~60); a dip is judged against dips of its own kind. On
   * a column of one kind (example_ct: levels 108-131 HU) this is the global
   * rule. With fewer than REF_MIN of its kind (two thoracic discs under a
   * cervical column at 5 mm) every dip is scaled by the ratio of the bone
   * levels (a dip is about bone level minus disc HU, so it scales with it).
   * A local reference by position (+-45 mm, tried) let a false disc into
   * example_ct's sacrum, whose bone level is the lumbar one. */
  if (nc > 0) {
    double *sv = malloc((size_t)nc * sizeof *sv), *ref = malloc((size_t)nc * sizeof *ref);
    if (sv && ref) {
      for (long a = 0; a < nc; a++) {
        size_t k = 0;
        for (long b = 0; b < nc; b++)
          if (val[b] >= 8.0 && fabs(lvl_c[b] - lvl_c[a]) <= REF_LVL * fmax(lvl_c[a], lvl_c[b])) sv[k++] = val[b];
        if (k < REF_MIN) { /* too few of its kind: all, each scaled to this bone level */
          k = 0;
          for (long b = 0; b < nc; b++)
            if (val[b] >= 8.0) sv[k++] = val[b] * lvl_c[a] / fmax(lvl_c[b], 1.0);
        }
        if (!k) sv[k++] = 8.0;
        qsort(sv, k, sizeof *sv, vt__cmp_double);
        ref[a] = sv[(size_t)(0.75 * (double)(k - 1))];
      }
      /* a candidate's value is the larger of its dip and its `thin`; the
       * reference stays the dips' own (thin values at real 8-10 mm phantom
       * discs reach 440 HU of cortex, and in the reference they dropped the
       * lumbar discs, docs/image-analyze.md) */
      long kept = 0;
      for (long a = 0; a < nc; a++) {
        double va = fmax(val[a], thin_c[a]);
        if (debug)
          fprintf(stderr, "cand %ld v %.1f thin %.1f ref %.1f: %s\n", m0 + cand[a], val[a], fmax(thin_c[a], -999.0),
                  ref[a], va >= 0.45 * ref[a] ? "kept" : "dropped");
        if (va >= 0.45 * ref[a]) cand[kept] = cand[a], val[kept++] = va - 0.3 * ref[a];
      }
      nc = kept;
    }
    free(sv), free(ref);
  }
  long bi = -1;
  for (long a = 0; a < nc; a++) {
    double mg = MIN_GAP_DEPTH * depth[m0 + cand[a]];
    if (!(mg >= 12.0)) mg = 12.0;
    best[a] = val[a], prev[a] = -1;
    for (long b = 0; b < a; b++) {
      double gap = (double)(cand[a] - cand[b]);
      if (gap < mg || best[b] + val[a] <= best[a]) continue;
      best[a] = best[b] + val[a], prev[a] = b;
    }
    if (bi < 0 || best[a] > best[bi]) bi = a;
  }
  size_t n = 0;
  for (long a = bi; a >= 0; a = prev[a]) n++;
  if (n > maxd) n = maxd;
  nd = n;
  for (long a = bi; a >= 0 && n > 0; a = prev[a]) zs[--n] = (double)(m0 + cand[a]);
done:
  free(g), free(val), free(best), free(cand), free(prev), free(lvl_c), free(thin_c);
  return nd;
}

#define RAD_TO_DEG (180.0 / 3.14159265358979323846)

/* Body line position (view mm) at height z, linear between slices. */
static void line_point(const vt__view *v, const vt__column *col, double z, double p[3]) {
  double fk = z / v->sp[2];
  long a = (long)floor(fk);
  if (a < col->k0) a = col->k0;
  if (a >= col->k1) a = col->k1 - (col->k1 > col->k0);
  double t = col->k1 > col->k0 ? fk - (double)a : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  long b = a + (col->k1 > col->k0);
  p[0] = col->bx[a] * (1 - t) + col->bx[b] * t;
  p[1] = col->by[a] * (1 - t) + col->by[b] * t;
  p[2] = z;
}

/* Sagittal tilt (degrees) of the chord between the body line's points
 * midway to disc i's neighbours; NAN at the chain's ends. */
static double chord_sag_deg(const vt__view *v, const vt__column *col, const vt__disc *d, size_t nd, size_t i) {
  if (i == 0 || i + 1 >= nd) return NAN;
  double a[3], b[3];
  line_point(v, col, 0.5 * (d[i - 1].z + d[i].z), a);
  line_point(v, col, 0.5 * (d[i].z + d[i + 1].z), b);
  return atan2(b[1] - a[1], b[2] - a[2]) * RAD_TO_DEG;
}

/* A known artefact, detected: a disc plane's normal is the body line's
 * tangent there, and an axial slice through a disc tilted from it holds the
 * back of one body and the front of the other, so the bone centre jumps and
 * the tangent reads the tilt of a straight, leaning stretch 1.5-2x too steep
 * (the 35-degree kyphosis phantom's straight lumbar column, 17.5 degrees:
 * discs at 28-35, bodies cut through their endplates, L1 and L5 graded 1 and
 * a lordosis of 0 read -34). Where the column is straight (the chords
 * between body middles on each side agree within AXIS_STRAIGHT_DEG; at an
 * end of the chain, the neighbour's) the chord is the axis, and on a
 * stretch leaning AXIS_MIN_TILT_DEG or more a tangent steeper than it by
 * AXIS_DOUBT_DEG is that artefact: such a plane is refitted on its
 * endplates (endplate_normals) and, where that is not possible, the levels
 * beside it are not graded (VT__DOUBT_AXIS). Not the chord as the plane:
 * where the column bends, a wedge-shaped disc adds tilt the chord misses. */
#define AXIS_DOUBT_DEG 9.0
#define AXIS_STRAIGHT_DEG 6.0
#define AXIS_MIN_TILT_DEG 8.0
static void axis_doubt(const vt__view *v, const vt__column *col, vt__disc *d, size_t nd) {
  for (size_t i = 0; i < nd; i++) {
    d[i].axis_doubt_deg = 0;
    if (d[i].searched) continue; /* its plane was searched, not the tangent */
    /* at an end of the chain, the neighbour's chord and the next one */
    size_t j = i == 0 ? 1 : i + 1 == nd ? i - 1 : i;
    double c = chord_sag_deg(v, col, d, nd, j);
    double lo = j > 0 ? chord_sag_deg(v, col, d, nd, j - 1) : NAN, hi = chord_sag_deg(v, col, d, nd, j + 1);
    if (!isfinite(c) || !(d[i].nrm[2] > 0)) continue;
    /* straight: the chords on both sides (or the one there is) agree */
    if ((isfinite(lo) && fabs(lo - c) > AXIS_STRAIGHT_DEG) || (isfinite(hi) && fabs(hi - c) > AXIS_STRAIGHT_DEG) ||
        (!isfinite(lo) && !isfinite(hi)))
      continue;
    double t = atan2(d[i].nrm[1], d[i].nrm[2]) * RAD_TO_DEG;
    /* the artefact steepens a tilted column's own tilt: a wedge-shaped disc
     * on an upright one (a fractured L1 under a flat T12) is not it */
    if (fabs(c) >= AXIS_MIN_TILT_DEG && t * c > 0 && fabs(t) - fabs(c) > AXIS_DOUBT_DEG)
      d[i].axis_doubt_deg = fabs(t) - fabs(c);
  }
}

/* Distance (mm) from q along dir * n to the first voxel at or above thr,
 * up to lim; -1 when none. */
static double walk_to_bone(const vt__view *v, const double q[3], const double n[3], int dir, double thr, double lim) {
  double step = 0.5 * fmin(v->sp[0], fmin(v->sp[1], v->sp[2]));
  for (double t = 0; t <= lim; t += step) {
    long c[3];
    for (int a = 0; a < 3; a++) c[a] = lround((q[a] + dir * t * n[a]) / v->sp[a]);
    if (vt__hu(v, c[0], c[1], c[2]) >= thr) return t;
  }
  return -1;
}

/* Least-squares plane t = c0 + c1 a + c2 b over m points, one pass trimming
 * residuals over trim mm; 0 when fewer than min points stay. */
static int fit_height_plane(const double *pa, const double *pb, const double *pt, int m, double trim, int min,
                            double c[3]) {
  unsigned char keep[2048];
  for (int i = 0; i < m; i++) keep[i] = 1;
  for (int pass = 0; pass < 2; pass++) {
    double S[3][4] = {{0}};
    int k = 0;
    for (int i = 0; i < m; i++) {
      if (!keep[i]) continue;
      double r[3] = {1, pa[i], pb[i]};
      for (int x = 0; x < 3; x++) {
        for (int y = 0; y < 3; y++) S[x][y] += r[x] * r[y];
        S[x][3] += r[x] * pt[i];
      }
      k++;
    }
    if (k < min) return 0;
    for (int col = 0; col < 3; col++) { /* Gauss-Jordan, partial pivot */
      int pv = col;
      for (int r = col + 1; r < 3; r++)
        if (fabs(S[r][col]) > fabs(S[pv][col])) pv = r;
      if (fabs(S[pv][col]) < 1e-9) return 0;
      for (int x = 0; x < 4; x++) {
        double tmp = S[col][x];
        S[col][x] = S[pv][x], S[pv][x] = tmp;
      }
      for (int r = 0; r < 3; r++) {
        if (r == col) continue;
        double f = S[r][col] / S[col][col];
        for (int x = 0; x < 4; x++) S[r][x] -= f * S[col][x];
      }
    }
    for (int x = 0; x < 3; x++) c[x] = S[x][3] / S[x][x];
    if (pass == 0)
      for (int i = 0; i < m; i++) keep[i] = fabs(pt[i] - (c[0] + c[1] * pa[i] + c[2] * pb[i])) <= trim;
  }
  return 1;
}

/* The lowest disc's normal from the body line above it only: below it the
 * line usually runs through the sacrum, whose centre (a wide, steeply tilted
 * body between the alae) is no continuation of the lumbar line. Across the
 * junction the tangent read the phantoms' L5/S1 planes 23-30 degrees off
 * their L5 (a coronal 34 degrees under a 9-degree L5 on the Cobb-20 phantom,
 * whose sacrum sits 10 mm to the side; a sagittal -11 under a +12 on the
 * lordosis-40 one), cutting the sacrum's corner into L5. */
static void lowest_disc_normal(const vt__view *v, const vt__column *col, const double *area, const double *raw,
                               vt__disc *discs, size_t nd) {
  if (nd < 2 || discs[0].searched) return;
  vt__disc *d = &discs[0];
  /* the body above, where its cross-sections are whole (area within 5 %
   * of the level's largest): its ends hold the disc and, at the bottom,
   * the sacrum's raised corner. Least-squares line of the slices' own body
   * centres (the smoothed line flattens near the ends). */
  long lo = (long)ceil(d->z / v->sp[2]), hi = (long)floor(discs[1].z / v->sp[2]);
  if (lo < col->k0) lo = col->k0;
  if (hi > col->k1) hi = col->k1;
  double amax = 0;
  for (long k = lo; k <= hi; k++)
    if (area[k] > amax) amax = area[k];
  double n = 0, sz = 0, szz = 0, sx = 0, szx = 0, sy = 0, szy = 0;
  for (long k = lo; k <= hi; k++) {
    double x = raw[2 * k], y = raw[2 * k + 1];
    if (!isfinite(x) || !isfinite(y) || !(area[k] >= 0.95 * amax)) continue;
    double z = (double)k * v->sp[2];
    n += 1, sz += z, szz += z * z, sx += x, szx += z * x, sy += y, szy += z * y;
  }
  double den = n * szz - sz * sz;
  if (n < 3 || !(den > 1e-9)) return;
  double t[3] = {(n * szx - sz * sx) / den, (n * szy - sz * sy) / den, 1.0};
  double nn = sqrt(t[0] * t[0] + t[1] * t[1] + 1.0);
  for (int q = 0; q < 3; q++) d->nrm[q] = t[q] / nn;
  if (getenv("VT_ANALYZE_DEBUG"))
    fprintf(stderr, "lowest disc z %.1f: normal from %.0f whole slices above, sagittal %.1f coronal %.1f deg\n", d->z,
            n, atan2(t[1], 1.0) * RAD_TO_DEG, atan2(t[0], 1.0) * RAD_TO_DEG);
}

/* A disc plane axis_doubt flagged, refitted on the two endplates that bound
 * the disc (the chord between the bodies' centres would miss the tilt a
 * wedge-shaped disc adds: example_ct's L4/L5, 15 degrees between the
 * centres, the disc nearer 27, though not flagged there). From points on
 * the plane within r of its centre that are not bone (under the body
 * threshold), the distance to bone along the normal each way is fitted by a
 * plane (one trimming pass); the disc's new sagittal slope is the two
 * endplates' bisector's, its coronal one and its centre stay. Twice, from
 * the new plane; kept only when both endplates are seen over most of the
 * disk, in front and behind, and the bisector lies within ENDPLATE_MAX_DEG
 * of the old normal; not at slices over 2.5 mm. Measured: the kyphosis
 * phantom's lumbar discs within 1.5 degrees of truth, its lordosis 0.0-0.6
 * for 0 (was -33.6 / -18.0). Run on every disc (tried), it lost a disc at
 * 5 mm and moved the 1 mm wedge phantom's L1 middle height 0.5 mm. */
#define ENDPLATE_MAX_DEG 20.0
#define ENDPLATE_LIM_MM 15.0
#define ENDPLATE_MAX_SLICE_MM 2.5 /* at coarser slices an endplate is known to a slice: not refitted */
#define ENDPLATE_TRIM_MM 3.0
static void endplate_normals(const vt__view *v, const vt__column *col, vt__disc *discs, size_t nd, double depth) {
  double r = fmax(6.0, 0.3 * depth), st = fmax(1.0, fmax(v->sp[0], v->sp[1]));
  int debug = getenv("VT_ANALYZE_DEBUG") != NULL;
  if (v->sp[2] > ENDPLATE_MAX_SLICE_MM) return;
  for (size_t i = 0; i < nd; i++) {
    vt__disc *d = &discs[i];
    if (d->searched || !(d->axis_doubt_deg > 0)) continue;
    double n[3] = {d->nrm[0], d->nrm[1], d->nrm[2]};
    const double *c = d->p; /* the disc's centre stays */
    int ok = 0;
    for (int it = 0; it < 2; it++) {
      /* in-plane basis: u along x, w = n x u */
      double u[3] = {1 - n[0] * n[0], -n[0] * n[1], -n[0] * n[2]}, un = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
      for (int q = 0; q < 3; q++) u[q] /= un;
      double w[3] = {n[1] * u[2] - n[2] * u[1], n[2] * u[0] - n[0] * u[2], n[0] * u[1] - n[1] * u[0]};
      double pa[2048], pb[2048], tu[2048], td[2048];
      int m = 0, tot = 0;
      for (double a = -r; a <= r + 1e-9; a += st)
        for (double b = -r; b <= r + 1e-9; b += st) {
          if (a * a + b * b > r * r || m >= 2048) continue;
          tot++;
          double q[3];
          for (int x = 0; x < 3; x++) q[x] = c[x] + a * u[x] + b * w[x];
          long qi[3];
          for (int x = 0; x < 3; x++) qi[x] = lround(q[x] / v->sp[x]);
          if (vt__hu(v, qi[0], qi[1], qi[2]) >= col->body_thr) continue; /* starts in bone */
          double up = walk_to_bone(v, q, n, 1, col->body_thr, ENDPLATE_LIM_MM);
          double dn = walk_to_bone(v, q, n, -1, col->body_thr, ENDPLATE_LIM_MM);
          if (up < 0 || dn < 0) continue;
          pa[m] = a, pb[m] = b, tu[m] = up, td[m] = dn, m++;
        }
      double cu[3], cd[3];
      if (debug) fprintf(stderr, "endplate disc z %.1f it %d: %d of %d points\n", d->z, it, m, tot);
      int front = 0, back = 0; /* both halves along w (antero-posterior) seen */
      for (int q = 0; q < m; q++) front += pb[q] > 0, back += pb[q] < 0;
      if (tot == 0 || m < tot / 2 || 6 * front < tot || 6 * back < tot ||
          !fit_height_plane(pa, pb, tu, m, ENDPLATE_TRIM_MM, tot / 4, cu) ||
          !fit_height_plane(pa, pb, td, m, ENDPLATE_TRIM_MM, tot / 4, cd))
        break;
      /* upper endplate: height cu0 + cu1 a + cu2 b along +n; lower: along -n */
      double gu[3], gd[3], nb[3];
      for (int x = 0; x < 3; x++) {
        gu[x] = n[x] - cu[1] * u[x] - cu[2] * w[x];
        gd[x] = n[x] + cd[1] * u[x] + cd[2] * w[x];
      }
      double lu = sqrt(gu[0] * gu[0] + gu[1] * gu[1] + gu[2] * gu[2]);
      double ld = sqrt(gd[0] * gd[0] + gd[1] * gd[1] + gd[2] * gd[2]);
      for (int x = 0; x < 3; x++) nb[x] = gu[x] / lu + gd[x] / ld;
      double lb = sqrt(nb[0] * nb[0] + nb[1] * nb[1] + nb[2] * nb[2]);
      for (int x = 0; x < 3; x++) nb[x] /= lb;
      double ca = nb[0] * d->nrm[0] + nb[1] * d->nrm[1] + nb[2] * d->nrm[2];
      if (debug)
        fprintf(stderr,
                "endplate disc z %.1f it %d: upper %.1f + %.3f a + %.3f b, lower %.1f + %.3f a + %.3f b, "
                "%.1f deg from the profile's\n",
                d->z, it, cu[0], cu[1], cu[2], cd[0], cd[1], cd[2], acos(fmin(1.0, ca)) * RAD_TO_DEG);
      if (acos(fmin(1.0, ca)) * RAD_TO_DEG > ENDPLATE_MAX_DEG) break;
      /* the sagittal slope only: the coronal tilts of a scoliotic curve are a
       * few degrees per level, where the Cobb angle is tuned on the tangent's */
      if (!(nb[2] > 0)) break;
      double t[3] = {d->nrm[0] / d->nrm[2], nb[1] / nb[2], 1.0}, lt = sqrt(t[0] * t[0] + t[1] * t[1] + 1.0);
      for (int x = 0; x < 3; x++) n[x] = t[x] / lt;
      ok = 1;
    }
    if (debug)
      fprintf(stderr, "endplate disc z %.1f: sagittal %.1f -> %.1f, coronal %.1f -> %.1f deg%s\n", d->z,
              atan2(d->nrm[1], d->nrm[2]) * RAD_TO_DEG, atan2(n[1], n[2]) * RAD_TO_DEG,
              atan2(d->nrm[0], d->nrm[2]) * RAD_TO_DEG, atan2(n[0], n[2]) * RAD_TO_DEG, ok ? "" : " (kept)");
    if (!ok) continue;
    memcpy(d->nrm, n, sizeof n);
  }
}

vt_status vt__find_levels(const vt__view *v, vt__column *col, vt__disc *discs, size_t *nd_out,
                          vt__level *lv, size_t *nl_out, unsigned char *levmask, vt_error *err) {
  long k0 = col->k0, k1 = col->k1, nz = (long)v->n[2];
  size_t nvox = v->n[0] * v->n[1] * v->n[2];
  int debug = getenv("VT_ANALYZE_DEBUG") != NULL; /* slices and profile on stderr */
  /* the largest box body_slice may use: lr up to BOX_LR_MM + 8 each side,
   * ap from 2 mm behind the wall to BOX_AP_MM in front, plus rounding */
  size_t boxmax = (size_t)((2 * (BOX_LR_MM + 8) / v->sp[0] + 4) * ((BOX_AP_MM + 2) / v->sp[1] + 4));
  unsigned char *mark = calloc(nvox, 1), *box = malloc(boxmax);
  int *queue = malloc(boxmax * sizeof *queue);
  double *tmp = malloc((size_t)nz * sizeof *tmp), *area = calloc((size_t)nz, sizeof *area);
  double *prof = NULL, *dep1 = NULL, *dbox = malloc((size_t)nz * sizeof *dbox);
  double *raw = malloc((size_t)nz * 2 * sizeof *raw); /* each slice's body centre before smoothing */
  if (!mark || !box || !queue || !tmp || !area || !dbox || !raw) goto oom;
  /* posterior wall of the body in front of the canal */
  for (long k = k0; k <= k1; k++) {
    col->pw[k] = NAN;
    if (col->state[k] == 3) continue;
    double step = fmin(v->sp[1], 1.0);
    for (double t = 2.5; t <= WALL_MAX_MM; t += step)
      if (vt__hu_mm(v, col->cx[k], col->cy[k] + t, k) >= VT__BONE_HU) {
        col->pw[k] = col->cy[k] + t;
        break;
      }
  }
  fill_nan(col->pw, k0, k1);
  smooth_median(col->pw, k0, k1, (long)lround(4.0 / v->sp[2]));
  /* body threshold: 60 % of the way from muscle (~40 HU) to the median HU just
   * in front of the wall (trabecular bone, endplates, discs) */
  size_t nt = 0;
  for (long k = k0; k <= k1; k++)
    if (col->state[k] == 1 && isfinite(col->pw[k])) tmp[nt++] = vt__hu_mm(v, col->cx[k], col->pw[k] + 10.0, k);
  double trab = median_of(tmp, nt);
  if (!isfinite(trab)) trab = 150;
  double thr = 0.4 * 40.0 + 0.6 * trab; /* nearer the bone: discs (70-100 HU) must stay out */
  if (thr < 60) thr = 60;
  if (thr > 110) thr = 110; /* below healthy trabecular bone (150-250 HU) even when the
                              * sample in front of the wall hit cortex or endplate */
  col->body_thr = thr;
  /* pass 1: depth of each cross-section; pass 2 with a box fitted to it */
  size_t nd1 = 0;
  for (long k = k0; k <= k1; k++) {
    double bx, by, d, e[3];
    col->depth[k] = NAN;
    dbox[k] = NAN;
    double wd = NAN;
    if (body_slice(v, k, col->cx[k], col->pw[k], thr, BOX_AP_MM, BOX_LR_MM, NULL, box, boxmax, queue, &bx, &by, &d, e, &wd) >= MIN_AREA_MM2) {
      tmp[nd1++] = d;
      if (d <= BODY_LIKE * wd && fabs(bx - col->cx[k]) <= 0.25 * wd) dbox[k] = d;
    }
  }
  double D = median_of(tmp, nd1);
  if (!isfinite(D) || D < 10) D = 30;
  if (local_box_depth(dbox, k0, k1, (long)lround(BOX_LOCAL_MM / v->sp[2]), D)) goto oom;
  long kb0 = -1, kb1 = -1, nbody = 0, nleak = 0;
  double *ebx = malloc((size_t)nz * 3 * sizeof *ebx); /* a leaked slice's centre and depth */
  if (!ebx) goto oom;
  for (long k = k0; k <= k1; k++) {
    double bx = NAN, by = NAN, d = NAN, e[3] = {0, 0, 0};
    double ap_max = fmin(BOX_AP_MM, 1.3 * dbox[k] + 3), lr_max = fmin(BOX_LR_MM + 8, 0.9 * dbox[k] + 5);
    area[k] = body_slice(v, k, col->cx[k], col->pw[k], thr, ap_max, lr_max, mark, box, boxmax, queue, &bx, &by, &d, e, NULL);
    if (debug)
      fprintf(stderr, "slice %ld thr %.0f cx %.1f cy %.1f pw %.1f area %.0f bx %.1f by %.1f depth %.1f edge %.0f %.0f %.0f\n",
              k, thr, col->cx[k], col->cy[k], col->pw[k], area[k], bx, by, d, e[0], e[1], e[2]);
    col->bx[k] = col->by[k] = col->depth[k] = NAN;
    raw[2 * k] = raw[2 * k + 1] = NAN;
    ebx[3 * k] = ebx[3 * k + 1] = ebx[3 * k + 2] = NAN;
    if (area[k] >= MIN_AREA_MM2) {
      /* a region along more than LEAK_EDGE_MM of its box's front has leaked
       * forward (the aorta lies on the front of T12-L1, its contrast above
       * the body threshold; aorta_report_case: 46 mm deep regions centred
       * 17 mm in front of the body's centre): its centre and depth are not
       * the body's, so they are interpolated from the slices that stayed
       * inside. The sides are not used: the sacrum's alae reach them, one
       * side or both (example_ct), and so does the aorta beside a thoracic
       * body (left, up to 48 mm of edge) — not told apart yet */
      if (e[0] > LEAK_EDGE_MM) {
        ebx[3 * k] = bx, ebx[3 * k + 1] = by, ebx[3 * k + 2] = d;
        nleak++;
      } else {
        col->bx[k] = bx, col->by[k] = by, col->depth[k] = d;
        raw[2 * k] = bx, raw[2 * k + 1] = by;
      }
      nbody++;
      if (kb0 < 0) kb0 = k;
      kb1 = k;
    }
  }
  int clip_leaks = 1;
  if (nleak > 0 && nbody - nleak < nbody / 3) { /* mostly leaked: keep them, nothing better to go by */
    clip_leaks = 0;
    for (long k = k0; k <= k1; k++)
      if (isfinite(ebx[3 * k])) col->bx[k] = ebx[3 * k], col->by[k] = ebx[3 * k + 1], col->depth[k] = ebx[3 * k + 2];
  }
  if (kb0 < 0) {
    free(mark), free(box), free(queue), free(tmp), free(area), free(dbox), free(ebx), free(raw);
    return vt_error_set(err, VT_ENOTFOUND, "ct", "no spine found: a canal-like column but no vertebral bodies in front of it");
  }
  col->k0 = k0 = kb0, col->k1 = k1 = kb1;
  fill_nan(col->bx, k0, k1), fill_nan(col->by, k0, k1), fill_nan(col->depth, k0, k1);
  long hz = (long)lround(6.0 / v->sp[2]);
  smooth_median(col->bx, k0, k1, hz), smooth_median(col->by, k0, k1, hz);
  smooth_median(col->depth, k0, k1, (long)lround(15.0 / v->sp[2]));
  /* what a slice's body region leaked into in front of the body (the
   * aorta on the front of T12-L1, its contrast above the body threshold;
   * aorta_report_case: a level cut by the image's lower edge was mostly
   * aorta and its "body" centroid lay 35 mm in front of the column) is taken
   * back out: the body's front face runs smoothly from slice to slice, so
   * where a slice reaches more than LEAK_OUT_MM in front of the face its
   * neighbours give (the median over +-15 mm of the slices that did not leak
   * at the box's front), its marks beyond LEAK_CLIP_MM in front of that face
   * are not body */
  if (clip_leaks && clip_leaked_fronts(v, mark, ebx, k0, k1, nz)) {
    free(ebx);
    goto oom;
  }
  free(ebx);
  /* profile: mean HU (clamped) in a disk round the body centre, per 1 mm */
  double z0 = (double)k0 * v->sp[2], z1 = (double)k1 * v->sp[2];
  long M = (long)floor(z1 - z0) + 1;
  prof = malloc((size_t)M * sizeof *prof);
  dep1 = malloc((size_t)M * sizeof *dep1);
  if (!prof || !dep1) goto oom;
  /* the disk sits in the anterior half of the body: the basivertebral
   * veins darken the posterior centre at mid-height, a dip as deep as a
   * disc's in a real CT */
  double r = fmin(PROF_R_MM, 0.25 * D), fwd = 0.2 * D;
  for (long k = k0; k <= k1; k++) {
    double s = 0;
    int n = 0;
    for (double dy = -r; dy <= r; dy += v->sp[1])
      for (double dx = -r; dx <= r; dx += v->sp[0]) {
        if (dx * dx + dy * dy > r * r) continue;
        double hu = vt__hu_mm(v, col->bx[k] + dx, col->by[k] + fwd + dy, k);
        s += fmax(-200.0, fmin(1200.0, hu)), n++;
      }
    tmp[k] = n ? s / n : 0;
  }
  for (long m = 0; m < M; m++) {
    double z = z0 + (double)m, fk = z / v->sp[2];
    long a = (long)floor(fk);
    if (a < k0) a = k0;
    if (a >= k1) a = k1 - (k1 > k0);
    double t = k1 > k0 ? fk - (double)a : 0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    prof[m] = tmp[a] * (1 - t) + tmp[a + (k1 > k0)] * t;
    dep1[m] = col->depth[a] * (1 - t) + col->depth[a + (k1 > k0)] * t;
  }
  double zs[VT__MAX_LEVELS];
  if (debug)
    for (long m = 0; m < M; m++) fprintf(stderr, "prof %.0f %.1f %.1f\n", z0 + (double)m, prof[m], dep1[m]);
  size_t nd = pick_discs(prof, dep1, 0, M, zs, VT__MAX_LEVELS - 1, v->sp[2]);
  /* discs: centre on the body line, normal = body line tangent */
  for (size_t i = 0; i < nd; i++) {
    vt__disc *d = &discs[i];
    d->z = z0 + zs[i];
    double fk = d->z / v->sp[2];
    long a = (long)lround(fk), h = (long)ceil(8.0 / v->sp[2]);
    long lo = a - h < k0 ? k0 : a - h, hi = a + h > k1 ? k1 : a + h;
    if (a < k0) a = k0;
    if (a > k1) a = k1;
    d->p[0] = col->bx[a], d->p[1] = col->by[a], d->p[2] = d->z;
    double t[3] = {col->bx[hi] - col->bx[lo], col->by[hi] - col->by[lo], (double)(hi - lo) * v->sp[2]};
    double nn = sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
    for (int q = 0; q < 3; q++) d->nrm[q] = nn > 0 ? t[q] / nn : (q == 2);
    d->half = 0;
    d->tilt_deg = 0;
    d->from_peaks = 0;
    d->searched = 0;
  }
  nd = vt__add_missed_discs(v, col, discs, nd, VT__MAX_LEVELS - 1, D);
  lowest_disc_normal(v, col, area, raw, discs, nd);
  for (size_t i = 0; i < nd; i++) {
    double pitch = nd > 1 ? (i + 1 < nd ? discs[i + 1].z - discs[i].z : discs[i].z - discs[i - 1].z) : D;
    discs[i].half = DISC_BAND * fabs(pitch);
  }
  /* a plane the tangent artefact tilted is refitted on its endplates; the
   * doubt stays where that fails or the slices are too coarse for it */
  axis_doubt(v, col, discs, nd);
  endplate_normals(v, col, discs, nd, D);
  axis_doubt(v, col, discs, nd);
  /* levels between discs (and the column ends); keep end pieces that hold at
   * least 35 % of a neighbour's height */
  size_t nl = 0;
  double ztop = z1, zbot = z0;
  for (size_t i = 0; i <= nd && nl < VT__MAX_LEVELS; i++) {
    /* cranial to caudal: view z decreases; discs were found in increasing z */
    double hi_z = i == 0 ? ztop : discs[nd - i].z, lo_z = i == nd ? zbot : discs[nd - 1 - i].z;
    vt__level *L = &lv[nl];
    memset(L, 0, sizeof *L);
    L->z_top = hi_z, L->z_bot = lo_z;
    L->cut_top = i == 0, L->cut_bot = i == nd;
    L->height_mm = hi_z - lo_z;
    L->tilt_deg = fmax(i == 0 ? 0 : discs[nd - i].tilt_deg, i == nd ? 0 : discs[nd - 1 - i].tilt_deg);
    L->hidden_disc = (i > 0 && discs[nd - i].from_peaks) || (i < nd && discs[nd - 1 - i].from_peaks);
    L->axis_doubt_deg = fmax(i == 0 ? 0 : discs[nd - i].axis_doubt_deg, i == nd ? 0 : discs[nd - 1 - i].axis_doubt_deg);
    nl++;
  }
  /* the level index of each marked voxel: by disc planes */
  memset(levmask, 0, nvox);
  double sd_lo[VT__MAX_LEVELS];
  for (size_t i = 0; i < nl; i++) sd_lo[i] = 0;
  for (long k = k0; k <= k1; k++)
    for (size_t j = 0; j < v->n[1]; j++)
      for (size_t i = 0; i < v->n[0]; i++) {
        size_t q = vt__index(v, i, j, (size_t)k);
        double p[3] = {(double)i * v->sp[0], (double)j * v->sp[1], (double)k * v->sp[2]};
        int body = mark[q] & M_BODY;
        if (!body) {
          /* posterior elements: bone behind the body wall, beside the canal */
          if (vt__hu(v, (long)i, (long)j, k) < VT__BONE_HU) continue;
          double dx = p[0] - col->cx[k], dy = p[1] - col->pw[k];
          if (fabs(dx) > 40.0 || dy > -1.0 || dy < -65.0) continue;
        }
        /* levels are numbered cranially down: level L lies below disc nd-L
         * (index from the top) and above disc nd-1-L. The band round each
         * disc plane keeps disc tissue that passed the body threshold out of
         * the bodies; a body voxel as bright as cortex there is the endplate
         * itself, kept on its side of the plane (else a tilted endplate's
         * high corner was cut and the body read flatter than it is) */
        int endplate = body && vt__hu(v, (long)i, (long)j, k) >= VT__BONE_HU;
        int lev = -1;
        for (size_t L = 0; L < nl; L++) {
          int above_ok = 1, below_ok = 1;
          if (L > 0) { /* below the disc that tops it */
            const vt__disc *d = &discs[nd - L];
            double s = (p[0] - d->p[0]) * d->nrm[0] + (p[1] - d->p[1]) * d->nrm[1] + (p[2] - d->p[2]) * d->nrm[2];
            above_ok = s < (endplate ? 0 : -d->half);
          }
          if (L + 1 < nl) {
            const vt__disc *d = &discs[nd - 1 - L];
            double s = (p[0] - d->p[0]) * d->nrm[0] + (p[1] - d->p[1]) * d->nrm[1] + (p[2] - d->p[2]) * d->nrm[2];
            below_ok = s > (endplate ? 0 : d->half);
          }
          if (above_ok && below_ok) {
            lev = (int)L;
            break;
          }
        }
        if (lev < 0) continue;
        levmask[q] = (unsigned char)(lev + 1) | (body ? 0x80 : 0);
        if (body) lv[lev].voxels++;
        (void)sd_lo;
      }
  if (open_concavities(v, mark, levmask, k0, k1, lv, nl)) goto oom;
  if (fill_body_notches(v, col, levmask, k0, k1, lv, discs, nd, nl)) goto oom;
  /* drop end pieces that are too small to be a vertebra (< 35 % of the next) */
  int drop_top = nl > 1 && lv[0].height_mm < 0.35 * lv[1].height_mm;
  int drop_bot = nl > 1 && lv[nl - 1].height_mm < 0.35 * lv[nl - 2].height_mm;
  if (drop_top || drop_bot) {
    for (size_t q = 0; q < nvox; q++) {
      int l = levmask[q] & 0x7f;
      if (!l) continue;
      if ((drop_top && l == 1) || (drop_bot && (size_t)l == nl)) levmask[q] = 0;
      else if (drop_top) levmask[q] = (unsigned char)((levmask[q] & 0x80) | (l - 1));
    }
    if (drop_bot) nl--;
    if (drop_top) {
      memmove(lv, lv + 1, (nl - 1) * sizeof *lv);
      nl--;
    }
  }
  for (size_t i = 0; i < nl; i++) {
    /* the FOV cuts a level when its body reaches the first/last slice */
    if (lv[i].cut_top) lv[i].cut_top = col->k1 >= nz - 1 ? 1 : 2;
    if (lv[i].cut_bot) lv[i].cut_bot = col->k0 <= 0 ? 1 : 2;
  }
  free(mark), free(box), free(queue), free(tmp), free(area), free(dbox), free(prof), free(dep1), free(raw);
  *nd_out = nd;
  *nl_out = nl;
  return VT_OK;
oom:
  free(mark), free(box), free(queue), free(tmp), free(area), free(dbox), free(prof), free(dep1), free(raw);
  return vt_error_set(err, VT_ENOMEM, NULL, "out of memory segmenting vertebral bodies");
}
