/* cmd_ct_analyze.c — `vertebra ct analyze INPUT -o DIR`: finds, labels and
 * measures every vertebra of a CT (DICOM folder or NIfTI) and writes
 * vertebrae.json, labels.nii.gz, sagittal.png, coronal.png and
 * report.fhir.json into DIR, which appears only when all of them succeeded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "vertebra/image_io.h"
#include "vertebra/spine_analyze.h"
#include "vertebra/spine_render.h"

static void usage(FILE *f) {
  fputs("usage: vertebra ct analyze INPUT -o DIR [--jobs N] [--min-confidence X] [-q]\n"
        "\n"
        "Finds the spinal column in a CT (INPUT: a folder holding one DICOM series,\n"
        "a DICOM file or a .nii/.nii.gz in HU), separates and labels the vertebrae\n"
        "and measures each one. Writes into DIR (created; it appears only when\n"
        "every file was written):\n"
        "  vertebrae.json    labels with confidence, centroids, heights, Genant grade,\n"
        "                    trabecular HU, osteoporosis category, Cobb angle, lordosis,\n"
        "                    kyphosis, warnings\n"
        "  labels.nii.gz     VerSe vertebra labels (uint8) on the CT's grid and affine\n"
        "  bodies.nii.gz     the same labels on the vertebral bodies only\n"
        "  sagittal.png      curved sagittal reformat with labels, ROI, height lines and\n"
        "                    the lordosis/kyphosis endplate lines (red)\n"
        "  coronal.png       curved coronal reformat with labels and ROI\n"
        "  report.fhir.json  FHIR R4 Bundle: DiagnosticReport + Observations\n"
        "\n"
        "  --jobs N            worker threads (default 0: all cores)\n"
        "  --min-confidence X  withhold labels below this confidence (0-1, default 0.5)\n"
        "  -q                  no progress bar, summary or warnings on stderr\n"
        "Exit codes: 65 when the input holds no spine or is not a 3-D CT; see\n"
        "docs/ERRORS.md for the others.\n",
        f);
}

/* Writes the five outputs into the (temporary, private) folder `dir`. */
vt_status vt_cli_ct_write_outputs(const char *dir, const struct vt_spine_findings *f, const char *vertebrae_json,
                                  const char *id_seed, vt_error *err) {
  char path[4096];
  vt_status st;
  size_t len = strlen(vertebrae_json);
  char *doc = malloc(len + 2);
  if (!doc) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  memcpy(doc, vertebrae_json, len);
  doc[len] = '\n';
  snprintf(path, sizeof path, "%s/vertebrae.json", dir);
  st = vt__atomic_write(path, doc, len + 1, err);
  free(doc);
  if (st) return st;
  snprintf(path, sizeof path, "%s/labels.nii.gz", dir);
  st = vt_volume_write_nifti(f->labels, path, VT_NIFTI_UINT8, err);
  if (st) return st;
  if (f->body) {
    snprintf(path, sizeof path, "%s/bodies.nii.gz", dir);
    st = vt_volume_write_nifti_masked(f->labels, f->body, path, VT_NIFTI_UINT8, err);
    if (st) return st;
  }
  snprintf(path, sizeof path, "%s/sagittal.png", dir);
  st = vt_spine_render_png(f, VT_SPINE_SAGITTAL, NULL, path, err);
  if (st) return st;
  snprintf(path, sizeof path, "%s/coronal.png", dir);
  st = vt_spine_render_png(f, VT_SPINE_CORONAL, NULL, path, err);
  if (st) return st;
  vt_spine_report_opts ro = {NULL, id_seed};
  char *fhir = NULL;
  st = vt_spine_report_fhir(f, &ro, &fhir, err);
  if (st) return st;
  snprintf(path, sizeof path, "%s/report.fhir.json", dir);
  len = strlen(fhir);
  st = vt__atomic_write(path, fhir, len, err);
  free(fhir);
  return st;
}

static int parse_unit(const char *opt, const char *val, double *out) {
  if (!val) return vt_cli_usage_error("ct analyze", "%s needs a value", opt);
  char *end;
  errno = 0;
  double v = strtod(val, &end);
  if (errno || end == val || *end || !(v >= 0 && v <= 1))
    return vt_cli_usage_error("ct analyze", "%s: '%s' is not a number in [0, 1]", opt, val);
  *out = v;
  return 0;
}

/* Prints the error and returns 65: the input is readable but holds no
 * analysable spine (a data problem, not a usage error or a missing file). */
static int data_error(const vt_error *err) {
  vt_cli_fail(err);
  return VT_EXIT_DATAERR;
}

