/* sagittal_alignment.c — the superior and inferior endplate lines of each
 * vertebral body on its mid-sagittal plane, and from them lumbar lordosis
 * (L1-S1) and thoracic kyphosis (T4-T12) as sagittal Cobb angles
 * (method and conventions: docs/image-spine.md, "Sagittal alignment"). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/sagittal_alignment.h"
#include "vertebra/spine.h"

#define STEP_MM 0.5      /* plane sampling step, as the heights' */
#define HALF_AP_MM 60.0  /* sampled half-extent along anterior-posterior */
#define HALF_UP_MM 60.0  /* along the column: room for the sacrum below L5 */
#define DEPTH_LO 0.20    /* endplate columns: the central 20-80 % of the body */
#define DEPTH_HI 0.80    /* depth, clear of the rim and osteophytes in front */
#define MIN_COLUMNS 8    /* 4 mm of endplate at least */
/* An endplate more than 45 degrees from square to its own level's axis is
 * not an endplate but a broken mask (a level cut across by a wrong disc
 * plane): such a line is refused. */
#define MAX_SLOPE 1.0
#define EDGE_TOL_MM 0.25 /* a column samples the voxel within half an in-plane voxel */
#define SACRUM 26
#define KYPHOSIS_MIN_LEVELS 4 /* thoracic levels down to T12 for a partial kyphosis */

static double dot3(const double a[3], const double b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/* One mid-sagittal plane: centre, axes, their images in voxel space. */
typedef struct {
  double c[3], ap[3], up[3];
  double v0[3], vap[3], vup[3]; /* voxel of c, voxel step per mm along ap and up */
  int na, nu;
} plane;

static vt_status plane_init(const vt_volume *mask, const vt_vertebra_morph *m, plane *p, vt_error *err) {
  memcpy(p->c, m->centroid_ras_mm, sizeof p->c);
  memcpy(p->ap, m->axis_ap, sizeof p->ap);
  memcpy(p->up, m->axis_up, sizeof p->up);
  double pa[3], pu[3], va[3], vu[3];
  for (int r = 0; r < 3; r++) pa[r] = p->c[r] + p->ap[r], pu[r] = p->c[r] + p->up[r];
  vt_status st = vt_volume_world_to_voxel(mask, p->c, p->v0, err);
  if (!st) st = vt_volume_world_to_voxel(mask, pa, va, err);
  if (!st) st = vt_volume_world_to_voxel(mask, pu, vu, err);
  if (st) return st;
  for (int r = 0; r < 3; r++) p->vap[r] = va[r] - p->v0[r], p->vup[r] = vu[r] - p->v0[r];
  p->na = (int)(2 * HALF_AP_MM / STEP_MM) + 1;
  p->nu = (int)(2 * HALF_UP_MM / STEP_MM) + 1;
  return VT_OK;
}

static double coord(int i) { return -HALF_AP_MM + i * STEP_MM; } /* HALF_AP_MM == HALF_UP_MM */

/* Whether the voxel nearest to plane point (a, u) holds `label`. */
static int is_label(const vt_volume *mask, const plane *p, int label, double a, double u) {
  size_t d[3];
  vt_volume_dims(mask, d);
  long q[3];
  for (int r = 0; r < 3; r++) {
    q[r] = lround(p->v0[r] + a * p->vap[r] + u * p->vup[r]);
    if (q[r] < 0 || (size_t)q[r] >= d[r]) return 0;
  }
  return lrintf(vt_volume_cdata(mask)[q[0] + d[0] * (q[1] + d[1] * q[2])]) == label;
}

/* Nearest-neighbour label samples of `label` on the plane, column-major:
 * grid[ia * nu + iu], iu upward. */
static void plane_sample(const vt_volume *mask, const plane *p, int label, unsigned char *grid) {
  for (int ia = 0; ia < p->na; ia++)
    for (int iu = 0; iu < p->nu; iu++) grid[ia * p->nu + iu] = (unsigned char)is_label(mask, p, label, coord(ia), coord(iu));
}

/* The mask's edge along a column between u_in (label) and u_out (not), by
 * bisection to 1/64 of a step: the voxel face itself, so that a flat
 * endplate reads flat whatever the plane's tilt (the 0.5 mm samples alone
 * put a step of up to 0.5 mm into the line, 2-3 degrees over a body). */
static double refine_edge(const vt_volume *mask, const plane *p, int label, double a, double u_in, double u_out) {
  for (int i = 0; i < 6; i++) {
    double mid = 0.5 * (u_in + u_out);
    if (is_label(mask, p, label, a, mid)) u_in = mid;
    else u_out = mid;
  }
  return 0.5 * (u_in + u_out);
}

/* A column's run of label samples: the longest one (a body), or the most
 * cranial one of at least `min_len` samples (the sacrum under L5). Returns 0
 * when there is none. */
static int column_run(const unsigned char *col, int nu, int topmost, int min_len, int *lo, int *hi) {
  int best = 0;
  for (int iu = nu - 1; iu >= 0;) {
    if (!col[iu]) {
      iu--;
      continue;
    }
    int top = iu;
    while (iu >= 0 && col[iu]) iu--;
    int len = top - iu;
    if (len < min_len) continue;
    if (len > best) best = len, *hi = top, *lo = iu + 1;
    if (topmost) break;
  }
  return best > 0;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Least-squares line u = alpha + beta * a through (a[i], u[i]), then again
 * without the points more than max(3 robust SD, `floor_mm`) off it (a
 * notch, a Schmorl node, a stray voxel). Returns 0 when under `min_n`
 * points remain. `tmp` holds n doubles. */
static int robust_line(const double *a, const double *u, int n, int min_n, double floor_mm, double *tmp,
                       double *alpha, double *beta) {
  double thr = INFINITY;
  for (int pass = 0; pass < 2; pass++) {
    double sa = 0, su = 0, saa = 0, sau = 0;
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (pass && fabs(u[i] - (*alpha + *beta * a[i])) > thr) continue;
      sa += a[i], su += u[i], saa += a[i] * a[i], sau += a[i] * u[i];
      k++;
    }
    double den = k * saa - sa * sa;
    if (k < min_n || !(fabs(den) > 1e-9)) return 0;
    *beta = (k * sau - sa * su) / den;
    *alpha = (su - *beta * sa) / k;
    for (int i = 0; i < n; i++) tmp[i] = fabs(u[i] - (*alpha + *beta * a[i]));
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_dbl);
    thr = fmax(3 * 1.4826 * tmp[n / 2], floor_mm);
  }
  return 1;
}

