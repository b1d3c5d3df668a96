/* dicom_series.c — assembles DICOM images into one volume: scan a folder, group
 * by SeriesInstanceUID, order by position along the slice normal, check the
 * spacing, rescale to HU and build the RAS affine as dcm2niix does. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/big_alloc.h"
#include "core/buf.h"
#include "io/dicom.h"
#include "vertebra/image_io.h"

#define MAX_FILES 100000
#define MAX_FILE_BYTES ((size_t)1 << 30)
#define MAX_TOTAL_BYTES ((size_t)8 << 30)

typedef struct slice {
  char *path;
  unsigned char *data;
  size_t len;
  int in_arena; /* data lies in the series' arena: not freed on its own */
  vt__dcm_image img;
  double pos; /* IPP . normal */
} slice;

static void warn(vt_dicom_info *info, const char *fmt, ...) VT_PRINTF(2, 3);
static void warn(vt_dicom_info *info, const char *fmt, ...) {
  if (info->nwarnings < VT_DICOM_MAX_WARNINGS) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(info->warnings[info->nwarnings], VT_DICOM_WARNING_MAX, fmt, ap);
    va_end(ap);
  }
  info->nwarnings++;
}

static void free_slices(slice *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    vt__dcm_image_free(&s[i].img);
    if (!s[i].in_arena) free(s[i].data);
    free(s[i].path);
  }
  free(s);
}

/* The bytes of a folder's files in one block (see core/big_alloc.h), so that
 * reading a series costs a few huge-page faults rather than one fault per
 * 4 KB of every file. Files that do not fit (they grew since the folder was
 * listed) are read on their own. */
typedef struct arena {
  unsigned char *base;
  size_t cap, used, mapped;
} arena;

/* Reads exactly `size` bytes of `path` into the arena; 0 when it cannot
 * (then the caller reads the file the ordinary way). */
static int arena_read(arena *a, const char *path, size_t size, slice *sl) {
  if (!a->base || size == 0 || size > a->cap - a->used) return 0;
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  unsigned char *dst = a->base + a->used;
  int ok = vt__fread_exact(f, dst, size);
  fclose(f);
  if (!ok) return 0;
  a->used += size;
  sl->data = dst;
  sl->len = size;
  sl->in_arena = 1;
  return 1;
}

static int cmp_pos(const void *a, const void *b) {
  double x = ((const slice *)a)->pos, y = ((const slice *)b)->pos;
  return (x > y) - (x < y);
}
static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void cross(const double a[3], const double b[3], double c[3]) {
  c[0] = a[1] * b[2] - a[2] * b[1];
  c[1] = a[2] * b[0] - a[0] * b[2];
  c[2] = a[0] * b[1] - a[1] * b[0];
}

