/* analyze_subvoxel.c — endplate positions to a fraction of a slice from the
 * CT's partial-volume intensities, for the six-point heights and the coronal
 * tilts (Cobb angle) of `ct analyze` (method: docs/image-analyze.md, "Sub-voxel
 * endplates").
 *
 * Why: the label mask places an endplate only to a voxel face, so at 2.5-5 mm
 * slices a height is known to about a slice. A real CT voxel is the mean
 * attenuation over its extent (box slice profile), so the HU across an
 * endplate still holds where, inside the voxel, the surface lies. Along a
 * column from pure disc (D) across the endplate's cortex plate (thickness t,
 * HU C) into pure trabecular bone (T), the sum of (HU - D) times the slice
 * spacing is exactly the integral, (distance from the surface to the window's
 * end in the bone) * (T - D) + kappa, kappa = t (C - T) the plate's areal
 * excess. With D and T measured in the pure voxels beside it, the surface is
 * known once kappa is. kappa is one constant for the column (the plates
 * alike), fitted from the shape: how the plate's excess splits between the
 * two voxels it straddles at each endplate's own sub-slice phase, which
 * differs from level to level; a grid search over (kappa, t) minimises the
 * squared misfit of every endplate window's samples, each endplate at its
 * integral position. The body's anterior and posterior walls join that fit
 * as edges sampled along AP at the in-plane voxel: at 5 mm slices the plate
 * and the surface share one voxel in most endplates, so the endplates alone
 * cannot tell t from kappa (fitted 1010 for 975 HU mm, heights 2 mm short),
 * while the walls' finer samples can. Columns are averaged in bands (up to
 * 22 mm laterally, 4 mm antero-posteriorly) to beat the noise; the integral
 * is linear, so a band's mean profile gives the band's mean surface, and its
 * tilt across the band is modelled as a spread of positions.
 *
 * With kappa and t known, each endplate whose disc's far side shows in its
 * band is then placed by fitting the whole disc (joint_grid): both surfaces
 * with their plates and the disc between, at the column's disc level. At
 * 5 mm a 10 mm disc rarely holds a pure sample; the integral alone booked
 * the two plates' slivers partly to the wrong endplate and read the disc's
 * level high (5 mm partial-volume phantom, seeds 3, 7, 11: worst lumbar
 * height 0.95 mm off with the integral, 0.45 mm with the whole-disc fit).
 *
 * Used only where the data look like a box-averaged CT: slices of 2 mm or
 * more (at 1 mm the mask's half-voxel is already as good), the fitted plate
 * neither vanishing (t at the grid's floor, what a centre-sampled phantom
 * gives: its samples are pure tissues) nor misfitting; per endplate the
 * refined surface must stay within a slice + 1 mm of the mask's, else the
 * mask's height stays. The anterior and posterior walls, which set the
 * 20/50/80 % points, are placed alike along AP with the same plate excess. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"
#include "image/analyze_subvoxel.h"

/* height bands: laterally as wide as the body allows (to beat the noise:
 * at 5 mm slices and 10 HU noise a height's SD is ~0.2 mm at +-8 mm), up to
 * BAND_HALF_X_MM, ending BAND_MARGIN_X_MM inside the body's mask at the
 * band's row (the cortex and its partial volume; at +-13 mm the 5 mm
 * phantom's lumbar bands read the lateral shell), at least BAND_MIN_X_MM ... */
#define BAND_HALF_X_MM 11.0
#define BAND_MARGIN_X_MM 5.0
#define BAND_MIN_X_MM 4.0
#define BAND_HALF_Y_MM 2.0   /* ... +-2 mm antero-posteriorly (the truth is a point: a wider band
                              * blurs a kinked endplate, e.g. the wedge hinge, ~0.2 mm at +-2) */
#define TILT_X0_MM 2.0       /* tilt bands: 2-12 mm each side of the centre ... */
#define TILT_X1_MM 12.0
#define TILT_Y0 0.3          /* ... over 30-70 % of the depth */
#define TILT_Y1 0.7
#define DISC_SEARCH_MM 12.0  /* pure disc sought this far outside the mask's edge */
#define MIN_CONTRAST_HU 30.0 /* T - D below this: no refinement (ill-conditioned) */
#define MIN_SLICE_MM 2.0
#define DISC_CAP_HU 3.0      /* a disc's level this far above the column's: slivers (disc_level_cap) */
/* a refined height's resolution, for the Genant grade's range: this times
 * the slice (5 mm: 0.75 mm, 1.5 x the worst of 70 lumbar heights on the
 * partial-volume phantom with 10 HU noise; 2.5 mm: 0.38 mm, 1.25 x the
 * worst of 30). A mask's is half the voxel's extent (2.5 mm at 5 mm), which
 * left the phantom's grade-2 L1, read within 0.4 mm, a range of 0-3 */
#define SUBVOXEL_RESOLUTION 0.15
#define MAX_RMS_HU 60.0      /* global misfit above this: not a box-averaged CT */
#define SPREAD_N 5
#define WALL_FIT_HALF_X_MM 2.0 /* the walls' profiles in the plate fit: +-2 mm, where a body's
                                * rounded wall moves by ~0.1 mm (at +-4 mm ~0.4, read as a thicker plate) */


/* Surface position (view mm) of an endplate from the integral, for plate
 * excess kap. The window's last sample on the disc side may hold a sliver
 * of the disc's other endplate (at 5 mm a 10 mm disc can hold no pure
 * sample); where the surface found lies beyond that sample's reach (its
 * spread across the band included), none of that sample's excess is this
 * endplate's, and it is left out (the 5 mm partial-volume phantom's L5
 * over the sacrum read 1.0 mm long; 0.2-0.4 without it). */