/* The endplate line through the column edges e[] at xa[] (n columns). A
 * mask edge is a staircase of voxel faces: each face lies within half a
 * voxel (along the column, `vext` / 2) of the surface, so a line is
 * consistent with the mask when it passes every column within that band.
 * Each pair of columns bounds its slope: (e_i - e_j -+ w) / (a_i - a_j).
 * The slope is the middle of the range all pairs allow (a digital straight
 * line's); a least-squares fit to the treads misses by up to a voxel over
 * the window (2-4 degrees at 2.5 mm slices: a tilted endplate is a few long
 * treads). (Tried and dropped: the slope in the range nearest to the body's
 * principal axis — sagittally a thoracic body is about as tall as deep, so
 * that axis is ill-defined — or to the local column axis, biased at the
 * ends of a curve.) The intercept is then the mean. When no line is
 * consistent (a real, irregular endplate), the robust least-squares line.
 * `tmp` holds n doubles. */
static int edge_line(const double *xa, const double *e, int n, double vext, double floor_mm, double *tmp,
                     double *alpha, double *beta) {
  double w = vext + 2 * EDGE_TOL_MM, lo = -INFINITY, hi = INFINITY;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++) {
      double da = xa[i] - xa[j];
      if (!(da > 1e-9)) continue;
      lo = fmax(lo, (e[i] - e[j] - w) / da);
      hi = fmin(hi, (e[i] - e[j] + w) / da);
    }
  if (n < MIN_COLUMNS || !(lo <= hi) || !isfinite(lo) || !isfinite(hi))
    return robust_line(xa, e, n, MIN_COLUMNS, floor_mm, tmp, alpha, beta);
  *beta = 0.5 * (lo + hi);
  double acc = 0;
  for (int i = 0; i < n; i++) acc += e[i] - *beta * xa[i];
  *alpha = acc / n;
  return 1;
}

/* Stores a fitted line u = alpha + beta a over [a_lo, a_hi] of plane p:
 * its cranial normal's sagittal tilt and its anterior and posterior ends
 * (nothing when the line is steeper than MAX_SLOPE). */
static void store_line(const plane *p, double alpha, double beta, double a_lo, double a_hi, double *tilt_deg,
                       double ends[2][3]) {
  if (!(fabs(beta) <= MAX_SLOPE)) return;
  double nrm[3];
  for (int r = 0; r < 3; r++) nrm[r] = p->up[r] - beta * p->ap[r];
  *tilt_deg = atan2(nrm[1], nrm[2]) * 180.0 / M_PI;
  const double at[2] = {a_hi, a_lo}; /* anterior end first */
  for (int e = 0; e < 2; e++)
    for (int r = 0; r < 3; r++) ends[e][r] = p->c[r] + at[e] * p->ap[r] + (alpha + beta * at[e]) * p->up[r];
}