/* Builds the volume from slices of one series (already parsed). */
static vt_status assemble(slice *s, size_t n, const vt_dicom_options *opts, vt_volume **out,
                          vt_dicom_info *info, vt_error *err) {
  const vt__dcm_image *f = &s[0].img;
  const char *fname = s[0].path;
  if (!f->has_pixels) return vt_error_set(err, VT_EFORMAT, fname, "no pixel data (7FE0,0010)");
  if (f->rows <= 0 || f->cols <= 0)
    return vt_error_set(err, VT_EFORMAT, fname, "Rows %d / Columns %d are not positive", f->rows, f->cols);
  if (!f->has_iop || !f->has_ipp || !f->has_spacing)
    return vt_error_set(err, VT_EFORMAT, fname,
                        "missing %s: the image has no patient geometry",
                        !f->has_iop ? "ImageOrientationPatient (0020,0037)"
                        : !f->has_ipp ? "ImagePositionPatient (0020,0032)" : "PixelSpacing (0028,0030)");
  if (!(f->spacing[0] > 0) || !(f->spacing[1] > 0) || !isfinite(f->spacing[0]) || !isfinite(f->spacing[1]))
    return vt_error_set(err, VT_EFORMAT, fname, "PixelSpacing %g\\%g is not positive", f->spacing[0],
                        f->spacing[1]);
  double r[3] = {f->iop[0], f->iop[1], f->iop[2]}, c[3] = {f->iop[3], f->iop[4], f->iop[5]}, nrm[3];
  double nr = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]), nc = sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
  if (!(nr > 0.5 && nr < 1.5 && nc > 0.5 && nc < 1.5) || fabs(r[0] * c[0] + r[1] * c[1] + r[2] * c[2]) > 0.01)
    return vt_error_set(err, VT_EFORMAT, fname, "ImageOrientationPatient is not two orthogonal unit vectors");
  for (int i = 0; i < 3; i++) {
    r[i] /= nr;
    c[i] /= nc;
  }
  cross(r, c, nrm);
  size_t frames = (size_t)(f->frames > 0 ? f->frames : 1);
  if (n > 1 && frames > 1)
    return vt_error_set(err, VT_EUNSUPPORTED, fname, "a series of %zu multi-frame files is not supported", n);
  for (size_t i = 0; i < n; i++) {
    const vt__dcm_image *g = &s[i].img;
    if (g->rows != f->rows || g->cols != f->cols || !g->has_ipp || !g->has_iop)
      return vt_error_set(err, VT_EFORMAT, s[i].path,
                          "image is %dx%d%s, the series' first image %s is %dx%d", g->cols, g->rows,
                          g->has_ipp && g->has_iop ? "" : " without position/orientation", fname, f->cols, f->rows);
    for (int k = 0; k < 6; k++)
      if (fabs(g->iop[k] - f->iop[k]) > 1e-3)
        return vt_error_set(err, VT_EFORMAT, s[i].path,
                            "ImageOrientationPatient differs from %s: not one stack", fname);
    if (fabs(g->spacing[0] - f->spacing[0]) > 1e-4 || fabs(g->spacing[1] - f->spacing[1]) > 1e-4)
      return vt_error_set(err, VT_EFORMAT, s[i].path, "PixelSpacing differs from %s", fname);
    s[i].pos = g->ipp[0] * nrm[0] + g->ipp[1] * nrm[1] + g->ipp[2] * nrm[2];
  }
  qsort(s, n, sizeof *s, cmp_pos);
  size_t nz = n > 1 ? n : frames;
  size_t min = opts && opts->min_slices ? opts->min_slices : 1;
  if (nz < min)
    return vt_error_set(err, VT_EFORMAT, fname, "the series has %zu image(s); at least %zu needed (a 2-D image is not a volume)",
                        nz, min);
  /* slice step: from positions; check gaps, duplicates and tilt */
  double step[3] = {0, 0, 0}, dz = 0;
  if (n > 1) {
    double *d = malloc((n - 1) * sizeof *d);
    if (!d) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i + 1 < n; i++) {
      d[i] = s[i + 1].pos - s[i].pos;
      if (d[i] < 1e-3) {
        free(d);
        return vt_error_set(err, VT_EFORMAT, s[i + 1].path,
                            "duplicate slice position %.3f mm (also in %s): several acquisitions in one series?",
                            s[i].pos, s[i].path);
      }
    }
    qsort(d, n - 1, sizeof *d, cmp_double);
    double med = d[(n - 1) / 2], lo = d[0], hi = d[n - 2];
    free(d);
    if (hi - lo > 0.01 * med + 1e-3)
      warn(info, "uneven slice spacing: steps from %.3f to %.3f mm (median %.3f); the volume uses the mean step, voxels are not resampled",
           lo, hi, med);
    for (int k = 0; k < 3; k++) step[k] = (s[n - 1].img.ipp[k] - s[0].img.ipp[k]) / (double)(n - 1);
    dz = sqrt(step[0] * step[0] + step[1] * step[1] + step[2] * step[2]);
    double cosang = fabs(step[0] * nrm[0] + step[1] * nrm[1] + step[2] * nrm[2]) / dz;
    if (cosang < 0.9999)
      warn(info, "gantry tilt of %.2f degrees: the affine is sheared (no resampling)",
           acos(cosang > 1 ? 1 : cosang) * 180.0 / M_PI);
    info->slice_spacing = med;
  } else {
    dz = f->has_between && f->between > 0 ? f->between : (f->thickness > 0 ? f->thickness : 1.0);
    for (int k = 0; k < 3; k++) step[k] = nrm[k] * dz;
    info->slice_spacing = dz;
    if (frames > 1)
      warn(info, "multi-frame image: frames stacked %.3f mm apart along the normal (per-frame positions are not read)", dz);
  }
  if (f->has_between && f->between < 0)
    warn(info, "negative SpacingBetweenSlices %g ignored: spacing taken from ImagePositionPatient", f->between);
  if (f->gantry_tilt != 0.0 && n > 1 && fabs(f->gantry_tilt) > 0.01)
    warn(info, "GantryDetectorTilt is %g degrees", f->gantry_tilt);

  /* LPS affine with column i along the row direction and j along the column
   * direction; then RAS (negate x, y) and flip j as dcm2niix does, so the
   * stored rows run bottom-up. */
  size_t nx = (size_t)f->cols, ny = (size_t)f->rows;
  double dx = f->spacing[1], dy = f->spacing[0];
  double a[16] = {0};
  for (int k = 0; k < 3; k++) {
    a[4 * k + 0] = r[k] * dx;
    a[4 * k + 1] = c[k] * dy;
    a[4 * k + 2] = step[k];
    a[4 * k + 3] = s[0].img.ipp[k];
  }
  a[15] = 1;
  for (int col = 0; col < 4; col++) {
    a[col] = -a[col];
    a[4 + col] = -a[4 + col];
  }
  for (int k = 0; k < 3; k++) {
    a[4 * k + 3] += a[4 * k + 1] * (double)(ny - 1);
    a[4 * k + 1] = -a[4 * k + 1];
  }
  vt_volume *vol = NULL;
  vt_status st = vt_volume_new(nx, ny, nz, a, &vol, err);
  if (st) return st;
  float *vox = vt_volume_data(vol);
  float *tmp = malloc(nx * ny * sizeof *tmp);
  if (!tmp) {
    vt_volume_free(vol);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  for (size_t z = 0; z < nz && st == VT_OK; z++) {
    const slice *sl = n > 1 ? &s[z] : &s[0];
    st = vt__dcm_decode_frame(&sl->img, n > 1 ? 0 : (int)z, sl->path, tmp, err);
    if (st) break;
    float *dst = vox + z * nx * ny;
    for (size_t y = 0; y < ny; y++) memcpy(dst + y * nx, tmp + (ny - 1 - y) * nx, nx * sizeof *tmp);
  }
  free(tmp);
  if (st) {
    vt_volume_free(vol);
    return st;
  }
  snprintf(info->series_uid, sizeof info->series_uid, "%s", f->series_uid);
  snprintf(info->modality, sizeof info->modality, "%s", f->modality);
  snprintf(info->series_description, sizeof info->series_description, "%s", f->series_desc);
  snprintf(info->transfer_syntax, sizeof info->transfer_syntax, "%s", f->ts_uid);
  info->is_ct = !strcmp(f->modality, "CT");
  if (!f->series_uid[0]) warn(info, "the images have no SeriesInstanceUID: grouped as one series");
  info->nslices = nz;
  *out = vol;
  return VT_OK;
}

