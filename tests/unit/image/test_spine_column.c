/* test_spine_column.c — vt_spine_analyze finds every level of columns whose
 * bodies change size along them, and of larger sagittal curves, on digital
 * phantoms (10 HU noise): C3-T4 and C1-T2 (the cervicothoracic junction:
 * cervical bodies 16 mm deep, thoracic 28) and C3-L5 + sacrum (23 levels) at
 * 1, 2.5 and 5 mm slices, RAS and LPS; T10-L5 + sacrum with a 30 and a 40
 * degree lordosis and T3-L5 + sacrum with a 35-degree kyphosis (T4-T12),
 * both at 1 and 2.5 mm, where every level must also be labelled, with its
 * truth label, and so must the straight T11-L5 column at 4 mm (its thin
 * T11/T12 disc found from the plates' peaks). Each truth level must have exactly one found level
 * whose body centroid lies within 5 mm of it along the column (the sacrum,
 * cut by the field of view, and a lordotic phantom's L5, within 8 mm), and
 * every label given must be the truth's. Before the disc finder judged a dip against dips of the same bone
 * level and fitted the body box to the local depth, C3-T4 gave 6-7 of 9
 * levels, C1-T2 8 of 9 at 5 mm and C3-L5 24 levels (3 labels wrong) at 5 mm
 * (docs/image-analyze.md); the 30-degree lordosis at 2.5 mm had 4 labels
 * wrong before thin discs (endplate peaks on both sides) counted. Documented
 * limits, not tested here: the lordosis phantoms at 5 mm and a 35-degree
 * kyphosis over T3-L5 (the canal track drifts at the apex). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "vertebra/spine.h"
#include "vertebra/spine_analyze.h"
#include "vt_test.h"

/* `kyphosis` or `lordosis` > 0: a curved phantom, whose every level must be
 * labelled (the lordotic ones since the phantom has a pelvis and lungs: its
 * sacrum named by the pelvis, its T12 by the lowest ribs; before, labels
 * were withheld at 40 degrees and on some 30-degree runs). */
static void run_case_seed(const char *name, int top, int bottom, double sz, int lps, double lordosis, double kyphosis,
                          unsigned seed, int must_label) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = top;
  o.bottom = bottom;
  o.spacing_z_mm = sz;
  o.lps = lps;
  o.noise_sd_hu = 10;
  o.seed = seed;
  o.lordosis_deg = lordosis;
  o.kyphosis_deg = kyphosis;
  vt_volume *ct = NULL, *lab = NULL;
  char *js = NULL;
  vt_error err;
  CHECK_INT(vt_phantom_build(&o, &ct, &lab, &js, &err), VT_OK);
  if (!ct) return;
  vt_spine_analysis *a = NULL;
  vt_status st = vt_spine_analyze(ct, NULL, NULL, NULL, &a, &err);
  CHECK_MSG(st == VT_OK, "%s %g mm: %s", name, sz, err.message);
  json_t *truth = json_loads(js, 0, NULL);
  json_t *tv = json_object_get(truth, "vertebrae");
  size_t n = a ? vt_spine_analysis_count(a) : 0, nt = json_array_size(tv);
  CHECK_MSG(n == nt, "%s %g mm %s: %zu levels, truth %zu", name, sz, lps ? "LPS" : "RAS", n, nt);
  for (size_t t = 0; t < nt; t++) {
    json_t *tj = json_array_get(tv, t);
    int want = (int)json_integer_value(json_object_get(tj, "verse_label"));
    double tz = json_real_value(json_array_get(json_object_get(tj, "center_ras_mm"), 2));
    /* the sacrum is cut by the field of view; beside the steep L5/S1 disc of
     * a lordotic phantom L5's centroid hangs on that plane's tilt (5.3 mm off
     * along z, 8 mm along AP at 30 degrees, LPS: a known limit) */
    double tol = want == 26 || (lordosis > 0 && want == 24) ? 8.0 : 5.0;
    size_t hits = 0, hit = 0;
    double near = INFINITY;
    for (size_t i = 0; i < n; i++) {
      double e = fabs(vt_spine_analysis_morph(a, i)->centroid_ras_mm[2] - tz);
      if (e < near) near = e;
      if (e <= tol) hits++, hit = i;
    }
    CHECK_MSG(hits == 1, "%s %g mm %s: %s found %zu times (nearest %.1f mm away)", name, sz, lps ? "LPS" : "RAS",
              vt_verse_label_name(want), hits, near);
    if (hits == 1) {
      const vt_spine_level *l = vt_spine_analysis_level(a, hit);
      CHECK_MSG((l->verse_label == 0 && !must_label) || l->verse_label == want,
                "%s %g mm %s: %s labelled %s", name,
                sz, lps ? "LPS" : "RAS", vt_verse_label_name(want), l->label);
    }
  }
  printf("%s %g mm %s: %zu of %zu levels\n", name, sz, lps ? "LPS" : "RAS", n, nt);
  json_decref(truth);
  vt_spine_analysis_free(a);
  free(js);
  vt_volume_free(ct);
  vt_volume_free(lab);
}

static void run_case(const char *name, int top, int bottom, double sz, int lps, double lordosis, double kyphosis) {
  run_case_seed(name, top, bottom, sz, lps, lordosis, kyphosis, lordosis > 0 ? 7 : 5, lordosis > 0 || kyphosis > 0);
}

int main(void) {
  static const double SZ[3] = {1.0, 2.5, 5.0};
  for (int lps = 0; lps <= 1; lps++)
    for (int s = 0; s < 3; s++) {
      run_case("C3-T4", 3, 11, SZ[s], lps, 0, 0);
      run_case("C1-T2", 1, 9, SZ[s], lps, 0, 0);
      run_case("C3-L5", 3, 24, SZ[s], lps, 0, 0);
    }
  for (int lps = 0; lps <= 1; lps++)
    for (int s = 0; s < 2; s++) {
      run_case("T10-L5 lordosis 30", 17, 24, SZ[s], lps, 30, 0);
      run_case("T10-L5 lordosis 40", 17, 24, SZ[s], lps, 40, 0);
      run_case("T3-L5 kyphosis 35", 10, 24, SZ[s], lps, 0, 35);
    }
  /* T11-L5 at 4 mm, centre-sampled: the 8 mm T11/T12 disc has one dark
   * slice and is missed by the plane search; two thoracic bodies and their
   * disc (56 mm) are 1.5 x the lumbar levels' height, and the plate-peak
   * split now takes levels from 1.45 x (was 1.6: T11 and T12 one level,
   * every label withheld) */
  for (int lps = 0; lps <= 1; lps++)
    for (unsigned seed = 3; seed <= 7; seed += 4) run_case_seed("T11-L5 straight", 18, 24, 4.0, lps, 0, 0, seed, 1);
  return VT_TEST_END();
}
