/* analyze_discs.c — finds the discs the column profile missed: a level
 * much taller than the typical one is searched for the plane, at any
 * position and tilt, that looks most like a disc.
 *
 * Why: the profile samples axial disks, so a disc tilted far from the axial
 * plane (L5/S1 in lordosis is often 30-40 degrees) shows only a shallow dip
 * and is missed, merging L5 with S1 and hiding the sacrum. A disc is the thin
 * dark slab between two bright bony ones: the plane is searched over position
 * and tilt for the strongest contrast between the slab and the bone on both
 * sides (method: docs/image-analyze.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"

#define DEG (3.14159265358979323846 / 180.0)
#define SAMPLE_MM 2.0        /* sample spacing inside a disk */
#define SAG_RANGE_DEG 32.0   /* search this far from the body line's own tilt */
#define COR_RANGE_DEG 20.0
#define SHIFT_MM 6.0         /* and this far along the column */
#define SPLIT_RATIO 1.3      /* a level this much taller than the typical one holds a missed disc */
#define SPLIT_MIN_SCORE 0.5  /* a new disc needs half the typical disc contrast */
#define SPLIT_PASSES 3       /* a tall level may hold up to 2^3 - 1 missed discs */
#define MERGE_SHORT 0.75     /* a disc between two levels each under this x the typical height */
#define MERGE_SUM 1.45       /* and together at most this x it may cut one vertebra in two */
#define PEAK_MIN_SLICE_MM 4.0 /* the plate-peak split: only at slices this coarse */
#define PEAK_PROMINENCE_HU 25.0

/* Trilinear HU at view position p (mm); -1000 outside the volume. */
static double hu_at(const vt__view *v, const double p[3]) {
  double f[3];
  long i[3];
  for (int a = 0; a < 3; a++) {
    f[a] = p[a] / v->sp[a];
    i[a] = (long)floor(f[a]);
    f[a] -= (double)i[a];
  }
  double s = 0;
  for (int c = 0; c < 8; c++) {
    long a = i[0] + (c & 1), b = i[1] + ((c >> 1) & 1), k = i[2] + ((c >> 2) & 1);
    double w = ((c & 1) ? f[0] : 1 - f[0]) * (((c >> 1) & 1) ? f[1] : 1 - f[1]) * (((c >> 2) & 1) ? f[2] : 1 - f[2]);
    if (w > 0) s += w * fmax(-200.0, fmin(1200.0, (double)vt__hu(v, a, b, k)));
  }
  return s;
}

/* Normal of a plane tilted by `sag` (towards anterior) and `cor` (towards
 * the right) from the axial plane, and two in-plane unit vectors. */
static void plane_basis(double sag, double cor, double n[3], double u[3], double w[3]) {
  double t[3] = {tan(cor), tan(sag), 1.0};
  double l = sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
  for (int a = 0; a < 3; a++) n[a] = t[a] / l;
  /* u: in-plane, along x; w = n x u */
  double e[3] = {1, 0, 0}, d = e[0] * n[0];
  for (int a = 0; a < 3; a++) u[a] = e[a] - d * n[a];
  l = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
  for (int a = 0; a < 3; a++) u[a] /= l;
  w[0] = n[1] * u[2] - n[2] * u[1], w[1] = n[2] * u[0] - n[0] * u[2], w[2] = n[0] * u[1] - n[1] * u[0];
}

/* Mean HU over a disk of radius r centred at c + off * n in the plane (n, u, w). */
static double disk_mean(const vt__view *v, const double c[3], const double n[3], const double u[3],
                        const double w[3], double off, double r) {
  double s = 0;
  int m = 0;
  for (double a = -r; a <= r; a += SAMPLE_MM)
    for (double b = -r; b <= r; b += SAMPLE_MM) {
      if (a * a + b * b > r * r) continue;
      double p[3];
      for (int q = 0; q < 3; q++) p[q] = c[q] + off * n[q] + a * u[q] + b * w[q];
      s += hu_at(v, p), m++;
    }
  return m ? s / m : 0;
}

/* Contrast of the plane through c: the darker of the two bone disks at
 * +-gap along the normal minus the disk in the plane. */
