/* demo_ct.c — the CT part of `vertebra demo`: a phantom with a known fracture
 * and curve, measured, with truth beside the measurement. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "vertebra/spine.h"

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
  free(truth);
  free(meas);
  free(m);
  vt_volume_free(ct);
  vt_volume_free(lab);
  return st == VT_OK ? VT_EXIT_OK : vt_cli_fail(&err);
}
