/* nifti.c — NIfTI-1/-2 reading through libnifti2 and NIfTI-1 writing (gzip by
 * suffix, atomic) for vt_volume. */
#include <errno.h>
#include <math.h>
#include <nifti2_io.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/atomic_file.h"
#include "vertebra/image_io.h"

/* libnifti reports problems on stderr unless its debug level is 0; the library
 * never prints, so we silence it and validate every field ourselves. */
static void quiet_nifti(void) { nifti_set_debug_level(0); }

static int affine_ok(const double a[16]) {
  for (int i = 0; i < 12; i++)
    if (!isfinite(a[i])) return 0;
  for (int c = 0; c < 3; c++) {
    double n = a[c] * a[c] + a[4 + c] * a[4 + c] + a[8 + c] * a[8 + c];
    if (!(n > 1e-24)) return 0;
  }
  double det = a[0] * (a[5] * a[10] - a[6] * a[9]) - a[1] * (a[4] * a[10] - a[6] * a[8]) +
               a[2] * (a[4] * a[9] - a[5] * a[8]);
  return fabs(det) > 1e-18 && isfinite(det);
}

static void dmat_to_affine(const nifti_dmat44 *m, double a[16]) {
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++) a[4 * r + c] = m->m[r][c];
  a[12] = a[13] = a[14] = 0;
  a[15] = 1;
}

/* Converts nvox raw voxels of `dtype` to float with slope/intercept. 0, or -1
 * for an unsupported type. */
static int convert_voxels(const void *src, int dtype, size_t nvox, double slope, double inter,
                          float *dst) {
#define CONV(T)                                                      \
  do {                                                               \
    const T *s = (const T *)src;                                     \
    for (size_t i = 0; i < nvox; i++) dst[i] = (float)((double)s[i] * slope + inter); \
  } while (0)
  switch (dtype) {
    case DT_UINT8: CONV(uint8_t); break;
    case DT_INT8: CONV(int8_t); break;
    case DT_INT16: CONV(int16_t); break;
    case DT_UINT16: CONV(uint16_t); break;
    case DT_INT32: CONV(int32_t); break;
    case DT_UINT32: CONV(uint32_t); break;
    case DT_INT64: CONV(int64_t); break;
    case DT_UINT64: CONV(uint64_t); break;
    case DT_FLOAT32:
      if (slope == 1.0 && inter == 0.0) {
        memcpy(dst, src, nvox * sizeof(float));
      } else {
        CONV(float);
      }
      break;
    case DT_FLOAT64: CONV(double); break;
    default: return -1;
  }
#undef CONV
  return 0;
}

static uint32_t bswap32(uint32_t v) {
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}
static uint64_t bswap64(uint64_t v) {
  return ((uint64_t)bswap32((uint32_t)v) << 32) | bswap32((uint32_t)(v >> 32));
}

/* Checks the raw header (NIfTI-1 348 bytes or NIfTI-2 540 bytes, either byte
 * order, plain or gzip) before libnifti sees it: libnifti prints some errors to
 * stderr whatever its debug level and silently replaces bad pixdims, so the
 * checks that name the field for the user happen here. */