static double plane_score(const vt__view *v, const double c[3], double sag, double cor, double r,
                          double gap, double n_out[3]) {
  double n[3], u[3], w[3];
  plane_basis(sag, cor, n, u, w);
  if (n_out) memcpy(n_out, n, sizeof n);
  double mid = disk_mean(v, c, n, u, w, 0, r);
  double up = disk_mean(v, c, n, u, w, gap, r), dn = disk_mean(v, c, n, u, w, -gap, r);
  return fmin(up, dn) - mid;
}

/* Body-line point at view z (mm). */
static void line_at(const vt__view *v, const vt__column *col, double z, double p[3]) {
  long k = (long)lround(z / v->sp[2]);
  if (k < col->k0) k = col->k0;
  if (k > col->k1) k = col->k1;
  p[0] = col->bx[k], p[1] = col->by[k], p[2] = z;
}

typedef struct best_plane {
  double score, z, sag, cor, p[3], n[3];
} best_plane;

/* Best plane with its centre on the body line between z0 and z1 and tilts
 * within the ranges round (sag0, cor0): a coarse grid, then a fine one. */
static best_plane search(const vt__view *v, const vt__column *col, double z0, double z1, double sag0,
                         double cor0, double sag_range, double cor_range, double r, double gap) {
  best_plane b = {-1e30, 0, 0, 0, {0, 0, 0}, {0, 0, 1}};
  double dz = 2.0, da = 6.0 * DEG;
  double zl = z0, zh = z1, al = sag0 - sag_range * DEG, ah = sag0 + sag_range * DEG;
  double cl = cor0 - cor_range * DEG, ch = cor0 + cor_range * DEG;
  for (int pass = 0; pass < 2; pass++) {
    best_plane c = b;
    for (double z = zl; z <= zh + 1e-9; z += dz)
      for (double a = al; a <= ah + 1e-9; a += da)
        for (double q = cl; q <= ch + 1e-9; q += da) {
          double p[3], n[3];
          line_at(v, col, z, p);
          double s = plane_score(v, p, a, q, r, gap, n);
          if (s > c.score) {
            c.score = s, c.z = z, c.sag = a, c.cor = q;
            memcpy(c.p, p, sizeof p), memcpy(c.n, n, sizeof n);
          }
        }
    b = c;
    /* fine pass round the coarse optimum */
    zl = fmax(z0, b.z - dz), zh = fmin(z1, b.z + dz);
    al = b.sag - da, ah = b.sag + da, cl = b.cor - da, ch = b.cor + da;
    dz = 0.5, da = 2.0 * DEG;
  }
  return b;
}

static int cmp_disc(const void *a, const void *b) {
  double x = ((const vt__disc *)a)->z, y = ((const vt__disc *)b)->z;
  return (x > y) - (x < y);
}

/* The typical disc-to-disc height round gap i of the found discs d[0..n)
 * (gap i lies between d[i-1] and d[i]; 0 and n are the column's ends): the
 * median of the interior gaps within two of it, itself left out, where that
 * is over the column's median H (and H where there are fewer than two).
 * Heights grow down the column (cervical ~22 mm, thoracic 25-30, lumbar
 * 35-40): against the column's median, a lumbar level of a C3-L5 column read
 * as 1.5 typical heights and was split at 5 mm slices. Never below H: false
 * discs shorten the local spans (LIDC/POPI chest CTs, 15-17 mm), and with
 * the local median alone every true level beside them was split. */
static double local_height(const vt__disc *d, size_t n, size_t i, double H) {
  double h[4];
  int m = 0;
  for (long j = (long)i - 2; j <= (long)i + 2; j++)
    if (j != (long)i && j >= 1 && j < (long)n) h[m++] = d[j].z - d[j - 1].z;
  if (m < 2) return H;
  qsort(h, (size_t)m, sizeof *h, vt__cmp_double);
  return fmax(H, m % 2 ? h[m / 2] : 0.5 * (h[m / 2 - 1] + h[m / 2]));
}

/* Contrast of found disc j of d[0..n): its best plane within SHIFT_MM along
 * the column and the tilt ranges round its own plane (the search a new disc
 * gets), the bone disks at 0.2 x the level pitch (5-9 mm) along the normal. */
