/* volume.c — the float32 volume with its voxel->RAS affine. */
#include "vertebra/volume.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/big_alloc.h"

struct vt_volume {
  size_t dim[3];
  double affine[16];
  float *data;
  size_t mapped; /* for vt__big_free */
};

vt_status vt_volume_new(size_t nx, size_t ny, size_t nz, const double affine[16],
                        vt_volume **out, vt_error *err) {
  if (!nx || !ny || !nz)
    return vt_error_set(err, VT_EINVAL, NULL, "volume size %zux%zux%zu has a zero dimension",
                        nx, ny, nz);
  if (nx > (1u << 20) || ny > (1u << 20) || nz > (1u << 20) ||
      (double)nx * (double)ny * (double)nz > 2147483648.0)
    return vt_error_set(err, VT_ELIMIT, NULL,
                        "volume size %zux%zux%zu exceeds the limit of 2^31 voxels", nx, ny, nz);
  vt_volume *v = calloc(1, sizeof *v);
  if (!v) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  v->data = vt__big_alloc(nx * ny * nz * sizeof(float), &v->mapped);
  if (!v->data) {
    free(v);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory for %zux%zux%zu voxels", nx, ny, nz);
  }
  v->dim[0] = nx;
  v->dim[1] = ny;
  v->dim[2] = nz;
  if (affine) {
    memcpy(v->affine, affine, sizeof v->affine);
  } else {
    v->affine[0] = v->affine[5] = v->affine[10] = v->affine[15] = 1.0;
  }
  *out = v;
  return VT_OK;
}

void vt_volume_free(vt_volume *vol) {
  if (!vol) return;
  vt__big_free(vol->data, vol->mapped);
  free(vol);
}

void vt_volume_dims(const vt_volume *vol, size_t dims[3]) {
  memcpy(dims, vol->dim, sizeof vol->dim);
}

void vt_volume_spacing(const vt_volume *vol, double spacing[3]) {
  for (int c = 0; c < 3; c++) {
    double a = vol->affine[c], b = vol->affine[4 + c], d = vol->affine[8 + c];
    spacing[c] = sqrt(a * a + b * b + d * d);
  }
}

const double *vt_volume_affine(const vt_volume *vol) { return vol->affine; }

void vt_volume_set_affine(vt_volume *vol, const double affine[16]) {
  memcpy(vol->affine, affine, sizeof vol->affine);
}

float *vt_volume_data(vt_volume *vol) { return vol->data; }
const float *vt_volume_cdata(const vt_volume *vol) { return vol->data; }

void vt_volume_voxel_to_world(const vt_volume *vol, const double ijk[3], double ras[3]) {
  const double *m = vol->affine;
  for (int r = 0; r < 3; r++)
    ras[r] = m[4 * r] * ijk[0] + m[4 * r + 1] * ijk[1] + m[4 * r + 2] * ijk[2] + m[4 * r + 3];
}

vt_status vt_volume_world_to_voxel(const vt_volume *vol, const double ras[3], double ijk[3],
                                   vt_error *err) {
  const double *m = vol->affine;
  double a = m[0], b = m[1], c = m[2], d = m[4], e = m[5], f = m[6], g = m[8], h = m[9],
         i = m[10];
  double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (fabs(det) < 1e-12 || !isfinite(det))
    return vt_error_set(err, VT_EINVAL, NULL, "volume affine is singular");
  double x = ras[0] - m[3], y = ras[1] - m[7], z = ras[2] - m[11];
  ijk[0] = ((e * i - f * h) * x - (b * i - c * h) * y + (b * f - c * e) * z) / det;
  ijk[1] = (-(d * i - f * g) * x + (a * i - c * g) * y - (a * f - c * d) * z) / det;
  ijk[2] = ((d * h - e * g) * x - (a * h - b * g) * y + (a * e - b * d) * z) / det;
  return VT_OK;
}
