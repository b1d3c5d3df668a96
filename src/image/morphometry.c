/* morphometry.c — per-vertebra body centroid, six-point heights and Genant
 * grade from a VerSe-convention vertebra label mask (method: docs/image-spine.md). */
#include "vertebra/spine.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/sagittal_alignment.h"

/* Genant semi-quantitative grading (Genant HK et al., J Bone Miner Res 1993;
 * 8:1137-48): height loss < 20 % normal, 20-25 % mild (1), 25-40 % moderate (2),
 * > 40 % severe (3). */
#define GENANT_MILD 0.20
#define GENANT_MODERATE 0.25
#define GENANT_SEVERE 0.40

#define SAMPLE_MM 0.5      /* mid-sagittal resampling step */
#define HALF_AP_MM 80.0    /* sampled half-extent along anterior-posterior */
#define HALF_SI_MM 40.0    /* sampled half-extent along the column axis */
#define CANAL_MIN_MM 4.0   /* narrowest midline gap accepted as the canal */
#define HEIGHT_WIN_MM 1.0  /* heights are averaged over +-1 mm columns */
#define MAX_LABELS (VT_VERSE_MAX_LABEL + 1)

static const char *const NAMES[MAX_LABELS] = {
    NULL,  "C1",  "C2",  "C3",  "C4",  "C5",  "C6",  "C7",  "T1", "T2",
    "T3",  "T4",  "T5",  "T6",  "T7",  "T8",  "T9",  "T10", "T11", "T12",
    "L1",  "L2",  "L3",  "L4",  "L5",  "L6",  "S",   NULL,  "T13"};

const char *vt_verse_label_name(int l) { return (l > 0 && l < MAX_LABELS) ? NAMES[l] : NULL; }

/* Cranio-caudal rank of a label: T13 sits between T12 and L1. */
static double rank(int l) { return l == 28 ? 19.5 : (double)l; }

typedef struct {
  double lin[9], off[3]; /* world -> voxel: ijk = lin * ras + off */
  size_t dim[3];
  const float *data;
} sampler;

static int sample_label(const sampler *s, const double p[3]) {
  double ijk[3];
  for (int r = 0; r < 3; r++)
    ijk[r] = s->lin[3 * r] * p[0] + s->lin[3 * r + 1] * p[1] + s->lin[3 * r + 2] * p[2] + s->off[r];
  long q[3];
  for (int r = 0; r < 3; r++) {
    q[r] = lround(ijk[r]);
    if (q[r] < 0 || (size_t)q[r] >= s->dim[r]) return 0;
  }
  return (int)lrintf(s->data[q[0] + s->dim[0] * (q[1] + s->dim[1] * q[2])]);
}

static void normalize(double v[3]) {
  double n = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  if (n > 0)
    for (int i = 0; i < 3; i++) v[i] /= n;
}

static double dot(const double a[3], const double b[3]) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* Samples the plane through c spanned by ap and up into grid[na*ns]
 * (a index fastest along ap, from -HALF_AP_MM). */
static void sample_plane(const sampler *s, int label, const double c[3], const double ap[3],
                         const double up[3], unsigned char *grid, int na, int ns) {
  for (int ia = 0; ia < na; ia++) {
    double a = -HALF_AP_MM + ia * SAMPLE_MM;
    for (int is = 0; is < ns; is++) {
      double z = -HALF_SI_MM + is * SAMPLE_MM, p[3];
      for (int r = 0; r < 3; r++) p[r] = c[r] + a * ap[r] + z * up[r];
      grid[ia * ns + is] = sample_label(s, p) == label;
    }
  }
}

static double column_height(const unsigned char *grid, int ns, int ia) {
  int n = 0;
  for (int is = 0; is < ns; is++) n += grid[ia * ns + is];
  return n * SAMPLE_MM;
}