static double disc_contrast(const vt__view *v, const vt__column *col, const vt__disc *d, size_t n, size_t j,
                            double r, double zmin, double zmax, int debug) {
  double pitch = j + 1 < n ? d[j + 1].z - d[j].z : d[j].z - d[j - 1].z;
  double gp = fmin(9.0, fmax(5.0, 0.2 * fabs(pitch)));
  double s0 = atan2(d[j].nrm[1], d[j].nrm[2]), c0 = atan2(d[j].nrm[0], d[j].nrm[2]);
  best_plane bj = search(v, col, fmax(zmin, d[j].z - SHIFT_MM), fmin(zmax, d[j].z + SHIFT_MM), s0, c0, SAG_RANGE_DEG,
                         COR_RANGE_DEG, r, gp);
  if (debug)
    fprintf(stderr, "disc z %.1f: best plane z %.1f sag %.0f cor %.0f score %.1f\n", d[j].z, bj.z, bj.sag / DEG,
            bj.cor / DEG, bj.score);
  return bj.score;
}

/* The counterpart of split_pass: drops a profile disc that cuts one
 * vertebra in two. A disc whose two levels are each under MERGE_SHORT x the
 * typical height round them (the median of the spans of the two levels on
 * each side, the pair left out; the column's median H with fewer than two)
 * and together at most MERGE_SUM x it (the doubt gate's pattern,
 * analyze_doubt.c), where the column's end counts as a level end, is checked
 * for the disc contrast a new disc needs: under SPLIT_MIN_SCORE x the median
 * contrast of the (up to) four nearest other discs, the plane is no darker
 * than the bone on both sides and the disc is dropped. Why: the profile's
 * bone level (the median over +-20 mm) is biased up by endplate cortex where
 * the window is cut by the column's end or where tilted endplates cross the
 * profile disk over several mm (the 17.5-degree T3 atop a 35-degree
 * kyphosis), so a body's trabecular middle passes for a dip there; inside
 * the column the chain's spacing keeps such dips out, at its end nothing
 * does. Returns the new count (d stays sorted). */
static size_t merge_pass(const vt__view *v, const vt__column *col, vt__disc *d, size_t nd, double r, double H,
                         int debug) {
  double zmin = (double)col->k0 * v->sp[2], zmax = (double)col->k1 * v->sp[2];
  for (size_t j = 0; j < nd && nd > 2;) {
    double a = d[j].z - (j ? d[j - 1].z : zmin), b = (j + 1 < nd ? d[j + 1].z : zmax) - d[j].z;
    double h[4];
    int m = 0;
    /* gap i lies between d[i-1] and d[i]; the pair is gaps j and j + 1 */
    for (long g = (long)j - 2; g <= (long)j + 3; g++)
      if ((g < (long)j || g > (long)j + 1) && g >= 1 && g < (long)nd) h[m++] = d[g].z - d[g - 1].z;
    double T = H;
    if (m >= 2) {
      qsort(h, (size_t)m, sizeof *h, vt__cmp_double);
      T = m % 2 ? h[m / 2] : 0.5 * (h[m / 2 - 1] + h[m / 2]);
    }
    if (!(a < MERGE_SHORT * T && b < MERGE_SHORT * T && a + b <= MERGE_SUM * T)) {
      j++;
      continue;
    }
    double near[4];
    int nn = 0;
    for (long i = (long)j - 2; i <= (long)j + 2 && nn < 4; i++)
      if (i != (long)j && i >= 0 && i < (long)nd) near[nn++] = disc_contrast(v, col, d, nd, (size_t)i, r, zmin, zmax, debug);
    double S = nn ? vt__median(near, (size_t)nn) : 0;
    double c = disc_contrast(v, col, d, nd, j, r, zmin, zmax, debug);
    if (debug)
      fprintf(stderr, "merge check disc z %.1f: levels %.1f + %.1f mm (typical %.1f), contrast %.1f (typical %.1f): %s\n",
              d[j].z, a, b, T, c, S, nn > 0 && c < SPLIT_MIN_SCORE * S ? "dropped" : "kept");
    if (nn > 0 && c < SPLIT_MIN_SCORE * S) {
      memmove(d + j, d + j + 1, (nd - j - 1) * sizeof *d);
      nd--;
      j = j ? j - 1 : 0; /* the merged level may pair with its neighbour now */
    } else {
      j++;
    }
  }
  return nd;
}