/* Reads (into the arena when there is one and the file fits) and parses one
 * file into *sl. */
static vt_status load_one(const char *path, arena *a, size_t size, slice *sl, vt_error *err) {
  memset(sl, 0, sizeof *sl);
  if (!a || !arena_read(a, path, size, sl)) {
    char *data = NULL;
    size_t len = 0;
    vt_status st = vt__read_file(path, MAX_FILE_BYTES, &data, &len, err);
    if (st) return st;
    sl->data = (unsigned char *)data;
    sl->len = len;
  }
  sl->path = strdup(path);
  if (!sl->path) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  return vt__dcm_parse(sl->data, sl->len, path, &sl->img, err);
}

vt_status vt_volume_read_dicom_file(const char *path, const vt_dicom_options *opts, vt_volume **out,
                                    vt_dicom_info *info, vt_error *err) {
  if (!path || !out) return vt_error_set(err, VT_EINVAL, NULL, "path and out are required");
  vt_dicom_info local;
  vt_dicom_info *inf = info ? info : &local;
  memset(inf, 0, sizeof *inf);
  slice *s = calloc(1, sizeof *s);
  if (!s) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  vt_status st = load_one(path, NULL, 0, s, err);
  if (st == VT_OK) {
    inf->nseries = 1;
    st = assemble(s, 1, opts, out, inf, err);
  }
  free_slices(s, 1);
  return st;
}