double vt__sv_edge_int(const vt__sv_edge *e, double sz, double kap) {
  double S = 0;
  for (int i = 0; i < e->n; i++) S += (e->v[i] - e->D) * sz;
  double lo = (e->k0 - 0.5) * sz, hi = (e->k0 + e->n - 0.5) * sz;
  double s = e->top ? lo + (S - kap) / (e->T - e->D) : hi - (S - kap) / (e->T - e->D);
  if (e->n < 2 || e->sp > 0) return s; /* walls: soft tissue beyond them, no second surface */
  int q = e->top ? e->n - 1 : 0;
  double a = (e->k0 + q - 0.5) * sz, b = a + sz, ex = (e->v[q] - e->D) * sz;
  int beyond = e->top ? s + 0.5 * e->w < a : s - 0.5 * e->w > b;
  if (beyond && ex > 0) s = e->top ? lo + (S - ex - kap) / (e->T - e->D) : hi - (S - ex - kap) / (e->T - e->D);
  return s;
}

/* Box-averaged sample of slice k (centre k*sz) for a surface at s: disc on
 * the outside, plate of thickness t and HU C inside it, then bone. */
static double model(const vt__sv_edge *e, double s, double C, double t, long k, double sz) {
  double a = (k - 0.5) * sz, b = (k + 0.5) * sz, lD, lC;
  if (!e->top) {
    lD = fmin(fmax(s - a, 0), sz);
    lC = fmin(fmax(fmin(b, s + t) - fmax(a, s), 0), sz);
  } else {
    lD = fmin(fmax(b - s, 0), sz);
    lC = fmin(fmax(fmin(b, s) - fmax(a, s - t), 0), sz);
  }
  return (e->D * lD + C * lC + e->T * (sz - lD - lC)) / sz;
}

/* An endplate's surface: where the disc's far side was found, the disc
 * fitted whole at the column's disc level dcol (column_disc_level) — or,
 * for a disc whose darkest samples lie more than DISC_CAP_HU below that
 * (vacuum, fat: slivers of plate only raise them), at a level of its own;
 * elsewhere the integral. */
static double edge_pos(const vt__sv_edge *e, double sz, double kap, double t, double dcol) {
  if (e->jn <= 0) return vt__sv_edge_int(e, sz, kap);
  if (!isfinite(dcol) || e->D < dcol - DISC_CAP_HU) return vt__sv_joint_fit(e, sz, kap, t, e->D, 1.0, NULL);
  return vt__sv_joint_fit(e, sz, kap, t, dcol, 1e6, NULL);
}

/* Squared misfit of all edges for (kap, t), each at its integral position. */
static double misfit(const vt__sv_edge *es, size_t ne, double sz, double kap, double t, size_t *ns) {
  double tot = 0;
  *ns = 0;
  for (size_t q = 0; q < ne; q++) {
    const vt__sv_edge *e = &es[q];
    if (!e->ok) continue;
    double sp = e->sp > 0 ? e->sp : sz;
    double s = vt__sv_edge_int(e, sp, kap), C = e->T + kap / t;
    for (int i = 0; i < e->n; i++) {
      double m = 0;
      for (int o = 0; o < SPREAD_N; o++)
        m += model(e, s + ((double)o / (SPREAD_N - 1) - 0.5) * e->w, C, t, e->k0 + i, sp);
      m /= SPREAD_N;
      tot += (m - e->v[i]) * (m - e->v[i]);
      (*ns)++;
    }
  }
  return tot;
}

/* World RAS -> view mm (inverse affine, then the view's permutation/flip). */
typedef struct {
  double L[9], off[3];
  size_t d[3];
} to_view;

static void world_to_view(const to_view *tv, const vt__view *v, const double p[3], double out[3]) {
  double ijk[3];
  for (int r = 0; r < 3; r++) ijk[r] = tv->L[3 * r] * p[0] + tv->L[3 * r + 1] * p[1] + tv->L[3 * r + 2] * p[2] + tv->off[r];
  for (int a = 0; a < 3; a++) {
    double i = ijk[v->perm[a]];
    if (v->flip[a]) i = (double)(tv->d[v->perm[a]] - 1) - i;
    out[a] = i * v->sp[a];
  }
}

/* A band of columns (view mm x0..x1, y0..y1) of one level: its mean profile
 * per slice, its body run from the level mask (slices where at least half the
 * columns are this level's body), the two halves' profiles (left/right) for
 * the tilt spread, and the noise SD of a band mean. */
typedef struct {
  long kb, kt;            /* body run (inclusive) */
  long k0, nk;            /* profile slices k0 .. k0+nk-1 */
  double *p, *pl, *pr;    /* mean, left half, right half */
  double xl, xr;          /* mean x of the left / right half columns */
  double sig;             /* noise SD of the band mean */
  double T;
} band;

static void band_free(band *b) {
  free(b->p), free(b->pl), free(b->pr);
  memset(b, 0, sizeof *b);
}

/* Weight of column i (centre i*sp) in the band [lo, hi]: the overlap of its
 * voxel with the band, so that the band's mean position is its centre exactly
 * (a sloped endplate's band mean is then the surface at the centre). */
static double overlap_w(long i, double sp, double lo, double hi) {
  double a = (i - 0.5) * sp, b = (i + 0.5) * sp;
  double o = fmin(b, hi) - fmax(a, lo);
  return o > 0 ? o / sp : 0;
}

