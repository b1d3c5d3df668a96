/* cmd_ct_morphometry.c — `vertebra ct morphometry MASK.nii.gz [-o FILE]`:
 * body centroids, six-point heights and Genant grades from a VerSe label mask. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "vertebra/image_io.h"
#include "vertebra/spine.h"


static void usage(FILE *f) {
  fputs("usage: vertebra ct morphometry MASK.nii.gz [--ct CT.nii.gz] [-o FILE]\n"
        "  Per vertebra of a VerSe-convention label mask (1-7 C1-C7, 8-19 T1-T12,\n"
        "  20-25 L1-L6, 26 sacrum, 28 T13): body centroid (RAS mm, body cut from\n"
        "  the posterior elements at the spinal canal), anterior/middle/posterior\n"
        "  heights on the mid-sagittal plane and the Genant grade (expected height\n"
        "  from the posterior height and the neighbouring levels). Prints the\n"
        "  vertebrae.json document (see docs/image-spine.md).\n"
        "  --ct CT   the CT on the mask's grid: adds trabecular ROI HU, whole-body\n"
        "            mean HU and the L1 osteoporosis category (Pickhardt 2013), and\n"
        "            fits S1's superior endplate on the CT's bone edge (lordosis)\n"
        "  -o FILE   write the JSON to FILE instead of stdout\n",
        f);
}

int vt_cli_ct_morphometry(int argc, char **argv) {
  const char *in = NULL, *outp = "-", *ctp = NULL;
  for (int i = 1; i < argc; i++) {
    if (vt_cli_is_help(argv[i])) {
      usage(stdout);
      return VT_EXIT_OK;
    } else if (!strcmp(argv[i], "-o")) {
      if (++i >= argc) return vt_cli_usage_error("ct morphometry", "-o needs a file name");
      outp = argv[i];
    } else if (!strcmp(argv[i], "--ct")) {
      if (++i >= argc) return vt_cli_usage_error("ct morphometry", "--ct needs a file name");
      ctp = argv[i];
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return vt_cli_usage_error("ct morphometry", "unknown option %s", argv[i]);
    } else if (!in) {
      in = argv[i];
    } else {
      return vt_cli_usage_error("ct morphometry", "one mask only (got %s too)", argv[i]);
    }
  }
  if (!in) return vt_cli_usage_error("ct morphometry", "missing MASK.nii.gz");
  vt_error err;
  vt_error_clear(&err);
  vt_volume *mask = NULL, *ct = NULL;
  vt_status st = vt_volume_read_nifti(in, &mask, &err);
  if (st == VT_OK && ctp) st = vt_volume_read_nifti(ctp, &ct, &err);
  if (st != VT_OK) {
    vt_volume_free(mask);
    return vt_cli_fail(&err);
  }
  vt_vertebra_morph *m = NULL;
  size_t n = 0;
  char *json = NULL;
  st = vt_spine_morphometry(mask, &m, &n, &err);
  if (st == VT_OK && ct) st = vt_spine_bone_hu(ct, mask, m, n, &err);
  if (st == VT_OK && ct) st = vt_spine_sagittal_endplates_ct(ct, mask, m, n, &err);
  if (st == VT_OK) st = vt_spine_morphometry_json(m, n, &json, &err);
  if (st != VT_OK) vt_error_wrap(&err, in);
  if (st == VT_OK) {
    size_t len = strlen(json);
    json[len] = '\n';
    st = vt__atomic_write(outp, json, len + 1, &err);
  }
  free(json);
  free(m);
  vt_volume_free(mask);
  vt_volume_free(ct);
  return st == VT_OK ? VT_EXIT_OK : vt_cli_fail(&err);
}