static int has_dicm(const unsigned char *d, size_t len) { return len >= 132 && !memcmp(d + 128, "DICM", 4); }

vt_status vt_volume_read_dicom_dir(const char *dir, const vt_dicom_options *opts, vt_volume **out,
                                   vt_dicom_info *info, vt_error *err) {
  if (!dir || !out) return vt_error_set(err, VT_EINVAL, NULL, "dir and out are required");
  vt_dicom_info local;
  vt_dicom_info *inf = info ? info : &local;
  memset(inf, 0, sizeof *inf);
  DIR *dp = opendir(dir);
  if (!dp) return vt_error_set(err, VT_EIO, dir, "cannot open folder: %s", strerror(errno));
  /* size the arena: the regular files a read would take */
  arena ar = {0};
  {
    size_t sum = 0;
    vt_buf p;
    vt__buf_init(&p, 8192);
    struct dirent *e;
    while ((e = readdir(dp)) != NULL && sum <= MAX_TOTAL_BYTES) {
      if (e->d_name[0] == '.' || !strcmp(e->d_name, "DICOMDIR")) continue;
      vt__buf_reset(&p);
      struct stat sb;
      if (vt__buf_printf(&p, "%s/%s", dir, e->d_name) == VT_OK && stat(p.data, &sb) == 0 &&
          S_ISREG(sb.st_mode) && (uint64_t)sb.st_size <= MAX_FILE_BYTES)
        sum += (size_t)sb.st_size;
    }
    vt__buf_free(&p);
    if (sum > 0 && sum <= MAX_TOTAL_BYTES) {
      ar.base = vt__big_alloc(sum, &ar.mapped);
      ar.cap = ar.base ? sum : 0;
    }
    rewinddir(dp);
  }
  slice *s = NULL;
  size_t n = 0, cap = 0, total = 0;
  vt_status st = VT_OK;
  struct dirent *de;
  vt_buf path;
  vt__buf_init(&path, 8192);
  while ((de = readdir(dp)) != NULL) {
    if (de->d_name[0] == '.' || !strcmp(de->d_name, "DICOMDIR")) continue;
    vt__buf_reset(&path);
    if ((st = vt__buf_printf(&path, "%s/%s", dir, de->d_name)) != VT_OK) break;
    struct stat sb;
    if (stat(path.data, &sb) != 0 || !S_ISREG(sb.st_mode)) continue;
    if (n == MAX_FILES) {
      st = vt_error_set(err, VT_ELIMIT, dir, "more than %d files", MAX_FILES);
      break;
    }
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      slice *ns = realloc(s, cap * sizeof *ns);
      if (!ns) {
        st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
        break;
      }
      s = ns;
    }
    vt_error ferr;
    vt_status fs = load_one(path.data, &ar, (size_t)sb.st_size, &s[n], &ferr);
    if (fs == VT_ENOMEM) {
      n++;
      st = vt_error_set(err, VT_ENOMEM, path.data, "out of memory");
      break;
    }
    int keep = fs == VT_OK && s[n].img.has_pixels;
    if (!keep) {
      /* Non-DICOM files (licences, notes) are skipped quietly; broken DICOM
       * files are reported, since the series may now have a gap. */
      if (fs != VT_OK && s[n].data && has_dicm(s[n].data, s[n].len)) {
        char msg[VT_ERROR_WHERE_MAX + VT_ERROR_MESSAGE_MAX + 4];
        warn(inf, "skipped %s", vt_error_format(&ferr, msg, sizeof msg));
      }
      inf->nskipped++;
      vt__dcm_image_free(&s[n].img);
      if (s[n].in_arena)
        ar.used -= s[n].len; /* the last file read: its space is reused */
      else
        free(s[n].data);
      free(s[n].path);
      continue;
    }
    total += s[n].len;
    n++;
    if (total > MAX_TOTAL_BYTES) {
      st = vt_error_set(err, VT_ELIMIT, dir, "DICOM files exceed %zu bytes in all", MAX_TOTAL_BYTES);
      break;
    }
  }
  closedir(dp);
  vt__buf_free(&path);
  if (st == VT_OK && n == 0)
    st = vt_error_set(err, VT_ENOTFOUND, dir, "no DICOM images found (%zu other files)", inf->nskipped);
  if (st) {
    free_slices(s, n);
    vt__big_free(ar.base, ar.mapped);
    return st;
  }
  /* group by SeriesInstanceUID: move the chosen series to the front */
  size_t nseries = 0;
  vt_buf list;
  vt__buf_init(&list, VT_ERROR_MESSAGE_MAX - 64);
  for (size_t i = 0; i < n; i++) {
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++) seen = !strcmp(s[j].img.series_uid, s[i].img.series_uid);
    if (seen) continue;
    nseries++;
    size_t cnt = 0;
    for (size_t j = i; j < n; j++) cnt += !strcmp(s[j].img.series_uid, s[i].img.series_uid);
    vt__buf_printf(&list, "%s%s (%s, %zu images%s%s)", nseries > 1 ? "; " : "",
                   s[i].img.series_uid[0] ? s[i].img.series_uid : "(no SeriesInstanceUID)",
                   s[i].img.modality[0] ? s[i].img.modality : "no modality", cnt,
                   s[i].img.series_desc[0] ? ", " : "", s[i].img.series_desc);
  }
  inf->nseries = nseries;
  const char *want = opts ? opts->series_uid : NULL;
  if (!want && nseries > 1) {
    st = vt_error_set(err, VT_EINVAL, dir, "%zu series; choose one: %s", nseries, list.data ? list.data : "");
  } else {
    if (!want) want = s[0].img.series_uid;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      if (!strcmp(s[i].img.series_uid, want)) {
        slice t = s[m];
        s[m] = s[i];
        s[i] = t;
        m++;
      }
    }
    if (!m)
      st = vt_error_set(err, VT_ENOTFOUND, dir, "no series %s; found: %s", want, list.data ? list.data : "");
    else
      st = assemble(s, m, opts, out, inf, err);
  }
  vt__buf_free(&list);
  free_slices(s, n);
  vt__big_free(ar.base, ar.mapped);
  return st;
}

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcmp(s + a - b, suf);
}

vt_status vt_volume_read(const char *path, vt_volume **out, vt_dicom_info *info, vt_error *err) {
  if (!path || !out) return vt_error_set(err, VT_EINVAL, NULL, "path and out are required");
  struct stat sb;
  if (stat(path, &sb) != 0) return vt_error_set(err, VT_EIO, path, "cannot open: %s", strerror(errno));
  if (S_ISDIR(sb.st_mode)) return vt_volume_read_dicom_dir(path, NULL, out, info, err);
  if (ends_with(path, ".nii") || ends_with(path, ".nii.gz")) return vt_volume_read_nifti(path, out, err);
  return vt_volume_read_dicom_file(path, NULL, out, info, err);
}