static int band_read(const vt__view *v, const unsigned char *levmask, int code, double cx, double x0, double x1,
                     double y0, double y1, double zc, band *b) {
  memset(b, 0, sizeof *b);
  long i0 = (long)floor(x0 / v->sp[0] + 0.5), i1 = (long)floor(x1 / v->sp[0] + 0.5);
  long j0 = (long)floor(y0 / v->sp[1] + 0.5), j1 = (long)floor(y1 / v->sp[1] + 0.5);
  if (i0 < 0 || j0 < 0 || i1 >= (long)v->n[0] || j1 >= (long)v->n[1] || i1 < i0 || j1 < j0) return 0;
  if (i1 - i0 + 1 > 64 || j1 - j0 + 1 > 64) return 0;
  double wx[64], wy[64], wl[64], wr[64], W = 0, W2 = 0, WL = 0, WR = 0;
  for (long i = i0; i <= i1; i++) {
    wx[i - i0] = overlap_w(i, v->sp[0], x0, x1);
    wl[i - i0] = overlap_w(i, v->sp[0], x0, cx);
    wr[i - i0] = overlap_w(i, v->sp[0], cx, x1);
  }
  for (long j = j0; j <= j1; j++) wy[j - j0] = overlap_w(j, v->sp[1], y0, y1);
  for (long j = j0; j <= j1; j++)
    for (long i = i0; i <= i1; i++) {
      double w = wx[i - i0] * wy[j - j0];
      W += w, W2 += w * w, WL += wl[i - i0] * wy[j - j0], WR += wr[i - i0] * wy[j - j0];
    }
  if (!(W > 0) || !(WL > 0) || !(WR > 0)) return 0;
  long kc = lround(zc / v->sp[2]);
  if (kc < 0 || kc >= (long)v->n[2]) return 0;
  /* the body run through the centre slice */
  long nz = (long)v->n[2];
  int *isb = calloc((size_t)nz, sizeof *isb);
  if (!isb) return 0;
  for (long k = 0; k < nz; k++) {
    double c = 0;
    for (long j = j0; j <= j1; j++)
      for (long i = i0; i <= i1; i++) {
        unsigned char q = levmask[vt__index(v, (size_t)i, (size_t)j, (size_t)k)];
        if ((q & 0x80) && (q & 0x7f) == code) c += wx[i - i0] * wy[j - j0];
      }
    isb[k] = 2 * c >= W;
  }
  long kb = kc, kt = kc;
  if (!isb[kc]) { /* nearest body slice within 3 slices */
    long best = -1;
    for (long dk = 1; dk <= 3 && best < 0; dk++) {
      if (kc - dk >= 0 && isb[kc - dk]) best = kc - dk;
      else if (kc + dk < nz && isb[kc + dk]) best = kc + dk;
    }
    if (best < 0) {
      free(isb);
      return 0;
    }
    kb = kt = best;
  }
  while (kb > 0 && isb[kb - 1]) kb--;
  while (kt + 1 < nz && isb[kt + 1]) kt++;
  free(isb);
  long pad = (long)ceil(DISC_SEARCH_MM / v->sp[2]) + 3;
  b->kb = kb, b->kt = kt;
  b->k0 = kb - pad < 0 ? 0 : kb - pad;
  long k1 = kt + pad >= nz ? nz - 1 : kt + pad;
  b->nk = k1 - b->k0 + 1;
  b->p = calloc((size_t)b->nk, sizeof *b->p);
  b->pl = calloc((size_t)b->nk, sizeof *b->pl);
  b->pr = calloc((size_t)b->nk, sizeof *b->pr);
  if (!b->p || !b->pl || !b->pr) {
    band_free(b);
    return 0;
  }
  double sxl = 0, sxr = 0, nl = 0, nr = 0;
  for (long i = i0; i <= i1; i++) {
    sxl += wl[i - i0] * i * v->sp[0], nl += wl[i - i0];
    sxr += wr[i - i0] * i * v->sp[0], nr += wr[i - i0];
  }
  b->xl = sxl / nl;
  b->xr = sxr / nr;
  for (long k = b->k0; k <= k1; k++) {
    double s = 0, sl = 0, sr = 0;
    for (long j = j0; j <= j1; j++)
      for (long i = i0; i <= i1; i++) {
        double h = vt__hu(v, i, j, k);
        s += wx[i - i0] * wy[j - j0] * h;
        sl += wl[i - i0] * wy[j - j0] * h;
        sr += wr[i - i0] * wy[j - j0] * h;
      }
    b->p[k - b->k0] = s / W;
    b->pl[k - b->k0] = sl / WL;
    b->pr[k - b->k0] = sr / WR;
  }
  /* bone level: median of the band mean over the run's middle half; noise:
   * the voxels' SD there, scaled to the band's weighted mean */
  long m0 = kb + (kt - kb + 2) / 4, m1 = kt - (kt - kb + 2) / 4;
  if (m1 < m0) m0 = m1 = (kb + kt) / 2;
  double med[64];
  int nm = 0;
  double s1 = 0, s2 = 0;
  long cnt = 0;
  for (long k = m0; k <= m1 && nm < 64; k++) {
    med[nm++] = b->p[k - b->k0];
    for (long j = j0; j <= j1; j++)
      for (long i = i0; i <= i1; i++) {
        if (wx[i - i0] * wy[j - j0] <= 0) continue;
        double h = vt__hu(v, i, j, k) - b->p[k - b->k0];
        s1 += h, s2 += h * h, cnt++;
      }
  }
  b->T = vt__median(med, (size_t)nm);
  double sd = cnt > 1 ? sqrt(fmax(0, s2 / cnt - (s1 / cnt) * (s1 / cnt))) : 0;
  b->sig = sd * sqrt(W2) / W;
  if (kt <= kb) { /* a one-slice run has no edges to fit: the caller frees nothing on 0 */
    band_free(b);
    return 0;
  }
  return 1;
}

/* The disc's far side in the band: from the disc's darkest sample kd
 * outward, the neighbour's plate (the highest sample within
 * DISC_SEARCH_MM), then its pure bone (the first sample below that peak and
 * level with the next one). The window from the endplate's own pure bone k2
 * to there lets the disc be fitted whole (joint_fit). */
