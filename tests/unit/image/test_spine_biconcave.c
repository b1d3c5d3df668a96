/* test_spine_biconcave.c — vt_spine_analyze finds biconcave fractures (Genant's
 * middle-height type) on phantoms with known truth: the disc tissue filling
 * a depressed endplate is ringed by the body's rim in every axial slice, so a
 * 2-D hole fill alone takes it for marrow and reads the body intact (it did:
 * a grade-3 biconcave L1 read grade 0 at every spacing). A grade-3 biconcave
 * L1 or T12 must be graded 3 at 1 and 2.5 mm slices (L1 also at 5 mm, T12
 * at least 2 there), RAS and LPS; a grade-2 biconcave L2 graded 2 at 1 and
 * 5 mm, and at 2.5 mm, where its ~4 mm depression per endplate is one slice
 * deep, graded as the same morphometry grades the phantom's own truth mask
 * on that grid (1: the voxel centres give a middle height of 20.1 mm for
 * 17.55), with the true grade 2 inside its reported grade range (before the
 * patch rule of open_concavities it read 0, range 0-0); the levels around
 * the fracture not graded as fractured at 1 and 2.5 mm. */
#include <stdlib.h>
#include <string.h>

#include "vertebra/spine.h"
#include "vertebra/spine_analyze.h"
#include "vt_test.h"

/* like_mask: also check the grade against vt_spine_morphometry on the
 * phantom's truth label mask and that `grade` lies in the reported range. */
static void run_case(int level, int grade, double sz, int lps, int want_lo, int want_hi, int like_mask) {
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
  int truth_grade = -9;
  double truth_mid = 0;
  if (like_mask) {
    vt_vertebra_morph *tm = NULL;
    size_t tn = 0;
    CHECK_INT(vt_spine_morphometry(lab, &tm, &tn, &err), VT_OK);
    for (size_t i = 0; i < tn; i++)
      if (tm[i].verse_label == level) truth_grade = tm[i].genant_grade, truth_mid = tm[i].height_middle_mm;
    free(tm);
  }
  int found = 0;
  for (size_t i = 0; a && i < vt_spine_analysis_count(a); i++) {
    const vt_spine_level *l = vt_spine_analysis_level(a, i);
    const vt_vertebra_morph *m = vt_spine_analysis_morph(a, i);
    if (l->verse_label == level) {
      found = 1;
      CHECK_MSG(m->genant_grade >= want_lo && m->genant_grade <= want_hi,
                "%s grade-%d biconcave, %g mm %s: graded %d (middle %.1f, anterior %.1f mm)", l->label, grade,
                sz, lps ? "LPS" : "RAS", m->genant_grade, m->height_middle_mm, m->height_anterior_mm);
      if (like_mask) {
        CHECK_MSG(m->genant_grade == truth_grade, "%s %g mm %s: graded %d (middle %.1f mm), %d on the truth mask "
                  "(middle %.1f mm)", l->label, sz, lps ? "LPS" : "RAS", m->genant_grade, m->height_middle_mm,
                  truth_grade, truth_mid);
        CHECK_MSG(m->genant_grade_lo <= grade && grade <= m->genant_grade_hi,
                  "%s %g mm %s: true grade %d outside the reported range %d-%d", l->label, sz, lps ? "LPS" : "RAS",
                  grade, m->genant_grade_lo, m->genant_grade_hi);
      }
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
    run_case(20, 3, 1.0, lps, 3, 3, 0);
    run_case(20, 3, 2.5, lps, 3, 3, 0);
    run_case(20, 3, 5.0, lps, 3, 3, 0);
    run_case(19, 3, 1.0, lps, 3, 3, 0);
    run_case(19, 3, 2.5, lps, 3, 3, 0);
    run_case(19, 3, 5.0, lps, 2, 3, 0);
    run_case(21, 2, 1.0, lps, 2, 2, 0);
    run_case(21, 2, 2.5, lps, 1, 2, 1);
    run_case(21, 2, 5.0, lps, 2, 2, 0);
  }
  return VT_TEST_END();
}
