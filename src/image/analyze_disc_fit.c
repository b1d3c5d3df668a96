/* analyze_disc_fit.c — one disc fitted whole for the sub-voxel endplates
 * (analyze_subvoxel.c; method: docs/image-analyze.md, step 6b, "Each disc
 * fitted whole").
 *
 * Why: at 5 mm slices a 10 mm disc rarely holds a pure sample; each of its
 * samples may hold slivers of both its plates. The integral of one
 * endplate's window cannot tell whose sliver a sample holds, nor the
 * disc's level from the slivers. Here the band's profile from one body's
 * pure bone across the disc to the next body's is modelled as box samples
 * of two surfaces, each with its cortical plate inside its bone, and the
 * disc between; each surface's spread across the band is modelled exactly
 * for a uniform spread. Written here: no library fits this model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "image/analyze_subvoxel.h"

/* the fit's scans: every COARSE_MM over a coordinate's range, then every
 * 0.01 mm round the best (0.1 mm missed the true basin on 3 of 40 held-out
 * 5 mm heights; 0.05 reads as 0.02 did) */
#define COARSE_MM 0.05

/* Mean over a surface spread uniformly on [c - w/2, c + w/2] of
 * clamp(z, a, b): a boundary's share of a box sample [a, b]. */
static double clamp_mean(double c, double w, double a, double b) {
  /* plain comparisons, not fmin/fmax: the values are finite, and this is
   * the fit's innermost call */
  if (!(w > 1e-9)) return c < a ? a : c > b ? b : c;
  double p = c - 0.5 * w, q = c + 0.5 * w, acc = 0;
  if (p < a) acc += a * ((q < a ? q : a) - p);
  if (q > b) acc += b * (q - (p > b ? p : b));
  double lo = p > a ? p : a, hi = q < b ? q : b;
  if (hi > lo) acc += 0.5 * (hi * hi - lo * lo);
  return acc / w;
}

/* One disc whole in a band: the endplate's surface s and the neighbour's
 * s2 (view mm), each with its plate (kap, t) inside its bone, the disc at
 * level D between; sample k is A + D B (linear in D). A box sample of a
 * step profile is its first layer's value plus each step times the part of
 * the box above that step, so the boundaries' spreads add independently;
 * B is the disc's share of the box. */
static void joint_model(const vt__sv_edge *e, double sz, double kap, double t, double s, double s2, double D, long k,
                        double *A, double *B) {
  double z[4], w[4], val[5];
  double C = e->T + kap / t, C2 = e->nplate ? e->T2 + kap / t : e->T2;
  if (e->top) { /* own bone below s, the neighbour above s2 */
    z[0] = s - t, z[1] = s, z[2] = s2, z[3] = s2 + t;
    w[0] = w[1] = e->w, w[2] = w[3] = e->w2;
    val[0] = e->T, val[1] = C, val[2] = D, val[3] = C2, val[4] = e->T2;
  } else {
    z[0] = s2 - t, z[1] = s2, z[2] = s, z[3] = s + t;
    w[0] = w[1] = e->w2, w[2] = w[3] = e->w;
    val[0] = e->T2, val[1] = C2, val[2] = D, val[3] = C, val[4] = e->T;
  }
  double a = (k - 0.5) * sz, b = (k + 0.5) * sz, cm[4];
  for (int i = 0; i < 4; i++) cm[i] = clamp_mean(z[i], w[i], a, b);
  /* layers_sample with the disc at 0, and the disc's share of the box */
  val[2] = 0;
  double acc = val[0] * (b - a);
  for (int i = 0; i < 4; i++) acc += (val[i + 1] - val[i]) * (b - cm[i]);
  *A = acc / (b - a);
  *B = (cm[2] - cm[1]) / (b - a);
  (void)D;
}

/* Misfit of the joint window for surfaces (s, s2), with the disc level
 * fitted in closed form; a prior level D0 joins as wpr pseudo-samples (1:
 * a hint, a disc with no pure sample being free to trade its level for its
 * plates' slivers; 1e6: the level fixed). */
static double joint_misfit(const vt__sv_edge *e, double sz, double kap, double t, double s, double s2, double D0, double wpr,
                           double *Dout) {
  double A[MAXW], B[MAXW], sb = wpr, sv = wpr * D0;
  for (int i = 0; i < e->jn; i++) {
    joint_model(e, sz, kap, t, s, s2, D0, e->jk0 + i, &A[i], &B[i]);
    sb += B[i] * B[i], sv += B[i] * (e->jv[i] - A[i]);
  }
  double D = sv / sb, r = wpr * (D - D0) * (D - D0);
  for (int i = 0; i < e->jn; i++) {
    double m = A[i] + D * B[i];
    r += (m - e->jv[i]) * (m - e->jv[i]);
  }
  if (Dout) *Dout = D;
  return r;
}