static void joint_window(const band *b, vt__sv_edge *e, long kd, long k2, double tol, double sz) {
  int sgn = e->top ? 1 : -1;
  long last = b->k0 + b->nk - 1, kpk = -1;
  double vpk = -1e30;
#define P(k) b->p[(k) - b->k0]
#define IN(k) ((k) >= b->k0 && (k) <= last)
  for (long m = 1; m <= (long)ceil(DISC_SEARCH_MM / sz); m++) {
    long k = kd + sgn * m;
    if (!IN(k)) break;
    if (P(k) > vpk) vpk = P(k), kpk = k;
  }
  if (kpk < 0 || !(vpk > e->D + tol)) return;
  long kn = -1;
  for (long k = kpk; IN(k) && IN(k + sgn); k += sgn)
    if (P(k) < vpk - tol && fabs(P(k) - P(k + sgn)) <= tol) {
      kn = k;
      break;
    }
  /* a neighbour denser than its plate (the phantom's solid sacrum, a
   * sclerotic body): level from its peak on, three samples alike; it is
   * modelled without a plate */
  e->nplate = 1;
  if (kn < 0 && IN(kpk + 2 * sgn) && fabs(P(kpk) - P(kpk + sgn)) <= tol && fabs(P(kpk) - P(kpk + 2 * sgn)) <= tol)
    kn = kpk, e->nplate = 0;
  if (getenv("VT_ANALYZE_DEBUG") && kn < 0) {
    fprintf(stderr, "joint window %s: kd %ld peak %ld (%.0f), no flat bone beyond:", e->top ? "top" : "bot", kd, kpk, vpk);
    for (long k = kpk; IN(k); k += sgn) fprintf(stderr, " %ld:%.0f", k, P(k));
    fprintf(stderr, "\n");
  }
  if (kn < 0) return;
  double T2 = 0.5 * (P(kn) + P(kn + sgn));
  if (T2 - e->D < MIN_CONTRAST_HU) return;
  long lo = k2 < kn ? k2 : kn, hi = k2 < kn ? kn : k2;
  if (hi - lo + 1 > MAXW) return;
  e->jk0 = lo;
  e->jn = (int)(hi - lo + 1);
  for (long k = lo; k <= hi; k++) e->jv[k - lo] = P(k);
  e->T2 = T2;
  /* the neighbour's surface as an endplate of its own (disc minimum to its
   * bone), for the first guess and, from the band's halves, its spread */
  vt__sv_edge nb = *e, nl, nr;
  nb.top = !e->top;
  nb.T = T2;
  nb.sp = 0;
  nb.k0 = kd < kn ? kd : kn;
  nb.n = (int)(labs(kn - kd) + 1);
  nl = nr = nb;
  for (long k = nb.k0; k < nb.k0 + nb.n; k++) {
    nb.v[k - nb.k0] = P(k);
    nl.v[k - nb.k0] = b->pl[k - b->k0];
    nr.v[k - nb.k0] = b->pr[k - b->k0];
  }
  double kap0 = 20.0 * (T2 - e->D);
  e->g2 = vt__sv_edge_int(&nb, sz, kap0);
  e->w2 = 2.0 * fabs(vt__sv_edge_int(&nr, sz, kap0) - vt__sv_edge_int(&nl, sz, kap0));
  if (!isfinite(e->w2) || e->w2 > 4 * sz) e->w2 = 0;
#undef IN
#undef P
}

/* The window of one endplate in a band (top: the run's upper end). */
static void band_edge(const vt__view *v, const band *b, int top, vt__sv_edge *e) {
  memset(e, 0, sizeof *e);
  e->top = top;
  double sz = v->sp[2], tol = 2.0 + 3.0 * b->sig;
  int sgn = top ? 1 : -1; /* outward, into the disc */
  long kg = top ? b->kt : b->kb, last = b->k0 + b->nk - 1;
  e->guess = (kg + 0.5 * sgn) * sz;
  e->T = b->T;
#define P(k) b->p[(k) - b->k0]
  long kd = -1;
  double vmin = 1e30;
  for (long m = -1; m <= (long)(DISC_SEARCH_MM / sz); m++) {
    long k = kg + sgn * m;
    if (k < b->k0 || k > last) break;
    if (P(k) < vmin) vmin = P(k), kd = k;
  }
  if (kd < 0) return;
  double sD = 0;
  int nD = 0;
  for (long m = -1; m <= (long)(DISC_SEARCH_MM / sz); m++) {
    long k = kg + sgn * m;
    if (k < b->k0 || k > last) break;
    if (P(k) <= vmin + tol) sD += P(k), nD++;
  }
  e->D = sD / nD;
  if (e->T - e->D < MIN_CONTRAST_HU) return;
  /* the plate's peak: between the disc's minimum and two slices inside the
   * mask's edge (a wedge's collapsed space puts the minimum far out) */
  long kp = kd;
  for (long k = kd; k != kg - 3 * sgn; k -= sgn) {
    if (k < b->k0 || k > last) break;
    if (P(k) > P(kp)) kp = k;
  }
  long k1 = kp, k2 = kp;
  while (k1 != kd && P(k1) > e->D + tol) k1 += sgn;
  while (fabs(P(k2) - e->T) > tol) {
    long nk = k2 - sgn;
    if (nk < b->k0 || nk > last || (top ? nk < b->kb : nk > b->kt)) return;
    k2 = nk;
  }
  long lo = k1 < k2 ? k1 : k2, hi = k1 < k2 ? k2 : k1;
  if (hi - lo + 1 > MAXW || hi - lo < 1) return;
  e->k0 = lo;
  e->n = (int)(hi - lo + 1);
  vt__sv_edge el = *e, er = *e;
  for (long k = lo; k <= hi; k++) {
    e->v[k - lo] = P(k);
    el.v[k - lo] = b->pl[k - b->k0];
    er.v[k - lo] = b->pr[k - b->k0];
  }
#undef P
  /* the surface's spread across the band: twice the left-right difference
   * (the halves' centres are half the band apart), with a typical plate */
  el.n = er.n = e->n;
  double kap0 = 20.0 * (e->T - e->D);
  e->w = 2.0 * fabs(vt__sv_edge_int(&er, sz, kap0) - vt__sv_edge_int(&el, sz, kap0));
  if (!isfinite(e->w) || e->w > 4 * sz) e->w = 0;
  e->ok = 1;
  joint_window(b, e, kd, k2, tol, sz);
}

/* A wall of the body (anterior: dir +1, posterior: dir -1) to a fraction of
 * an in-plane voxel, as an endplate along z: the profile along view y,
 * averaged over x = cx +-4 mm and the body's middle slices kb..kt, integrated
 * from pure bone (T) inside to pure soft tissue or CSF outside (level S, the
 * mean 3-5 voxels beyond the mask's edge): the wall's cortex is taken to have
 * the endplates' plate excess kap (one cortical shell). Returns the mask's
 * edge when the profile does not allow it. */
