/* cmd_ct_convert.c — `vertebra ct convert`: a DICOM series (or any readable
 * image) to a NIfTI file in HU with the dcm2niix RAS affine. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vertebra/image_io.h"

static void usage(FILE *f) {
  fputs("usage: vertebra ct convert INPUT OUT.nii[.gz] [--series UID] [--float32] [--allow-2d] [-q]\n"
        "\n"
        "Reads INPUT (a folder holding a DICOM series, one DICOM file, or a NIfTI\n"
        "file) and writes OUT as NIfTI-1 (gzip when OUT ends in .gz): voxels in HU\n"
        "(RescaleSlope/Intercept applied; int16 when every voxel is an integer\n"
        "that fits, which is lossless, else float32), and the RAS\n"
        "affine dcm2niix writes. Slices are ordered by ImagePositionPatient.\n"
        "\n"
        "  --series UID  pick one series when the folder holds several (they are listed)\n"
        "  --float32     always store float32\n"
        "  --allow-2d    accept a single-image series (default: at least 2 slices)\n"
        "  -q            do not print the summary and warnings\n",
        f);
}

int vt_cli_ct_convert(int argc, char **argv) {
  const char *in = NULL, *outp = NULL;
  vt_dicom_options opts = {NULL, 2};
  int force_float = 0, quiet = 0;
  for (int i = 1; i < argc; i++) {
    if (vt_cli_is_help(argv[i])) {
      usage(stdout);
      return VT_EXIT_OK;
    } else if (!strcmp(argv[i], "--series")) {
      if (i + 1 >= argc) return vt_cli_usage_error("ct convert", "--series needs a UID");
      opts.series_uid = argv[++i];
    } else if (!strcmp(argv[i], "--float32")) {
      force_float = 1;
    } else if (!strcmp(argv[i], "--allow-2d")) {
      opts.min_slices = 1;
    } else if (!strcmp(argv[i], "-q")) {
      quiet = 1;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return vt_cli_usage_error("ct convert", "unknown option %s", argv[i]);
    } else if (!in) {
      in = argv[i];
    } else if (!outp) {
      outp = argv[i];
    } else {
      return vt_cli_usage_error("ct convert", "unexpected argument %s", argv[i]);
    }
  }
  if (!in || !outp) return vt_cli_usage_error("ct convert", "INPUT and OUT are required (see --help)");
  vt_error err;
  vt_error_clear(&err);
  vt_volume *vol = NULL;
  vt_dicom_info info;
  memset(&info, 0, sizeof info);
  size_t n = strlen(in);
  int nifti = (n >= 4 && !strcmp(in + n - 4, ".nii")) || (n >= 7 && !strcmp(in + n - 7, ".nii.gz"));
  vt_status st;
  if (nifti) {
    st = vt_volume_read_nifti(in, &vol, &err);
  } else {
    FILE *probe = fopen(in, "rb");
    int is_file = 0;
    if (probe) {
      is_file = fgetc(probe) != EOF || !ferror(probe);
      /* fopen on a folder succeeds on Linux but reading fails with EISDIR */
      is_file = is_file && !ferror(probe);
      fclose(probe);
    }
    st = is_file ? vt_volume_read_dicom_file(in, &opts, &vol, &info, &err)
                 : vt_volume_read_dicom_dir(in, &opts, &vol, &info, &err);
  }
  if (st != VT_OK) return vt_cli_fail(&err);
  size_t d[3];
  vt_volume_dims(vol, d);
  int int16 = !force_float;
  const float *v = vt_volume_cdata(vol);
  for (size_t i = 0, nv = d[0] * d[1] * d[2]; int16 && i < nv; i++)
    int16 = v[i] >= -32768.0f && v[i] <= 32767.0f && v[i] == (float)(int)v[i];
  st = vt_volume_write_nifti(vol, outp, int16 ? VT_NIFTI_INT16 : VT_NIFTI_FLOAT32, &err);
  double sp[3];
  vt_volume_spacing(vol, sp);
  vt_volume_free(vol);
  if (st != VT_OK) return vt_cli_fail(&err);
  if (!quiet) {
    fprintf(stderr, "%s: %zux%zux%zu voxels, %.4gx%.4gx%.4g mm", outp, d[0], d[1], d[2], sp[0], sp[1], sp[2]);
    if (!nifti) fprintf(stderr, ", modality %s, series %s", info.modality[0] ? info.modality : "?", info.series_uid);
    fputc('\n', stderr);
    if (!nifti && !info.is_ct) fprintf(stderr, "warning: modality is %s, not CT: values are not HU\n",
                                       info.modality[0] ? info.modality : "missing");
    for (size_t i = 0; i < info.nwarnings && i < VT_DICOM_MAX_WARNINGS; i++)
      fprintf(stderr, "warning: %s\n", info.warnings[i]);
    if (info.nwarnings > VT_DICOM_MAX_WARNINGS)
      fprintf(stderr, "warning: %zu more warnings\n", info.nwarnings - VT_DICOM_MAX_WARNINGS);
  }
  return VT_EXIT_OK;
}