/* A joint fit: the endplate's surface s within a slice + 1 mm of its
 * integral position, the far surface s2 anywhere in the window beyond it.
 * A plate moving 0.1 mm changes a 5 mm sample by ~14 HU, so a coarse grid
 * lands in the wrong basin; the two surfaces touch different samples and
 * barely interact, so each is scanned whole (every 0.05 mm, then 0.01 mm
 * round the best) in turn with the other fixed (coordinate descent, at
 * most three rounds). Returns s; the misfit,
 * the far surface and the fitted disc level in *rr, *s2o, *Dout. */
double vt__sv_joint_grid(const vt__sv_edge *e, double sz, double kap, double t, double D0, double wpr, double *rr,
                         double *s2o, double *Dout) {
  double g = vt__sv_edge_int(e, sz, kap), span = GATE_SLICES * sz + 1.0;
  double wlo = (e->jk0 - 0.5) * sz, whi = (e->jk0 + e->jn - 0.5) * sz;
  double bs = g, bs2 = isfinite(e->g2) && e->g2 > wlo && e->g2 < whi ? e->g2 : (e->top ? whi : wlo);
  if (e->top ? bs2 < bs : bs2 > bs) bs2 = bs;
  double best = joint_misfit(e, sz, kap, t, bs, bs2, D0, wpr, NULL);
  for (int round = 0; round < 3; round++) {
    double s0 = bs, s20 = bs2;
    /* each coordinate every COARSE_MM over its range, then every 0.01 mm
     * round the best */
    for (int fine = 0; fine < 2; fine++) {
      double lo = fine ? bs - COARSE_MM : g - span, hi = fine ? bs + COARSE_MM : g + span, st = fine ? 0.01 : COARSE_MM;
      for (double s = lo; s <= hi + 1e-9; s += st) {
        if (e->top ? bs2 < s : bs2 > s) continue;
        double r = joint_misfit(e, sz, kap, t, s, bs2, D0, wpr, NULL);
        if (r < best) best = r, bs = s;
      }
    }
    for (int fine = 0; fine < 2; fine++) {
      double lo = fine ? bs2 - COARSE_MM : (e->top ? bs : wlo), hi = fine ? bs2 + COARSE_MM : (e->top ? whi : bs),
             st = fine ? 0.01 : COARSE_MM;
      for (double s2 = lo; s2 <= hi + 1e-9; s2 += st) {
        if (e->top ? s2 < bs : s2 > bs) continue;
        double r = joint_misfit(e, sz, kap, t, bs, s2, D0, wpr, NULL);
        if (r < best) best = r, bs2 = s2;
      }
    }
    if (bs == s0 && bs2 == s20) break;
  }
  if (rr) *rr = best;
  if (s2o) *s2o = bs2;
  if (Dout) joint_misfit(e, sz, kap, t, bs, bs2, D0, wpr, Dout);
  return bs;
}

/* The endplate's surface from its disc fitted whole (joint_grid), with the
 * fit on the debug stream. */
double vt__sv_joint_fit(const vt__sv_edge *e, double sz, double kap, double t, double D0, double wpr, double *Dout) {
  double rr, bs2, Df;
  double bs = vt__sv_joint_grid(e, sz, kap, t, D0, wpr, &rr, &bs2, &Df);
  if (Dout) *Dout = Df;
  if (getenv("VT_ANALYZE_DEBUG")) {
    fprintf(stderr, "joint %s: s %.2f (int %.2f) s2 %.2f D %.1f (D0 %.1f) T %.0f T2 %.0f w %.2f w2 %.2f rms %.2f |",
            e->top ? "top" : "bot", bs, vt__sv_edge_int(e, sz, kap), bs2, Df, D0, e->T, e->T2, e->w, e->w2,
            sqrt(rr / (e->jn + 1)));
    for (int i = 0; i < e->jn; i++) {
      double A, B;
      joint_model(e, sz, kap, t, bs, bs2, Df, e->jk0 + i, &A, &B);
      fprintf(stderr, " %ld:%.1f/%.1f", e->jk0 + i, e->jv[i], A + Df * B);
    }
    fprintf(stderr, "\n");
  }
  return bs;
}