int vt_cli_ct_analyze(int argc, char **argv) {
  const char *in = NULL, *dir = NULL;
  vt_spine_analyze_opts ao;
  vt_spine_analyze_defaults(&ao);
  int quiet = 0, rc = 0;
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (vt_cli_is_help(a)) {
      usage(stdout);
      return VT_EXIT_OK;
    } else if (!strcmp(a, "-o")) {
      if (!v) return vt_cli_usage_error("ct analyze", "-o needs a folder");
      dir = v, i++;
    } else if (!strcmp(a, "--jobs")) {
      long n;
      rc = vt_cli_parse_long("ct analyze", a, v, 0, 1024, &n), i++;
      ao.jobs = (int)n;
    } else if (!strcmp(a, "--min-confidence")) {
      rc = parse_unit(a, v, &ao.min_label_confidence), i++;
    } else if (!strcmp(a, "-q")) {
      quiet = 1;
    } else if (a[0] == '-' && a[1]) {
      return vt_cli_usage_error("ct analyze", "unknown option %s", a);
    } else if (!in) {
      in = a;
    } else {
      return vt_cli_usage_error("ct analyze", "one INPUT only (got %s too)", a);
    }
  }
  if (rc) return rc;
  if (!in || !dir) return vt_cli_usage_error("ct analyze", "INPUT and -o DIR are required (see --help)");
  vt_error err;
  vt_error_clear(&err);
  /* refused before the work, not after it (the commit checks again) */
  if (vt__atomic_dir_check(dir, &err)) return vt_cli_fail(&err);
  vt_volume *ct = NULL;
  vt_dicom_info info;
  memset(&info, 0, sizeof info);
  vt_status st = vt_volume_read(in, &ct, &info, &err);
  if (st) return vt_cli_fail(&err);
  size_t d[3];
  vt_volume_dims(ct, d);
  if (d[0] < 2 || d[1] < 2 || d[2] < 2) {
    vt_volume_free(ct);
    vt_error_set(&err, VT_EFORMAT, in, "a 2-D image (%zux%zux%zu voxels): ct analyze needs a CT volume", d[0], d[1],
                 d[2]);
    return data_error(&err);
  }
  if (info.nslices && !info.is_ct) {
    vt_volume_free(ct);
    vt_error_set(&err, VT_EFORMAT, in, "modality is %s, not CT: ct analyze needs Hounsfield units",
                 info.modality[0] ? info.modality : "missing");
    return data_error(&err);
  }
  if (!quiet)
    for (size_t i = 0; i < info.nwarnings && i < VT_DICOM_MAX_WARNINGS; i++)
      fprintf(stderr, "warning: %s\n", info.warnings[i]);
  vt_spine_analysis *an = NULL;
  st = vt_spine_analyze(ct, &ao, quiet ? NULL : vt_cli_progress_bar.fn, NULL, &an, &err);
  if (st) {
    vt_volume_free(ct);
    vt_error_wrap(&err, in);
    /* no spine found / not analysable: a data problem (65); the rest as usual */
    return st == VT_ENOTFOUND || st == VT_EINVAL ? data_error(&err) : vt_cli_fail(&err);
  }
  size_t n = vt_spine_analysis_count(an), nw = vt_spine_analysis_warning_count(an);
  vt_vertebra_morph *m = n ? malloc(n * sizeof *m) : NULL;
  vt_spine_level *lv = n ? malloc(n * sizeof *lv) : NULL;
  const char **w = nw ? malloc(nw * sizeof *w) : NULL;
  char *json = NULL, *tmp = NULL;
  if ((n && (!m || !lv)) || (nw && !w)) {
    st = vt_error_set(&err, VT_ENOMEM, NULL, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) m[i] = *vt_spine_analysis_morph(an, i), lv[i] = *vt_spine_analysis_level(an, i);
  for (size_t i = 0; i < nw; i++) w[i] = vt_spine_analysis_warning(an, i);
  vt_spine_findings f = {ct, vt_spine_analysis_labels(an), m, lv, n, w, nw, vt_spine_analysis_body_mask(an)};
  st = vt_spine_analysis_json(an, &json, &err);
  if (st == VT_OK) st = vt__atomic_dir_open(dir, &tmp, &err);
  if (st == VT_OK) st = vt_cli_ct_write_outputs(tmp, &f, json, in, &err);
  if (st == VT_OK) {
    st = vt__atomic_dir_commit(tmp, dir, &err); /* aborts the folder itself on failure */
  } else if (tmp) {
    vt__atomic_dir_abort(tmp);
  }
  if (st == VT_OK && !quiet) {
    vt_cli_progress_clear();
    fprintf(stderr, "%s: %zu vertebrae", dir, n);
    if (n) fprintf(stderr, " (%s to %s)", lv[0].label, lv[n - 1].label);
    for (size_t i = 0; i < n; i++)
      if (m[i].genant_grade >= 1) {
        fprintf(stderr, "; %s Genant grade %d", lv[i].label, m[i].genant_grade);
        if (m[i].genant_grade_lo != m[i].genant_grade_hi) /* within the height resolution */
          fprintf(stderr, " (%d-%d)", m[i].genant_grade_lo, m[i].genant_grade_hi);
      }
    vt_sagittal_angle sa[2];
    vt_spine_lordosis(m, n, &sa[0]);
    vt_spine_kyphosis(m, n, &sa[1]);
    for (int k = 0; k < 2; k++)
      if (sa[k].measured)
        fprintf(stderr, "; %s %s-%s %.1f deg", k ? "kyphosis" : "lordosis", sa[k].upper, sa[k].lower, sa[k].angle_deg);
    fputc('\n', stderr);
    for (size_t i = 0; i < nw; i++) fprintf(stderr, "warning: %s\n", w[i]);
  }
done:
  free(tmp);
  free(json);
  free(m);
  free(lv);
  free(w);
  vt_spine_analysis_free(an);
  vt_volume_free(ct);
  return st == VT_OK ? VT_EXIT_OK : vt_cli_fail(&err);
}
