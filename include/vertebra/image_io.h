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

/* As vt_volume_write_nifti, but voxels whose `keep` byte is 0 are written as
 * 0 (keep: one byte per voxel in the volume's order; NULL keeps all). Writes
 * a subset of a label mask (e.g. the vertebral bodies of a vertebra mask)
 * without a second float copy of the volume. */
VT_API vt_status vt_volume_write_nifti_masked(const vt_volume *vol, const unsigned char *keep,
                                              const char *path, vt_nifti_dtype dtype, vt_error *err);

/* ---- DICOM ---- */

#define VT_DICOM_MAX_WARNINGS 16
#define VT_DICOM_WARNING_MAX 256

/* What a DICOM series load found, filled by vt_volume_read_dicom_*; warnings
 * (uneven spacing, gantry tilt, skipped files, ...) are returned here, never
 * printed. Plain struct: declare it on the stack. */
typedef struct vt_dicom_info {
  char series_uid[65];
  char modality[17];           /* "CT", "MR", ...: analysis should refuse non-CT */
  char series_description[65];
  char transfer_syntax[65];    /* of the first slice */
  int is_ct;                   /* Modality == "CT" */
  size_t nslices;              /* images in the volume */
  size_t nseries;              /* series found in the folder */
  size_t nskipped;             /* files that were not DICOM images of this series */
  double slice_spacing;        /* mm, from ImagePositionPatient (median step) */
  size_t nwarnings;            /* may exceed VT_DICOM_MAX_WARNINGS; extra are dropped */
  char warnings[VT_DICOM_MAX_WARNINGS][VT_DICOM_WARNING_MAX];
} vt_dicom_info;

/* Options for a DICOM load; zero-initialise for the defaults. */
typedef struct vt_dicom_options {
  const char *series_uid; /* pick this series; NULL: the folder must hold exactly one */
  size_t min_slices;      /* refuse series with fewer images (0 means 1); 2 refuses 2-D */
} vt_dicom_options;

/* Loads one DICOM series from the folder `dir` (not recursive) into a new
 * float32 volume in Hounsfield units (RescaleSlope/Intercept applied) with the
 * NIfTI RAS affine that dcm2niix writes (rows flipped so that j runs
 * posterior->anterior for axial images). Slices are ordered by
 * ImagePositionPatient projected on the slice normal. `info` (may be NULL)
 * receives the series facts and warnings. `opts` may be NULL.
 * Statuses: VT_EIO, VT_ENOTFOUND (no DICOM images, or series_uid absent),
 * VT_EINVAL (several series and none chosen: the message lists them),
 * VT_EFORMAT (inconsistent slices, duplicate positions, malformed files),
 * VT_EUNSUPPORTED, VT_ELIMIT, VT_ENOMEM. The caller frees *out. */
VT_API vt_status vt_volume_read_dicom_dir(const char *dir, const vt_dicom_options *opts,
                                          vt_volume **out, vt_dicom_info *info, vt_error *err);

/* The same for one DICOM file (a single image, or a multi-frame image whose
 * frames are stacked along the normal using SpacingBetweenSlices). */
VT_API vt_status vt_volume_read_dicom_file(const char *path, const vt_dicom_options *opts,
                                           vt_volume **out, vt_dicom_info *info, vt_error *err);

/* Opens whatever `path` is: a folder (DICOM series), a .nii/.nii.gz file
 * (NIfTI) or another file (DICOM). `info` may be NULL and is only filled for
 * DICOM. Statuses as the readers above. */
VT_API vt_status vt_volume_read(const char *path, vt_volume **out, vt_dicom_info *info,
                                vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
