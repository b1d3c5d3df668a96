/* dicom_codecs.c — the compressed pixel codecs of DICOM: JPEG 2000 through
 * OpenJPEG, JPEG-LS through CharLS, baseline/extended JPEG through
 * libjpeg-turbo, and RLE written here (DICOM's RLE is a DICOM-only PackBits
 * variant that no Debian library decodes). */
#include <stdio.h> /* before jpeglib.h, which needs FILE */

#include <charls/charls.h>
#include <jpeglib.h>
#include <openjpeg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/dicom.h"

/* ---- JPEG 2000 (OpenJPEG), from memory ---- */
typedef struct memsrc {
  const unsigned char *p;
  size_t len, pos;
} memsrc;

static OPJ_SIZE_T j2k_read(void *buf, OPJ_SIZE_T n, void *user) {
  memsrc *m = user;
  if (m->pos >= m->len) return (OPJ_SIZE_T)-1;
  size_t k = m->len - m->pos < n ? m->len - m->pos : n;
  memcpy(buf, m->p + m->pos, k);
  m->pos += k;
  return k;
}
static OPJ_OFF_T j2k_skip(OPJ_OFF_T n, void *user) {
  memsrc *m = user;
  if (n < 0) {
    if ((size_t)-n > m->pos) n = -(OPJ_OFF_T)m->pos;
  } else if ((size_t)n > m->len - m->pos) {
    n = (OPJ_OFF_T)(m->len - m->pos);
  }
  m->pos += (size_t)n;
  return n;
}
static OPJ_BOOL j2k_seek(OPJ_OFF_T n, void *user) {
  memsrc *m = user;
  if (n < 0 || (size_t)n > m->len) return OPJ_FALSE;
  m->pos = (size_t)n;
  return OPJ_TRUE;
}
static void j2k_quiet(const char *msg, void *user) {
  (void)msg;
  (void)user;
}

