/* dicom_pixels.c — turns one DICOM frame (native or encapsulated) into float
 * samples with the modality rescale applied; picks the codec by transfer syntax. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/dicom.h"

static vt_status bad(vt_error *err, vt_status st, const char *name, const char *fmt, ...)
    VT_PRINTF(4, 5);
static vt_status bad(vt_error *err, vt_status st, const char *name, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vt_error_setv(err, st, name, fmt, ap);
  va_end(ap);
  return st;
}

/* Native (uncompressed) samples of one frame. */
static vt_status native_frame(const vt__dcm_image *img, int frame, const char *name, int32_t *dst,
                              vt_error *err) {
  size_t npix = (size_t)img->rows * img->cols * img->samples;
  if (img->bits_alloc == 1) {
    /* bit-packed (segmentations): frames follow each other bit by bit, LSB first */
    size_t first = (size_t)frame * npix;
    if ((first + npix + 7) / 8 > img->pix_len)
      return bad(err, VT_EFORMAT, name, "pixel data: %zu bytes hold fewer than %d 1-bit frame(s) of %zu pixels",
                 img->pix_len, frame + 1, npix);
    const unsigned char *p = img->base + img->pix_off;
    for (size_t i = 0; i < npix; i++) dst[i] = (p[(first + i) >> 3] >> ((first + i) & 7)) & 1;
    return VT_OK;
  }
  if (img->samples == 3 && !strncmp(img->photometric, "YBR_FULL_422", 12))
    return bad(err, VT_EUNSUPPORTED, name,
               "uncompressed YBR_FULL_422 (chroma subsampled by 2) is not supported");
  size_t bpp = (size_t)img->bits_alloc / 8;
  size_t fbytes = npix * bpp;
  if ((size_t)frame * fbytes + fbytes > img->pix_len)
    return bad(err, VT_EFORMAT, name,
               "pixel data: %zu bytes hold fewer than %d frame(s) of %zu bytes (%dx%dx%d, %d bits)",
               img->pix_len, frame + 1, fbytes, img->cols, img->rows, img->samples, img->bits_alloc);
  const unsigned char *p = img->base + img->pix_off + (size_t)frame * fbytes;
  int shift = img->high_bit + 1 - img->bits_stored;
  if (shift < 0) shift = 0;
  uint32_t mask = img->bits_stored >= 32 ? 0xFFFFFFFFu : ((1u << img->bits_stored) - 1u);
  for (size_t i = 0; i < npix; i++) {
    uint32_t v;
    const unsigned char *b = p + i * bpp;
    if (bpp == 1) v = b[0];
    else if (bpp == 2) v = img->big_endian ? (uint32_t)(b[0] << 8 | b[1]) : (uint32_t)(b[1] << 8 | b[0]);
    else v = img->big_endian ? ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3])
                             : ((uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0]);
    v = (v >> shift) & mask;
    int32_t s;
    if (img->pixel_rep && img->bits_stored < 32 && (v >> (img->bits_stored - 1)) & 1u)
      s = (int32_t)(v | ~mask);
    else
      s = (int32_t)v;
    dst[i] = s;
  }
  return VT_OK;
}

/* Finds the bytes of frame `frame` among the fragments; *owned is set when the
 * fragments had to be joined (caller frees). */
static vt_status frame_bytes(const vt__dcm_image *img, int frame, const char *name,
                             const unsigned char **src, size_t *len, unsigned char **owned,
                             vt_error *err) {
  *owned = NULL;
  if (!img->nfrags) return bad(err, VT_EFORMAT, name, "pixel data: encapsulated but no fragments");
  size_t first, last; /* fragment range [first, last) */
  if (img->frames == 1) {
    first = 0;
    last = img->nfrags;
  } else if (img->nbot == (size_t)img->frames) {
    /* Offsets are from the first fragment's item tag (8 bytes before its value). */
    size_t start0 = img->frags[0].off - 8;
    size_t want = start0 + img->bot[frame];
    size_t want_end = frame + 1 < img->frames ? start0 + img->bot[frame + 1] : SIZE_MAX;
    first = last = SIZE_MAX;
    for (size_t i = 0; i < img->nfrags; i++) {
      size_t item = img->frags[i].off - 8;
      if (item == want) first = i;
      if (first != SIZE_MAX && item >= want_end) {
        last = i;
        break;
      }
    }
    if (first == SIZE_MAX)
      return bad(err, VT_EFORMAT, name, "pixel data: basic offset table entry %d (%zu) is not a fragment start",
                 frame, img->bot[frame]);
    if (last == SIZE_MAX) last = img->nfrags;
  } else if (img->nfrags == (size_t)img->frames) {
    first = (size_t)frame;
    last = first + 1;
  } else {
    return bad(err, VT_EUNSUPPORTED, name,
               "pixel data: %d frames in %zu fragments with no usable basic offset table", img->frames,
               img->nfrags);
  }
  if (last - first == 1) {
    *src = img->base + img->frags[first].off;
    *len = img->frags[first].len;
    return VT_OK;
  }
  size_t total = 0;
  for (size_t i = first; i < last; i++) total += img->frags[i].len;
  unsigned char *b = malloc(total ? total : 1);
  if (!b) return bad(err, VT_ENOMEM, name, "out of memory joining %zu fragments", last - first);
  size_t o = 0;
  for (size_t i = first; i < last; i++) {
    memcpy(b + o, img->base + img->frags[i].off, img->frags[i].len);
    o += img->frags[i].len;
  }
  *src = b;
  *len = total;
  *owned = b;
  return VT_OK;
}

