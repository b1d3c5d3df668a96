/* bone_hu.c — trabecular ROI and whole-body mean HU per vertebral body, given
 * the CT and a vertebra label mask on the same grid (rule in spine.h). */
#include <math.h>
#include <string.h>

#include "vertebra/spine.h"

typedef struct {
  const vt_volume *mask;
  const float *lab;
  size_t dim[3];
} grid;

static int body_at(const grid *g, const vt_vertebra_morph *m, long i, long j, long k) {
  if (i < 0 || j < 0 || k < 0 || (size_t)i >= g->dim[0] || (size_t)j >= g->dim[1] || (size_t)k >= g->dim[2])
    return 0;
  float v = g->lab[(size_t)i + g->dim[0] * ((size_t)j + g->dim[1] * (size_t)k)];
  if (lrintf(v) != m->verse_label) return 0;
  double ijk[3] = {(double)i, (double)j, (double)k}, p[3];
  vt_volume_voxel_to_world(g->mask, ijk, p);
  double a = 0;
  for (int r = 0; r < 3; r++) a += (p[r] - m->whole_centroid_ras_mm[r]) * m->axis_ap[r];
  return a >= m->cut_ap_mm;
}

vt_status vt_spine_bone_hu(const vt_volume *ct, const vt_volume *mask, vt_vertebra_morph *m,
                           size_t n, vt_error *err) {
  grid g = {mask, vt_volume_cdata(mask), {0}};
  size_t cd[3];
  vt_volume_dims(mask, g.dim);
  vt_volume_dims(ct, cd);
  const double *a = vt_volume_affine(ct), *b = vt_volume_affine(mask);
  int same = cd[0] == g.dim[0] && cd[1] == g.dim[1] && cd[2] == g.dim[2];
  for (int q = 0; q < 12 && same; q++) same = fabs(a[q] - b[q]) <= 1e-3 * (1 + fabs(a[q]));
  if (!same)
    return vt_error_set(err, VT_EINVAL, "mask", "the label mask (%zux%zux%zu) is not on the CT's grid (%zux%zux%zu) or affine",
                        g.dim[0], g.dim[1], g.dim[2], cd[0], cd[1], cd[2]);
  double sp[3];
  vt_volume_spacing(mask, sp);
  long rr[3];
  for (int r = 0; r < 3; r++) rr[r] = lround(VT_ROI_EROSION_MM / sp[r]) > 0 ? lround(VT_ROI_EROSION_MM / sp[r]) : 1;
  const float *hu = vt_volume_cdata(ct);
  int index[VT_VERSE_MAX_LABEL + 1];
  for (int l = 0; l <= VT_VERSE_MAX_LABEL; l++) index[l] = -1;
  for (size_t t = 0; t < n; t++)
    if (m[t].verse_label > 0 && m[t].verse_label <= VT_VERSE_MAX_LABEL) index[m[t].verse_label] = (int)t;
  double bsum[VT_VERSE_MAX_LABEL + 1] = {0}, tsum[VT_VERSE_MAX_LABEL + 1] = {0},
         tsq[VT_VERSE_MAX_LABEL + 1] = {0};
  size_t bn[VT_VERSE_MAX_LABEL + 1] = {0}, tn[VT_VERSE_MAX_LABEL + 1] = {0};
  for (size_t k = 0; k < g.dim[2]; k++)
    for (size_t j = 0; j < g.dim[1]; j++)
      for (size_t i = 0; i < g.dim[0]; i++) {
        size_t q = i + g.dim[0] * (j + g.dim[1] * k);
        float v = g.lab[q];
        if (!(v >= 0.5f && v < VT_VERSE_MAX_LABEL + 0.5f)) continue;
        int l = (int)lrintf(v);
        if (index[l] < 0) continue;
        const vt_vertebra_morph *mm = &m[index[l]];
        if (!body_at(&g, mm, (long)i, (long)j, (long)k)) continue;
        double x = hu[q];
        bsum[l] += x;
        bn[l]++;
        double ijk[3] = {(double)i, (double)j, (double)k}, p[3], s = 0;
        vt_volume_voxel_to_world(mask, ijk, p);
        for (int r = 0; r < 3; r++) s += (p[r] - mm->centroid_ras_mm[r]) * mm->axis_up[r];
        if (fabs(s) > VT_ROI_HALF_SLAB_MM) continue;
        long I = (long)i, J = (long)j, K = (long)k;
        if (!body_at(&g, mm, I - rr[0], J, K) || !body_at(&g, mm, I + rr[0], J, K) ||
            !body_at(&g, mm, I, J - rr[1], K) || !body_at(&g, mm, I, J + rr[1], K) ||
            !body_at(&g, mm, I, J, K - rr[2]) || !body_at(&g, mm, I, J, K + rr[2]))
          continue;
        tsum[l] += x;
        tsq[l] += x * x;
        tn[l]++;
      }
  for (size_t t = 0; t < n; t++) {
    int l = m[t].verse_label;
    if (l <= 0 || l > VT_VERSE_MAX_LABEL) continue;
    m[t].body_mean_hu = bn[l] ? bsum[l] / (double)bn[l] : NAN;
    m[t].trabecular_voxels = tn[l];
    if (tn[l]) {
      double mean = tsum[l] / (double)tn[l], var = tn[l] > 1 ? (tsq[l] - tn[l] * mean * mean) / (double)(tn[l] - 1) : 0;
      m[t].trabecular_hu_mean = mean;
      m[t].trabecular_hu_sd = sqrt(var > 0 ? var : 0);
    } else {
      m[t].trabecular_hu_mean = m[t].trabecular_hu_sd = NAN;
    }
  }
  return VT_OK;
}