/* --- endplates on the CT's bone ------------------------------------------ */

#define CT_STEP_MM 0.25   /* HU profile step along the column */
#define CT_SEARCH_MM 25.0 /* below L5's body: the L5/S1 disc and S1's endplate */
#define CT_EDGE_MM 1.5    /* the rise is HU(u - this) - HU(u + this) */
#define CT_SIDE_MM 6.0    /* the disc's minimum and the cortex's peak lie this near the rise */
/* A disc-to-bone rise smaller than this is no endplate (noise, a vacuum
 * disc's gas is darker still, so it only adds contrast): a disc reads about
 * 70-100 HU, S1's endplate cortex several hundred. */
#define CT_MIN_RISE_HU 100.0
#define CT_TURN_HU 30.0 /* a minimum or peak ends where the profile turns back this far (noise) */

/* HU at plane point (a, u) by trilinear interpolation (the CT shares the
 * mask's grid, hence its voxel mapping); NaN outside the image. */
static double hu_at(const vt_volume *ct, const plane *p, double a, double u) {
  size_t d[3];
  vt_volume_dims(ct, d);
  const float *hu = vt_volume_cdata(ct);
  long b[3];
  double f[3];
  for (int r = 0; r < 3; r++) {
    double q = p->v0[r] + a * p->vap[r] + u * p->vup[r];
    if (!(q >= 0 && q <= (double)d[r] - 1)) return NAN;
    b[r] = (long)floor(q);
    if (b[r] > (long)d[r] - 2) b[r] = d[r] > 1 ? (long)d[r] - 2 : 0;
    f[r] = q - (double)b[r];
  }
  double s = 0;
  for (int c = 0; c < 8; c++) {
    long i = b[0] + (c & 1), j = b[1] + ((c >> 1) & 1), k = b[2] + ((c >> 2) & 1);
    double w = ((c & 1) ? f[0] : 1 - f[0]) * (((c >> 1) & 1) ? f[1] : 1 - f[1]) * (((c >> 2) & 1) ? f[2] : 1 - f[2]);
    if (w == 0) continue;
    s += w * hu[(size_t)i + d[0] * ((size_t)j + d[1] * (size_t)k)];
  }
  return s;
}

/* The bone edge below u_from in column a (S1's superior endplate under the
 * L5/S1 disc): going caudally, the first rise from dark to bright (HU
 * below minus HU above, over +-CT_EDGE_MM) of at least CT_MIN_RISE_HU / 2,
 * at its steepest; the disc's minimum above it and the cortex's peak below it
 * are followed from there while the profile keeps falling (rising) to within
 * CT_TURN_HU, at most CT_SIDE_MM: the nearest ones, not the extremes of the
 * range, so that a bright structure inside the bone (a bone island, a
 * sclerotic spot under the endplate) neither wins the search nor moves the
 * level. The edge is where the profile crosses half-way from
 * that minimum to that peak, linearly between samples: the bone's surface, as
 * a mask's voxel face is, whatever the slice thickness blurs. `h` holds the
 * profile (n samples). Returns 0 when there is none or its contrast is under
 * CT_MIN_RISE_HU. */
static int bone_edge_below(const vt_volume *ct, const plane *p, double a, double u_from, double *h, int n,
                           double *edge) {
  for (int i = 0; i < n; i++) {
    h[i] = hu_at(ct, p, a, u_from - i * CT_STEP_MM);
    if (!isfinite(h[i])) return 0;
  }
  const int e = (int)lround(CT_EDGE_MM / CT_STEP_MM), side = (int)lround(CT_SIDE_MM / CT_STEP_MM);
  int at = -1;
  /* a 3 mm slice spreads the rise over 4-5 mm: half the contrast over 2 e */
  for (int i = e; i + e < n && at < 0; i++) {
    double r = h[i + e] - h[i - e];
    if (r < 0.5 * CT_MIN_RISE_HU) continue;
    while (i + 1 + e < n && h[i + 1 + e] - h[i + 1 - e] >= r) i++, r = h[i + e] - h[i - e];
    at = i;
  }
  if (at < 0) return 0;
  int ilo = at, ihi = at;
  for (int i = at; i >= 0 && i >= at - side && h[i] <= h[ilo] + CT_TURN_HU; i--)
    if (h[i] < h[ilo]) ilo = i;
  for (int i = at; i < n && i <= at + side && h[i] >= h[ihi] - CT_TURN_HU; i++)
    if (h[i] > h[ihi]) ihi = i;
  double mid = 0.5 * (h[ilo] + h[ihi]);
  if (!(h[ihi] - h[ilo] >= CT_MIN_RISE_HU)) return 0;
  for (int i = ilo + 1; i <= ihi; i++)
    if (h[i] >= mid) {
      double t = (mid - h[i - 1]) / (h[i] - h[i - 1]);
      *edge = u_from - (i - 1 + t) * CT_STEP_MM;
      return 1;
    }
  return 0;
}

