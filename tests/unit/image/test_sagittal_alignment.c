/* test_sagittal_alignment.c — lumbar lordosis (L1-S1) and thoracic kyphosis
 * (T4-T12) from the fitted endplate lines, on phantoms with a designed
 * sagittal curve whose angles are known exactly: on the truth label mask
 * (vt_spine_morphometry) within 2 degrees at 1 and 2.5 mm slices in RAS and
 * LPS (5 mm: printed, within 10), an inverted (kyphotic) lumbar curve read
 * negative, the L1-L5 fallback without the sacrum, null with a warning when
 * the levels are not in view; S1's endplate refitted on the CT's bone where
 * the mask's sacrum top is not the bone's; and through vt_spine_analyze on a T10-L5 phantom
 * with a 20-degree lordosis (within 2 degrees at 1 and 2.5 mm; at 5 mm the
 * analysis's L1 is cut wrongly and the angle is only reported), one with a
 * 30-degree lordosis (within 2 degrees at 1 and 2.5 mm, RAS and LPS; it read
 * 12-13 degrees at 1 mm before S1 was read on the CT's bone) and a T3-L5
 * phantom with a 35-degree kyphosis (T4-T12 within 2 degrees at 1 and
 * 2.5 mm, RAS and LPS, with T4's and T12's endplates on the CT's bone edge:
 * from the mask, cut by disc planes tilted 1.5-2 x the bodies, it read 62.7 /
 * 49.9 degrees; its lordosis, 0 in truth, reads -34 / -18 from disc planes
 * the tangent tilts 1.5-2x too steeply on its straight, tilted lumbar
 * column; those planes are now refitted on the endplates: asserted within 2
 * degrees, and no body graded other than its truth; at 3 mm, too coarse for
 * the refit, the planes are flagged with a warning, docs/image-analyze.md;
 * at 3-5 mm no body is graded with a range that excludes its truth's 0, nor
 * on the 2.5 mm partial-volume lordosis-30/40 phantoms, whose L5 canal cut
 * failed). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vertebra/spine.h"
#include "vertebra/spine_analyze.h"
#include "vt_test.h"

typedef struct {
  json_t *truth, *meas;
} result;

static double angle_of(json_t *doc, const char *key) {
  json_t *o = json_object_get(doc, key);
  return json_is_object(o) ? json_real_value(json_object_get(o, "angle_deg")) : NAN;
}

static int has_warning(json_t *doc, const char *needle) {
  json_t *w = json_object_get(doc, "warnings");
  for (size_t i = 0; i < json_array_size(w); i++)
    if (strstr(json_string_value(json_array_get(w, i)), needle)) return 1;
  return 0;
}

/* Builds the phantom and measures its truth label mask; `drop` a label to
 * erase from the mask first (0: none). */
static int measure_mask(const vt_phantom_opts *o, int drop, result *r) {
  vt_volume *ct = NULL, *lab = NULL;
  char *js = NULL, *mj = NULL;
  vt_error err;
  vt_vertebra_morph *m = NULL;
  size_t n = 0;
  memset(r, 0, sizeof *r);
  if (vt_phantom_build(o, &ct, &lab, &js, &err) != VT_OK) return 0;
  if (drop) {
    size_t d[3];
    vt_volume_dims(lab, d);
    float *p = vt_volume_data(lab);
    for (size_t q = 0; q < d[0] * d[1] * d[2]; q++)
      if (p[q] == (float)drop) p[q] = 0;
  }
  int ok = vt_spine_morphometry(lab, &m, &n, &err) == VT_OK && vt_spine_morphometry_json(m, n, &mj, &err) == VT_OK;
  if (ok) {
    r->truth = json_loads(js, 0, NULL);
    r->meas = json_loads(mj, 0, NULL);
  }
  free(m);
  free(mj);
  free(js);
  vt_volume_free(ct);
  vt_volume_free(lab);
  return ok && r->truth && r->meas;
}

static void result_free(result *r) {
  json_decref(r->truth);
  json_decref(r->meas);
}