static vt_status precheck_header(const char *path, vt_error *err) {
  gzFile gz = gzopen(path, "rb");
  if (!gz) return vt_error_set(err, VT_EIO, path, "cannot open: %s", strerror(errno));
  unsigned char h[540];
  int got = gzread(gz, h, sizeof h);
  gzclose(gz);
  if (got < 348)
    return vt_error_set(err, VT_EFORMAT, path, "header: file has %d bytes, a NIfTI header needs 348",
                        got < 0 ? 0 : got);
  uint32_t sz;
  memcpy(&sz, h, 4);
  int swap = 0;
  if (sz != 348 && sz != 540) {
    sz = bswap32(sz);
    swap = 1;
  }
  if (sz != 348 && sz != 540)
    return vt_error_set(err, VT_EFORMAT, path,
                        "header: sizeof_hdr is neither 348 (NIfTI-1) nor 540 (NIfTI-2)");
  int v2 = sz == 540;
  if (v2 && got < 540)
    return vt_error_set(err, VT_EFORMAT, path, "header: NIfTI-2 header truncated at %d bytes", got);
  const unsigned char *magic = v2 ? h + 4 : h + 344;
  if (!(magic[0] == 'n' && (magic[1] == '+' || magic[1] == 'i') && magic[2] == (v2 ? '2' : '1')))
    return vt_error_set(err, VT_EFORMAT, path, "header: bad magic (expected \"n+%d\")", v2 ? 2 : 1);
  int16_t dtype;
  memcpy(&dtype, h + (v2 ? 12 : 70), 2);
  if (swap) dtype = (int16_t)(((uint16_t)dtype >> 8) | ((uint16_t)dtype << 8));
  switch (dtype) {
    case DT_UINT8: case DT_INT8: case DT_INT16: case DT_UINT16: case DT_INT32: case DT_UINT32:
    case DT_INT64: case DT_UINT64: case DT_FLOAT32: case DT_FLOAT64: break;
    default:
      return vt_error_set(err, VT_EUNSUPPORTED, path,
                          "header: datatype %d is not a real scalar type (only integer and float)",
                          dtype);
  }
  int64_t dim[8];
  double pix[8];
  for (int i = 0; i < 8; i++) {
    if (v2) {
      uint64_t d, p;
      memcpy(&d, h + 16 + 8 * i, 8);
      memcpy(&p, h + 104 + 8 * i, 8);
      if (swap) {
        d = bswap64(d);
        p = bswap64(p);
      }
      memcpy(&dim[i], &d, 8);
      memcpy(&pix[i], &p, 8);
    } else {
      uint16_t d;
      uint32_t p;
      memcpy(&d, h + 40 + 2 * i, 2);
      memcpy(&p, h + 76 + 4 * i, 4);
      if (swap) {
        d = (uint16_t)((d >> 8) | (d << 8));
        p = bswap32(p);
      }
      float f;
      memcpy(&f, &p, 4);
      dim[i] = (int16_t)d;
      pix[i] = f;
    }
  }
  if (dim[0] < 1 || dim[0] > 7)
    return vt_error_set(err, VT_EFORMAT, path, "header: dim[0] = %lld is not in 1..7",
                        (long long)dim[0]);
  for (int d = 1; d <= dim[0]; d++)
    if (dim[d] < 1)
      return vt_error_set(err, VT_EFORMAT, path, "header: dim[%d] = %lld is not positive", d,
                          (long long)dim[d]);
  for (int d = 1; d <= 3 && d <= dim[0]; d++)
    if (!isfinite(pix[d]) || pix[d] == 0.0)
      return vt_error_set(err, VT_EFORMAT, path, "header: pixdim[%d] = %g is not a valid spacing",
                          d, pix[d]);
  return VT_OK;
}