/* The bone's outer edge beyond a body's own endplate in column a: from
 * u_from, inside the body, outward along `dir` (+1 cranially for a superior
 * endplate, -1 caudally for an inferior one), the first fall from bright to
 * dark (HU before minus HU after, over +-CT_EDGE_MM) of at least
 * CT_MIN_RISE_HU / 2, at its steepest, with the cortex's peak before it and
 * the disc's minimum after it followed as in bone_edge_below; the edge is
 * the half-way crossing. Returns 0 when there is none. */
static int bone_edge_out(const vt_volume *ct, const plane *p, double a, double u_from, int dir, double *h, int n,
                         double *edge) {
  for (int i = 0; i < n; i++) {
    h[i] = hu_at(ct, p, a, u_from + dir * i * CT_STEP_MM);
    if (!isfinite(h[i])) return 0;
  }
  const int e = (int)lround(CT_EDGE_MM / CT_STEP_MM), side = (int)lround(CT_SIDE_MM / CT_STEP_MM);
  int at = -1;
  for (int i = e; i + e < n && at < 0; i++) {
    double r = h[i - e] - h[i + e];
    if (r < 0.5 * CT_MIN_RISE_HU) continue;
    while (i + 1 + e < n && h[i - e + 1] - h[i + 1 + e] >= r) i++, r = h[i - e] - h[i + e];
    at = i;
  }
  if (at < 0) return 0;
  int ipk = at, imn = at;
  for (int i = at; i >= 0 && i >= at - side && h[i] >= h[ipk] - CT_TURN_HU; i--)
    if (h[i] > h[ipk]) ipk = i;
  for (int i = at; i < n && i <= at + side && h[i] <= h[imn] + CT_TURN_HU; i++)
    if (h[i] < h[imn]) imn = i;
  double mid = 0.5 * (h[ipk] + h[imn]);
  if (!(h[ipk] - h[imn] >= CT_MIN_RISE_HU)) return 0;
  for (int i = ipk + 1; i <= imn; i++)
    if (h[i] <= mid) {
      double t = (h[i - 1] - mid) / (h[i - 1] - h[i]);
      *edge = u_from + dir * (i - 1 + t) * CT_STEP_MM;
      return 1;
    }
  return 0;
}

/* The mid-sagittal plane of body m and its endplate window: the central
 * DEPTH_LO-DEPTH_HI of the body's depth in front of the canal cut
 * (morphometry.c's rule), on grid = m's label samples. *ok is 0 for a level
 * whose axis is over 60 degrees from cranio-caudal (a broken mask, not a
 * spine in a supine or prone CT) or with no depth. */
static vt_status body_window(const vt_volume *mask, const vt_vertebra_morph *m, plane *p, unsigned char *grid,
                             double *a_lo, double *a_hi, int *ok, vt_error *err) {
  *ok = 0;
  vt_status st = plane_init(mask, m, p, err);
  if (st) return st;
  if (!(fabs(p->up[2]) >= 0.5)) return VT_OK;
  plane_sample(mask, p, m->verse_label, grid);
  double shift[3] = {p->c[0] - m->whole_centroid_ras_mm[0], p->c[1] - m->whole_centroid_ras_mm[1],
                     p->c[2] - m->whole_centroid_ras_mm[2]};
  double a_cut = m->cut_ap_mm - dot3(shift, p->ap);
  double front = -INFINITY, back = INFINITY;
  for (int ia = 0; ia < p->na; ia++) {
    if (coord(ia) < a_cut) continue;
    for (int iu = 0; iu < p->nu; iu++)
      if (grid[ia * p->nu + iu]) {
        front = fmax(front, coord(ia)), back = fmin(back, coord(ia));
        break;
      }
  }
  double depth = front - back;
  if (!(depth > 4 * STEP_MM)) return VT_OK;
  *a_lo = front - DEPTH_HI * depth, *a_hi = front - DEPTH_LO * depth;
  *ok = 1;
  return VT_OK;
}