static void curve_case(double sz, int lps, double lordosis, double kyphosis, double tol) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = 10; /* T3: T4's superior endplate in view */
  o.bottom = 24;
  o.spacing_z_mm = sz;
  o.lps = lps;
  o.lordosis_deg = lordosis;
  o.kyphosis_deg = kyphosis;
  result r;
  CHECK(measure_mask(&o, 0, &r));
  if (!r.meas) return;
  double tl = angle_of(r.truth, "lordosis"), tk = angle_of(r.truth, "kyphosis");
  double ml = angle_of(r.meas, "lordosis"), mk = angle_of(r.meas, "kyphosis");
  printf("mask %.1f mm %s: lordosis %.2f (truth %.2f), kyphosis %.2f (truth %.2f)\n", sz, lps ? "LPS" : "RAS", ml,
         tl, mk, tk);
  CHECK_MSG(fabs(tl - lordosis) < 1e-6 && fabs(tk - kyphosis) < 1e-6, "truth %.3f / %.3f", tl, tk);
  CHECK_MSG(fabs(ml - tl) <= tol, "%.1f mm %s: lordosis %.2f, truth %.2f", sz, lps ? "LPS" : "RAS", ml, tl);
  CHECK_MSG(fabs(mk - tk) <= tol, "%.1f mm %s: kyphosis %.2f, truth %.2f", sz, lps ? "LPS" : "RAS", mk, tk);
  json_t *lo = json_object_get(r.meas, "lordosis"), *ky = json_object_get(r.meas, "kyphosis");
  CHECK(lo && !strcmp(json_string_value(json_object_get(lo, "upper")), "L1") &&
        !strcmp(json_string_value(json_object_get(lo, "lower")), "S1") &&
        json_is_true(json_object_get(lo, "standard_span")));
  CHECK(ky && !strcmp(json_string_value(json_object_get(ky, "upper")), "T4") &&
        !strcmp(json_string_value(json_object_get(ky, "lower")), "T12"));
  result_free(&r);
}

/* Out of view: the default T11-L5 phantom has no T4 (kyphosis null); one
 * ending at L3 has neither the sacrum nor L5 (lordosis null); one without
 * the sacrum's label falls back to L1-L5 and says so. */
static void out_of_view(void) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.lordosis_deg = 30;
  result r;
  CHECK(measure_mask(&o, 0, &r));
  if (r.meas) {
    CHECK(json_is_null(json_object_get(r.meas, "kyphosis")));
    CHECK(has_warning(r.meas, "thoracic kyphosis not measured"));
    CHECK(fabs(angle_of(r.meas, "lordosis") - 30) <= 2);
  }
  result_free(&r);
  CHECK(measure_mask(&o, 26, &r));
  if (r.meas) {
    json_t *lo = json_object_get(r.meas, "lordosis"), *tv = json_object_get(r.truth, "vertebrae");
    double t1 = NAN, t5 = NAN;
    for (size_t i = 0; i < json_array_size(tv); i++) {
      json_t *v = json_array_get(tv, i);
      const char *l = json_string_value(json_object_get(v, "label"));
      double t = json_real_value(json_object_get(v, "sagittal_tilt_deg"));
      if (!strcmp(l, "L1")) t1 = t;
      if (!strcmp(l, "L5")) t5 = t;
    }
    CHECK(json_is_object(lo) && !strcmp(json_string_value(json_object_get(lo, "lower")), "L5") &&
          json_is_false(json_object_get(lo, "standard_span")));
    CHECK_MSG(fabs(angle_of(r.meas, "lordosis") - (t5 - t1)) <= 2, "L1-L5 %.2f, truth %.2f",
              angle_of(r.meas, "lordosis"), t5 - t1);
    CHECK(has_warning(r.meas, "not L1-S1"));
  }
  result_free(&r);
  o.bottom = 22; /* L3: no L5, no sacrum */
  CHECK(measure_mask(&o, 0, &r));
  if (r.meas) {
    CHECK(json_is_null(json_object_get(r.meas, "lordosis")));
    CHECK(has_warning(r.meas, "lumbar lordosis not measured"));
  }
  result_free(&r);
  /* T8-L5: kyphosis over T8-T12 only, named so and flagged non-standard */
  o.bottom = 24;
  o.top = 15;
  o.kyphosis_deg = 30;
  CHECK(measure_mask(&o, 0, &r));
  if (r.meas) {
    json_t *ky = json_object_get(r.meas, "kyphosis");
    CHECK(json_is_object(ky) && !strcmp(json_string_value(json_object_get(ky, "upper")), "T8") &&
          json_is_false(json_object_get(ky, "standard_span")));
    CHECK(has_warning(r.meas, "not the standard T4-T12"));
  }
  result_free(&r);
}