vt_status vt__dcm_jpeg_decode(const unsigned char *src, size_t len, const vt__dcm_image *img,
                              int32_t *dst, const char *name, vt_error *err);
vt_status vt__dcm_jpeg_ll_decode(const unsigned char *src, size_t len, const vt__dcm_image *img,
                                 int32_t *dst, const char *name, vt_error *err);

vt_status vt__dcm_decode_frame(const vt__dcm_image *img, int frame, const char *name, float *out,
                               vt_error *err) {
  if (!img->has_pixels) return bad(err, VT_EFORMAT, name, "no pixel data (7FE0,0010)");
  if (img->rows <= 0 || img->cols <= 0)
    return bad(err, VT_EFORMAT, name, "Rows %d / Columns %d are not positive", img->rows, img->cols);
  if (img->rows > 65535 || img->cols > 65535) return bad(err, VT_ELIMIT, name, "image too large");
  if (img->samples != 1 && img->samples != 3)
    return bad(err, VT_EUNSUPPORTED, name, "SamplesPerPixel %d (only 1 or 3)", img->samples);
  if (img->bits_alloc != 8 && img->bits_alloc != 16 && img->bits_alloc != 32 &&
      !(img->bits_alloc == 1 && !img->encapsulated))
    return bad(err, VT_EUNSUPPORTED, name, "BitsAllocated %d (only 1, 8, 16 or 32)", img->bits_alloc);
  if (img->bits_stored < 1 || img->bits_stored > img->bits_alloc)
    return bad(err, VT_EFORMAT, name, "BitsStored %d does not fit BitsAllocated %d", img->bits_stored,
               img->bits_alloc);
  if (img->high_bit < img->bits_stored - 1 || img->high_bit >= img->bits_alloc)
    return bad(err, VT_EFORMAT, name, "HighBit %d inconsistent with BitsStored %d", img->high_bit,
               img->bits_stored);
  if (img->frames < 1 || frame < 0 || frame >= img->frames)
    return bad(err, VT_EINVAL, name, "frame %d of %d", frame, img->frames);
  if (!isfinite(img->slope) || !isfinite(img->inter) || img->slope == 0.0)
    return bad(err, VT_EFORMAT, name, "RescaleSlope %g / RescaleIntercept %g unusable", img->slope,
               img->inter);
  size_t npix = (size_t)img->rows * img->cols;
  int32_t *s = malloc(npix * img->samples * sizeof *s);
  if (!s) return bad(err, VT_ENOMEM, name, "out of memory");
  vt_status st;
  if (!img->encapsulated && img->kind != VT_DCM_TS_NATIVE) {
    st = bad(err, VT_EFORMAT, name, "transfer syntax %s is compressed but pixel data are not encapsulated",
             img->ts_uid);
  } else if (!img->encapsulated) {
    st = native_frame(img, frame, name, s, err);
  } else {
    const unsigned char *src = NULL;
    size_t len = 0;
    unsigned char *owned = NULL;
    st = frame_bytes(img, frame, name, &src, &len, &owned, err);
    if (st == VT_OK) {
      switch (img->kind) {
        case VT_DCM_TS_J2K: st = vt__dcm_decode_j2k(src, len, img, s, name, err); break;
        case VT_DCM_TS_RLE: st = vt__dcm_decode_rle(src, len, img, s, name, err); break;
        case VT_DCM_TS_JPEG_LS: st = vt__dcm_decode_jls(src, len, img, s, name, err); break;
        case VT_DCM_TS_JPEG: st = vt__dcm_jpeg_decode(src, len, img, s, name, err); break;
        case VT_DCM_TS_JPEG_LL: st = vt__dcm_jpeg_ll_decode(src, len, img, s, name, err); break;
        default:
          st = bad(err, VT_EUNSUPPORTED, name, "transfer syntax %s is not supported", img->ts_uid);
      }
    }
    free(owned);
  }
  if (st == VT_OK) {
    int planar = img->samples == 3 && img->planar == 1 && !img->encapsulated;
    for (size_t i = 0; i < npix; i++) {
      int32_t v = planar ? s[i] : s[i * img->samples];
      out[i] = (float)((double)v * img->slope + img->inter);
    }
  }
  free(s);
  return st;
}
