/* volume.h — a 3-D scalar image with its place in the patient: the one type
 * that image readers produce and image analysis consumes. Voxels are float32
 * (Hounsfield units for CT; label values for masks), x fastest. The geometry is
 * the NIfTI convention: `affine` maps voxel (i, j, k) to world RAS millimetres. */
#ifndef VERTEBRA_VOLUME_H
#define VERTEBRA_VOLUME_H
#include <stddef.h>

#include "vertebra/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_volume vt_volume;

/* Allocates a zero-filled volume of nx*ny*nz voxels with the given voxel->RAS
 * affine (row-major 4x4; last row 0 0 0 1). VT_EINVAL for a zero or
 * absurd size (over 2^31 voxels), VT_ENOMEM. */
VT_API vt_status vt_volume_new(size_t nx, size_t ny, size_t nz, const double affine[16],
                               vt_volume **out, vt_error *err);
VT_API void vt_volume_free(vt_volume *vol);

VT_API void vt_volume_dims(const vt_volume *vol, size_t dims[3]);
/* Voxel sizes in mm: the column norms of the affine's 3x3 part. */
VT_API void vt_volume_spacing(const vt_volume *vol, double spacing[3]);
/* Borrowed row-major 4x4 voxel->RAS matrix. */
VT_API const double *vt_volume_affine(const vt_volume *vol);
VT_API void vt_volume_set_affine(vt_volume *vol, const double affine[16]);
/* Borrowed voxel array, index i + nx*(j + ny*k). */
VT_API float *vt_volume_data(vt_volume *vol);
VT_API const float *vt_volume_cdata(const vt_volume *vol);

/* Voxel (continuous ijk) -> world RAS mm, and back (VT_EINVAL if singular). */
VT_API void vt_volume_voxel_to_world(const vt_volume *vol, const double ijk[3], double ras[3]);
VT_API vt_status vt_volume_world_to_voxel(const vt_volume *vol, const double ras[3],
                                          double ijk[3], vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