/* S1's endplate on the CT's bone (vt_spine_sagittal_endplates_ct): a truth
 * mask whose sacrum top is cut away in a wedge, 6 mm at the front (as the analysis cuts
 * the sacrum at a disc plane that is not its endplate) reads S1's tilt
 * wrongly from the mask alone; with the CT the edge is the bone's again,
 * within 1 degree of the truth, and the method says so. A CT on another grid
 * is refused. */
static void sacrum_on_ct(double sz) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.spacing_z_mm = sz;
  o.lordosis_deg = 20;
  o.noise_sd_hu = 10;
  o.seed = 5;
  vt_volume *ct = NULL, *lab = NULL, *small = NULL;
  char *js = NULL;
  vt_error err;
  CHECK_INT(vt_phantom_build(&o, &ct, &lab, &js, &err), VT_OK);
  if (!ct) return;
  size_t d[3];
  vt_volume_dims(lab, d);
  float *L = vt_volume_data(lab);
  /* the sacrum's extent along j (the anterior-posterior voxel axis; +j is
   * anterior in RAS): its top is cut away by 0 mm at the middle growing to
   * 6 mm at the front, a wedge that tilts the mask's top */
  long j0 = (long)d[1], j1 = -1;
  for (size_t q = 0; q < d[0] * d[1] * d[2]; q++)
    if (L[q] == 26.0f) {
      long j = (long)((q / d[0]) % d[1]);
      j0 = j < j0 ? j : j0, j1 = j > j1 ? j : j1;
    }
  long jc = (j0 + j1) / 2;
  for (size_t i = 0; i < d[0]; i++)
    for (long j = jc; j <= j1 && j >= 0; j++) {
      long top = -1, cut = lround(6.0 / sz * (double)(j - jc) / (double)(j1 - jc + 1));
      for (long k = (long)d[2] - 1; k >= 0 && top < 0; k--)
        if (L[i + d[0] * ((size_t)j + d[1] * (size_t)k)] == 26.0f) top = k;
      for (long k = top; top >= 0 && k > top - cut && k >= 0; k--) L[i + d[0] * ((size_t)j + d[1] * (size_t)k)] = 0;
    }
  json_t *truth = json_loads(js, 0, NULL), *tv = json_object_get(truth, "vertebrae");
  double ts = NAN;
  for (size_t i = 0; i < json_array_size(tv); i++)
    if (!strcmp(json_string_value(json_object_get(json_array_get(tv, i), "label")), "S"))
      ts = json_real_value(json_object_get(json_array_get(tv, i), "sagittal_tilt_deg"));
  vt_vertebra_morph *m = NULL;
  size_t n = 0;
  CHECK_INT(vt_spine_morphometry(lab, &m, &n, &err), VT_OK);
  const vt_vertebra_morph *s = n ? &m[n - 1] : NULL;
  CHECK(s && s->verse_label == 26);
  if (s && s->verse_label == 26) {
    double on_mask = s->sup_endplate_tilt_deg;
    CHECK_INT(vt_spine_sagittal_endplates_ct(ct, lab, m, n, &err), VT_OK);
    printf("sacrum cut in front, %.1f mm: S1 tilt %.2f from the mask, %.2f on the CT (truth %.2f)\n", sz, on_mask,
           s->sup_endplate_tilt_deg, ts);
    CHECK_MSG(fabs(on_mask - ts) > 3, "the cut mask should read S1 wrongly: %.2f, truth %.2f", on_mask, ts);
    CHECK_MSG(fabs(s->sup_endplate_tilt_deg - ts) <= 1.0, "S1 on the CT %.2f, truth %.2f", s->sup_endplate_tilt_deg, ts);
    CHECK(s->sup_endplate_ct == 1);
    vt_sagittal_angle a;
    vt_spine_lordosis(m, n, &a);
    CHECK(strstr(a.method, "S1's on the CT's bone edge") != NULL);
  }
  /* another grid: refused */
  CHECK_INT(vt_volume_new(4, 4, 4, vt_volume_affine(ct), &small, &err), VT_OK);
  CHECK_INT(vt_spine_sagittal_endplates_ct(small, lab, m, n, &err), VT_EINVAL);
  free(m);
  free(js);
  json_decref(truth);
  vt_volume_free(small);
  vt_volume_free(ct);
  vt_volume_free(lab);
}