vt_status vt__dcm_decode_j2k(const unsigned char *src, size_t len, const vt__dcm_image *img,
                             int32_t *dst, const char *name, vt_error *err) {
  if (len < 12) return vt_error_set(err, VT_EFORMAT, name, "JPEG 2000: %zu-byte codestream", len);
  int is_jp2 = len >= 12 && !memcmp(src + 4, "jP  ", 4);
  opj_codec_t *codec = opj_create_decompress(is_jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  if (!codec) return vt_error_set(err, VT_ENOMEM, name, "JPEG 2000: cannot create decoder");
  opj_set_info_handler(codec, j2k_quiet, NULL);
  opj_set_warning_handler(codec, j2k_quiet, NULL);
  opj_set_error_handler(codec, j2k_quiet, NULL);
  opj_dparameters_t par;
  opj_set_default_decoder_parameters(&par);
  vt_status st = VT_OK;
  opj_image_t *im = NULL;
  memsrc m = {src, len, 0};
  opj_stream_t *s = opj_stream_create(1 << 16, OPJ_TRUE);
  if (!s || !opj_setup_decoder(codec, &par)) {
    st = vt_error_set(err, VT_ENOMEM, name, "JPEG 2000: cannot set up decoder");
    goto out;
  }
  opj_stream_set_user_data(s, &m, NULL);
  opj_stream_set_user_data_length(s, len);
  opj_stream_set_read_function(s, j2k_read);
  opj_stream_set_skip_function(s, j2k_skip);
  opj_stream_set_seek_function(s, j2k_seek);
  if (!opj_read_header(s, codec, &im) || !opj_decode(codec, s, im) ||
      !opj_end_decompress(codec, s)) {
    st = vt_error_set(err, VT_EFORMAT, name, "JPEG 2000: codestream does not decode (OpenJPEG)");
    goto out;
  }
  if ((int)im->numcomps < img->samples) {
    st = vt_error_set(err, VT_EFORMAT, name, "JPEG 2000: %u components, SamplesPerPixel %d",
                      im->numcomps, img->samples);
    goto out;
  }
  for (int c = 0; c < img->samples; c++) {
    opj_image_comp_t *cp = &im->comps[c];
    if ((int)cp->w != img->cols || (int)cp->h != img->rows || cp->dx != 1 || cp->dy != 1) {
      st = vt_error_set(err, VT_EFORMAT, name, "JPEG 2000: component %d is %ux%u, header says %dx%d", c,
                        cp->w, cp->h, img->cols, img->rows);
      goto out;
    }
    /* PixelRepresentation 1 with an unsigned codestream: the codestream's
     * precision is what was stored; reinterpret as two's complement of
     * BitsStored bits (pydicom's J2K correction). */
    int fix = img->pixel_rep && !cp->sgnd && cp->prec == (OPJ_UINT32)img->bits_stored && cp->prec < 32;
    size_t n = (size_t)img->rows * img->cols;
    for (size_t i = 0; i < n; i++) {
      int32_t v = cp->data[i];
      if (fix && (v >> (cp->prec - 1)) & 1) v -= (int32_t)(1u << cp->prec);
      dst[i * img->samples + c] = v;
    }
  }
out:
  if (im) opj_image_destroy(im);
  if (s) opj_stream_destroy(s);
  opj_destroy_codec(codec);
  return st;
}

/* ---- RLE (PS3.5 Annex G) ---- */
static uint32_t le32(const unsigned char *b) {
  return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

vt_status vt__dcm_decode_rle(const unsigned char *src, size_t len, const vt__dcm_image *img,
                             int32_t *dst, const char *name, vt_error *err) {
  if (len < 64) return vt_error_set(err, VT_EFORMAT, name, "RLE: %zu bytes, header needs 64", len);
  uint32_t nseg = le32(src);
  int bytes = img->bits_alloc / 8;
  if (nseg != (uint32_t)(bytes * img->samples) || nseg > 15)
    return vt_error_set(err, VT_EFORMAT, name, "RLE: %u segments, expected %d", nseg, bytes * img->samples);
  size_t npix = (size_t)img->rows * img->cols;
  unsigned char *plane = malloc(npix);
  if (!plane) return vt_error_set(err, VT_ENOMEM, name, "out of memory");
  size_t nall = npix * img->samples;
  for (size_t i = 0; i < nall; i++) dst[i] = 0;
  for (uint32_t sgi = 0; sgi < nseg; sgi++) {
    size_t a = le32(src + 4 + 4 * sgi);
    size_t b = sgi + 1 < nseg ? le32(src + 8 + 4 * sgi) : len;
    if (a < 64 || a > b || b > len) {
      free(plane);
      return vt_error_set(err, VT_EFORMAT, name, "RLE: segment %u offsets %zu..%zu outside %zu bytes", sgi,
                          a, b, len);
    }
    size_t o = 0, p = a;
    while (o < npix && p < b) {
      int8_t h = (int8_t)src[p++];
      if (h >= 0) {
        size_t k = (size_t)h + 1;
        if (k > b - p) k = b - p;
        if (k > npix - o) k = npix - o;
        memcpy(plane + o, src + p, k);
        o += k;
        p += (size_t)h + 1;
      } else if (h != -128) {
        size_t k = (size_t)(1 - h);
        if (p >= b) break;
        if (k > npix - o) k = npix - o;
        memset(plane + o, src[p++], k);
        o += k;
      }
    }
    if (o < npix) {
      free(plane);
      return vt_error_set(err, VT_EFORMAT, name, "RLE: segment %u decodes to %zu of %zu bytes", sgi, o, npix);
    }
    int sample = (int)(sgi / (uint32_t)bytes), byte = bytes - 1 - (int)(sgi % (uint32_t)bytes);
    for (size_t i = 0; i < npix; i++)
      dst[i * img->samples + sample] |= (int32_t)((uint32_t)plane[i] << (8 * byte));
  }
  free(plane);
  /* sign and BitsStored, as for native data */
  if (img->bits_stored < 32) {
    uint32_t mask = (1u << img->bits_stored) - 1u;
    for (size_t i = 0; i < nall; i++) {
      uint32_t v = (uint32_t)dst[i] & mask;
      dst[i] = (img->pixel_rep && (v >> (img->bits_stored - 1)) & 1u) ? (int32_t)(v | ~mask) : (int32_t)v;
    }
  }
  return VT_OK;
}

/* ---- JPEG-LS (CharLS) ---- */
vt_status vt__dcm_decode_jls(const unsigned char *src, size_t len, const vt__dcm_image *img,
                             int32_t *dst, const char *name, vt_error *err) {
  charls_jpegls_decoder *d = charls_jpegls_decoder_create();
  if (!d) return vt_error_set(err, VT_ENOMEM, name, "JPEG-LS: cannot create decoder");
  vt_status st = VT_OK;
  void *buf = NULL;
  charls_frame_info fi;
  size_t need = 0;
  charls_jpegls_errc ec = charls_jpegls_decoder_set_source_buffer(d, src, len);
  if (!ec) ec = charls_jpegls_decoder_read_header(d);
  if (!ec) ec = charls_jpegls_decoder_get_frame_info(d, &fi);
  if (ec) {
    st = vt_error_set(err, VT_EFORMAT, name, "JPEG-LS: %s", charls_get_error_message(ec));
    goto out;
  }
  if ((int)fi.width != img->cols || (int)fi.height != img->rows || fi.component_count != img->samples) {
    st = vt_error_set(err, VT_EFORMAT, name, "JPEG-LS: frame %ux%ux%d, header says %dx%dx%d", fi.width,
                      fi.height, fi.component_count, img->cols, img->rows, img->samples);
    goto out;
  }
  ec = charls_jpegls_decoder_get_destination_size(d, 0, &need);
  if (ec) {
    st = vt_error_set(err, VT_EFORMAT, name, "JPEG-LS: %s", charls_get_error_message(ec));
    goto out;
  }
  buf = malloc(need ? need : 1);
  if (!buf) {
    st = vt_error_set(err, VT_ENOMEM, name, "out of memory");
    goto out;
  }
  ec = charls_jpegls_decoder_decode_to_buffer(d, buf, need, 0);
  if (ec) {
    st = vt_error_set(err, VT_EFORMAT, name, "JPEG-LS: %s", charls_get_error_message(ec));
    goto out;
  }
  {
    size_t n = (size_t)img->rows * img->cols * img->samples;
    int bps = fi.bits_per_sample > 8 ? 2 : 1;
    if (need < n * bps) {
      st = vt_error_set(err, VT_EFORMAT, name, "JPEG-LS: decoded %zu bytes, need %zu", need, n * bps);
      goto out;
    }
    int bits = img->bits_stored < fi.bits_per_sample ? img->bits_stored : fi.bits_per_sample;
    for (size_t i = 0; i < n; i++) {
      uint32_t v = bps == 1 ? ((unsigned char *)buf)[i] : ((uint16_t *)buf)[i];
      int32_t s = (int32_t)v;
      if (img->pixel_rep && bits > 0 && bits < 32 && (v >> (bits - 1)) & 1u) s = (int32_t)v - (int32_t)(1u << bits);
      dst[i] = s;
    }
  }
out:
  free(buf);
  charls_jpegls_decoder_destroy(d);
  return st;
}

/* ---- JPEG baseline / extended (libjpeg-turbo, 8-bit) ---- */
typedef struct jerr {
  struct jpeg_error_mgr pub;
  jmp_buf jb;
  char msg[JMSG_LENGTH_MAX];
} jerr;

static void jpeg_fail(j_common_ptr c) {
  jerr *e = (jerr *)c->err;
  (*c->err->format_message)(c, e->msg);
  longjmp(e->jb, 1);
}
static void jpeg_silent(j_common_ptr c, int level) {
  (void)c;
  (void)level;
}

vt_status vt__dcm_jpeg_decode(const unsigned char *src, size_t len, const vt__dcm_image *img,
                              int32_t *dst, const char *name, vt_error *err) {
  /* libjpeg-turbo 2.1 in Debian 12 is built for 8-bit samples only. */
  if (img->bits_stored > 8)
    return vt_error_set(err, VT_EUNSUPPORTED, name,
                        "JPEG extended with %d-bit samples: Debian 12's libjpeg-turbo decodes 8-bit only",
                        img->bits_stored);
  struct jpeg_decompress_struct c;
  jerr je;
  c.err = jpeg_std_error(&je.pub);
  je.pub.error_exit = jpeg_fail;
  je.pub.emit_message = jpeg_silent;
  JSAMPLE *row = NULL;
  if (setjmp(je.jb)) {
    jpeg_destroy_decompress(&c);
    free(row);
    return vt_error_set(err, VT_EFORMAT, name, "JPEG: %s", je.msg);
  }
  jpeg_create_decompress(&c);
  jpeg_mem_src(&c, src, (unsigned long)len);
  jpeg_read_header(&c, TRUE);
  if (c.data_precision > 8) {
    jpeg_destroy_decompress(&c);
    return vt_error_set(err, VT_EUNSUPPORTED, name, "JPEG: %d-bit precision (8-bit only)", c.data_precision);
  }
  /* DICOM's photometric interpretation says whether YBR is to be converted;
   * keep RGB output for colour, which is what dcm2niix and pydicom return. */
  if (img->samples == 1) c.out_color_space = JCS_GRAYSCALE;
  else c.out_color_space = JCS_RGB;
  jpeg_start_decompress(&c);
  if ((int)c.output_width != img->cols || (int)c.output_height != img->rows ||
      c.output_components != img->samples) {
    jpeg_destroy_decompress(&c);
    return vt_error_set(err, VT_EFORMAT, name, "JPEG: frame %ux%ux%d, header says %dx%dx%d", c.output_width,
                        c.output_height, c.output_components, img->cols, img->rows, img->samples);
  }
  size_t stride = (size_t)c.output_width * c.output_components;
  row = malloc(stride);
  if (!row) {
    jpeg_destroy_decompress(&c);
    return vt_error_set(err, VT_ENOMEM, name, "out of memory");
  }
  while (c.output_scanline < c.output_height) {
    size_t y = c.output_scanline;
    JSAMPROW r = row;
    jpeg_read_scanlines(&c, &r, 1);
    for (size_t i = 0; i < stride; i++) dst[y * stride + i] = row[i];
  }
  jpeg_finish_decompress(&c);
  jpeg_destroy_decompress(&c);
  free(row);
  return VT_OK;
}
