/* nifti_fixture.h — test-only loader of reference NIfTI masks through
 * libnifti2 (sform, else qform), so the morphometry tests can read ../shared
 * data before the library's own reader (include/vertebra/image_io.h, helper
 * ct-io) lands; replace with vt_volume_read_nifti then. */
#ifndef VT_TEST_NIFTI_FIXTURE_H
#define VT_TEST_NIFTI_FIXTURE_H
#include <nifti2_io.h>

#include "vertebra/volume.h"

static vt_volume *fixture_load_nifti(const char *path) {
  nifti_image *im = nifti_image_read(path, 1);
  if (!im) return NULL;
  vt_volume *v = NULL;
  vt_error err;
  double aff[16] = {0};
  nifti_dmat44 m = im->sform_code > 0 ? im->sto_xyz : im->qto_xyz;
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++) aff[4 * r + c] = m.m[r][c];
  if (im->ndim < 3 || vt_volume_new((size_t)im->nx, (size_t)im->ny, (size_t)im->nz, aff, &v, &err) != VT_OK) {
    nifti_image_free(im);
    return NULL;
  }
  float *d = vt_volume_data(v);
  size_t n = (size_t)im->nx * (size_t)im->ny * (size_t)im->nz;
  double sl = im->scl_slope != 0 ? im->scl_slope : 1, in = im->scl_inter;
  for (size_t i = 0; i < n; i++) {
    double x;
    switch (im->datatype) {
      case DT_UINT8: x = ((unsigned char *)im->data)[i]; break;
      case DT_INT16: x = ((short *)im->data)[i]; break;
      case DT_UINT16: x = ((unsigned short *)im->data)[i]; break;
      case DT_INT32: x = ((int *)im->data)[i]; break;
      case DT_FLOAT32: x = ((float *)im->data)[i]; break;
      case DT_FLOAT64: x = ((double *)im->data)[i]; break;
      default: vt_volume_free(v); nifti_image_free(im); return NULL;
    }
    d[i] = (float)(x * sl + in);
  }
  nifti_image_free(im);
  return v;
}
#endif
