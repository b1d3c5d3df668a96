/* test_dicom_corpus.c — every file of the shared DICOM corpora (pydicom's test
 * files, pydicom-data, dcm_qa_ts) either decodes to the values pydicom reads
 * (sum of frame 0, channel 0, rescaled) or is refused with the expected status
 * and reason. Files pydicom cannot decode here (no JPEG-LS/lossless/12-bit
 * handler installed) are checked against pydicom's sum for the same image in
 * an uncompressed sibling file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/core/buf.h"
#include "../../../src/io/dicom.h"
#include "vt_test.h"

#define NA NAN
typedef struct row {
  const char *file;
  vt_status want;
  double sum;        /* pydicom's value (or sibling's) when want == VT_OK */
  double rel_tol;    /* relative tolerance: 0 for lossless */
  const char *why;   /* substring of the message when refused, or the sibling */
} row;

static const row rows[] = {
    {"pydicom_debian/CT_small.dcm", VT_OK, -1950906.0, 0, NULL},
    {"pydicom_debian/ExplVR_BigEnd.dcm", VT_OK, 1204602.0, 0, NULL},
    {"pydicom_debian/ExplVR_BigEndNoMeta.dcm", VT_EFORMAT, NA, 0, "no pixel data"}, /* RT plan */
    {"pydicom_debian/ExplVR_LitEndNoMeta.dcm", VT_EFORMAT, NA, 0, "no pixel data"},
    /* pydicom/Pillow fail on this YBR_RCT J2K; OpenJPEG decodes it: check only that */
    {"pydicom_debian/GDCMJ2K_TextGBR.dcm", VT_OK, NA, 0, NULL},
    {"pydicom_debian/J2K_pixelrep_mismatch.dcm", VT_OK, -172605258.0, 0, NULL},
    {"pydicom_debian/JPEG-lossy.dcm", VT_EUNSUPPORTED, NA, 0, "8-bit only"},
    {"pydicom_debian/JPEG2000.dcm", VT_OK, 3527976.0, 0, NULL},
    {"pydicom_debian/JPGExtended.dcm", VT_EUNSUPPORTED, NA, 0, "8-bit only"},
    {"pydicom_debian/MR_small.dcm", VT_OK, 2125338.0, 0, NULL},
    {"pydicom_debian/MR_small_RLE.dcm", VT_OK, 2125338.0, 0, NULL},
    {"pydicom_debian/MR_small_bigendian.dcm", VT_OK, 2125338.0, 0, NULL},
    {"pydicom_debian/MR_small_expb.dcm", VT_OK, 2125338.0, 0, NULL},
    {"pydicom_debian/MR_small_implicit.dcm", VT_OK, 2125338.0, 0, NULL},
    {"pydicom_debian/MR_small_jp2klossless.dcm", VT_OK, 2125338.0, 0, NULL},
    {"pydicom_debian/MR_small_jpeg_ls_lossless.dcm", VT_OK, 2125338.0, 0, "MR_small.dcm"},
    {"pydicom_debian/MR_small_padded.dcm", VT_OK, 2125338.0, 0, NULL},
    {"pydicom_debian/MR_truncated.dcm", VT_EFORMAT, NA, 0, "length 8192 exceeds"},
    /* lossy JPEG: libjpeg-turbo and Pillow differ in YCbCr->RGB rounding */
    {"pydicom_debian/SC_rgb_jpeg_dcmtk.dcm", VT_OK, 1276900.0, 0.001, NULL},
    {"pydicom_debian/SC_rgb_rle.dcm", VT_OK, 1277000.0, 0, NULL},
    {"pydicom_debian/SC_rgb_rle_16bit.dcm", VT_OK, 328189000.0, 0, NULL},
    {"pydicom_debian/SC_rgb_rle_2frame.dcm", VT_OK, 1277000.0, 0, NULL},
    {"pydicom_debian/SC_rgb_small_odd.dcm", VT_OK, 1161.0, 0, NULL},
    {"pydicom_debian/SC_ybr_full_422_uncompressed.dcm", VT_EUNSUPPORTED, NA, 0, "YBR_FULL_422"},
    {"pydicom_debian/UN_sequence.dcm", VT_EFORMAT, NA, 0, "no pixel data"},
    /* badVR's odd element values do not touch the image; pydicom's reader
     * fails formatting one of them, its pixel data are those of rtdose.dcm */
    {"pydicom_debian/badVR.dcm", VT_OK, 101378000.0, 0, "rtdose.dcm frame 0"},
    {"pydicom_debian/empty_charset_LEI.dcm", VT_EFORMAT, NA, 0, "no pixel data"},
    {"pydicom_debian/image_dfl.dcm", VT_OK, 33322688.0, 0, NULL},
    {"pydicom_debian/liver_1frame.dcm", VT_OK, 36233.0, 0, NULL},
    {"pydicom_debian/liver_expb_1frame.dcm", VT_OK, 36233.0, 0, NULL},
    {"pydicom_debian/meta_missing_tsyntax.dcm", VT_EFORMAT, NA, 0, "Rows 0"},
    {"pydicom_debian/nested_priv_SQ.dcm", VT_EFORMAT, NA, 0, "Rows 0"},
    {"pydicom_debian/no_meta.dcm", VT_EFORMAT, NA, 0, "not DICOM"},
    {"pydicom_debian/no_meta_group_length.dcm", VT_EFORMAT, NA, 0, "no pixel data"},
    {"pydicom_debian/priv_SQ.dcm", VT_EFORMAT, NA, 0, "no pixel data"},
    {"pydicom_debian/reportsi.dcm", VT_EFORMAT, NA, 0, "no pixel data"},
    {"pydicom_debian/rtdose.dcm", VT_OK, 101378000.0, 0, NULL},
    {"pydicom_debian/rtdose_rle.dcm", VT_OK, 101378000.0, 0, NULL},
    {"pydicom_debian/rtstruct.dcm", VT_EFORMAT, NA, 0, "no pixel data"},
    {"pydicom_debian/test-SR.dcm", VT_EFORMAT, NA, 0, "no pixel data"},
    {"pydicom_data/JLSL_16_15_1_1F.dcm", VT_OK, NA, 0, NULL},
    {"pydicom_data/JPEG-LL.dcm", VT_OK, NA, 0, NULL},
    {"pydicom_data/JPGLosslessP14SV1_1s_1f_8b.dcm", VT_OK, NA, 0, NULL},
    {"pydicom_data/MR2_J2KI.dcm", VT_OK, 297341684.236198, 1e-5, NULL},
    {"pydicom_data/MR2_J2KR.dcm", VT_OK, 297139221.89066803, 1e-7, NULL},
    {"pydicom_data/MR2_UNCR.dcm", VT_OK, 297139221.89066803, 1e-7, NULL},
    {"pydicom_data/emri_small.dcm", VT_OK, 590962.0, 0, NULL},
    {"pydicom_data/emri_small_RLE.dcm", VT_OK, 590962.0, 0, NULL},
    {"pydicom_data/emri_small_big_endian.dcm", VT_OK, 590962.0, 0, NULL},
    {"pydicom_data/emri_small_jpeg_2k_lossless.dcm", VT_OK, 590962.0, 0, NULL},
    {"pydicom_data/emri_small_jpeg_ls_lossless.dcm", VT_OK, 590962.0, 0, "emri_small.dcm"},
    {"dcm_qa_ts/In/1.dcm", VT_OK, 38036663.0, 0, NULL},
    {"dcm_qa_ts/In/2.dcm", VT_OK, 38036663.0, 0, NULL},
    {"dcm_qa_ts/In/3.dcm", VT_OK, 38036663.0, 0, NULL},
    {"dcm_qa_ts/In/4.dcm", VT_OK, 38036663.0, 0, NULL},
    {"dcm_qa_ts/In/5.dcm", VT_OK, 38036663.0, 0, "1.dcm"},
    {"dcm_qa_ts/In/6.dcm", VT_OK, 38036663.0, 0, "1.dcm"},
    {"dcm_qa_ts/In/7.dcm", VT_OK, 38036663.0, 0, "1.dcm"},
    {"dcm_qa_ts/In/8.dcm", VT_OK, 38036663.0, 0, "1.dcm"},
    {"dcm_qa_ts/In/9.dcm", VT_OK, 38036663.0, 0, NULL},
};