/* The whole analysis on the CT: labels found, then the same measurement on
 * the analysis's own mask. */
/* vt_spine_analyze's JSON on phantom o (NULL on failure, which is checked);
 * *truth, when asked for, the phantom's truth.json. */
static json_t *analyze_phantom(const vt_phantom_opts *o, json_t **truth) {
  vt_volume *ct = NULL, *lab = NULL;
  char *js = NULL, *out = NULL;
  vt_error err;
  json_t *doc = NULL;
  CHECK_INT(vt_phantom_build(o, &ct, &lab, &js, &err), VT_OK);
  vt_spine_analysis *a = NULL;
  CHECK_INT(vt_spine_analyze(ct, NULL, NULL, NULL, &a, &err), VT_OK);
  if (a && vt_spine_analysis_json(a, &out, &err) == VT_OK) doc = json_loads(out, 0, NULL);
  if (truth) *truth = js ? json_loads(js, 0, NULL) : NULL;
  free(out);
  free(js);
  vt_spine_analysis_free(a);
  vt_volume_free(ct);
  vt_volume_free(lab);
  return doc;
}

/* tol: lordosis (and kyphosis, when the phantom has one) within tol of truth
 * (0: reported only); ktol_only: assert the kyphosis alone. */
static void analyze_curve(int top, double lordosis, double kyphosis, unsigned seed, double sz, int lps, double tol,
                          int ktol_only) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = top;
  o.spacing_z_mm = sz;
  o.lps = lps;
  o.lordosis_deg = lordosis;
  o.kyphosis_deg = kyphosis;
  o.noise_sd_hu = 10;
  o.seed = seed;
  json_t *truth = NULL, *doc = analyze_phantom(&o, &truth);
  if (doc && truth) {
    double ml = angle_of(doc, "lordosis"), tl = angle_of(truth, "lordosis");
    double mk = angle_of(doc, "kyphosis"), tk = angle_of(truth, "kyphosis");
    printf("analyze L%.0f K%.0f %.1f mm %s: lordosis %.2f (truth %.2f), kyphosis %.2f (truth %.2f)\n", lordosis,
           kyphosis, sz, lps ? "LPS" : "RAS", ml, tl, mk, tk);
    if (kyphosis != 0 && tol > 0) {
      CHECK_MSG(fabs(mk - tk) <= tol, "analyze %.1f mm %s: kyphosis %.2f, truth %.2f", sz, lps ? "LPS" : "RAS", mk, tk);
      json_t *ky = json_object_get(doc, "kyphosis");
      CHECK(ky && strstr(json_string_value(json_object_get(ky, "method")), "on the CT's bone edge"));
    }
    if (ktol_only) {
      /* the straight lumbar column tilted 17.5 degrees below the kyphosis:
       * the tangent read its discs' planes 1.5-2x steeper (analyze_bodies.c,
       * axis_doubt), now refitted on their endplates, so the lordosis is
       * within 2 degrees (it read -33.6 / -18.0) and no body is graded other
       * than its truth (L1 and L5 read grade 1 from the cut planes) */
      CHECK_MSG(fabs(ml - tl) <= 2.0, "analyze %.1f mm %s: lordosis %.2f, truth %.2f", sz, lps ? "LPS" : "RAS", ml, tl);
      json_t *ov = json_object_get(doc, "vertebrae"), *tv = json_object_get(truth, "vertebrae");
      for (size_t i = 0; i < json_array_size(ov); i++) {
        json_t *ent = json_array_get(ov, i), *g = json_object_get(ent, "genant_grade");
        if (!json_is_integer(g)) continue;
        json_int_t want = -1;
        for (size_t k = 0; k < json_array_size(tv); k++)
          if (json_integer_value(json_object_get(json_array_get(tv, k), "verse_label")) ==
              json_integer_value(json_object_get(ent, "verse_label")))
            want = json_integer_value(json_object_get(json_array_get(tv, k), "genant_grade"));
        CHECK_MSG(json_integer_value(g) == want, "analyze K%.0f %.1f mm %s: %s graded %d, truth %d", kyphosis, sz,
                  lps ? "LPS" : "RAS", json_string_value(json_object_get(ent, "label")), (int)json_integer_value(g),
                  (int)want);
      }
      tol = 0;
    }
    if (tol <= 0) /* reported only: null with the reason, or a number */
      CHECK(isfinite(ml) || has_warning(doc, "lumbar lordosis not measured"));
    else {
      CHECK_MSG(fabs(ml - tl) <= tol, "analyze %.1f mm %s: lordosis %.2f, truth %.2f", sz, lps ? "LPS" : "RAS", ml, tl);
      /* S1's endplate read on the CT's bone, not the mask's cut */
      json_t *lo = json_object_get(doc, "lordosis");
      CHECK(lo && strstr(json_string_value(json_object_get(lo, "method")), "S1's on the CT's bone edge"));
    }
  }
  json_decref(doc);
  json_decref(truth);
}