/* Longest gap (mm) between two labelled samples of column ia. */
static double column_gap(const unsigned char *grid, int ns, int ia) {
  int last = -1, best = 0;
  for (int is = 0; is < ns; is++) {
    if (!grid[ia * ns + is]) continue;
    if (last >= 0 && is - last - 1 > best) best = is - last - 1;
    last = is;
  }
  return best * SAMPLE_MM;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Expected height and Genant grade: the expected (unfractured) height is the
 * larger of the vertebra's own posterior height and the median maximal height
 * of the measured neighbours within two levels, so that a level is compared
 * with the column around it and not only with itself. */
static int grade_of(double loss) {
  return loss > GENANT_SEVERE ? 3 : loss >= GENANT_MODERATE ? 2 : loss >= GENANT_MILD ? 1 : 0;
}

void vt_spine_grade(vt_vertebra_morph *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    vt_vertebra_morph *m = &v[i];
    m->genant_grade = m->genant_grade_lo = m->genant_grade_hi = -1;
    m->expected_height_mm = NAN;
    m->height_loss = NAN;
    if (m->verse_label <= 2 || m->verse_label == 26 || m->heights_unreliable || isnan(m->height_posterior_mm) ||
        isnan(m->height_anterior_mm) || isnan(m->height_middle_mm))
      continue;
    double nb[4];
    int k = 0;
    for (size_t j = 0; j < n; j++) {
      if (j == i || v[j].verse_label == 26 || v[j].verse_label <= 2 || v[j].heights_unreliable) continue;
      double d = fabs(rank(v[j].verse_label) - rank(m->verse_label));
      if (d > 2.0 || isnan(v[j].height_anterior_mm) || isnan(v[j].height_posterior_mm) ||
          isnan(v[j].height_middle_mm) || k == 4)
        continue;
      nb[k++] = fmax(v[j].height_anterior_mm, fmax(v[j].height_middle_mm, v[j].height_posterior_mm));
    }
    double expected = m->height_posterior_mm;
    if (k > 0) {
      qsort(nb, (size_t)k, sizeof nb[0], cmp_double);
      double med = (k % 2) ? nb[k / 2] : 0.5 * (nb[k / 2 - 1] + nb[k / 2]);
      expected = fmax(expected, med);
    }
    double hmin = fmin(m->height_anterior_mm, fmin(m->height_middle_mm, m->height_posterior_mm));
    double loss = expected > 0 ? 1.0 - hmin / expected : 0.0;
    if (loss < 0) loss = 0;
    m->expected_height_mm = expected;
    m->height_loss = loss;
    m->genant_grade = grade_of(loss);
    /* the same with every height off by its resolution either way: on a
     * 3 mm grid one voxel is ~12 % of a lumbar body's height, so a grade
     * near a threshold is not certain and the range says so */
    double d = isfinite(m->height_resolution_mm) ? m->height_resolution_mm : 0;
    double lo = expected - d > 0 ? 1.0 - (hmin + d) / (expected - d) : 0.0;
    double hi = expected > 0 ? 1.0 - (hmin - d) / (expected + d) : 0.0;
    m->genant_grade_lo = grade_of(lo < 0 ? 0 : lo);
    m->genant_grade_hi = grade_of(hi < 0 ? 0 : hi);
  }
}

/* The Cobb angle's end vertebrae: the pair of levels (not the sacrum) whose
 * coronal tilts differ most (spine.h). */
double vt_spine_cobb(const vt_vertebra_morph *v, size_t n, size_t *upper, size_t *lower) {
  double best = -1;
  *upper = *lower = 0;
  for (size_t x = 0; x < n; x++)
    for (size_t y = x + 1; y < n; y++) {
      if (v[x].verse_label == 26 || v[y].verse_label == 26 || !isfinite(v[x].coronal_tilt_deg) ||
          !isfinite(v[y].coronal_tilt_deg))
        continue;
      double d = fabs(v[x].coronal_tilt_deg - v[y].coronal_tilt_deg);
      if (d > best) best = d, *upper = x, *lower = y;
    }
  return best;
}

/* Endplate normal = the eigenvector of the body voxels' covariance nearest
 * the column axis `up` (by Jacobi rotations); `s` and `q` are first and second moments about the
 * whole-label centroid. */