/* A missed disc in a level of two vertebrae found from the endplates'
 * peaks instead of the disc's darkness, at coarse slices only. Why: with
 * slices of 4 mm or more a thin disc (8 mm thoracic) may leave no sample
 * free of its two cortical plates, so it reads as bright as a body's middle
 * and no plane looks dark (the 5 mm partial-volume phantom's T10/T11: 206-211
 * against 205-207 HU). Its plates still show as peaks of the axial profile
 * along the body line. Walking away from a found disc at one end of the
 * level, the first peak is the near body's plate there, the second its far
 * plate and the third the next body's near plate: the disc lies between the
 * second and the third. Used only where that reads as anatomy: the first
 * peak within 0.35 of the typical height of the disc, the first body's
 * peaks 0.45-1.0 of it apart, the disc's closer than the body's, and both
 * new levels at least 0.6 of it. Returns the disc's position or NAN. */
static double peak_split(const vt__view *v, const vt__column *col, double lo, double hi, int from_lo,
                         const vt__disc *ref, double r, double Hi, int debug) {
  if (v->sp[2] < PEAK_MIN_SLICE_MM) return NAN;
  double sag0 = atan2(ref->nrm[1], ref->nrm[2]), cor0 = atan2(ref->nrm[0], ref->nrm[2]);
  double n[3], u[3], w[3];
  plane_basis(sag0, cor0, n, u, w);
  int m = (int)floor(hi - lo);
  if (m < 8 || m > 400) return NAN;
  double *pr = malloc((size_t)(m + 1) * sizeof *pr);
  if (!pr) return NAN;
  for (int i = 0; i <= m; i++) {
    double p[3];
    line_at(v, col, lo + i, p);
    pr[i] = disk_mean(v, p, n, u, w, 0, r);
  }
  /* peaks in walking order, each standing PEAK_PROMINENCE_HU over the
   * lowest point between it and the previous peak (or the start) */
  double pk[3];
  int np = 0;
  double low = INFINITY;
  for (int t = 1; t < m && np < 3; t++) {
    int i = from_lo ? t : m - t;
    double a = pr[from_lo ? i - 1 : i + 1], b = pr[i], c = pr[from_lo ? i + 1 : i - 1];
    if (b < low) low = b;
    if (b >= a && b > c && b - low >= PEAK_PROMINENCE_HU) {
      pk[np++] = lo + i;
      low = INFINITY;
    }
  }
  free(pr);
  if (np < 3) return NAN;
  double end = from_lo ? lo : hi;
  double d0 = fabs(pk[0] - end), body = fabs(pk[1] - pk[0]), disc = fabs(pk[2] - pk[1]);
  double z = 0.5 * (pk[1] + pk[2]);
  int ok = d0 <= 0.35 * Hi && body >= 0.45 * Hi && body <= 1.0 * Hi && disc < body && z - lo >= 0.6 * Hi &&
           hi - z >= 0.6 * Hi;
  if (debug)
    fprintf(stderr, "peak split %.1f..%.1f from %s: peaks %.0f %.0f %.0f (typical %.1f): %s %.1f\n", lo, hi,
            from_lo ? "below" : "above", pk[0], pk[1], pk[2], Hi, ok ? "disc at" : "no disc", z);
  return ok ? z : NAN;
}

/* One pass over the levels of d[0..nd): each at least SPLIT_RATIO x its
 * typical height gets the best disc plane in its middle when that plane's
 * contrast reaches SPLIT_MIN_SCORE x the nearby found discs'. Returns the
 * new count (the new discs appended, unsorted). */
