/* demo_ct.c — the CT part of `vertebra demo`: a phantom with a known fracture
 * and curve, measured, with truth beside the measurement; then `ct analyze`
 * on the phantom's CT (its outputs in analyze/), or, in a build whose
 * analyzer is not linked, the same overlays and FHIR report drawn from the
 * phantom's truth labels (in truth_overlay/, said so on the console). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "vertebra/spine.h"
#include "vertebra/spine_analyze.h"
#include "vertebra/spine_render.h"
#include <sys/stat.h>

/* Runs the analyzer on the phantom CT and writes its outputs to DIR/analyze,
 * printing its labels and grades beside the truth. Returns VT_EUNSUPPORTED
 * (quietly) when the analyzer is not in this build. */
static vt_status analyze_part(const char *dir, const vt_volume *ct, const vt_vertebra_morph *truth, size_t nt,
                              FILE *out, vt_error *err) {
  vt_spine_analyze_opts ao;
  vt_spine_analyze_defaults(&ao);
  vt_spine_analysis *an = NULL;
  vt_status st = vt_spine_analyze(ct, &ao, NULL, NULL, &an, err);
  if (st) return st;
  size_t n = vt_spine_analysis_count(an), nw = vt_spine_analysis_warning_count(an);
  vt_vertebra_morph *m = calloc(n ? n : 1, sizeof *m);
  vt_spine_level *lv = calloc(n ? n : 1, sizeof *lv);
  const char **w = calloc(nw ? nw : 1, sizeof *w);
  char *json = NULL, sub[4096];
  if (!m || !lv || !w) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; st == VT_OK && i < n; i++) m[i] = *vt_spine_analysis_morph(an, i), lv[i] = *vt_spine_analysis_level(an, i);
  for (size_t i = 0; st == VT_OK && i < nw; i++) w[i] = vt_spine_analysis_warning(an, i);
  vt_spine_findings f = {ct, vt_spine_analysis_labels(an), m, lv, n, w, nw, vt_spine_analysis_body_mask(an)};
  if (st == VT_OK) st = vt_spine_analysis_json(an, &json, err);
  snprintf(sub, sizeof sub, "%s/analyze", dir);
  if (st == VT_OK && mkdir(sub, 0755) != 0) st = vt_error_set(err, VT_EIO, sub, "cannot create folder");
  if (st == VT_OK) st = vt_cli_ct_write_outputs(sub, &f, json, "vertebra-demo-phantom", err);
  if (st == VT_OK) {
    fprintf(out, "ct analyze on the phantom CT (no mask given): %zu vertebrae found\n"
                 "  level  label conf  ant/mid/post mm measured   grade  | truth level grade\n", n);
    for (size_t i = 0; i < n; i++) {
      const vt_vertebra_morph *t = NULL;
      for (size_t k = 0; k < nt; k++)
        if (truth[k].verse_label == m[i].verse_label) t = &truth[k];
      fprintf(out, "  %-5s  %4.2f%s  %5.1f %5.1f %5.1f   %2d     | %-5s %d\n", lv[i].label, lv[i].confidence,
              lv[i].label_uncertain ? "?" : " ", m[i].height_anterior_mm, m[i].height_middle_mm,
              m[i].height_posterior_mm, m[i].genant_grade, t ? t->label : "-", t ? t->genant_grade : -1);
    }
    fprintf(out, "  outputs: analyze/{vertebrae.json,labels.nii.gz,bodies.nii.gz,sagittal.png,coronal.png,report.fhir.json}\n");
  }
  free(json), free(m), free(lv), free(w);
  vt_spine_analysis_free(an);
  return st;
}

int vt_cli_demo_ct(const char *dir, FILE *out) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = 16; /* T9 .. L5 + sacrum */
  o.fracture_label = 20;
  o.fracture_grade = 2;
  o.cobb_deg = 15;
  o.spacing_z_mm = 1.0;
  o.noise_sd_hu = 20;
  vt_volume *ct = NULL, *lab = NULL;
  char *truth = NULL, *meas = NULL, path[4096];
  vt_vertebra_morph *m = NULL;
  size_t n = 0;
  vt_error err;
  vt_error_clear(&err);
  vt_status st = vt_phantom_build(&o, &ct, &lab, &truth, &err);
  if (st == VT_OK) st = vt_spine_morphometry(lab, &m, &n, &err);
  if (st == VT_OK) st = vt_spine_bone_hu(ct, lab, m, n, &err);
  if (st == VT_OK) st = vt_spine_morphometry_json(m, n, &meas, &err);
  if (st == VT_OK) {
    snprintf(path, sizeof path, "%s/phantom_truth.json", dir);
    st = vt__atomic_write(path, truth, strlen(truth), &err);
  }
  if (st == VT_OK) {
    snprintf(path, sizeof path, "%s/vertebrae.json", dir);
    st = vt__atomic_write(path, meas, strlen(meas), &err);
  }
  if (st == VT_OK) {
    json_t *t = json_loads(truth, 0, NULL), *tv = json_object_get(t, "vertebrae");
    fprintf(out, "CT phantom T9-L5 + sacrum, L1 wedge fracture grade 2, Cobb %.0f deg, noise 20 HU\n"
                 "(morphometry of the phantom's label mask; full image analysis: vertebra ct analyze)\n",
            o.cobb_deg);
    fprintf(out, "  level  ant/mid/post mm truth      measured            grade truth/measured\n");
    for (size_t i = 0; i < n && i < json_array_size(tv); i++) {
      json_t *h = json_object_get(json_array_get(tv, i), "heights_mm");
      if (!h) continue;
      fprintf(out, "  %-5s  %5.1f %5.1f %5.1f   %5.1f %5.1f %5.1f   %d / %d\n", m[i].label,
              json_number_value(json_object_get(h, "anterior")), json_number_value(json_object_get(h, "middle")),
              json_number_value(json_object_get(h, "posterior")), m[i].height_anterior_mm,
              m[i].height_middle_mm, m[i].height_posterior_mm,
              (int)json_integer_value(json_object_get(json_array_get(tv, i), "genant_grade")), m[i].genant_grade);
    }
    json_decref(t);
  }
  if (st == VT_OK) {
    vt_error aerr;
    vt_error_clear(&aerr);
    vt_status as = analyze_part(dir, ct, m, n, out, &aerr);
    if (as != VT_OK) {
      /* the analyzer is missing (or failed): draw the same outputs from the
       * phantom's truth labels so the renderers still show, and say so */
      char msg[VT_ERROR_WHERE_MAX + VT_ERROR_MESSAGE_MAX + 4];
      fprintf(out, "ct analyze: %s\n  -> overlays and FHIR report drawn from the phantom's TRUTH labels instead "
                   "(truth_overlay/)\n", vt_error_format(&aerr, msg, sizeof msg));
      snprintf(path, sizeof path, "%s/truth_overlay", dir);
      vt_spine_findings f = {ct, lab, m, NULL, n, NULL, 0, NULL};
      if (mkdir(path, 0755) != 0) st = vt_error_set(&err, VT_EIO, path, "cannot create folder");
      else st = vt_cli_ct_write_outputs(path, &f, meas, "vertebra-demo-phantom", &err);
    }
  }
  free(truth);
  free(meas);
  free(m);
  vt_volume_free(ct);
  vt_volume_free(lab);
  return st == VT_OK ? VT_EXIT_OK : vt_cli_fail(&err);
}
