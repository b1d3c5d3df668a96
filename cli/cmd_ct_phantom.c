/* cmd_ct_phantom.c — `vertebra ct phantom -o DIR [options]`: writes a digital
 * spine phantom (ct.nii.gz), its truth label mask (labels.nii.gz) and truth.json. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "vertebra/image_io.h"
#include "vertebra/spine.h"


static void usage(FILE *f) {
  fputs("usage: vertebra ct phantom -o DIR [options]\n"
        "  --levels TOP-BOTTOM     VerSe names, e.g. T11-L5 (default); L5/L6 adds the sacrum\n"
        "  --spacing MM            slice spacing 0.5-5 (default 1)\n"
        "  --xy MM                 in-plane voxel size (default 1)\n"
        "  --lps                   voxel axes run to L,P,S (default R,A,S)\n"
        "  --hu HU                 trabecular HU (default 150)\n"
        "  --noise SD              Gaussian noise SD in HU (default 0)\n"
        "  --seed N                noise seed\n"
        "  --fracture LEVEL:GRADE[:biconcave]   e.g. L1:2 (wedge by default)\n"
        "  --cobb DEG              coronal curve with this Cobb angle\n"
        "  --lordosis DEG          sagittal curve: L1 superior to S1 superior endplate\n"
        "  --kyphosis DEG          sagittal curve: T4 superior to T12 inferior endplate\n"
        "  --partial-volume        each voxel the mean HU over its extent (slice profile)\n"
        "  Writes DIR/ct.nii.gz, DIR/labels.nii.gz (VerSe labels), DIR/truth.json.\n",
        f);
}

static int parse_level(const char *s, size_t len) {
  for (int l = 1; l <= VT_VERSE_MAX_LABEL; l++) {
    const char *n = vt_verse_label_name(l);
    if (n && strlen(n) == len && !strncmp(n, s, len)) return l;
  }
  return 0;
}

static int parse_double(const char *opt, const char *val, double lo, double hi, double *out) {
  if (!val) return vt_cli_usage_error("ct phantom", "%s needs a value", opt);
  char *end;
  errno = 0;
  double v = strtod(val, &end);
  if (errno || end == val || *end || !(v >= lo && v <= hi))
    return vt_cli_usage_error("ct phantom", "%s: '%s' is not a number in [%g, %g]", opt, val, lo, hi);
  *out = v;
  return 0;
}

int vt_cli_ct_phantom(int argc, char **argv) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  const char *dir = NULL;
  int rc = 0;
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (vt_cli_is_help(a)) {
      usage(stdout);
      return VT_EXIT_OK;
    } else if (!strcmp(a, "-o")) {
      if (!v) return vt_cli_usage_error("ct phantom", "-o needs a folder");
      dir = v, i++;
    } else if (!strcmp(a, "--lps")) {
      o.lps = 1;
    } else if (!strcmp(a, "--partial-volume")) {
      o.partial_volume = 1;
    } else if (!strcmp(a, "--spacing")) {
      rc = parse_double(a, v, 0.5, 5, &o.spacing_z_mm), i++;
    } else if (!strcmp(a, "--xy")) {
      rc = parse_double(a, v, 0.3, 3, &o.spacing_xy_mm), i++;
    } else if (!strcmp(a, "--hu")) {
      rc = parse_double(a, v, -1000, 3000, &o.trabecular_hu), i++;
    } else if (!strcmp(a, "--noise")) {
      rc = parse_double(a, v, 0, 500, &o.noise_sd_hu), i++;
    } else if (!strcmp(a, "--cobb")) {
      rc = parse_double(a, v, -60, 60, &o.cobb_deg), i++;
    } else if (!strcmp(a, "--lordosis")) {
      rc = parse_double(a, v, -80, 80, &o.lordosis_deg), i++;
    } else if (!strcmp(a, "--kyphosis")) {
      rc = parse_double(a, v, -80, 80, &o.kyphosis_deg), i++;
    } else if (!strcmp(a, "--seed")) {
      long s;
      rc = vt_cli_parse_long("ct phantom", a, v, 0, 1000000000L, &s), i++;
      o.seed = (unsigned)s;
    } else if (!strcmp(a, "--levels")) {
      const char *dash = v ? strchr(v, '-') : NULL;
      if (!dash || !(o.top = parse_level(v, (size_t)(dash - v))) || !(o.bottom = parse_level(dash + 1, strlen(dash + 1))))
        return vt_cli_usage_error("ct phantom", "--levels wants TOP-BOTTOM such as T11-L5");
      i++;
    } else if (!strcmp(a, "--fracture")) {
      const char *c = v ? strchr(v, ':') : NULL;
      if (!c || !(o.fracture_label = parse_level(v, (size_t)(c - v))) || c[1] < '1' || c[1] > '3' ||
          (c[2] && strcmp(c + 2, ":biconcave")))
        return vt_cli_usage_error("ct phantom", "--fracture wants LEVEL:GRADE[:biconcave] such as L1:2");
      o.fracture_grade = c[1] - '0';
      o.biconcave = c[2] != 0;
      i++;
    } else {
      return vt_cli_usage_error("ct phantom", "unknown argument %s", a);
    }
  }
  if (rc) return rc;
  if (!dir) return vt_cli_usage_error("ct phantom", "missing -o DIR");
  vt_error err;
  vt_error_clear(&err);
  vt_volume *ct = NULL, *lab = NULL;
  char *truth = NULL, *tmp = NULL;
  vt_status st = vt_phantom_build(&o, &ct, &lab, &truth, &err);
  if (st == VT_OK) st = vt__atomic_dir_open(dir, &tmp, &err);
  char path[4096];
  if (st == VT_OK) {
    snprintf(path, sizeof path, "%s/ct.nii.gz", tmp);
    st = vt_volume_write_nifti(ct, path, VT_NIFTI_INT16, &err); /* HU, rounded */
  }
  if (st == VT_OK) {
    snprintf(path, sizeof path, "%s/labels.nii.gz", tmp);
    st = vt_volume_write_nifti(lab, path, VT_NIFTI_UINT8, &err);
  }
  if (st == VT_OK) {
    snprintf(path, sizeof path, "%s/truth.json", tmp);
    st = vt__atomic_write(path, truth, strlen(truth), &err);
  }
  if (st == VT_OK) st = vt__atomic_dir_commit(tmp, dir, &err);
  else if (tmp) vt__atomic_dir_abort(tmp);
  free(tmp);
  free(truth);
  vt_volume_free(ct);
  vt_volume_free(lab);
  return st == VT_OK ? VT_EXIT_OK : vt_cli_fail(&err);
}