/* The same kyphosis phantom at 3 mm, too coarse for the endplate refit:
 * the planes the tangent tilts beyond the straight lumbar column's axis are
 * flagged (levels beside them not graded, with the warning). */
static void axis_flag_coarse(void) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = 10, o.spacing_z_mm = 3.0, o.kyphosis_deg = 35, o.noise_sd_hu = 10, o.seed = 5;
  json_t *doc = analyze_phantom(&o, NULL);
  CHECK_MSG(doc && has_warning(doc, "beyond the line through the bodies' centres"),
            "3 mm kyphosis phantom: the tilted-plane warning");
  json_decref(doc);
}

/* No body of phantom o (what: its name in messages) is graded with a range
 * that excludes its truth's grade; analyze labels may be withheld, so each
 * is matched to the nearest truth body. */
static void check_grade_ranges(const vt_phantom_opts *o, const char *what) {
  json_t *truth = NULL, *doc = analyze_phantom(o, &truth);
  json_t *ov = json_object_get(doc, "vertebrae"), *tv = json_object_get(truth, "vertebrae");
  CHECK(json_array_size(ov) >= 8 && json_array_size(tv) >= 8);
  for (size_t i = 0; i < json_array_size(ov); i++) {
    json_t *ent = json_array_get(ov, i), *range = json_object_get(ent, "genant_grade_range");
    if (!json_is_integer(json_object_get(ent, "genant_grade"))) continue;
    json_t *cm = json_object_get(ent, "centroid_ras_mm");
    double best = INFINITY;
    json_int_t want = -1;
    const char *name = "?";
    for (size_t k = 0; k < json_array_size(tv); k++) {
      json_t *t = json_array_get(tv, k), *tc = json_object_get(t, "center_ras_mm");
      double d = 0;
      for (size_t r = 0; r < 3; r++) {
        double e = json_number_value(json_array_get(cm, r)) - json_number_value(json_array_get(tc, r));
        d += e * e;
      }
      if (d < best)
        best = d, want = json_integer_value(json_object_get(t, "genant_grade")),
        name = json_string_value(json_object_get(t, "label"));
    }
    json_int_t lo = json_integer_value(json_array_get(range, 0)), hi = json_integer_value(json_array_get(range, 1));
    CHECK_MSG(json_array_size(range) == 2 && lo <= want && want <= hi,
              "%s: the body nearest %s (%.1f mm off) graded %d, range [%d, %d], truth %d", what, name, sqrt(best),
              (int)json_integer_value(json_object_get(ent, "genant_grade")), (int)lo, (int)hi, (int)want);
  }
  json_decref(doc);
  json_decref(truth);
}

