/* test_spine_cervical.c — the cervical spine on phantoms with the atlas and
 * the axis modelled (C1: a ring without a body; C2: a body with the dens
 * rising through the ring) and ribs from T1 down:
 * - C1-T2 at 1 and 2.5 mm, RAS and LPS: every level found, labelled C1..T2
 *   exactly with confidence (the dens = C2 and the first rib = T1 agree:
 *   five cervical levels between), C3-T2 body centroids within 3 mm;
 * - at 5 mm, and on C1-T3 (whose cervicothoracic discs the disc finder does
 *   not all find yet), whatever is labelled with confidence lies on the
 *   phantom's vertebra of that name (>= 50 % of its voxels): never a
 *   confident wrong label;
 * - no dens is reported where there is none (C3-T4, T10-L5): no C1/C2. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vertebra/spine.h"
#include "vertebra/spine_analyze.h"
#include "vt_test.h"

static int top_label; /* set when C1 or C2 is named */

/* builds the phantom, analyses it; exact: all levels named as the truth */
static void run_case(int top, int bottom, double sz, int lps, int exact) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = top, o.bottom = bottom, o.spacing_z_mm = sz, o.lps = lps, o.noise_sd_hu = 10, o.seed = 4;
  vt_volume *ct = NULL, *lab = NULL;
  char *js = NULL;
  vt_error err;
  CHECK_INT(vt_phantom_build(&o, &ct, &lab, &js, &err), VT_OK);
  if (!ct) return;
  json_t *truth = json_loads(js, 0, NULL), *tv = json_object_get(truth, "vertebrae");
  vt_spine_analysis *a = NULL;
  vt_status st = vt_spine_analyze(ct, NULL, NULL, NULL, &a, &err);
  CHECK_MSG(st == VT_OK, "%g mm: %s", sz, err.message);
  if (st != VT_OK) goto done;
  size_t n = vt_spine_analysis_count(a);
  if (exact) CHECK_MSG(n == json_array_size(tv), "%g mm %s: %zu levels, truth %zu", sz, lps ? "LPS" : "RAS", n,
                       json_array_size(tv));
  /* the output label mask against the phantom's labels */
  const float *got = vt_volume_cdata(vt_spine_analysis_labels(a)), *ref = vt_volume_cdata(lab);
  size_t d[3];
  vt_volume_dims(lab, d);
  size_t nvox = d[0] * d[1] * d[2];
  for (size_t i = 0; i < n; i++) {
    const vt_spine_level *l = vt_spine_analysis_level(a, i);
    if (l->verse_label < 1) continue;
    if (l->verse_label <= 2) top_label = 1;
    size_t same = 0, known = 0;
    for (size_t q = 0; q < nvox; q++) {
      if (lrintf(got[q]) != l->verse_label || ref[q] < 0.5f) continue;
      known++;
      same += lrintf(ref[q]) == l->verse_label;
    }
    CHECK_MSG(known && 2 * same >= known, "%g mm %s: %s on the phantom's %s for %.0f %% of its voxels", sz,
              lps ? "LPS" : "RAS", l->label, l->label, known ? 100.0 * (double)same / (double)known : 0.0);
    if (!exact || i >= json_array_size(tv)) continue;
    json_t *t = json_array_get(tv, i);
    int want = (int)json_integer_value(json_object_get(t, "verse_label"));
    CHECK_MSG(l->verse_label == want && l->confidence >= 0.5, "%g mm %s: level %zu labelled %s (%.2f), truth %d",
              sz, lps ? "LPS" : "RAS", i, l->label, l->confidence, want);
    if (want <= 2) continue; /* the atlas has no body; the axis's centroid takes in the dens */
    const vt_vertebra_morph *m = vt_spine_analysis_morph(a, i);
    json_t *c = json_object_get(t, "center_ras_mm");
    double d2 = 0;
    for (int k = 0; k < 3; k++) {
      double e = m->centroid_ras_mm[k] - json_real_value(json_array_get(c, (size_t)k));
      d2 += e * e;
    }
    CHECK_MSG(sqrt(d2) <= 3.0, "%g mm %s: %s centroid %.1f mm from truth", sz, lps ? "LPS" : "RAS", l->label,
              sqrt(d2));
  }
done:
  vt_spine_analysis_free(a);
  json_decref(truth);
  free(js);
  vt_volume_free(ct);
  vt_volume_free(lab);
}

int main(void) {
  for (int lps = 0; lps <= 1; lps++) {
    run_case(1, 9, 1.0, lps, 1);   /* C1-T2 */
    run_case(1, 9, 2.5, lps, 1);
    run_case(1, 9, 5.0, lps, 0);
    run_case(1, 10, 1.0, lps, 0);  /* C1-T3 */
    run_case(1, 10, 2.5, lps, 0);
    run_case(1, 10, 5.0, lps, 0);
  }
  top_label = 0;
  run_case(3, 11, 2.5, 0, 0); /* C3-T4: no dens */
  run_case(17, 24, 2.5, 0, 0); /* T10-L5 */
  CHECK_MSG(!top_label, "C1 or C2 named on a phantom without them");
  return VT_TEST_END();
}
