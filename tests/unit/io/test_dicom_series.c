/* test_dicom_series.c — series assembly: the dcm_qa_ts image decodes
 * byte-identical to dcm2niix's references in all 9 transfer syntaxes; the lidc
 * and popi chest series load in position order with 3.0 and 4.0 mm steps and
 * the affine dcm2niix writes; bad inputs fail cleanly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../src/core/buf.h"
#include "../../../src/io/dicom.h"
#include "vertebra/image_io.h"
#include "vt_test.h"

/* dcm_qa_ts/In/N.dcm is one Siemens mosaic (6x6 tiles of 64x64, 35 used);
 * dcm2niix's Ref/N.nii is the de-mosaicked int16 volume with rows flipped. */
static void test_qa_ts(void) {
  for (int n = 1; n <= 9; n++) {
    char in[512], ref[512];
    snprintf(in, sizeof in, "%s/dicom/dcm_qa_ts/In/%d.dcm", VT_SHARED_DATA, n);
    snprintf(ref, sizeof ref, "%s/dicom/dcm_qa_ts/Ref/%d.nii", VT_SHARED_DATA, n);
    vt_error err;
    vt_volume *r = NULL;
    CHECK_INT(vt_volume_read_nifti(ref, &r, &err), VT_OK);
    char *data = NULL;
    size_t len = 0;
    CHECK_INT(vt__read_file(in, 1u << 26, &data, &len, &err), VT_OK);
    vt__dcm_image img;
    vt_status st = vt__dcm_parse((unsigned char *)data, len, in, &img, &err);
    CHECK_MSG(st == VT_OK, "%d.dcm: %s", n, err.message);
    float *f = malloc(384 * 384 * sizeof *f);
    if (st == VT_OK) st = vt__dcm_decode_frame(&img, 0, in, f, &err);
    CHECK_MSG(st == VT_OK, "%d.dcm: %s", n, err.message);
    if (st == VT_OK && r) {
      size_t d[3];
      vt_volume_dims(r, d);
      CHECK(d[0] == 64 && d[1] == 64 && d[2] == 35);
      size_t mism = 0;
      const float *rv = vt_volume_cdata(r);
      for (size_t z = 0; z < 35; z++)
        for (size_t y = 0; y < 64; y++)
          for (size_t x = 0; x < 64; x++) {
            size_t row = (z / 6) * 64 + (63 - y), col = (z % 6) * 64 + x;
            if (f[row * 384 + col] != rv[x + 64 * (y + 64 * z)]) mism++;
          }
      CHECK_MSG(mism == 0, "%d.dcm (%s): %zu voxels differ from dcm2niix", n, img.ts_uid, mism);
    }
    free(f);
    vt__dcm_image_free(&img);
    free(data);
    vt_volume_free(r);
  }
}

/* Affines and the first/last slice positions: dcm2niix 1.0.20220720 (Debian 12)
 * on these folders; PROVENANCE.md for the 3.0 / 4.0 mm steps. */
static void test_chest(const char *sub, size_t nz, double step, const double ref[16]) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/ct/%s/dicom", VT_SHARED_DATA, sub);
  vt_volume *v = NULL;
  vt_dicom_info info;
  vt_error err;
  vt_dicom_options o = {NULL, 2};
  vt_status st = vt_volume_read_dicom_dir(dir, &o, &v, &info, &err);
  CHECK_MSG(st == VT_OK, "%s: %s: %s", sub, err.where, err.message);
  if (!v) return;
  size_t d[3];
  vt_volume_dims(v, d);
  CHECK_INT(d[2], nz);
  CHECK_INT(info.nslices, nz);
  CHECK_NEAR(info.slice_spacing, step, 1e-3);
  CHECK(info.is_ct);
  CHECK_STR(info.modality, "CT");
  const double *a = vt_volume_affine(v);
  for (int i = 0; i < 16; i++) CHECK_NEAR(a[i], ref[i], 1e-3);
  vt_volume_free(v);
}

static void test_chests(void) {
  double lidc[16] = {-0.78125, 0, 0, 201.0, 0, 0.78125, 0, -340.21875, 0, 0, 3.0, -679.8, 0, 0, 0, 1};
  test_chest("lidc_idri_0314_chest", 92, 3.0, lidc);
  double popi[16] = {-0.976562, 0, 0, 250.0, 0, 0.976562, 0, -335.023438, 0, 0, 4.0, -164.5, 0, 0, 0, 1};
  test_chest("popi_4dct_phase00_chest", 71, 4.0, popi);
}

static char tmpdir[64];

static void put(const char *name, const void *data, size_t len) {
  char p[256];
  snprintf(p, sizeof p, "%s/%s", tmpdir, name);
  FILE *f = fopen(p, "wb");
  fwrite(data, 1, len, f);
  fclose(f);
}