typedef struct {
  double prof[10], S;
  long jin;
  int mo; /* first pure outside sample */
} wall_prof;

/* The wall's profile (4 voxels inside the mask's edge to 5 beyond, averaged
 * over x = ic +-half_x mm and slices kb..kt); 0 when it is not clean bone inside
 * and clean soft tissue or CSF outside. */
static int wall_read(const vt__view *v, long ic, long kb, long kt, long jedge, int dir, double T, double half_x,
                     wall_prof *w) {
  long di = (long)ceil(half_x / v->sp[0]);
  w->jin = jedge - dir * 4;
  for (long m = 0; m < 10; m++) {
    long j = w->jin + dir * m;
    double acc = 0;
    long n = 0;
    for (long k = kb; k <= kt; k++)
      for (long i = ic - di; i <= ic + di; i++) acc += vt__hu(v, i, j, k), n++;
    w->prof[m] = n ? acc / n : 0;
  }
  w->S = (w->prof[7] + w->prof[8] + w->prof[9]) / 3.0; /* 3-5 voxels beyond the edge */
  if (T - w->S < MIN_CONTRAST_HU || fabs(w->prof[0] - T) > 0.25 * (T - w->S)) return 0;
  w->mo = 7;
  for (int m = 1; m < 8; m++)
    if (fabs(w->prof[m] - w->S) <= 0.05 * (T - w->S) && w->prof[m - 1] <= w->prof[m] + 0.05 * (T - w->S)) {
      w->mo = m;
      break;
    }
  return 1;
}

/* The wall as an edge for the plate fit: sampled along y at the in-plane
 * voxel, which at coarse slices is finer than the plate, so the walls fix
 * the plate's thickness where the endplates' few samples cannot. */
static void wall_edge(const vt__view *v, long ic, long kb, long kt, long jedge, int dir, double T, vt__sv_edge *e) {
  memset(e, 0, sizeof *e);
  wall_prof w;
  if (kt < kb || !wall_read(v, ic, kb, kt, jedge, dir, T, WALL_FIT_HALF_X_MM, &w)) return;
  e->top = dir > 0; /* bone at lower y, outside above: as a superior endplate */
  e->sp = v->sp[1];
  e->D = w.S, e->T = T;
  e->n = w.mo + 1;
  e->k0 = dir > 0 ? w.jin : w.jin - w.mo;
  for (int m = 0; m <= w.mo; m++) e->v[dir > 0 ? m : w.mo - m] = w.prof[m];
  e->guess = (jedge + 0.5 * dir) * v->sp[1];
  e->ok = 1;
}

static double wall_refine(const vt__view *v, long ic, long kb, long kt, long jedge, int dir, double T, double kap,
                          double mask_edge) {
  double sy = v->sp[1];
  wall_prof w;
  if (!wall_read(v, ic, kb, kt, jedge, dir, T, 4.0, &w)) return mask_edge;
  /* from the bone voxel at m = 0 to the first pure outside voxel */
  double I = 0;
  for (int m = 0; m <= w.mo; m++) I += (w.prof[m] - w.S) * sy;
  /* I = (wall - inner face of voxel 0) (T - S) + kap, along dir */
  double inner = (w.jin - 0.5 * dir) * sy, wall = inner + dir * (I - kap) / (T - w.S);
  return fabs(wall - mask_edge) <= 1.5 * sy ? wall : mask_edge;
}

/* Per morphometry entry: six edges (3 points x top/bottom) and four tilt
 * edges (left/right x top/bottom) with their x centres. */
typedef struct {
  vt__sv_edge h[3][2], t[2][2];
  double tx[2];
  int have;
  int code;
  long ic, jlo, jhi, kb[2], kt[2]; /* centre column, the mask's walls, the body's middle slices
                                    * near the posterior [0] and anterior [1] wall */
  double T[2], cx, cz, y_post, y_ant;
  double wsp[2], wsp2[2]; /* coronal slopes (absolute) of the bottom [0] / top [1] surface and of
                           * the disc's far surface beside it; -1: none */
  double hx[3];           /* the height bands' lateral half-widths (mm) */
} lvl_edges;

/* A height edge's spreads (point p, side s: 0 bottom, 1 top): the
 * surfaces' slopes across its band's width. */
static void set_spread(const lvl_edges *lq, int p, vt__sv_edge *e, int s) {
  if (lq->wsp[s] >= 0) e->w = 2 * lq->hx[p] * lq->wsp[s];
  if (lq->wsp2[s] >= 0) e->w2 = 2 * lq->hx[p] * lq->wsp2[s];
}

/* The lateral half-width of a height band over view y0..y1 in slice kc,
 * centred at view x cx: the body mask's nearer side, on the band's
 * narrowest row, less the margin, within [BAND_MIN_X_MM, BAND_HALF_X_MM]. */
static double band_half_x(const vt__view *v, const unsigned char *levmask, int code, double cx, double y0, double y1,
                          long kc) {
  long ic = lround(cx / v->sp[0]), j0 = lround(y0 / v->sp[1]), j1 = lround(y1 / v->sp[1]);
  if (j0 < 0 || j1 >= (long)v->n[1] || ic < 0 || ic >= (long)v->n[0]) return BAND_MIN_X_MM;
  double h = BAND_HALF_X_MM;
  for (long j = j0; j <= j1; j++) {
#define BODY(i) ((levmask[vt__index(v, (size_t)(i), (size_t)j, (size_t)kc)] & 0x80) && \
                 (levmask[vt__index(v, (size_t)(i), (size_t)j, (size_t)kc)] & 0x7f) == code)
    if (!BODY(ic)) return BAND_MIN_X_MM;
    long il = ic, ir = ic;
    while (il > 0 && BODY(il - 1)) il--;
    while (ir + 1 < (long)v->n[0] && BODY(ir + 1)) ir++;
#undef BODY
    double xl = (il - 0.5) * v->sp[0], xr = (ir + 0.5) * v->sp[0];
    h = fmin(h, fmin(cx - xl, xr - cx) - BAND_MARGIN_X_MM);
  }
  return fmax(BAND_MIN_X_MM, h);
}

