/* test_nifti.c — NIfTI reading checked against nibabel's values for the shared
 * TotalSegmentator files, write/read round trips, and clean rejection of bad
 * headers (zero/NaN spacing, truncated data, 4-D, complex). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vertebra/image_io.h"
#include "vt_test.h"

static float at(const vt_volume *v, size_t i, size_t j, size_t k) {
  size_t d[3];
  vt_volume_dims(v, d);
  return vt_volume_cdata(v)[i + d[0] * (j + d[1] * k)];
}

static double sum(const vt_volume *v) {
  size_t d[3];
  vt_volume_dims(v, d);
  double s = 0;
  for (size_t i = 0; i < d[0] * d[1] * d[2]; i++) s += vt_volume_cdata(v)[i];
  return s;
}

/* Reference values: nibabel 5 (img.affine, get_fdata) on the shared files. */
static void test_totalseg(void) {
  vt_error err;
  vt_volume *v = NULL;
  CHECK_INT(vt_volume_read_nifti(VT_SHARED_DATA "/ct/totalsegmentator/example_ct.nii.gz", &v, &err),
            VT_OK);
  if (!v) return;
  size_t d[3];
  vt_volume_dims(v, d);
  CHECK_INT(d[0], 122);
  CHECK_INT(d[1], 101);
  CHECK_INT(d[2], 112);
  const double *a = vt_volume_affine(v);
  double ref[16] = {3, 0, 0, -177.95632935, 0, 3, 0, 11.31900024, 0, 0, 3, 94.30175781, 0, 0, 0, 1};
  for (int i = 0; i < 16; i++) CHECK_NEAR(a[i], ref[i], 1e-5);
  CHECK_NEAR(at(v, 0, 0, 0), -1023, 0);
  CHECK_NEAR(at(v, 61, 50, 56), 164, 0);
  CHECK_NEAR(at(v, 121, 100, 111), -997, 0);
  CHECK_NEAR(at(v, 10, 20, 5), -48, 0);
  CHECK_NEAR(sum(v), -496851173.0, 0.5);
  vt_volume_free(v);

  v = NULL;
  CHECK_INT(vt_volume_read_nifti(VT_SHARED_DATA "/ct/totalsegmentator/aorta_report_case/ct_cropped.nii.gz",
                                 &v, &err),
            VT_OK);
  if (!v) return;
  a = vt_volume_affine(v);
  double ref2[16] = {-1.5, 0, 0, 71.65820312, 0, -1.5, 0, 255.65820312, 0, 0, 1.5, 540.20001221,
                     0, 0, 0, 1};
  for (int i = 0; i < 16; i++) CHECK_NEAR(a[i], ref2[i], 1e-5);
  vt_volume_dims(v, d);
  CHECK_INT(d[2], 164);
  CHECK_NEAR(at(v, 0, 0, 0), -108, 0);
  CHECK_NEAR(at(v, 60, 63, 82), 422, 0);
  CHECK_NEAR(at(v, 119, 125, 163), 66, 0);
  CHECK_NEAR(sum(v), -497705824.0, 0.5);
  vt_volume_free(v);
}

static void roundtrip(const char *path, vt_nifti_dtype dt) {
  double aff[16] = {0, 0, 2.5, -30, -0.8, 0, 0, 40, 0, -0.8, 0, 100, 0, 0, 0, 1};
  vt_volume *v = NULL, *w = NULL;
  vt_error err;
  CHECK_INT(vt_volume_new(5, 4, 3, aff, &v, &err), VT_OK);
  float *p = vt_volume_data(v);
  for (int i = 0; i < 60; i++) p[i] = (float)(i * 3 - 20);
  if (dt == VT_NIFTI_UINT8)
    for (int i = 0; i < 60; i++) p[i] = (float)i;
  CHECK_INT(vt_volume_write_nifti(v, path, dt, &err), VT_OK);
  CHECK_INT(vt_volume_read_nifti(path, &w, &err), VT_OK);
  if (w) {
    for (int i = 0; i < 16; i++) CHECK_NEAR(vt_volume_affine(w)[i], aff[i], 1e-5);
    for (int i = 0; i < 60; i++) CHECK_NEAR(vt_volume_cdata(w)[i], p[i], 0);
  }
  vt_volume_free(w);
  vt_volume_free(v);
  unlink(path);
}

/* A minimal NIfTI-1 single file built byte by byte (independent of libnifti). */
static void write_raw(const char *path, short dim0, short nx, short nz, short dtype, short bitpix,
                      float dx, size_t data_bytes) {
  unsigned char h[352];
  memset(h, 0, sizeof h);
  int32_t sz = 348;
  memcpy(h, &sz, 4);
  short dim[8] = {dim0, nx, 2, nz, 1, 1, 1, 1};
  memcpy(h + 40, dim, 16);
  memcpy(h + 70, &dtype, 2);
  memcpy(h + 72, &bitpix, 2);
  float pix[8] = {1, dx, 1, 1, 1, 1, 1, 1};
  memcpy(h + 76, pix, 32);
  float off = 352;
  memcpy(h + 108, &off, 4);
  memcpy(h + 344, "n+1", 4);
  FILE *f = fopen(path, "wb");
  fwrite(h, 1, sizeof h, f);
  for (size_t i = 0; i < data_bytes; i++) fputc(1, f);
  fclose(f);
}