vt_status vt_volume_read_nifti(const char *path, vt_volume **out, vt_error *err) {
  if (!path || !out) return vt_error_set(err, VT_EINVAL, NULL, "path and out are required");
  quiet_nifti();
  FILE *probe = fopen(path, "rb");
  if (!probe) return vt_error_set(err, VT_EIO, path, "cannot open: %s", strerror(errno));
  fclose(probe);
  vt_status pre = precheck_header(path, err);
  if (pre != VT_OK) return pre;
  nifti_image *nim = nifti_image_read(path, 0);
  if (!nim)
    return vt_error_set(err, VT_EFORMAT, path,
                        "not a readable NIfTI-1/-2 file (bad magic, header size or dims)");
  vt_status st = VT_OK;
  vt_volume *vol = NULL;
  if (nim->dim[0] < 1 || nim->dim[0] > 7) {
    st = vt_error_set(err, VT_EFORMAT, path, "header: dim[0] = %lld is not in 1..7",
                      (long long)nim->dim[0]);
    goto done;
  }
  for (int d = 1; d <= 7; d++) {
    if (d <= nim->dim[0] && nim->dim[d] < 1) {
      st = vt_error_set(err, VT_EFORMAT, path, "header: dim[%d] = %lld is not positive", d,
                        (long long)nim->dim[d]);
      goto done;
    }
  }
  for (int d = 4; d <= nim->dim[0]; d++) {
    if (nim->dim[d] > 1) {
      st = vt_error_set(err, VT_EUNSUPPORTED, path,
                        "header: dim[%d] = %lld: only single 3-D volumes are supported", d,
                        (long long)nim->dim[d]);
      goto done;
    }
  }
  size_t nx = (size_t)nim->nx, ny = nim->dim[0] >= 2 ? (size_t)nim->ny : 1,
         nz = nim->dim[0] >= 3 ? (size_t)nim->nz : 1;
  switch (nim->datatype) {
    case DT_UINT8: case DT_INT8: case DT_INT16: case DT_UINT16: case DT_INT32:
    case DT_UINT32: case DT_INT64: case DT_UINT64: case DT_FLOAT32: case DT_FLOAT64: break;
    default:
      st = vt_error_set(err, VT_EUNSUPPORTED, path,
                        "header: datatype %d (%s) is not a real scalar type", nim->datatype,
                        nifti_datatype_string(nim->datatype));
      goto done;
  }
  for (int d = 1; d <= 3; d++) {
    if (!isfinite(nim->pixdim[d]) || (d <= nim->dim[0] && nim->pixdim[d] == 0.0)) {
      st = vt_error_set(err, VT_EFORMAT, path, "header: pixdim[%d] = %g is not a valid spacing",
                        d, nim->pixdim[d]);
      goto done;
    }
  }
  double aff[16];
  if (nim->sform_code > 0) {
    dmat_to_affine(&nim->sto_xyz, aff);
  } else if (nim->qform_code > 0) {
    dmat_to_affine(&nim->qto_xyz, aff);
  } else {
    /* ANALYZE-style method 1: scale only (NIfTI-1 standard, nifti1.h). */
    memset(aff, 0, sizeof aff);
    aff[0] = fabs(nim->pixdim[1]);
    aff[5] = nim->dim[0] >= 2 ? fabs(nim->pixdim[2]) : 1.0;
    aff[10] = nim->dim[0] >= 3 ? fabs(nim->pixdim[3]) : 1.0;
    aff[15] = 1;
  }
  if (!affine_ok(aff)) {
    st = vt_error_set(err, VT_EFORMAT, path,
                      "header: the %s affine is singular or not finite (zero or NaN spacing?)",
                      nim->sform_code > 0 ? "sform" : nim->qform_code > 0 ? "qform" : "pixdim");
    goto done;
  }
  /* For an uncompressed file, check the voxel data fit before allocating. */
  {
    FILE *fp = fopen(path, "rb");
    unsigned char m2[2] = {0, 0};
    long long fsize = -1;
    if (fp) {
      if (fread(m2, 1, 2, fp) == 2 && !(m2[0] == 0x1f && m2[1] == 0x8b) && fseek(fp, 0, SEEK_END) == 0)
        fsize = ftell(fp);
      fclose(fp);
    }
    double need = (double)nim->iname_offset + (double)nim->nvox * (double)nim->nbyper;
    if (fsize >= 0 && need > (double)fsize) {
      st = vt_error_set(err, VT_EFORMAT, path,
                        "voxel data: header needs %.0f bytes, the file has %lld (file truncated?)", need,
                        fsize);
      goto done;
    }
  }
  double slope = nim->scl_slope, inter = nim->scl_inter;
  /* As the NIfTI-1 standard and nibabel: slope 0 (or NaN, which many writers
   * store) means "no scaling"; a NaN intercept with a real slope means 0. */
  if (!isfinite(inter)) inter = 0.0;
  if (!isfinite(slope) || slope == 0.0) {
    slope = 1.0;
    inter = 0.0;
  }
  st = vt_volume_new(nx, ny, nz, aff, &vol, err);
  if (st != VT_OK) {
    vt_error_wrap(err, path);
    goto done;
  }
  if (nifti_image_load(nim) != 0 || !nim->data) {
    st = vt_error_set(err, VT_EFORMAT, path,
                      "voxel data: could not read %lld bytes at offset %lld (file truncated?)",
                      (long long)(nim->nvox * nim->nbyper), (long long)nim->iname_offset);
    goto done;
  }
  if (convert_voxels(nim->data, nim->datatype, nx * ny * nz, slope, inter,
                     vt_volume_data(vol)) != 0) {
    st = vt_error_set(err, VT_EINTERNAL, path, "datatype %d passed validation", nim->datatype);
    goto done;
  }
done:
  nifti_image_free(nim);
  if (st != VT_OK) {
    vt_volume_free(vol);
    return st;
  }
  *out = vol;
  return VT_OK;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Converts float voxels to the on-disk type; VT_EINVAL names the first voxel
 * that does not fit. */
static vt_status pack_voxels(const float *src, size_t n, vt_nifti_dtype dt, void *dst,
                             size_t first, vt_error *err) {
/* Integral values (all of a CT in HU) are converted directly; others are
 * rounded to nearest, ties to even (nearbyint). */
#define PACK(T, LO, HI)                                                                    \
  do {                                                                                     \
    T *d = (T *)dst;                                                                       \
    for (size_t i = 0; i < n; i++) {                                                       \
      double v = (double)src[i];                                                           \
      if (v >= (LO) && v <= (HI) && (double)(T)v == v) {                                   \
        d[i] = (T)v;                                                                       \
        continue;                                                                          \
      }                                                                                    \
      v = nearbyint(v);                                                                    \
      if (!(v >= (LO) && v <= (HI)))                                                       \
        return vt_error_set(err, VT_EINVAL, NULL,                                          \
                            "voxel %zu value %g does not fit the output datatype " #T,       \
                            first + i, (double)src[i]);                            \
      d[i] = (T)v;                                                                         \
    }                                                                                      \
  } while (0)
  switch (dt) {
    case VT_NIFTI_UINT8: PACK(uint8_t, 0, 255); break;
    case VT_NIFTI_INT8: PACK(int8_t, -128, 127); break;
    case VT_NIFTI_INT16: PACK(int16_t, -32768, 32767); break;
    case VT_NIFTI_UINT16: PACK(uint16_t, 0, 65535); break;
    case VT_NIFTI_INT32: PACK(int32_t, -2147483648.0, 2147483647.0); break;
    case VT_NIFTI_FLOAT32: memcpy(dst, src, n * sizeof(float)); break;
    case VT_NIFTI_FLOAT64: {
      double *d = (double *)dst;
      for (size_t i = 0; i < n; i++) d[i] = src[i];
      break;
    }
    default: return vt_error_set(err, VT_EINVAL, NULL, "unsupported output datatype %d", (int)dt);
  }
#undef PACK
  return VT_OK;
}

static int dtype_size(vt_nifti_dtype dt) {
  switch (dt) {
    case VT_NIFTI_UINT8: case VT_NIFTI_INT8: return 1;
    case VT_NIFTI_INT16: case VT_NIFTI_UINT16: return 2;
    case VT_NIFTI_INT32: case VT_NIFTI_FLOAT32: return 4;
    case VT_NIFTI_FLOAT64: return 8;
  }
  return 0;
}

/* Writes bytes to fp, gzip-compressed through `zs` when it is not NULL. */
static int emit(FILE *fp, z_stream *zs, const void *data, size_t len, int finish) {
  if (!zs) return fwrite(data, 1, len, fp) == len ? 0 : -1;
  unsigned char chunk[1 << 16];
  const unsigned char *p = data;
  size_t left = len;
  for (;;) {
    uInt take = left > (1u << 30) ? (1u << 30) : (uInt)left;
    zs->next_in = (Bytef *)p;
    zs->avail_in = take;
    int flush = (finish && take == left) ? Z_FINISH : Z_NO_FLUSH;
    int rc;
    do {
      zs->next_out = chunk;
      zs->avail_out = sizeof chunk;
      rc = deflate(zs, flush);
      if (rc == Z_STREAM_ERROR) return -1;
      size_t have = sizeof chunk - zs->avail_out;
      if (have && fwrite(chunk, 1, have, fp) != have) return -1;
    } while (zs->avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    p += take;
    left -= take;
    if (!left) return 0;
  }
}

vt_status vt_volume_write_nifti(const vt_volume *vol, const char *path, vt_nifti_dtype dtype,
                                vt_error *err) {
  return vt_volume_write_nifti_masked(vol, NULL, path, dtype, err);
}

vt_status vt_volume_write_nifti_masked(const vt_volume *vol, const unsigned char *keep, const char *path,
                                       vt_nifti_dtype dtype, vt_error *err) {
  if (!vol || !path) return vt_error_set(err, VT_EINVAL, NULL, "volume and path are required");
  int nb = dtype_size(dtype);
  if (!nb) return vt_error_set(err, VT_EINVAL, path, "unsupported output datatype %d", (int)dtype);
  quiet_nifti();
  size_t dims[3];
  vt_volume_dims(vol, dims);
  const double *a = vt_volume_affine(vol);
  if (!affine_ok(a))
    return vt_error_set(err, VT_EINVAL, path, "the volume's affine is singular or not finite");
  size_t n = dims[0] * dims[1] * dims[2];
  /* Voxels are packed and written a chunk at a time: a bounded buffer, not a
   * second copy of the volume (fewer fresh pages, half the peak memory). */
  size_t chunk = n < ((size_t)1 << 20) ? (n ? n : 1) : ((size_t)1 << 20);
  void *packed = malloc(chunk * (size_t)nb);
  if (!packed) return vt_error_set(err, VT_ENOMEM, path, "out of memory packing %zu voxels", n);
  const float *vox = vt_volume_cdata(vol);
  vt_status st = VT_OK;
  int64_t nd[8] = {3, (int64_t)dims[0], (int64_t)dims[1], (int64_t)dims[2], 1, 1, 1, 1};
  nifti_image *nim = nifti_make_new_nim(nd, (int)dtype, 0);
  if (!nim) {
    free(packed);
    return vt_error_set(err, VT_ENOMEM, path, "libnifti could not make a header");
  }
  double sp[3];
  vt_volume_spacing(vol, sp);
  nim->dx = nim->pixdim[1] = sp[0];
  nim->dy = nim->pixdim[2] = sp[1];
  nim->dz = nim->pixdim[3] = sp[2];
  nim->xyz_units = NIFTI_UNITS_MM;
  nim->scl_slope = 1.0;
  nim->scl_inter = 0.0;
  nifti_dmat44 m;
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++) m.m[r][c] = a[4 * r + c];
  nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
  nim->sto_xyz = m;
  nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
  double qdx, qdy, qdz;
  nifti_dmat44_to_quatern(m, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d,
                          &nim->qoffset_x, &nim->qoffset_y, &nim->qoffset_z, &qdx, &qdy, &qdz,
                          &nim->qfac);
  nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
  nim->iname_offset = 352;
  nifti_1_header hdr;
  int conv = nifti_convert_nim2n1hdr(nim, &hdr);
  nifti_image_free(nim);
  if (conv != 0) {
    free(packed);
    return vt_error_set(err, VT_EINVAL, path, "the volume does not fit a NIfTI-1 header");
  }
  hdr.vox_offset = 352.0f;
  memcpy(hdr.magic, "n+1\0", 4);

  vt_atomic_file af;
  st = vt__atomic_open(&af, path, err);
  if (st != VT_OK) {
    free(packed);
    return st;
  }
  /* Level 1: CT volumes compress nearly as well as at 6 at several times the
   * speed, and conversion time is dominated by deflate. */
  z_stream zs, *zp = NULL;
  if (ends_with(path, ".gz")) {
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      vt__atomic_abort(&af);
      free(packed);
      return vt_error_set(err, VT_ENOMEM, path, "zlib deflateInit2 failed");
    }
    zp = &zs;
  }
  static const unsigned char ext[4] = {0, 0, 0, 0};
  /* a voxel that does not fit the datatype aborts the temporary file: no
   * output is left behind */
  int bad = emit(af.fp, zp, &hdr, sizeof hdr, 0) || emit(af.fp, zp, ext, 4, n == 0);
  for (size_t i = 0; i < n && !bad && st == VT_OK; i += chunk) {
    size_t k = n - i < chunk ? n - i : chunk;
    st = pack_voxels(vox + i, k, dtype, packed, i, err);
    if (st == VT_OK && keep) /* every dtype's 0 is all-zero bytes */
      for (size_t q = 0; q < k; q++)
        if (!keep[i + q]) memset((char *)packed + q * (size_t)nb, 0, (size_t)nb);
    if (st == VT_OK) bad = emit(af.fp, zp, packed, k * (size_t)nb, i + k == n);
  }
  if (zp) deflateEnd(zp);
  free(packed);
  if (st != VT_OK) {
    vt__atomic_abort(&af);
    vt_error_wrap(err, path);
    return st;
  }
  if (bad) {
    vt__atomic_abort(&af);
    return vt_error_set(err, VT_EIO, path, "write failed: %s", strerror(errno));
  }
  return vt__atomic_commit(&af, err);
}