/* body_window, and the residual floor of a line fitted there: a mask edge
 * is known to a voxel along the axis (vext, the voxel's extent). */
static vt_status level_window(const vt_volume *mask, const vt_vertebra_morph *m, plane *p, unsigned char *grid,
                              double *a_lo, double *a_hi, double *vext, double *floor_mm, int *ok, vt_error *err) {
  *vext = 2 * (isfinite(m->height_resolution_mm) ? m->height_resolution_mm : 0.5);
  *floor_mm = fmax(1.0, *vext);
  return body_window(mask, m, p, grid, a_lo, a_hi, ok, err);
}

/* Fits the endplates of body m (or, when `sacrum` is set, the sacrum's
 * superior endplate under body m, sampled on m's plane and window: from the
 * sacrum's label, or with `ct`, from the CT's bone edge below the caudal end
 * of m's own run in each column, m's inferior endplate, so that the search
 * starts in the L5/S1 disc whatever plane the mask cut the sacrum at; `prof`
 * then holds the profile). */
static vt_status fit_level(const vt_volume *mask, const vt_volume *ct, vt_vertebra_morph *m,
                           vt_vertebra_morph *sacrum, unsigned char *grid, double *buf, double *prof,
                           vt_error *err) {
  plane p;
  double a_lo, a_hi, vext, floor_mm;
  int ok;
  vt_status st = level_window(mask, m, &p, grid, &a_lo, &a_hi, &vext, &floor_mm, &ok, err);
  if (st || !ok) return st;
  int on_ct = sacrum && ct;
  if (sacrum && !ct) plane_sample(mask, &p, SACRUM, grid);
  double *xa = buf, *top = buf + p.na, *bot = buf + 2 * p.na, *tmp = buf + 3 * p.na;
  int n = 0, np = (int)lround(CT_SEARCH_MM / CT_STEP_MM) + 1;
  for (int ia = 0; ia < p.na; ia++) {
    double a = coord(ia);
    if (a < a_lo - 1e-9 || a > a_hi + 1e-9) continue;
    int lo, hi;
    int mask_sacrum = sacrum && !ct;
    if (!column_run(grid + ia * p.nu, p.nu, mask_sacrum, mask_sacrum ? 4 : 1, &lo, &hi)) continue;
    int label = mask_sacrum ? SACRUM : m->verse_label;
    xa[n] = a;
    top[n] = hi + 1 < p.nu ? refine_edge(mask, &p, label, a, coord(hi), coord(hi + 1)) : coord(hi);
    bot[n] = lo > 0 ? refine_edge(mask, &p, label, a, coord(lo), coord(lo - 1)) : coord(lo);
    if (on_ct && (lo == 0 || !bone_edge_below(ct, &p, a, bot[n], prof, np, &top[n]))) continue;
    n++;
  }
  double alpha, beta;
  if (sacrum) {
    if (edge_line(xa, top, n, vext, floor_mm, tmp, &alpha, &beta) && fabs(beta) <= MAX_SLOPE) {
      store_line(&p, alpha, beta, a_lo, a_hi, &sacrum->sup_endplate_tilt_deg, sacrum->sup_endplate_ras);
      sacrum->sup_endplate_ct = on_ct;
    }
    return VT_OK;
  }
  if (edge_line(xa, top, n, vext, floor_mm, tmp, &alpha, &beta))
    store_line(&p, alpha, beta, a_lo, a_hi, &m->sup_endplate_tilt_deg, m->sup_endplate_ras);
  if (edge_line(xa, bot, n, vext, floor_mm, tmp, &alpha, &beta))
    store_line(&p, alpha, beta, a_lo, a_hi, &m->inf_endplate_tilt_deg, m->inf_endplate_ras);
  return VT_OK;
}

#define CT_OUT_MM 15.0   /* from 3 mm inside the mask's end: a cut up to 12 mm into the body */
#define CT_INSIDE_MM 3.0

/* Refits body m's superior (`sup`) or inferior endplate on the CT's bone:
 * in each column of m's window, the bone's outer edge (bone_edge_out) from
 * CT_INSIDE_MM inside the end of m's run outward. Where the analysis's disc
 * plane is tilted more than the disc, it cuts into the body at one end of
 * the window and the mask's line is the plane's; the bone's edge is the
 * endplate's wherever the plane lies. The mask's line stays when fewer than
 * MIN_COLUMNS columns show an edge. */