/* Decodes every frame of `path`; returns the status and frame 0's sum. */
static vt_status decode(const char *path, double *sum0, vt_error *err) {
  char *data = NULL;
  size_t len = 0;
  vt_status st = vt__read_file(path, 1u << 30, &data, &len, err);
  if (st) return st;
  vt__dcm_image img;
  st = vt__dcm_parse((const unsigned char *)data, len, path, &img, err);
  if (st == VT_OK) {
    size_t npix = (size_t)(img.rows > 0 ? img.rows : 1) * (size_t)(img.cols > 0 ? img.cols : 1);
    float *f = malloc(npix * sizeof *f);
    for (int fr = 0; st == VT_OK && fr < (img.frames > 0 ? img.frames : 1); fr++) {
      st = vt__dcm_decode_frame(&img, fr, path, f, err);
      if (st == VT_OK && fr == 0) {
        double s = 0;
        for (size_t i = 0; i < npix; i++) s += f[i];
        *sum0 = s;
      }
    }
    free(f);
  }
  vt__dcm_image_free(&img);
  free(data);
  return st;
}

int main(void) {
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/dicom/%s", VT_SHARED_DATA, rows[i].file);
    vt_error err;
    vt_error_clear(&err);
    double s = NAN;
    vt_status st = decode(path, &s, &err);
    CHECK_MSG(st == rows[i].want, "%s: got %s (%s: %s), want %s", rows[i].file, vt_status_name(st), err.where,
              err.message, vt_status_name(rows[i].want));
    if (st != VT_OK && rows[i].why)
      CHECK_MSG(strstr(err.message, rows[i].why) != NULL, "%s: message '%s' lacks '%s'", rows[i].file,
                err.message, rows[i].why);
    if (st != VT_OK) CHECK_MSG(err.where[0] != 0, "%s: error does not say where", rows[i].file);
    if (st == VT_OK && !isnan(rows[i].sum)) {
      double tol = rows[i].rel_tol * fabs(rows[i].sum) + 0.5;
      CHECK_MSG(fabs(s - rows[i].sum) <= tol, "%s: sum %.3f, pydicom %.3f", rows[i].file, s, rows[i].sum);
    }
  }
  return VT_TEST_END();
}