/* Each surface's spread across a height band (its coronal slope times the
 * band's width) from the tilt bands' wider profiles, set on the height
 * edges: the band's own halves are too noisy for it (at 5 mm, 0.1-1.5 mm
 * read for a 0.84 mm spread). */
static void band_spreads(lvl_edges *lq, double sz, double kap) {
  double dx = lq->tx[1] - lq->tx[0];
  for (int s = 0; s < 2; s++) {
    lq->wsp[s] = lq->wsp2[s] = -1;
    if (!(dx > 1.0)) continue;
    const vt__sv_edge *l0 = &lq->t[0][s], *r0 = &lq->t[1][s];
    lq->wsp[s] = fabs(vt__sv_edge_int(r0, sz, kap) - vt__sv_edge_int(l0, sz, kap)) / dx;
    if (l0->jn > 0 && r0->jn > 0) lq->wsp2[s] = fabs(r0->g2 - l0->g2) / dx;
  }
  for (int p = 0; p < 3; p++)
    for (int s = 0; s < 2; s++) set_spread(lq, p, &lq->h[p][s], s);
}

/* The disc level D of an endplate is the mean of its window's darkest
 * samples. Where a disc (thin, or tilted across the band) holds no pure
 * sample at these slices, its darkest one still holds a sliver of plate
 * and reads high: on the 5 mm partial-volume phantom 93-98 HU for 90 at
 * L3/L4 and L5/S1, each HU moving the surface 0.1-0.2 mm. A sliver can only
 * raise D (plates and bone are brighter), so a D more than DISC_CAP_HU above
 * the column's median disc level is set to that median; a darker disc
 * (vacuum, fat) keeps its own. At 2.5 mm, where pure disc samples exist,
 * nothing changes (docs/image-analyze.md). The bound is in HU, not in the
 * band's noise: the phantom's L3/L4 sat 3.1 HU above its median, 2.5 noise
 * SDs; on a noisier CT more clean edges take the median, which is their
 * level too where a column's discs are alike. */
static void cap_edge(vt__sv_edge *e, double med) {
  if (e->ok && !(e->sp > 0) && isfinite(med) && e->D > med + DISC_CAP_HU && e->T - med >= MIN_CONTRAST_HU)
    e->D = med;
}

/* The median D over the endplate edges in all (NAN when under 6), and
 * every height and tilt edge of le capped at it. */
static double disc_level_cap(lvl_edges *le, size_t nm, const vt__sv_edge *all, size_t na) {
  size_t n = 0;
  for (size_t a = 0; a < na; a++) n += all[a].ok && !(all[a].sp > 0);
  if (n < 6) return NAN;
  double *d = malloc(n * sizeof *d);
  if (!d) return NAN;
  n = 0;
  for (size_t a = 0; a < na; a++)
    if (all[a].ok && !(all[a].sp > 0)) d[n++] = all[a].D;
  double med = vt__median(d, n);
  free(d);
  if (getenv("VT_ANALYZE_DEBUG")) fprintf(stderr, "subvoxel: disc level median %.1f HU\n", med);
  for (size_t q = 0; q < nm; q++) {
    if (!le[q].have) continue;
    for (int p = 0; p < 3; p++)
      for (int s = 0; s < 2; s++) cap_edge(&le[q].h[p][s], med);
    for (int side = 0; side < 2; side++)
      for (int s = 0; s < 2; s++) cap_edge(&le[q].t[side][s], med);
  }
  return med;
}

/* The column's disc level: the one level that fits every disc's samples
 * best (each disc's surfaces fitted at that level), over a grid from 6 HU
 * below the discs' median darkest level to 2 above; NAN without 3 discs.
 * A disc with no pure sample cannot tell its level from its plates'
 * slivers, but discs at other phases can, and in one column they share it. */
static double column_disc_level(const lvl_edges *le, size_t nm, double sz, double kap, double t) {
  const vt__sv_edge *es[64];
  double d[64];
  size_t n = 0;
  for (size_t q = 0; q < nm; q++) {
    if (!le[q].have) continue;
    for (int p = 0; p < 3; p++)
      for (int s = 0; s < 2; s++) {
        const vt__sv_edge *e = &le[q].h[p][s];
        if (!e->ok || e->jn <= 0 || n >= 64) continue;
        es[n] = e, d[n] = e->D, n++;
      }
  }
  if (n < 3) return NAN;
  double med = vt__median(d, n), best = INFINITY, bd = NAN;
  /* discs the model does not fit (a wedge's collapsed space, a neighbour
   * cut by the band) stay out: best rms over 4 HU at their own level */
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    double r;
    vt__sv_joint_grid(es[i], sz, kap, t, es[i]->D, 1.0, &r, NULL, NULL);
    if (sqrt(r / (es[i]->jn + 1)) <= 4.0) es[m++] = es[i];
  }
  n = m;
  if (n < 3) return NAN;
  for (double D = med - 6; D <= med + 2 + 1e-9; D += 0.5) {
    double tot = 0;
    for (size_t i = 0; i < n; i++) {
      vt__sv_edge e = *es[i];
      e.D = D;
      double r;
      vt__sv_joint_grid(&e, sz, kap, t, D, 1e6, &r, NULL, NULL);
      tot += r;
    }
    if (getenv("VT_ANALYZE_DEBUG")) fprintf(stderr, "subvoxel: disc level %.1f: misfit %.1f\n", D, tot);
    if (tot < best) best = tot, bd = D;
  }
  if (getenv("VT_ANALYZE_DEBUG"))
    fprintf(stderr, "subvoxel: column disc level %.1f HU (median darkest %.1f, %zu discs)\n", bd, med, n);
  return bd;
}