/* No false fractures where discs are misplaced or the canal cut fails:
 * - the kyphosis phantom at 3, 4 and 5 mm, where thoracic discs are missed
 *   and planes placed mid-body: before, half-levels (T4, T5, T8 or T10 cut
 *   below a mid-body plane, 8-12 mm for 19-21) were graded 3 (range [3, 3]
 *   or [2, 3]) and a T3/T4 half-level 2;
 * - T8-L5 with a 30 or 40-degree lordosis, 2.5 mm partial-volume (seed 3,
 *   and the 30-degree one at seed 7 in LPS: a withheld two-vertebra level):
 *   no canal found on L5's plane, so body and arch were measured together
 *   (centroid 15 mm behind the body, middle 7.6 mm for 28) and the
 *   confidently labelled L5 graded 3. */
static void no_false_fracture(void) {
  const double sz[3] = {3.0, 4.0, 5.0};
  char what[64];
  for (int c = 0; c < 3; c++) {
    vt_phantom_opts o;
    vt_phantom_defaults(&o);
    o.top = 10, o.spacing_z_mm = sz[c], o.kyphosis_deg = 35, o.noise_sd_hu = 10, o.seed = 5;
    snprintf(what, sizeof what, "kyphosis-35 %.0f mm", sz[c]);
    check_grade_ranges(&o, what);
  }
  /* at 4 mm and seed 3 a 33 mm level holding a sliver of body read grade 3
   * once the neighbour it was graded against was itself marked miscut (the
   * check now runs again on the new grades) */
  {
    vt_phantom_opts o;
    vt_phantom_defaults(&o);
    o.top = 9, o.bottom = 21, o.spacing_z_mm = 4.0, o.kyphosis_deg = 35, o.noise_sd_hu = 10, o.seed = 3;
    check_grade_ranges(&o, "kyphosis-35 T2-L2 4 mm, seed 3");
  }
  /* at 5 mm partial volume, seed 7, the T12/L1 plane lay 6 mm inside L1:
   * T12 read 38 mm tall (its neighbours 27-32) and the labelled L1, cut to
   * 11 mm, grade 3 with all three heights short. Now the tall level beside
   * a crush-short one is doubted, and neither is graded */
  {
    vt_phantom_opts o;
    vt_phantom_defaults(&o);
    o.top = 9, o.bottom = 21, o.spacing_z_mm = 5.0, o.kyphosis_deg = 35, o.noise_sd_hu = 10, o.seed = 7;
    o.partial_volume = 1;
    check_grade_ranges(&o, "kyphosis-35 T2-L2 5 mm partial volume, seed 7");
  }
  for (int l = 30; l <= 40; l += 10) {
    vt_phantom_opts o;
    vt_phantom_defaults(&o);
    o.top = 15, o.spacing_z_mm = 2.5, o.lordosis_deg = l, o.partial_volume = 1, o.noise_sd_hu = 10, o.seed = 3;
    snprintf(what, sizeof what, "lordosis-%d 2.5 mm partial volume", l);
    check_grade_ranges(&o, what);
  }
  /* the same lordosis-30 at seed 7, LPS: T12 and L1 in one 56 mm level,
   * its label withheld (the rib anchor disagrees with the sacrum's count),
   * was graded 2 until the span doubts judged it by its candidate name */
  vt_phantom_opts o7;
  vt_phantom_defaults(&o7);
  o7.top = 15, o7.spacing_z_mm = 2.5, o7.lordosis_deg = 30, o7.partial_volume = 1, o7.noise_sd_hu = 10;
  o7.seed = 7, o7.lps = 1;
  check_grade_ranges(&o7, "lordosis-30 2.5 mm partial volume, seed 7 LPS");
}