static size_t split_pass(const vt__view *v, const vt__column *col, vt__disc *d, size_t nd, size_t maxd, double r,
                         double H, int debug) {
  double score[VT__MAX_LEVELS];
  double zmin = (double)col->k0 * v->sp[2], zmax = (double)col->k1 * v->sp[2];
  /* each found disc's contrast, searched like a new one would be (on
   * demand: only the discs next to a tall level are needed); the found discs
   * keep their planes (the body line's tangent): a free tilt search on every
   * disc moved heights and grades further off (docs/image-analyze.md) */
  for (size_t i = 0; i < nd; i++) score[i] = NAN;
  size_t n0 = nd;
  for (size_t i = 0; i <= n0 && nd < maxd; i++) {
    double lo = i == 0 ? zmin : d[i - 1].z, hi = i == n0 ? zmax : d[i].z, Hi = local_height(d, n0, i, H);
    if (hi - lo < SPLIT_RATIO * Hi) continue;
    /* a new disc at least 0.6 of the typical height from both ends (from
     * the column end only 0.35: the end piece may be a cut vertebra) */
    double a = lo + (i == 0 ? 0.35 : 0.6) * Hi, b = hi - (i == n0 ? 0.35 : 0.6) * Hi;
    if (b < a) continue;
    /* the typical contrast of the (up to) four nearest found discs */
    double near[4];
    int nn = 0;
    for (long j = (long)i - 2; j < (long)i + 2; j++) {
      if (j < 0 || j >= (long)n0) continue;
      if (!isfinite(score[j])) score[j] = disc_contrast(v, col, d, n0, (size_t)j, r, zmin, zmax, debug);
      near[nn++] = score[j];
    }
    double S = nn ? vt__median(near, (size_t)nn) : 0;
    const vt__disc *ref = i < n0 ? &d[i] : &d[i - 1];
    double sag0 = atan2(ref->nrm[1], ref->nrm[2]), cor0 = atan2(ref->nrm[0], ref->nrm[2]);
    double gap = fmin(9.0, fmax(5.0, 0.2 * Hi));
    best_plane bp = search(v, col, a, b, sag0, cor0, SAG_RANGE_DEG, COR_RANGE_DEG, r, gap);
    if (debug)
      fprintf(stderr, "split %.1f..%.1f: best z %.1f sag %.0f cor %.0f score %.1f (typical %.1f)\n", lo, hi,
              bp.z, bp.sag / DEG, bp.cor / DEG, bp.score, S);
    int peaks = 0;
    if (!(nn > 0 && bp.score >= SPLIT_MIN_SCORE * S)) {
      /* no dark plane: at coarse slices a level of two may still show its
       * plates (walked from a found disc: the column's end may cut a body) */
      double zp = NAN;
      if (hi - lo >= 1.45 * Hi) {
        if (i > 0) zp = peak_split(v, col, lo, hi, 1, &d[i - 1], r, Hi, debug);
        if (!isfinite(zp) && i < n0) zp = peak_split(v, col, lo, hi, 0, &d[i], r, Hi, debug);
      }
      if (!isfinite(zp)) continue;
      /* that disc lies in the reference disc's orientation */
      bp.z = zp;
      line_at(v, col, zp, bp.p);
      memcpy(bp.n, ref->nrm, sizeof bp.n);
      peaks = 1;
    }
    vt__disc *nw = &d[nd++];
    memset(nw, 0, sizeof *nw);
    nw->z = bp.z;
    nw->from_peaks = peaks;
    nw->searched = 1;
    memcpy(nw->p, bp.p, sizeof bp.p);
    memcpy(nw->nrm, bp.n, sizeof bp.n);
    double c = bp.n[0] * ref->nrm[0] + bp.n[1] * ref->nrm[1] + bp.n[2] * ref->nrm[2];
    nw->tilt_deg = acos(fmin(1.0, fabs(c))) / DEG;
  }
  return nd;
}

size_t vt__add_missed_discs(const vt__view *v, const vt__column *col, vt__disc *d, size_t nd, size_t maxd,
                        double depth) {
  int debug = getenv("VT_ANALYZE_DEBUG") != NULL;
  if (nd < 2) return nd;
  double r = 0.35 * depth;
  if (r < 6.0) r = 6.0;
  /* the column's typical height, for gaps without two measured neighbours */
  double hs[VT__MAX_LEVELS];
  for (size_t i = 0; i + 1 < nd; i++) hs[i] = d[i + 1].z - d[i].z;
  qsort(hs, nd - 1, sizeof *hs, vt__cmp_double);
  double H = hs[(nd - 1) / 2];
  nd = merge_pass(v, col, d, nd, r, H, debug);
  /* a level holding several vertebrae (a 72 mm level over T2-T4) needs more
   * than one disc: passes repeat, the discs sorted, while they add any */
  for (int pass = 0; pass < SPLIT_PASSES && nd < maxd; pass++) {
    size_t n1 = split_pass(v, col, d, nd, maxd, r, H, debug);
    qsort(d, n1, sizeof *d, cmp_disc);
    if (n1 == nd) break;
    nd = n1;
  }
  return nd;
}
