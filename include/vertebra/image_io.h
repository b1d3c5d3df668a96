/* image_io.h — reading and writing CT volumes: NIfTI-1/-2 files (.nii, .nii.gz)
 * in and out of a vt_volume (float32 voxels, voxel->RAS affine). */
#ifndef VERTEBRA_IMAGE_IO_H
#define VERTEBRA_IMAGE_IO_H
#include "vertebra/status.h"
#include "vertebra/volume.h"

#ifdef __cplusplus
extern "C" {
#endif

/* On-disk voxel types for vt_volume_write_nifti (the NIfTI DT_* codes). */
typedef enum vt_nifti_dtype {
  VT_NIFTI_UINT8 = 2,
  VT_NIFTI_INT16 = 4,
  VT_NIFTI_INT32 = 8,
  VT_NIFTI_FLOAT32 = 16,
  VT_NIFTI_FLOAT64 = 64,
  VT_NIFTI_INT8 = 256,
  VT_NIFTI_UINT16 = 512
} vt_nifti_dtype;

/* Reads a NIfTI-1 or NIfTI-2 file (.nii or .nii.gz; any real scalar datatype)
 * into a new float32 volume with scl_slope/scl_inter applied (slope 0 means
 * no scaling). The affine is the sform when sform_code > 0, else the qform
 * when qform_code > 0, else diag(pixdim). A 4-D file is accepted only when
 * dims 4..7 are 1. The caller frees *out with vt_volume_free.
 * Statuses: VT_EIO (cannot open/read), VT_EFORMAT (bad magic, dims, spacing,
 * non-finite affine, truncated voxel data), VT_EUNSUPPORTED (complex/RGB
 * datatypes, more than one volume), VT_ELIMIT (over 2^31 voxels), VT_ENOMEM. */
VT_API vt_status vt_volume_read_nifti(const char *path, vt_volume **out, vt_error *err);

/* Writes `vol` as a single-file NIfTI-1 (gzip-compressed when `path` ends in
 * ".gz") with both sform and qform (codes 1, scanner) set from the affine.
 * Integer datatypes round to nearest; a voxel that does not fit the type (or is
 * NaN) fails with VT_EINVAL and nothing is written. The file appears
 * atomically (temp file + rename): no partial output on failure.
 * Statuses: VT_EINVAL (bad datatype, value out of range), VT_EIO, VT_ENOMEM. */
VT_API vt_status vt_volume_write_nifti(const vt_volume *vol, const char *path,
                                       vt_nifti_dtype dtype, vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