/* The entry for VerSe label code in an analysis's or a truth's JSON (NULL when absent). */
static json_t *entry_of(json_t *doc, int code) {
  json_t *arr = json_object_get(doc, "vertebrae");
  for (size_t i = 0; i < json_array_size(arr); i++)
    if (json_integer_value(json_object_get(json_array_get(arr, i), "verse_label")) == code)
      return json_array_get(arr, i);
  return NULL;
}

/* One endplate's sagittal tilt (NAN when null). */
static double endplate_tilt(json_t *ent, const char *which) {
  json_t *t = json_object_get(json_object_get(ent, "endplate_sagittal_tilt_deg"), which);
  return json_is_number(t) ? json_number_value(t) : NAN;
}

/* The L5/S1 disc plane: the body line's tangent across the junction ran into
 * the sacrum (a wider, steeply tilted body, its centre no continuation of the
 * lumbar line), so the lowest plane came out 20-30 degrees off L5 and cut a
 * corner of the sacrum into L5:
 * - T8-L5, 40-degree lordosis, 1 mm partial volume: L5's endplates read
 *   -3 / -39 degrees (truth 12) and its middle height 16.6 mm (truth 28);
 * - T6-L5, Cobb 20 with a grade-2 wedge at L1, 1 mm: L5 tilted 39 degrees
 *   coronally (truth 8.9), S1's endplate -27 sagittally (truth 0), so the
 *   lordosis read -47 where L1's wedge alone makes about -20.
 * Now the plane follows the whole slices of the body above it. */
static void lowest_disc_plane(void) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = 15, o.lordosis_deg = 40, o.partial_volume = 1, o.noise_sd_hu = 10, o.seed = 1;
  json_t *truth = NULL, *doc = analyze_phantom(&o, &truth);
  json_t *l5 = entry_of(doc, 24), *t5 = entry_of(truth, 24);
  CHECK_MSG(l5 && t5, "lordosis-40 1 mm: L5 labelled");
  if (l5 && t5) {
    double want = json_number_value(json_object_get(t5, "sagittal_tilt_deg"));
    double sup = endplate_tilt(l5, "superior"), inf = endplate_tilt(l5, "inferior");
    double mid = json_number_value(json_object_get(json_object_get(l5, "heights_mm"), "middle"));
    double tmid = json_number_value(json_object_get(json_object_get(t5, "heights_mm"), "middle"));
    printf("lordosis-40 1 mm: L5 endplates %.2f / %.2f (truth %.2f), middle height %.2f (truth %.2f)\n", sup, inf,
           want, mid, tmid);
    CHECK_MSG(fabs(sup - want) <= 3.0 && fabs(inf - want) <= 3.0, "L5 endplates %.2f / %.2f, truth %.2f", sup, inf,
              want);
    CHECK_MSG(fabs(mid - tmid) <= 2.0, "L5 middle height %.2f, truth %.2f", mid, tmid);
  }
  json_decref(doc);
  json_decref(truth);

  vt_phantom_defaults(&o);
  o.top = 13, o.cobb_deg = 20, o.fracture_label = 20, o.fracture_grade = 2, o.partial_volume = 1;
  o.noise_sd_hu = 10, o.seed = 1;
  doc = analyze_phantom(&o, &truth);
  l5 = entry_of(doc, 24), t5 = entry_of(truth, 24);
  json_t *s = entry_of(doc, 26);
  CHECK_MSG(l5 && t5 && s, "Cobb-20 1 mm: L5 and the sacrum labelled");
  if (l5 && t5 && s) {
    double cor = json_number_value(json_object_get(l5, "coronal_tilt_deg"));
    double want = json_number_value(json_object_get(t5, "tilt_deg"));
    double s1 = endplate_tilt(s, "superior");
    printf("Cobb-20 1 mm: L5 coronal tilt %.2f (truth %.2f), S1 endplate %.2f (truth 0)\n", cor, want, s1);
    CHECK_MSG(fabs(cor - want) <= 2.0, "L5 coronal tilt %.2f, truth %.2f", cor, want);
    CHECK_MSG(fabs(s1) <= 3.0, "S1 superior endplate %.2f, truth 0", s1);
  }
  json_decref(doc);
  json_decref(truth);
}