/* An explicit-VR LE element. */
static size_t el(unsigned char *b, unsigned g, unsigned e, const char *vr, const void *v, size_t n) {
  size_t o = 0;
  b[o++] = g & 0xFF; b[o++] = g >> 8; b[o++] = e & 0xFF; b[o++] = e >> 8;
  b[o++] = (unsigned char)vr[0]; b[o++] = (unsigned char)vr[1];
  int lng = !strcmp(vr, "OB") || !strcmp(vr, "OW") || !strcmp(vr, "SQ") || !strcmp(vr, "UN");
  if (lng) {
    b[o++] = 0; b[o++] = 0;
    uint32_t l = (uint32_t)n;
    memcpy(b + o, &l, 4);
    o += 4;
  } else {
    b[o++] = n & 0xFF; b[o++] = (unsigned char)(n >> 8);
  }
  if (v && n != 0xFFFFFFFFu) {
    memcpy(b + o, v, n);
    o += n;
  }
  return o;
}

/* A small valid CT slice at z, 4x4 int16. */
static size_t ct_slice(unsigned char *b, double z, const char *modality, int rows, const char *spacing) {
  size_t o = 128;
  memset(b, 0, 128);
  memcpy(b + o, "DICM", 4);
  o += 4;
  o += el(b + o, 2, 0x10, "UI", "1.2.840.10008.1.2.1\0", 20);
  o += el(b + o, 8, 0x60, "CS", modality, strlen(modality));
  o += el(b + o, 0x20, 0x0E, "UI", "1.2.3.4\0", 8);
  char ipp[64];
  int n = snprintf(ipp, sizeof ipp, "0\\0\\%g", z);
  if (n % 2) ipp[n++] = ' ';
  o += el(b + o, 0x20, 0x32, "DS", ipp, (size_t)n);
  o += el(b + o, 0x20, 0x37, "DS", "1\\0\\0\\0\\1\\0 ", 12);
  uint16_t one = 1, r = (uint16_t)rows, c = 4, ba = 16, bs = 16, hb = 15, pr = 1;
  o += el(b + o, 0x28, 0x02, "US", &one, 2);
  o += el(b + o, 0x28, 0x04, "CS", "MONOCHROME2 ", 12);
  o += el(b + o, 0x28, 0x10, "US", &r, 2);
  o += el(b + o, 0x28, 0x11, "US", &c, 2);
  o += el(b + o, 0x28, 0x30, "DS", spacing, strlen(spacing));
  o += el(b + o, 0x28, 0x100, "US", &ba, 2);
  o += el(b + o, 0x28, 0x101, "US", &bs, 2);
  o += el(b + o, 0x28, 0x102, "US", &hb, 2);
  o += el(b + o, 0x28, 0x103, "US", &pr, 2);
  o += el(b + o, 0x28, 0x1052, "DS", "-1024 ", 6);
  o += el(b + o, 0x28, 0x1053, "DS", "1 ", 2);
  int16_t px[64];
  for (int i = 0; i < 64; i++) px[i] = (int16_t)(i + 1000);
  o += el(b + o, 0x7FE0, 0x10, "OW", px, (size_t)rows * 4 * 2);
  return o;
}

