/* dicom.h — internal DICOM Part 10 parsing: one file's image attributes and
 * where its pixel data lie, and decoding of one frame to float (rescaled). */
#ifndef VT_IO_DICOM_H
#define VT_IO_DICOM_H
#include <stddef.h>
#include <stdint.h>

#include "vertebra/status.h"

#define VT_DCM_MAX_DEPTH 64            /* sequence nesting limit */
#define VT_DCM_MAX_ELEMENTS 1000000    /* elements per file, all levels */
#define VT_DCM_MAX_FRAGMENTS 65536     /* encapsulated pixel fragments */
#define VT_DCM_MAX_INFLATED (1u << 30) /* deflated data set, inflated */

typedef enum vt__dcm_ts_kind {
  VT_DCM_TS_NATIVE,   /* uncompressed (implicit/explicit LE, explicit BE, deflated) */
  VT_DCM_TS_JPEG,     /* baseline / extended (process 1, 2 & 4) */
  VT_DCM_TS_JPEG_LL,  /* lossless process 14 (any predictor, SV1 included) */
  VT_DCM_TS_JPEG_LS,
  VT_DCM_TS_J2K,
  VT_DCM_TS_RLE,
  VT_DCM_TS_OTHER
} vt__dcm_ts_kind;

typedef struct vt__dcm_frag {
  size_t off, len;
} vt__dcm_frag;

typedef struct vt__dcm_image {
  char ts_uid[65];
  int explicit_vr, big_endian, deflated;
  vt__dcm_ts_kind kind;
  char series_uid[65], sop_uid[65], modality[17], photometric[17], series_desc[65];
  int rows, cols, frames, samples, bits_alloc, bits_stored, high_bit, pixel_rep, planar;
  int instance;
  double slope, inter;
  int has_ipp, has_iop, has_spacing, has_between;
  double ipp[3], iop[6], spacing[2], between, thickness, gantry_tilt;
  /* pixel data: `base` is the file bytes or the inflated data set (owned) */
  const unsigned char *base;
  size_t base_len;
  unsigned char *owned;
  int has_pixels, encapsulated;
  size_t pix_off, pix_len;
  vt__dcm_frag *frags; /* owned */
  size_t nfrags;
  size_t *bot; /* basic offset table entries (owned), relative to first fragment item */
  size_t nbot;
} vt__dcm_image;

/* Parses the Part 10 file `data[0..len)` (borrowed; must outlive `img`). `name`
 * names the file in errors. VT_EFORMAT with the offset and element,
 * VT_ELIMIT, VT_EUNSUPPORTED, VT_ENOMEM. Frees nothing on failure (call
 * vt__dcm_image_free, which is always safe after this call). */
vt_status vt__dcm_parse(const unsigned char *data, size_t len, const char *name,
                        vt__dcm_image *img, vt_error *err);
void vt__dcm_image_free(vt__dcm_image *img);

/* Decodes frame `frame` (0-based) to rows*cols floats, channel 0 for colour,
 * with RescaleSlope/Intercept applied. MONOCHROME1 values are kept as stored
 * (not inverted), as dcm2niix does. VT_EFORMAT, VT_EUNSUPPORTED, VT_ENOMEM. */
vt_status vt__dcm_decode_frame(const vt__dcm_image *img, int frame, const char *name,
                               float *out, vt_error *err);

/* Decoders for one compressed frame into rows*cols*samples int32 samples
 * (interleaved channels, sign already applied). */
vt_status vt__dcm_decode_j2k(const unsigned char *src, size_t len, const vt__dcm_image *img,
                             int32_t *dst, const char *name, vt_error *err);
vt_status vt__dcm_decode_rle(const unsigned char *src, size_t len, const vt__dcm_image *img,
                             int32_t *dst, const char *name, vt_error *err);
vt_status vt__dcm_decode_jls(const unsigned char *src, size_t len, const vt__dcm_image *img,
                             int32_t *dst, const char *name, vt_error *err);
#endif