/* T8-L5 + sacrum, 30-degree lordosis, 2.5 mm partial volume, seed 1: a
 * "thin disc" was found inside the sacrum (its HU climbing through a point
 * 2 HU under its lower side, 75 over the bone level), a 14 mm level split
 * off its top, the labels withheld and the lordosis null. Now a thin disc
 * must dip THIN_DIP_HU under both its endplates (analyze_bodies.c). */
static void sacrum_not_split(void) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = 15, o.spacing_z_mm = 2.5, o.lordosis_deg = 30, o.partial_volume = 1, o.noise_sd_hu = 10, o.seed = 1;
  json_t *truth = NULL, *doc = analyze_phantom(&o, &truth);
  size_t n = json_array_size(json_object_get(doc, "vertebrae"));
  size_t want = json_array_size(json_object_get(truth, "vertebrae")); /* the sacrum included */
  double ml = angle_of(doc, "lordosis"), tl = angle_of(truth, "lordosis");
  printf("lordosis-30 2.5 mm seed 1: %zu levels (truth %zu), lordosis %.2f (truth %.2f)\n", n, want, ml, tl);
  CHECK_MSG(n == want, "lordosis-30 2.5 mm seed 1: %zu levels, truth %zu", n, want);
  CHECK_MSG(fabs(ml - tl) <= 2.0, "lordosis-30 2.5 mm seed 1: lordosis %.2f, truth %.2f", ml, tl);
  json_decref(doc);
  json_decref(truth);
}

/* T10-L5 + sacrum, 20-degree lordosis */
static void analyze_case(double sz, int lps, double tol) { analyze_curve(17, 20, 0, 3, sz, lps, tol, 0); }

int main(void) {
  curve_case(1.0, 0, 45, 35, 2.0);
  curve_case(1.0, 1, 45, 35, 2.0);
  curve_case(2.5, 0, 45, 35, 2.0);
  curve_case(2.5, 1, 45, 35, 2.0);
  curve_case(2.5, 0, -20, 50, 2.0); /* lumbar kyphosis reads negative */
  curve_case(5.0, 0, 45, 35, 10.0);
  curve_case(5.0, 1, 45, 35, 10.0);
  out_of_view();
  sacrum_on_ct(1.0);
  sacrum_on_ct(2.5);
  analyze_case(1.0, 0, 2.0);
  analyze_case(2.5, 1, 2.0);
  analyze_case(5.0, 0, 0); /* the analysis's own L1 mask breaks at 5 mm: reported, not asserted */
  for (int lps = 0; lps <= 1; lps++) {
    analyze_curve(17, 30, 0, 7, 1.0, lps, 2.0, 0);
    analyze_curve(17, 30, 0, 7, 2.5, lps, 2.0, 0);
    analyze_curve(10, 0, 35, 5, 1.0, lps, 2.0, 1); /* T3-L5, kyphosis 35 */
    analyze_curve(10, 0, 35, 5, 2.5, lps, 2.0, 1);
  }
  analyze_curve(10, 0, 35, 5, 5.0, 0, 0, 0); /* 5 mm: reported only */
  axis_flag_coarse();
  no_false_fracture();
  lowest_disc_plane();
  sacrum_not_split();
  return VT_TEST_END();
}