static void body_orientation(vt_vertebra_morph *m, const double s[3], const double q[6], double n,
                             const double up[3]) {
  m->coronal_tilt_deg = NAN;
  memcpy(m->endplate_normal, up, 3 * sizeof up[0]);
  if (n < 10) return;
  double mu[3] = {s[0] / n, s[1] / n, s[2] / n};
  double A[3][3] = {{q[0] / n - mu[0] * mu[0], q[1] / n - mu[0] * mu[1], q[2] / n - mu[0] * mu[2]},
                    {0, q[3] / n - mu[1] * mu[1], q[4] / n - mu[1] * mu[2]},
                    {0, 0, q[5] / n - mu[2] * mu[2]}};
  A[1][0] = A[0][1], A[2][0] = A[0][2], A[2][1] = A[1][2];
  double V[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  for (int sweep = 0; sweep < 50; sweep++) {
    double off = fabs(A[0][1]) + fabs(A[0][2]) + fabs(A[1][2]);
    if (off < 1e-12) break;
    for (int p = 0; p < 2; p++)
      for (int r = p + 1; r < 3; r++) {
        if (fabs(A[p][r]) < 1e-15) continue;
        double th = 0.5 * atan2(2 * A[p][r], A[r][r] - A[p][p]), c = cos(th), sn = sin(th);
        for (int k = 0; k < 3; k++) { /* A = J^T A J */
          double akp = A[k][p], akr = A[k][r];
          A[k][p] = c * akp - sn * akr;
          A[k][r] = sn * akp + c * akr;
        }
        for (int k = 0; k < 3; k++) {
          double apk = A[p][k], ark = A[r][k];
          A[p][k] = c * apk - sn * ark;
          A[r][k] = sn * apk + c * ark;
        }
        for (int k = 0; k < 3; k++) {
          double vkp = V[k][p], vkr = V[k][r];
          V[k][p] = c * vkp - sn * vkr;
          V[k][r] = sn * vkp + c * vkr;
        }
      }
  }
  /* the principal axis nearest the column axis, not merely the smallest:
   * a thoracic body is nearly as deep as it is tall (phantom T12: depth
   * variance 49 mm2, height variance 48 mm2), and on 5 mm slices the
   * voxelised height variance overtook the depth's, so the AP axis was
   * taken for the endplate normal (Cobb 179 degrees on the truth mask) */
  int mi = 0;
  for (int k = 1; k < 3; k++)
    if (fabs(V[0][k] * up[0] + V[1][k] * up[1] + V[2][k] * up[2]) >
        fabs(V[0][mi] * up[0] + V[1][mi] * up[1] + V[2][mi] * up[2]))
      mi = k;
  double nv[3] = {V[0][mi], V[1][mi], V[2][mi]};
  if (dot(nv, up) < 0)
    for (int r = 0; r < 3; r++) nv[r] = -nv[r];
  memcpy(m->endplate_normal, nv, sizeof nv);
  m->coronal_tilt_deg = atan2(nv[0], nv[2]) * 180.0 / M_PI;
}

vt_status vt_spine_morphometry(const vt_volume *mask, vt_vertebra_morph **out, size_t *n,
                               vt_error *err) {
  sampler s;
  vt_volume_dims(mask, s.dim);
  s.data = vt_volume_cdata(mask);
  const double *A = vt_volume_affine(mask);
  /* inverse of the 3x3 part (cofactors) */
  double a = A[0], b = A[1], c = A[2], d = A[4], e = A[5], f = A[6], g = A[8], h = A[9], i = A[10];
  double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!isfinite(det) || fabs(det) < 1e-12)
    return vt_error_set(err, VT_EINVAL, "mask", "voxel-to-world affine is singular or not finite");
  double L[9] = {(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
                 (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
                 (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det};
  memcpy(s.lin, L, sizeof L);
  for (int r = 0; r < 3; r++)
    s.off[r] = -(L[3 * r] * A[3] + L[3 * r + 1] * A[7] + L[3 * r + 2] * A[11]);

  /* pass 1: voxel count and centroid per label */
  double sum[MAX_LABELS][3] = {{0}};
  size_t cnt[MAX_LABELS] = {0};
  size_t nvox = s.dim[0] * s.dim[1] * s.dim[2];
  /* and each label's bounding box, so that the per-label passes below visit
   * its box and not the whole volume (18 labels of a 512x512x600 CT) */
  size_t lo[MAX_LABELS][3], hi[MAX_LABELS][3];
  for (int l = 0; l < MAX_LABELS; l++)
    for (int r = 0; r < 3; r++) lo[l][r] = SIZE_MAX, hi[l][r] = 0;
  for (size_t q = 0; q < nvox; q++) {
    float val = s.data[q];
    if (!(val >= 0.5f && val < MAX_LABELS - 0.5f)) continue;
    int l = (int)lrintf(val);
    if (!NAMES[l]) continue;
    size_t x = q % s.dim[0], y = (q / s.dim[0]) % s.dim[1], z = q / (s.dim[0] * s.dim[1]);
    cnt[l]++;
    sum[l][0] += x;
    sum[l][1] += y;
    sum[l][2] += z;
    size_t xyz[3] = {x, y, z};
    for (int r = 0; r < 3; r++) {
      if (xyz[r] < lo[l][r]) lo[l][r] = xyz[r];
      if (xyz[r] > hi[l][r]) hi[l][r] = xyz[r];
    }
  }
  int labels[MAX_LABELS], nl = 0;
  for (int l = 1; l < MAX_LABELS; l++)
    if (cnt[l]) labels[nl++] = l;
  /* cranial to caudal */
  for (int x = 1; x < nl; x++)
    for (int y = x; y > 0 && rank(labels[y]) < rank(labels[y - 1]); y--) {
      int t = labels[y];
      labels[y] = labels[y - 1];
      labels[y - 1] = t;
    }
  if (nl == 0)
    return vt_error_set(err, VT_EINVAL, "mask",
                        "no vertebra label (VerSe 1-26, 28) in the mask; is it a label mask?");
  double cw[MAX_LABELS][3];
  for (int k = 0; k < nl; k++) {
    int l = labels[k];
    double ijk[3] = {sum[l][0] / cnt[l], sum[l][1] / cnt[l], sum[l][2] / cnt[l]};
    vt_volume_voxel_to_world(mask, ijk, cw[l]);
  }

  int na = (int)(2 * HALF_AP_MM / SAMPLE_MM) + 1, ns = (int)(2 * HALF_SI_MM / SAMPLE_MM) + 1;
  size_t nres = (unsigned)nl, ngrid = (size_t)(unsigned)na * (unsigned)ns;
  vt_vertebra_morph *res = calloc(nres, sizeof *res);
  unsigned char *grid = malloc(ngrid);
  if (!res || !grid) {
    free(res);
    free(grid);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  for (int k = 0; k < nl; k++) {
    int l = labels[k];
    vt_vertebra_morph *m = &res[k];
    m->verse_label = l;
    snprintf(m->label, sizeof m->label, "%s", NAMES[l]);
    memcpy(m->whole_centroid_ras_mm, cw[l], sizeof cw[l]);
    /* local column axis (cranial) from the neighbouring centroids; the
     * anterior axis is world anterior (+y RAS) made orthogonal to it */
    const double *up_from = k > 0 ? cw[labels[k - 1]] : cw[l];
    const double *dn_from = k + 1 < nl ? cw[labels[k + 1]] : cw[l];
    double up[3] = {up_from[0] - dn_from[0], up_from[1] - dn_from[1], up_from[2] - dn_from[2]};
    if (nl == 1 || dot(up, up) < 1e-6) up[0] = 0, up[1] = 0, up[2] = 1;
    normalize(up);
    double ap[3] = {-up[1] * up[0], 1.0 - up[1] * up[1], -up[1] * up[2]};
    normalize(ap);
    /* canal: the most anterior midline gap >= CANAL_MIN_MM in the label's
     * anterior-posterior occupancy; the body is what lies anterior of it */
    sample_plane(&s, l, cw[l], ap, up, grid, na, ns);
    int last = -1, cut = -1, first = -1;
    for (int ia = 0; ia < na; ia++) {
      if (column_height(grid, ns, ia) <= 0) continue;
      if (first < 0) first = ia;
      if (last >= 0 && (ia - last) * SAMPLE_MM >= CANAL_MIN_MM) cut = ia;
      last = ia;
    }
    double a_cut = cut >= 0 ? -HALF_AP_MM + cut * SAMPLE_MM : -1e30;
    m->body_separated = cut >= 0;
    memcpy(m->axis_up, up, sizeof up);
    memcpy(m->axis_ap, ap, sizeof ap);
    m->cut_ap_mm = a_cut - 0.5 * SAMPLE_MM;
    m->trabecular_hu_mean = m->trabecular_hu_sd = m->body_mean_hu = NAN;
    /* body centroid: voxels of the label anterior of the cut plane */
    double bs[3] = {0}, nb = 0, bq[6] = {0};
    for (size_t z = lo[l][2]; z <= hi[l][2]; z++)
    for (size_t y = lo[l][1]; y <= hi[l][1]; y++)
    for (size_t x = lo[l][0]; x <= hi[l][0]; x++) {
      size_t q = x + s.dim[0] * (y + s.dim[1] * z);
      if (s.data[q] != (float)l && lrintf(s.data[q]) != l) continue;
      double ijk[3] = {(double)x, (double)y, (double)z}, p[3];
      vt_volume_voxel_to_world(mask, ijk, p);
      double rel[3] = {p[0] - cw[l][0], p[1] - cw[l][1], p[2] - cw[l][2]};
      if (dot(rel, ap) < m->cut_ap_mm) continue;
      for (int r = 0; r < 3; r++) bs[r] += rel[r];
      bq[0] += rel[0] * rel[0], bq[1] += rel[0] * rel[1], bq[2] += rel[0] * rel[2];
      bq[3] += rel[1] * rel[1], bq[4] += rel[1] * rel[2], bq[5] += rel[2] * rel[2];
      nb++;
    }
    m->body_voxels = (size_t)nb;
    for (int r = 0; r < 3; r++) m->centroid_ras_mm[r] = cw[l][r] + (nb > 0 ? bs[r] / nb : 0);
    body_orientation(m, bs, bq, nb, up);
    m->height_anterior_mm = m->height_middle_mm = m->height_posterior_mm = m->height_resolution_mm = NAN;
    if (first < 0) continue;
    /* heights on the mid-sagittal plane through the body centroid */
    double shift[3] = {m->centroid_ras_mm[0] - cw[l][0], m->centroid_ras_mm[1] - cw[l][1],
                       m->centroid_ras_mm[2] - cw[l][2]};
    double da = dot(shift, ap);
    /* heights along the body's own axis: the chord's coronal component is
     * replaced by the endplate normal's (scoliotic tilt), keeping the
     * chord's sagittal component (a wedge tilts the normal sagittally) */
    if (isfinite(m->coronal_tilt_deg)) {
      double lat[3] = {up[1] * ap[2] - up[2] * ap[1], up[2] * ap[0] - up[0] * ap[2],
                       up[0] * ap[1] - up[1] * ap[0]};
      double cl = dot(m->endplate_normal, lat), cu = dot(m->endplate_normal, up);
      double t = atan2(cl, cu);
      for (int r = 0; r < 3; r++) up[r] = cos(t) * up[r] + sin(t) * lat[r];
      normalize(up);
      memcpy(m->axis_up, up, sizeof up);
    }
    sample_plane(&s, l, m->centroid_ras_mm, ap, up, grid, na, ns);
    double a0 = a_cut - da, a1 = -1e30, afirst = 1e30;
    for (int ia = 0; ia < na; ia++) {
      double av = -HALF_AP_MM + ia * SAMPLE_MM;
      if (av >= a0 && column_height(grid, ns, ia) > 0) {
        a1 = av;
        if (afirst > av) afirst = av;
      }
    }
    a0 = afirst;
    double depth = a1 - a0;
    if (depth <= 4 * SAMPLE_MM) continue;
    /* six-point morphometry: heights at 20 %, 50 % and 80 % of the body depth
     * from the anterior wall, each the mean over +-HEIGHT_WIN_MM */
    const double frac[3] = {0.20, 0.50, 0.80};
    double hgt[3], gap[2] = {0, 0};
    for (int t = 0; t < 3; t++) {
      double at = a1 - frac[t] * depth, acc = 0;
      int nc = 0;
      for (int ia = 0; ia < na; ia++) {
        double av = -HALF_AP_MM + ia * SAMPLE_MM;
        if (fabs(av - at) > HEIGHT_WIN_MM + 1e-9) continue;
        acc += column_height(grid, ns, ia);
        nc++;
      }
      hgt[t] = nc ? acc / nc : NAN;
      /* a disc inside the label splits these columns: the smallest gap of
       * the window, so one dark channel does not count */
      if (t < 2) {
        double gmin = INFINITY;
        for (int ia = 0; ia < na; ia++) {
          double av = -HALF_AP_MM + ia * SAMPLE_MM;
          if (fabs(av - at) <= HEIGHT_WIN_MM + 1e-9) gmin = fmin(gmin, column_gap(grid, ns, ia));
        }
        if (isfinite(gmin)) gap[t] = gmin;
      }
    }
    /* anterior and middle only: behind, a tilted disc can leave the level's
     * mask (the lordosis-40 phantom at 4 mm), and a basivertebral vein's
     * channel enters there */
    m->body_gap_mm = fmin(gap[0], gap[1]);
    m->height_anterior_mm = hgt[0];
    m->height_middle_mm = hgt[1];
    m->height_posterior_mm = hgt[2];
    /* a mask edge is known to half a voxel: the voxel's extent along the axis */
    double ext = 0;
    for (int ax = 0; ax < 3; ax++) ext += fabs(A[ax] * up[0] + A[4 + ax] * up[1] + A[8 + ax] * up[2]);
    m->height_resolution_mm = 0.5 * ext;
  }
  free(grid);
  vt_spine_grade(res, (size_t)nl);
  vt_status st = vt_spine_sagittal_endplates(mask, res, (size_t)nl, err); /* sagittal_alignment.c */
  if (st) {
    free(res);
    return st;
  }
  *out = res;
  *n = (size_t)nl;
  return VT_OK;
}

static json_t *num_or_null(double x) { return isfinite(x) ? json_real(round(x * 100) / 100) : json_null(); }

vt_status vt_spine_morphometry_json(const vt_vertebra_morph *v, size_t n, char **json,
                                    vt_error *err) {
  json_t *root = json_object(), *arr = json_array(), *warn = json_array();
  if (!root || !arr || !warn) goto oom;
  for (size_t k = 0; k < n; k++) {
    const vt_vertebra_morph *m = &v[k];
    json_t *o = json_object(), *h = json_object(), *c = json_array();
    if (!o || !h || !c) {
      json_decref(o), json_decref(h), json_decref(c);
      goto oom;
    }
    for (int r = 0; r < 3; r++) json_array_append_new(c, json_real(round(m->centroid_ras_mm[r] * 100) / 100));
    json_object_set_new(h, "anterior", num_or_null(m->height_anterior_mm));
    json_object_set_new(h, "middle", num_or_null(m->height_middle_mm));
    json_object_set_new(h, "posterior", num_or_null(m->height_posterior_mm));
    json_object_set_new(o, "label", json_string(m->label));
    json_object_set_new(o, "verse_label", json_integer(m->verse_label));
    json_object_set_new(o, "confidence", json_real(1.0)); /* labels given by the mask */
    json_object_set_new(o, "centroid_ras_mm", c);
    json_object_set_new(o, "heights_mm", h);
    json_object_set_new(o, "expected_height_mm", num_or_null(m->expected_height_mm));
    json_object_set_new(o, "height_loss", num_or_null(m->height_loss));
    json_object_set_new(o, "genant_grade", m->genant_grade >= 0 ? json_integer(m->genant_grade) : json_null());
    json_object_set_new(o, "genant_grade_range",
                        m->genant_grade >= 0 ? json_pack("[i,i]", m->genant_grade_lo, m->genant_grade_hi) : json_null());
    json_object_set_new(o, "height_resolution_mm", num_or_null(m->height_resolution_mm));
    if (isfinite(m->trabecular_hu_mean))
      json_object_set_new(o, "trabecular_hu", json_pack("{s:o,s:o,s:I}", "mean", num_or_null(m->trabecular_hu_mean),
                                                        "sd", num_or_null(m->trabecular_hu_sd), "voxels",
                                                        (json_int_t)m->trabecular_voxels));
    else
      json_object_set_new(o, "trabecular_hu", json_null()); /* no CT given */
    json_object_set_new(o, "body_mean_hu", num_or_null(m->body_mean_hu));
    json_object_set_new(o, "body_separated", json_boolean(m->body_separated));
    json_array_append_new(arr, o);
    char w[160];
    if (!m->body_separated) {
      snprintf(w, sizeof w, "%s: no spinal canal found in the midline; the whole label is taken as the vertebral body", m->label);
      json_array_append_new(warn, json_string(w));
    }
    if (m->genant_grade >= 0 && m->genant_grade_lo != m->genant_grade_hi && m->genant_grade_hi >= 1) {
      snprintf(w, sizeof w, "%s: Genant grade %d, but %d to %d within the height resolution (+-%.1f mm per "
               "height on this grid)", m->label, m->genant_grade, m->genant_grade_lo, m->genant_grade_hi,
               m->height_resolution_mm);
      json_array_append_new(warn, json_string(w));
    }
    if (m->verse_label == 24 || m->verse_label == 25) {
      snprintf(w, sizeof w, "%s: physiological lordotic wedging makes the Genant grade less reliable", m->label);
      json_array_append_new(warn, json_string(w));
    }
  }
  json_object_set_new(root, "vertebrae", arr);
  json_t *osteo = json_null();
  for (size_t k = 0; k < n; k++) {
    if (v[k].verse_label != 20 || !isfinite(v[k].trabecular_hu_mean)) continue;
    double hu = v[k].trabecular_hu_mean;
    /* Pickhardt PJ et al., Ann Intern Med 2013;158:588-95: L1 trabecular
     * attenuation <= 110 HU is > 90 % specific, <= 160 HU > 90 % sensitive
     * for DXA-defined osteoporosis. */
    const char *cat = hu <= 110.0 ? "osteoporosis likely (<= 110 HU, specific threshold)"
                      : hu <= 160.0 ? "low bone density possible (<= 160 HU, sensitive threshold)"
                                    : "normal bone density likely (> 160 HU)";
    json_decref(osteo);
    osteo = json_pack("{s:s,s:o,s:s,s:s}", "level", "L1", "hu", num_or_null(hu), "category", cat,
                      "threshold_source", "Pickhardt et al., Ann Intern Med 2013;158:588-95");
  }
  json_object_set_new(root, "osteoporosis", osteo ? osteo : json_null());
  size_t bu = 0, bl = 0;
  double best = vt_spine_cobb(v, n, &bu, &bl);
  json_object_set_new(root, "cobb",
                      best >= 0 ? json_pack("{s:o,s:s,s:s,s:s}", "angle_deg", num_or_null(best), "upper",
                                            v[bu].label, "lower", v[bl].label, "method",
                                            "max coronal tilt difference of body principal axes")
                                : json_null());
  if (vt__sagittal_json(root, warn, v, n)) { /* lordosis, kyphosis: sagittal_alignment.c */
    json_decref(root), json_decref(warn);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory rendering JSON");
  }
  json_object_set_new(root, "warnings", warn);
  json_t *units = json_pack("{s:s,s:s,s:s}", "centroid_ras_mm", "mm (NIfTI world, RAS)",
                            "heights_mm", "mm", "hu", "Hounsfield units");
  json_t *meth = json_pack("{s:s,s:s}", "morphometry", "vertebra-morphometry/1 (canal cut, 20/50/80 % depth)",
                           "genant", "Genant 1993 SQ; expected height = max(own posterior, median neighbours within 2 levels)");
  if (units) json_object_set_new(root, "units", units);
  if (meth) json_object_set_new(root, "methods", meth);
  *json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8));
  json_decref(root);
  if (!*json) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory rendering JSON");
  return VT_OK;
oom:
  json_decref(root), json_decref(arr), json_decref(warn);
  return vt_error_set(err, VT_ENOMEM, NULL, "out of memory rendering JSON");
}