int vt__subvoxel_endplates(const vt__view *v, const vt_volume *ct, const unsigned char *levmask, const int *prov,
                           size_t nl, vt_vertebra_morph *m, size_t nm, int *refined) {
  for (size_t k = 0; k < nm; k++) refined[k] = 0;
  double sz = v->sp[2];
  if (!(sz >= MIN_SLICE_MM)) return 0;
  const double *A = vt_volume_affine(ct);
  to_view tv;
  vt_volume_dims(ct, tv.d);
  double a = A[0], b = A[1], c = A[2], d = A[4], e = A[5], f = A[6], g = A[8], h = A[9], i = A[10];
  double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!isfinite(det) || fabs(det) < 1e-12) return 0;
  double L[9] = {(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
                 (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
                 (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det};
  memcpy(tv.L, L, sizeof L);
  for (int r = 0; r < 3; r++) tv.off[r] = -(L[3 * r] * A[3] + L[3 * r + 1] * A[7] + L[3 * r + 2] * A[11]);
  /* the view's axes must be the world's (an axis-aligned CT): the columns run
   * along view z, which must be the scanner's slice direction */
  for (int ax = 0; ax < 3; ax++) {
    int col = v->perm[ax];
    double n = sqrt(A[col] * A[col] + A[4 + col] * A[4 + col] + A[8 + col] * A[8 + col]);
    if (fabs(A[4 * ax + col]) < 0.999 * n) return 0;
  }
  lvl_edges *le = calloc(nm, sizeof *le);
  if (!le) return 0;
  vt__sv_edge *all = calloc(nm * 8, sizeof *all);
  size_t na = 0;
  if (!all) {
    free(le);
    return 0;
  }
  for (size_t q = 0; q < nm; q++) {
    vt_vertebra_morph *mo = &m[q];
    if (mo->verse_label == 26 || mo->verse_label <= 1 || !isfinite(mo->height_middle_mm)) continue;
    int code = 0;
    for (size_t l = 0; l < nl; l++)
      if (prov[l] == mo->verse_label) code = (int)l + 1;
    if (!code) continue;
    double cv[3];
    world_to_view(&tv, v, mo->centroid_ras_mm, cv);
    /* the body's antero-posterior extent on the column through its centre,
     * in the centre slice: the six-point depth */
    long kc = lround(cv[2] / sz), ic = lround(cv[0] / v->sp[0]);
    if (kc < 0 || kc >= (long)v->n[2] || ic < 0 || ic >= (long)v->n[0]) continue;
    long jlo = -1, jhi = -1;
    for (long j = 0; j < (long)v->n[1]; j++) {
      unsigned char cq = levmask[vt__index(v, (size_t)ic, (size_t)j, (size_t)kc)];
      if ((cq & 0x80) && (cq & 0x7f) == code) {
        if (jlo < 0) jlo = j;
        jhi = j;
      }
    }
    if (jlo < 0 || jhi - jlo < 4) continue;
    double y_post = (jlo - 0.5) * v->sp[1], y_ant = (jhi + 0.5) * v->sp[1], depth = y_ant - y_post;
    const double frac[3] = {0.2, 0.5, 0.8};
    int good = 1;
    if (getenv("VT_ANALYZE_DEBUG"))
      fprintf(stderr, "subvoxel %s: depth %.2f mm (walls %.2f / %.2f view mm, centre x %.2f)\n", mo->label, depth, y_post,
              y_ant, cv[0]);
    for (int p = 0; p < 3 && good; p++) {
      double y = y_ant - frac[p] * depth;
      band bd;
      double hx = band_half_x(v, levmask, code, cv[0], y - BAND_HALF_Y_MM, y + BAND_HALF_Y_MM, kc);
      le[q].hx[p] = hx;
      if (!band_read(v, levmask, code, cv[0], cv[0] - hx, cv[0] + hx, y - BAND_HALF_Y_MM,
                     y + BAND_HALF_Y_MM, cv[2], &bd)) {
        good = 0;
        break;
      }
      band_edge(v, &bd, 0, &le[q].h[p][0]);
      band_edge(v, &bd, 1, &le[q].h[p][1]);
      if (p != 1) { /* the body's middle half at the 20 / 80 % point, for the nearer wall */
        int w = p == 0;
        le[q].kb[w] = bd.kb + (bd.kt - bd.kb + 2) / 4;
        le[q].kt[w] = bd.kt - (bd.kt - bd.kb + 2) / 4;
        le[q].T[w] = bd.T;
      }
      band_free(&bd);
      good = le[q].h[p][0].ok && le[q].h[p][1].ok;
    }
    le[q].code = code, le[q].ic = ic, le[q].jlo = jlo, le[q].jhi = jhi, le[q].cx = cv[0], le[q].cz = cv[2];
    le[q].y_post = y_post, le[q].y_ant = y_ant;
    for (int side = 0; side < 2 && good; side++) {
      double x0 = side ? cv[0] + TILT_X0_MM : cv[0] - TILT_X1_MM, x1 = side ? cv[0] + TILT_X1_MM : cv[0] - TILT_X0_MM;
      band bd;
      if (!band_read(v, levmask, code, 0.5 * (x0 + x1), x0, x1, y_ant - TILT_Y1 * depth, y_ant - TILT_Y0 * depth,
                     cv[2], &bd)) {
        good = 0;
        break;
      }
      le[q].tx[side] = 0.5 * (bd.xl + bd.xr);
      band_edge(v, &bd, 0, &le[q].t[side][0]);
      band_edge(v, &bd, 1, &le[q].t[side][1]);
      band_free(&bd);
      good = le[q].t[side][0].ok && le[q].t[side][1].ok;
    }
    if (!good) continue;
    le[q].have = 1;
    for (int p = 0; p < 3; p++)
      for (int s = 0; s < 2; s++) all[na++] = le[q].h[p][s];
    /* the two walls join the plate fit (the same cortical shell) */
    wall_edge(v, ic, le[q].kb[1], le[q].kt[1], jhi, 1, le[q].T[1], &all[na]);
    na += all[na].ok;
    wall_edge(v, ic, le[q].kb[0], le[q].kt[0], jlo, -1, le[q].T[0], &all[na]);
    na += all[na].ok;
  }
  double dmed = disc_level_cap(le, nm, all, na);
  /* the plate constants: coarse then fine grid over (kappa, t) */
  double best = INFINITY, bk = 0, bt = 0;
  size_t ns = 0;
  for (double kap = 100; kap <= 4000; kap += 25)
    for (double t = 0.2; t <= 3.0001; t += 0.1) {
      double r = misfit(all, na, sz, kap, t, &ns);
      if (r < best) best = r, bk = kap, bt = t;
    }
  double k0 = bk, t0 = bt;
  for (double kap = k0 - 30; kap <= k0 + 30; kap += 1)
    for (double t = fmax(0.1, t0 - 0.2); t <= t0 + 0.2001; t += 0.02) {
      double r = misfit(all, na, sz, kap, t, &ns);
      if (r < best) best = r, bk = kap, bt = t;
    }
  double rms = ns ? sqrt(best / (double)ns) : INFINITY;
  int n_ref = 0;
  if (getenv("VT_ANALYZE_DEBUG"))
    fprintf(stderr, "subvoxel: %zu endplate bands, plate kappa %.0f HU mm, t %.2f mm, misfit rms %.1f HU\n", na, bk,
            bt, rms);
  if (na >= 6 && bt > 0.25 && rms <= MAX_RMS_HU) {
    for (size_t q = 0; q < nm; q++)
      if (le[q].have) band_spreads(&le[q], sz, bk);
    double dcol = column_disc_level(le, nm, sz, bk, bt);
    for (size_t q = 0; q < nm; q++) {
      if (!le[q].have) continue;
      vt_vertebra_morph *mo = &m[q];
      /* the walls to a fraction of a voxel (the mask's read a partial-volume
       * voxel beyond each), then the three points' bands again there */
      lvl_edges *lq = &le[q];
      double ya = wall_refine(v, lq->ic, lq->kb[1], lq->kt[1], lq->jhi, 1, lq->T[1], bk, lq->y_ant);
      double yp = wall_refine(v, lq->ic, lq->kb[0], lq->kt[0], lq->jlo, -1, lq->T[0], bk, lq->y_post);
      const double frac[3] = {0.2, 0.5, 0.8};
      for (int p = 0; p < 3; p++) {
        double y = ya - frac[p] * (ya - yp);
        band bd;
        vt__sv_edge e0, e1;
        if (!band_read(v, levmask, lq->code, lq->cx, lq->cx - lq->hx[p],
                       lq->cx + lq->hx[p], y - BAND_HALF_Y_MM, y + BAND_HALF_Y_MM, lq->cz, &bd))
          continue;
        band_edge(v, &bd, 0, &e0);
        band_edge(v, &bd, 1, &e1);
        band_free(&bd);
        cap_edge(&e0, dmed);
        cap_edge(&e1, dmed);
        set_spread(lq, p, &e0, 0);
        set_spread(lq, p, &e1, 1);
        if (e0.ok && e1.ok) lq->h[p][0] = e0, lq->h[p][1] = e1;
      }
      if (getenv("VT_ANALYZE_DEBUG"))
        fprintf(stderr, "subvoxel %s: walls %.2f / %.2f (mask %.2f / %.2f), depth %.2f\n", mo->label, yp, ya,
                lq->y_post, lq->y_ant, ya - yp);
      /* coronal slope of the endplates from the left and right bands */
      double dx = le[q].tx[1] - le[q].tx[0], slope = 0;
      int ok = dx > 1.0;
      for (int s = 0; s < 2 && ok; s++) {
        double zl = edge_pos(&le[q].t[0][s], sz, bk, bt, dcol), zr = edge_pos(&le[q].t[1][s], sz, bk, bt, dcol);
        if (fabs(zl - le[q].t[0][s].guess) > GATE_SLICES * sz + 1.0 || fabs(zr - le[q].t[1][s].guess) > GATE_SLICES * sz + 1.0) ok = 0;
        slope += 0.5 * (zr - zl) / dx;
      }
      /* heights along the body's axis: the coronal slope measured here, the
       * sagittal one the column's (a wedge tilts an endplate, not the body) */
      double by = fabs(mo->axis_up[2]) > 1e-6 ? mo->axis_up[1] / mo->axis_up[2] : 0;
      double cosa = 1.0 / sqrt(1.0 + (ok ? slope * slope : 0) + by * by);
      double hg[3];
      int hok = 1;
      for (int p = 0; p < 3; p++) {
        double zb = edge_pos(&le[q].h[p][0], sz, bk, bt, dcol), zt = edge_pos(&le[q].h[p][1], sz, bk, bt, dcol);
        if (fabs(zb - le[q].h[p][0].guess) > GATE_SLICES * sz + 1.0 || fabs(zt - le[q].h[p][1].guess) > GATE_SLICES * sz + 1.0)
          hok = 0;
        hg[p] = (zt - zb) * cosa;
        if (getenv("VT_ANALYZE_DEBUG"))
          fprintf(stderr, "subvoxel %s: point %d endplates %.2f / %.2f view mm (mask %.2f / %.2f; D %.0f %.0f, T %.0f)\n",
                  mo->label, p, zb, zt, le[q].h[p][0].guess, le[q].h[p][1].guess, le[q].h[p][0].D, le[q].h[p][1].D,
                  le[q].h[p][0].T);
      }
      if (hok) {
        mo->height_anterior_mm = hg[0];
        mo->height_middle_mm = hg[1];
        mo->height_posterior_mm = hg[2];
        mo->height_resolution_mm = SUBVOXEL_RESOLUTION * sz;
        refined[q] |= 1;
      }
      if (ok) {
        /* plane z = a + slope x: cranial normal (-slope, 0, 1) */
        mo->coronal_tilt_deg = atan(-slope) * 180.0 / M_PI;
        refined[q] |= 2;
      }
      n_ref += refined[q] != 0;
      if (getenv("VT_ANALYZE_DEBUG"))
        fprintf(stderr, "subvoxel %s: refined %d heights %.2f %.2f %.2f tilt %.2f (slope over %.1f mm)\n", mo->label,
                refined[q], hg[0], hg[1], hg[2], atan(-slope) * 180.0 / M_PI, dx);
    }
  }
  free(all);
  free(le);
  return n_ref;
}