static vt_status fit_end_on_ct(const vt_volume *mask, const vt_volume *ct, vt_vertebra_morph *m, int sup,
                               unsigned char *grid, double *buf, double *prof, vt_error *err) {
  plane p;
  double a_lo, a_hi, vext, floor_mm;
  int ok;
  vt_status st = level_window(mask, m, &p, grid, &a_lo, &a_hi, &vext, &floor_mm, &ok, err);
  if (st || !ok) return st;
  double *xa = buf, *ed = buf + p.na, *tmp = buf + 3 * p.na;
  int n = 0, np = (int)lround(CT_OUT_MM / CT_STEP_MM) + 1;
  for (int ia = 0; ia < p.na; ia++) {
    double a = coord(ia);
    int lo, hi;
    if (a < a_lo - 1e-9 || a > a_hi + 1e-9 || !column_run(grid + ia * p.nu, p.nu, 0, 1, &lo, &hi)) continue;
    double from = sup ? coord(hi) - CT_INSIDE_MM : coord(lo) + CT_INSIDE_MM;
    if (!bone_edge_out(ct, &p, a, from, sup ? 1 : -1, prof, np, &ed[n])) continue;
    xa[n++] = a;
  }
  double alpha, beta;
  if (!edge_line(xa, ed, n, vext, floor_mm, tmp, &alpha, &beta) || !(fabs(beta) <= MAX_SLOPE)) return VT_OK;
  if (sup) {
    store_line(&p, alpha, beta, a_lo, a_hi, &m->sup_endplate_tilt_deg, m->sup_endplate_ras);
    m->sup_endplate_ct = 1;
  } else {
    store_line(&p, alpha, beta, a_lo, a_hi, &m->inf_endplate_tilt_deg, m->inf_endplate_ras);
  }
  return VT_OK;
}