static void clear_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -f %s/*", tmpdir);
  CHECK(system(cmd) == 0);
}

static void test_bad(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/vt_test_dcm_XXXXXX");
  CHECK(mkdtemp(tmpdir) != NULL);
  unsigned char b[4096];
  vt_volume *v = NULL;
  vt_dicom_info info;
  vt_error err;
  vt_dicom_options two = {NULL, 2};

  /* a good 3-slice series, shuffled names, then variants */
  size_t n = ct_slice(b, 5, "CT", 4, "0.5\\0.5 ");
  put("b", b, n);
  n = ct_slice(b, 1, "CT", 4, "0.5\\0.5 ");
  put("c", b, n);
  n = ct_slice(b, 3, "CT", 4, "0.5\\0.5 ");
  put("a", b, n);
  put("README.txt", "not dicom", 9);
  CHECK_INT(vt_volume_read_dicom_dir(tmpdir, &two, &v, &info, &err), VT_OK);
  if (v) {
    CHECK_NEAR(vt_volume_affine(v)[11], 1.0, 1e-9); /* first slice is the lowest z */
    CHECK_NEAR(info.slice_spacing, 2.0, 1e-9);
    CHECK_NEAR(vt_volume_cdata(v)[0], 1000 + 12 - 1024, 0); /* row flip: last row first */
    CHECK_INT(info.nskipped, 1);
  }
  vt_volume_free(v);
  v = NULL;

  /* a gap: warned, not fatal */
  n = ct_slice(b, 11, "CT", 4, "0.5\\0.5 ");
  put("d", b, n);
  CHECK_INT(vt_volume_read_dicom_dir(tmpdir, &two, &v, &info, &err), VT_OK);
  CHECK(info.nwarnings >= 1 && strstr(info.warnings[0], "uneven") != NULL);
  vt_volume_free(v);
  v = NULL;

  /* duplicate position */
  n = ct_slice(b, 3, "CT", 4, "0.5\\0.5 ");
  put("e", b, n);
  CHECK_INT(vt_volume_read_dicom_dir(tmpdir, &two, &v, &info, &err), VT_EFORMAT);
  CHECK(strstr(err.message, "duplicate") != NULL);
  CHECK(v == NULL);
  clear_dir();

  /* non-CT modality is reported */
  n = ct_slice(b, 1, "MR", 4, "0.5\\0.5 ");
  put("a", b, n);
  n = ct_slice(b, 2, "MR", 4, "0.5\\0.5 ");
  put("b", b, n);
  CHECK_INT(vt_volume_read_dicom_dir(tmpdir, &two, &v, &info, &err), VT_OK);
  CHECK(!info.is_ct);
  CHECK_STR(info.modality, "MR");
  vt_volume_free(v);
  v = NULL;
  clear_dir();

  /* a 2-D image is refused when 2 slices are required */
  n = ct_slice(b, 1, "CT", 4, "0.5\\0.5 ");
  put("a", b, n);
  CHECK_INT(vt_volume_read_dicom_dir(tmpdir, &two, &v, &info, &err), VT_EFORMAT);
  CHECK(strstr(err.message, "2-D") != NULL);
  /* zero and NaN pixel spacing */
  n = ct_slice(b, 1, "CT", 4, "0\\0 ");
  put("a", b, n);
  n = ct_slice(b, 2, "CT", 4, "0\\0 ");
  put("b", b, n);
  CHECK_INT(vt_volume_read_dicom_dir(tmpdir, &two, &v, &info, &err), VT_EFORMAT);
  CHECK(strstr(err.message, "PixelSpacing") != NULL);
  n = ct_slice(b, 1, "CT", 4, "nan\\nan ");
  put("a", b, n);
  n = ct_slice(b, 2, "CT", 4, "nan\\nan ");
  put("b", b, n);
  CHECK_INT(vt_volume_read_dicom_dir(tmpdir, &two, &v, &info, &err), VT_EFORMAT);
  clear_dir();

  /* truncated file: pixel data length past the end */
  n = ct_slice(b, 1, "CT", 4, "0.5\\0.5 ");
  put("a", b, n - 20);
  CHECK_INT(vt_volume_read_dicom_file(VT_SHARED_DATA "/dicom/pydicom_debian/MR_truncated.dcm", NULL, &v, &info, &err),
            VT_EFORMAT);
  CHECK(strstr(err.where, "offset 1488") != NULL);
  CHECK(strstr(err.message, "(7FE0,0010) length 8192 exceeds") != NULL);
  char p[256];
  snprintf(p, sizeof p, "%s/a", tmpdir);
  CHECK_INT(vt_volume_read_dicom_file(p, NULL, &v, &info, &err), VT_EFORMAT);
  /* every truncation point fails cleanly or parses (no crash) */
  n = ct_slice(b, 1, "CT", 4, "0.5\\0.5 ");
  for (size_t cut = 0; cut < n; cut += 7) {
    vt__dcm_image img;
    vt_status st = vt__dcm_parse(b, cut, "cut.dcm", &img, &err);
    CHECK(st == VT_OK || st == VT_EFORMAT);
    vt__dcm_image_free(&img);
  }
  /* wrong VR bytes */
  n = ct_slice(b, 1, "CT", 4, "0.5\\0.5 ");
  b[132 + 8 + 20 + 4] = 0x01;
  CHECK_INT(vt__dcm_parse(b, n, "badvr.dcm", &(vt__dcm_image){0}, &err), VT_EFORMAT);
  CHECK(strstr(err.message, "invalid VR") != NULL);

  /* 10^6 nested undefined-length sequences */
  size_t depth = 1000000, big = 132 + 32 + depth * 24 + 64;
  unsigned char *q = calloc(1, big);
  memcpy(q + 128, "DICM", 4);
  size_t o = 132;
  o += el(q + o, 2, 0x10, "UI", "1.2.840.10008.1.2.1\0", 20);
  for (size_t i = 0; i < depth; i++) {
    o += el(q + o, 8, 0x1115, "SQ", NULL, 0xFFFFFFFFu);
    unsigned char item[8] = {0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF};
    memcpy(q + o, item, 8);
    o += 8;
  }
  vt__dcm_image img;
  CHECK_INT(vt__dcm_parse(q, o, "deep.dcm", &img, &err), VT_ELIMIT);
  CHECK(strstr(err.message, "nested deeper than 64") != NULL);
  vt__dcm_image_free(&img);
  free(q);

  /* several series: listed, and one can be chosen */
  clear_dir();
  CHECK_INT(vt_volume_read_dicom_dir(tmpdir, NULL, &v, &info, &err), VT_ENOTFOUND);
  rmdir(tmpdir);
}

int main(void) {
  test_qa_ts();
  test_chests();
  test_bad();
  return VT_TEST_END();
}