static void test_bad(void) {
  char path[] = "/tmp/vt_test_nifti_bad_XXXXXX.nii";
  int fd = mkstemps(path, 4);
  close(fd);
  vt_error err;
  vt_volume *v = NULL;
  /* valid baseline: 3x2x2 int16 */
  write_raw(path, 3, 3, 2, 4, 16, 1.0f, 24);
  CHECK_INT(vt_volume_read_nifti(path, &v, &err), VT_OK);
  vt_volume_free(v);
  v = NULL;
  write_raw(path, 3, 3, 2, 4, 16, 1.0f, 10); /* truncated */
  CHECK_INT(vt_volume_read_nifti(path, &v, &err), VT_EFORMAT);
  CHECK(strstr(err.message, "truncated") != NULL);
  CHECK(v == NULL);
  write_raw(path, 3, 3, 2, 4, 16, 0.0f, 24); /* zero spacing */
  CHECK(vt_volume_read_nifti(path, &v, &err) == VT_EFORMAT);
  write_raw(path, 3, 3, 2, 4, 16, 0.0f / 0.0f, 24); /* NaN spacing */
  CHECK(vt_volume_read_nifti(path, &v, &err) == VT_EFORMAT);
  CHECK(strstr(err.message, "pixdim") != NULL);
  write_raw(path, 3, 3, 2, 32, 64, 1.0f, 96); /* complex */
  CHECK_INT(vt_volume_read_nifti(path, &v, &err), VT_EUNSUPPORTED);
  write_raw(path, 3, -3, 2, 4, 16, 1.0f, 24); /* negative dim */
  CHECK(vt_volume_read_nifti(path, &v, &err) == VT_EFORMAT);
  FILE *f = fopen(path, "wb");
  fputs("not a nifti file at all, just some text that is long enough to be a header? no.", f);
  fclose(f);
  CHECK_INT(vt_volume_read_nifti(path, &v, &err), VT_EFORMAT);
  CHECK(v == NULL);
  unlink(path);
  CHECK_INT(vt_volume_read_nifti("/nonexistent/x.nii", &v, &err), VT_EIO);

  /* no partial output when a value does not fit */
  vt_volume *w = NULL;
  CHECK_INT(vt_volume_new(2, 2, 2, NULL, &w, &err), VT_OK);
  vt_volume_data(w)[3] = 70000.0f;
  CHECK_INT(vt_volume_write_nifti(w, "/tmp/vt_test_nifti_nofit.nii", VT_NIFTI_INT16, &err),
            VT_EINVAL);
  CHECK(access("/tmp/vt_test_nifti_nofit.nii", F_OK) != 0);
  vt_volume_free(w);

  /* a volume of several write chunks (1 M voxels each), huge-page backed:
   * a bad voxel in a late chunk still leaves nothing and is named */
  CHECK_INT(vt_volume_new(128, 128, 80, NULL, &w, &err), VT_OK);
  float *d = vt_volume_data(w);
  size_t nv = (size_t)128 * 128 * 80;
  size_t nonzero = 0;
  for (size_t i = 0; i < nv; i++) nonzero += d[i] != 0.0f;
  CHECK_MSG(nonzero == 0, "%zu voxels not zero-filled", nonzero);
  d[1200000] = -40000.0f;
  CHECK_INT(vt_volume_write_nifti(w, "/tmp/vt_test_nifti_nofit2.nii.gz", VT_NIFTI_INT16, &err),
            VT_EINVAL);
  CHECK(strstr(err.message, "voxel 1200000") != NULL);
  CHECK(access("/tmp/vt_test_nifti_nofit2.nii.gz", F_OK) != 0);
  /* rounding: ties to even, in every chunk */
  d[1200000] = 2.5f;
  d[5] = -2.5f;
  d[nv - 1] = 3.5f;
  d[7] = 1.25f;
  CHECK_INT(vt_volume_write_nifti(w, "/tmp/vt_test_nifti_round.nii", VT_NIFTI_INT16, &err), VT_OK);
  vt_volume *r = NULL;
  CHECK_INT(vt_volume_read_nifti("/tmp/vt_test_nifti_round.nii", &r, &err), VT_OK);
  if (r) {
    const float *q = vt_volume_cdata(r);
    CHECK(q[1200000] == 2.0f && q[5] == -2.0f && q[nv - 1] == 4.0f && q[7] == 1.0f);
    CHECK(q[6] == 0.0f);
    vt_volume_free(r);
  }
  unlink("/tmp/vt_test_nifti_round.nii");
  vt_volume_free(w);
}

int main(void) {
  test_totalseg();
  char tmpl[64];
  snprintf(tmpl, sizeof tmpl, "/tmp/vt_test_nifti_%d_a.nii.gz", (int)getpid());
  roundtrip(tmpl, VT_NIFTI_INT16);
  snprintf(tmpl, sizeof tmpl, "/tmp/vt_test_nifti_%d_b.nii", (int)getpid());
  roundtrip(tmpl, VT_NIFTI_FLOAT32);
  snprintf(tmpl, sizeof tmpl, "/tmp/vt_test_nifti_%d_c.nii.gz", (int)getpid());
  roundtrip(tmpl, VT_NIFTI_UINT8);
  test_bad();
  return VT_TEST_END();
}