vt_status vt_spine_sagittal_endplates(const vt_volume *mask, vt_vertebra_morph *v, size_t n, vt_error *err) {
  for (size_t k = 0; k < n; k++) {
    v[k].sup_endplate_tilt_deg = v[k].inf_endplate_tilt_deg = NAN;
    v[k].sup_endplate_ct = 0;
    for (int e = 0; e < 2; e++)
      for (int r = 0; r < 3; r++) v[k].sup_endplate_ras[e][r] = v[k].inf_endplate_ras[e][r] = NAN;
  }
  int na = (int)(2 * HALF_AP_MM / STEP_MM) + 1, nu = (int)(2 * HALF_UP_MM / STEP_MM) + 1;
  unsigned char *grid = malloc((size_t)na * (size_t)nu);
  double *buf = malloc(6 * (size_t)na * sizeof *buf);
  if (!grid || !buf) {
    free(grid);
    free(buf);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  vt_status st = VT_OK;
  for (size_t k = 0; k < n && !st; k++) {
    if (v[k].body_voxels < 10) continue;
    if (v[k].verse_label == SACRUM) {
      /* the sacrum has no body of its own in the mask's terms: its superior
       * endplate is read in the columns under the body above it (L5), whose
       * central depth faces S1's across the disc */
      if (k > 0 && v[k - 1].verse_label != SACRUM && v[k - 1].body_voxels >= 10)
        st = fit_level(mask, NULL, &v[k - 1], &v[k], grid, buf, NULL, err);
      continue;
    }
    st = fit_level(mask, NULL, &v[k], NULL, grid, buf, NULL, err);
  }
  free(grid);
  free(buf);
  return st;
}

vt_status vt_spine_sagittal_endplates_ct(const vt_volume *ct, const vt_volume *mask, vt_vertebra_morph *v, size_t n,
                                         vt_error *err) {
  if (!ct || !mask || (n && !v)) return vt_error_set(err, VT_EINVAL, NULL, "sagittal endplates: no CT or mask");
  size_t cd[3], md[3];
  vt_volume_dims(ct, cd);
  vt_volume_dims(mask, md);
  const double *A = vt_volume_affine(ct), *B = vt_volume_affine(mask);
  int same = cd[0] == md[0] && cd[1] == md[1] && cd[2] == md[2];
  for (int q = 0; q < 12 && same; q++) same = fabs(A[q] - B[q]) <= 1e-3 * (1 + fabs(A[q]));
  if (!same)
    return vt_error_set(err, VT_EINVAL, "mask", "the label mask (%zux%zux%zu) is not on the CT's grid (%zux%zux%zu) "
                        "or affine", md[0], md[1], md[2], cd[0], cd[1], cd[2]);
  int na = (int)(2 * HALF_AP_MM / STEP_MM) + 1, nu = (int)(2 * HALF_UP_MM / STEP_MM) + 1;
  int np = (int)lround(CT_SEARCH_MM / CT_STEP_MM) + 1;
  unsigned char *grid = malloc((size_t)na * (size_t)nu);
  double *buf = malloc(6 * (size_t)na * sizeof *buf), *prof = malloc((size_t)np * sizeof *prof);
  if (!grid || !buf || !prof) {
    free(grid), free(buf), free(prof);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  vt_status st = VT_OK;
  for (size_t k = 1; k < n && !st; k++)
    if (v[k].verse_label == SACRUM && v[k - 1].verse_label != SACRUM && v[k - 1].body_voxels >= 10 &&
        v[k].body_voxels >= 10)
      st = fit_level(mask, ct, &v[k - 1], &v[k], grid, buf, prof, err);
  /* the kyphosis's ends: T12's inferior endplate and the superior ones of
   * T4 and the levels below it that may stand in for it (vt_spine_kyphosis) */
  for (size_t k = 0; k < n && !st; k++) {
    if (v[k].body_voxels < 10) continue;
    int l = v[k].verse_label;
    if (l >= 11 && l <= 19 - (KYPHOSIS_MIN_LEVELS - 1)) st = fit_end_on_ct(mask, ct, &v[k], 1, grid, buf, prof, err);
    else if (l == 19) st = fit_end_on_ct(mask, ct, &v[k], 0, grid, buf, prof, err);
  }
  free(grid), free(buf), free(prof);
  return st;
}

/* --- angles ------------------------------------------------------------- */

static const vt_vertebra_morph *find(const vt_vertebra_morph *v, size_t n, int label) {
  for (size_t k = 0; k < n; k++)
    if (v[k].verse_label == label) return &v[k];
  return NULL;
}

/* Fills a measured angle; `up` and `low` are the end endplates' lines. */
static void set_angle(vt_sagittal_angle *o, double deg, const char *upper, const char *lower, int standard,
                      const double up[2][3], const double low[2][3]) {
  memcpy(o->upper_line_ras, up, sizeof o->upper_line_ras);
  memcpy(o->lower_line_ras, low, sizeof o->lower_line_ras);
  o->measured = 1;
  o->standard_span = standard;
  o->angle_deg = deg;
  snprintf(o->upper, sizeof o->upper, "%s", upper);
  snprintf(o->lower, sizeof o->lower, "%s", lower);
}

void vt_spine_lordosis(const vt_vertebra_morph *v, size_t n, vt_sagittal_angle *o) {
  memset(o, 0, sizeof *o);
  o->angle_deg = NAN;
  const vt_vertebra_morph *l1 = find(v, n, 20), *s = find(v, n, SACRUM);
  const vt_vertebra_morph *low = find(v, n, 25) ? find(v, n, 25) : find(v, n, 24); /* L6 or L5 */
  if (!l1 || !isfinite(l1->sup_endplate_tilt_deg)) {
    snprintf(o->warning, sizeof o->warning, "lumbar lordosis not measured: %s",
             l1 ? "L1's superior endplate has no line (not fitted, or turned far from its disc's plane)"
                : "L1 is not in view (or its label was withheld)");
    return;
  }
  /* positive = concave posteriorly: S1's endplate faces further anterior
   * than L1's (RAS +y is anterior) */
  if (s && isfinite(s->sup_endplate_tilt_deg)) {
    set_angle(o, s->sup_endplate_tilt_deg - l1->sup_endplate_tilt_deg, "L1", "S1", 1, l1->sup_endplate_ras,
              s->sup_endplate_ras);
    snprintf(o->method, sizeof o->method, "L1 superior to S1 superior endplate (sagittal Cobb; endplates fitted on %s)",
             s->sup_endplate_ct ? (l1->sup_endplate_ct ? "the CT's bone edge" : "the label mask, S1's on the CT's bone edge")
                                : (l1->sup_endplate_ct ? "the label mask, L1's on the CT's bone edge" : "the label mask"));
    return;
  }
  if (low && isfinite(low->inf_endplate_tilt_deg)) {
    set_angle(o, low->inf_endplate_tilt_deg - l1->sup_endplate_tilt_deg, "L1", low->label, 0, l1->sup_endplate_ras,
              low->inf_endplate_ras);
    snprintf(o->method, sizeof o->method, "L1 superior to %s inferior endplate (sagittal Cobb; S1 not available)",
             low->label);
    snprintf(o->warning, sizeof o->warning, "lumbar lordosis measured L1-%s, not L1-S1: %s", low->label,
             s ? "the sacrum's superior endplate could not be fitted" : "the sacrum is not in view");
    return;
  }
  snprintf(o->warning, sizeof o->warning, "lumbar lordosis not measured: %s",
           s ? "the sacrum's superior endplate could not be fitted and L5's inferior endplate neither"
             : "neither the sacrum nor L5's inferior endplate is available");
}

void vt_spine_kyphosis(const vt_vertebra_morph *v, size_t n, vt_sagittal_angle *o) {
  memset(o, 0, sizeof *o);
  o->angle_deg = NAN;
  const vt_vertebra_morph *t12 = find(v, n, 19), *up = NULL;
  if (!t12 || !isfinite(t12->inf_endplate_tilt_deg)) {
    snprintf(o->warning, sizeof o->warning, "thoracic kyphosis not measured: %s",
             t12 ? "T12's inferior endplate has no line (not fitted, or turned far from its disc's plane)"
                 : "T12 is not in view (or its label was withheld)");
    return;
  }
  /* T4, or else the most cranial thoracic level below it that was fitted */
  for (int l = 11; l <= 19 - (KYPHOSIS_MIN_LEVELS - 1) && !up; l++) {
    const vt_vertebra_morph *c = find(v, n, l);
    if (c && isfinite(c->sup_endplate_tilt_deg)) up = c;
  }
  if (!up) {
    snprintf(o->warning, sizeof o->warning, "thoracic kyphosis not measured: T4 is not in view and fewer than "
             "%d thoracic levels down to T12 have a fitted superior endplate", KYPHOSIS_MIN_LEVELS);
    return;
  }
  /* positive = concave anteriorly: T4's endplate faces further anterior
   * than T12's */
  set_angle(o, up->sup_endplate_tilt_deg - t12->inf_endplate_tilt_deg, up->label, "T12", up->verse_label == 11,
            up->sup_endplate_ras, t12->inf_endplate_ras);
  snprintf(o->method, sizeof o->method, "%s superior to T12 inferior endplate (sagittal Cobb%s)", up->label,
           up->sup_endplate_ct ? "; endplates on the CT's bone edge where it shows one, else on the label mask" : "");
  if (up->verse_label != 11)
    snprintf(o->warning, sizeof o->warning, "thoracic kyphosis measured %s-T12, not the standard T4-T12 "
             "(T4 not in view or not fitted): a partial, smaller span", up->label);
}

/* --- vertebrae.json ------------------------------------------------------ */

static json_t *deg_or_null(double x) { return isfinite(x) ? json_real(round(x * 100) / 100) : json_null(); }

static json_t *angle_json(const vt_sagittal_angle *a, const char *convention) {
  if (!a->measured) return json_null();
  return json_pack("{s:o,s:s,s:s,s:b,s:s,s:s}", "angle_deg", deg_or_null(a->angle_deg), "upper", a->upper,
                   "lower", a->lower, "standard_span", a->standard_span, "method", a->method, "convention",
                   convention);
}

int vt__sagittal_json(json_t *root, json_t *warnings, const vt_vertebra_morph *v, size_t n) {
  json_t *arr = json_object_get(root, "vertebrae");
  for (size_t k = 0; k < n && k < json_array_size(arr); k++) {
    json_t *t = json_pack("{s:o,s:o}", "superior", deg_or_null(v[k].sup_endplate_tilt_deg), "inferior",
                          deg_or_null(v[k].inf_endplate_tilt_deg));
    if (!t || json_object_set_new(json_array_get(arr, k), "endplate_sagittal_tilt_deg", t)) return -1;
  }
  vt_sagittal_angle lo, ky;
  vt_spine_lordosis(v, n, &lo);
  vt_spine_kyphosis(v, n, &ky);
  json_t *jl = angle_json(&lo, "positive = lordosis (concave posteriorly), negative = lumbar kyphosis");
  json_t *jk = angle_json(&ky, "positive = kyphosis (concave anteriorly), negative = thoracic lordosis");
  if (!jl || json_object_set_new(root, "lordosis", jl)) return json_decref(jk), -1;
  if (!jk || json_object_set_new(root, "kyphosis", jk)) return -1;
  if (lo.warning[0] && json_array_append_new(warnings, json_string(lo.warning))) return -1;
  if (ky.warning[0] && json_array_append_new(warnings, json_string(ky.warning))) return -1;
  return 0;
}
