/* test_spine_biconcave.c — vt_spine_analyze finds biconcave fractures (Genant's
 * middle-height type) on phantoms with known truth: the disc tissue filling
 * a depressed endplate is ringed by the body's rim in every axial slice, so a
 * 2-D hole fill alone takes it for marrow and reads the body intact (it did:
 * a grade-3 biconcave L1 read grade 0 at every spacing). A grade-3 biconcave
 * L1 or T12 must be graded 3 at 1 and 2.5 mm slices and at least 2 at 5 mm,
 * RAS and LPS; a grade-2 biconcave L2 graded 2 at 1 mm; the levels around the
 * fracture not graded as fractured at 1 and 2.5 mm. Documented limit
 * (docs/image-analyze.md): a depression shallower than 4 mm per endplate is
 * not opened (a grade-2 biconcave L2 at 2.5 mm reads 0). */
#include <stdlib.h>
#include <string.h>

#include "vertebra/spine.h"
#include "vertebra/spine_analyze.h"
#include "vt_test.h"

static void run_case(int level, int grade, double sz, int lps, int want_lo, int want_hi) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = 17; /* T10 */
  o.bottom = 24;
  o.spacing_z_mm = sz;
  o.lps = lps;
  o.noise_sd_hu = 10;
  o.seed = 7;
  o.fracture_label = level;
  o.fracture_grade = grade;
  o.biconcave = 1;
  vt_volume *ct = NULL, *lab = NULL;
  char *js = NULL;
  vt_error err;
  CHECK_INT(vt_phantom_build(&o, &ct, &lab, &js, &err), VT_OK);
  if (!ct) return;
  vt_spine_analysis *a = NULL;
  vt_status st = vt_spine_analyze(ct, NULL, NULL, NULL, &a, &err);
  CHECK_MSG(st == VT_OK, "%g mm: %s", sz, err.message);
  int found = 0;
  for (size_t i = 0; a && i < vt_spine_analysis_count(a); i++) {
    const vt_spine_level *l = vt_spine_analysis_level(a, i);
    const vt_vertebra_morph *m = vt_spine_analysis_morph(a, i);
    if (l->verse_label == level) {
      found = 1;
      CHECK_MSG(m->genant_grade >= want_lo && m->genant_grade <= want_hi,
                "%s grade-%d biconcave, %g mm %s: graded %d (middle %.1f, anterior %.1f mm)", l->label, grade,
                sz, lps ? "LPS" : "RAS", m->genant_grade, m->height_middle_mm, m->height_anterior_mm);
    } else if (sz <= 2.5 && l->verse_label != 26) {
      CHECK_MSG(m->genant_grade <= 0, "%s next to a biconcave fracture, %g mm: graded %d", l->label, sz,
                m->genant_grade);
    }
  }
  CHECK_MSG(found, "fractured level %d labelled at %g mm", level, sz);
  vt_spine_analysis_free(a);
  free(js);
  vt_volume_free(ct);
  vt_volume_free(lab);
}

int main(void) {
  for (int lps = 0; lps <= 1; lps++) {
    run_case(20, 3, 1.0, lps, 3, 3);
    run_case(20, 3, 2.5, lps, 3, 3);
    run_case(20, 3, 5.0, lps, 2, 3);
    run_case(19, 3, 1.0, lps, 3, 3);
    run_case(19, 3, 2.5, lps, 3, 3);
    run_case(19, 3, 5.0, lps, 2, 3);
  }
  run_case(21, 2, 1.0, 0, 2, 2);
  return VT_TEST_END();
}
