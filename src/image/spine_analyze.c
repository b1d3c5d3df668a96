/* spine_analyze.c — vt_spine_analyze: the steps of the whole-CT analysis in
 * order (canal, bodies and discs, anchors, labels, measurements) and the
 * vertebrae.json document. Each step lives in its own analyze_*.c; the
 * measurements are those of `vertebra ct morphometry` (morphometry.c) applied
 * to the label mask found here, so both commands measure alike. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"
#include "vertebra/spine_analyze.h"

/* Median HU of the aorta above which the study is taken as contrast-enhanced:
 * unenhanced blood is 30-60 HU; arterial or portal-venous phase aortas are
 * well above 150 HU. Contrast raises trabecular HU (about +10-30 HU in the
 * portal venous phase, Pickhardt et al., AJR 2011) and so biases the
 * osteoporosis category towards normal. */
#define CONTRAST_AORTA_HU 150.0
/* A level beside a disc found by the tilted-plane search whose plane is
 * this far from its neighbour disc's is cut between non-parallel planes: its
 * six-point heights mix the discs' tilt with height loss (example_ct: L5 over
 * its L5/S1 disc, 16 degrees from L4/L5's plane, read a posterior height of
 * 12 mm for TotalSegmentator's 22.5 mm and so a false grade 3). */
#define STEEP_DISC_DEG 10.0
/* coronal tilts from the disc planes instead of the mask's principal axis at slices this coarse */
#define DISC_TILT_MIN_SLICE_MM 2.0
/* A graded level whose posterior height is below this fraction of its
 * expected height has lost height all over (Genant's crush type). */
#define CRUSH_POSTERIOR 0.85
#define METHOD_VERSION "vertebra-ct-analyze 3 (canal track, body profile discs + tilted-disc search, rib/sacrum/pelvis " \
                       "anchors, sub-voxel endplates from the partial-volume HU at >= 2 mm slices)"
/* how a level's heights and tilt were read, in vertebrae.json */
#define HEIGHT_MASK "mask-6point/1 (label mask on the mid-sagittal plane, each end to a voxel face)"
#define HEIGHT_SUBVOXEL "subvoxel-endplate/1 (endplate surfaces from the partial-volume HU integral across " \
                        "each endplate, bands of 16 x 4 mm columns; plate constants fitted on the column)"

/* The disc bounding a level at view z (NULL where the column's end or the
 * image's edge bounds it: cut). */
static const vt__disc *disc_at(const vt__disc *d, size_t nd, double z, int cut) {
  if (cut) return NULL;
  for (size_t j = 0; j < nd; j++)
    if (fabs(d[j].z - z) < 1e-6) return &d[j];
  return NULL;
}

/* At slices of DISC_TILT_MIN_SLICE_MM or more a body spans 4-14 slices and
 * its mask's principal axis swings with the staircase (the 5 mm
 * partial-volume phantom's T10 read -17.9 degrees for about -5, its Cobb
 * 21.8 for 9.0; at 2.5 mm, centre-sampled, L5 read 1.0-2.3 for 4.0 and
 * T10 -6.8 for -5.0). The planes of its two discs do not swing so (4.06 and
 * -5.3 there): they lie along the body line's tangent or were searched as
 * planes. There the coronal tilt of a level the sub-voxel endplates did not
 * refine is the mean of its discs' (one disc where the column's end bounds
 * it), as the cranial normal's angle. Below 2 mm the axes stay: at 1.5 mm
 * (aorta_report_case's thin thoracic discs) the body line's tangent jitters
 * by 7 degrees on a straight column. */
static int disc_plane_tilt(const vt__disc *d, size_t nd, const vt__level *l, double *deg) {
  const vt__disc *e[2] = {disc_at(d, nd, l->z_bot, l->cut_bot), disc_at(d, nd, l->z_top, l->cut_top)};
  double s = 0;
  int n = 0;
  for (int q = 0; q < 2; q++)
    if (e[q]) s += atan2(e[q]->nrm[0], e[q]->nrm[2]), n++;
  if (!n) return 0;
  *deg = s / n * 180.0 / M_PI;
  return 1;
}

/* An endplate line this far (degrees, sagittally) from the plane of the
 * disc beside it is not that endplate: a mask end the plane did not shape
 * (aorta_report_case's T12, above the crop's bottom, read an inferior
 * endplate at -48 degrees beside its -19 degree disc plane, and T9-T12 a
 * 46-degree kyphosis). A fractured endplate turns from its plane by about
 * the wedge's angle, so the bound lies past a grade-2 wedge's (~15). */
#define ENDPLATE_PLANE_DEG 20.0

/* The morphometry entry of level i (provisional VerSe code prov[i]), NULL when the level was too small to measure. */
static vt_vertebra_morph *level_morph(const int *prov, size_t i, vt_vertebra_morph *m, size_t nm) {
  for (size_t k = 0; k < nm; k++)
    if (m[k].verse_label == prov[i]) return &m[k];
  return NULL;
}

/* Drops the endplate lines (sagittal alignment) that turn more than
 * ENDPLATE_PLANE_DEG from their disc's plane. */
static void drop_stray_endplates(const vt__disc *discs, size_t nd, const vt__level *lv, size_t nl, const int *prov,
                                 vt_vertebra_morph *m, size_t nm) {
  for (size_t i = 0; i < nl; i++) {
    vt_vertebra_morph *h = level_morph(prov, i, m, nm);
    if (!h || h->verse_label == 26) continue;
    for (int sup = 0; sup < 2; sup++) {
      double *tilt = sup ? &h->sup_endplate_tilt_deg : &h->inf_endplate_tilt_deg;
      const vt__disc *d = sup ? disc_at(discs, nd, lv[i].z_top, lv[i].cut_top)
                              : disc_at(discs, nd, lv[i].z_bot, lv[i].cut_bot);
      if (!d || !isfinite(*tilt)) continue;
      double t = atan2(d->nrm[1], d->nrm[2]) * 180.0 / M_PI;
      if (fabs(*tilt - t) <= ENDPLATE_PLANE_DEG) continue;
      if (getenv("VT_ANALYZE_DEBUG"))
        fprintf(stderr, "level %zu %s endplate %.1f deg, disc plane %.1f: dropped\n", i, sup ? "superior" : "inferior",
                *tilt, t);
      *tilt = NAN;
      double(*ras)[3] = sup ? h->sup_endplate_ras : h->inf_endplate_ras;
      for (int e = 0; e < 2; e++)
        for (int r = 0; r < 3; r++) ras[e][r] = NAN;
      if (sup) h->sup_endplate_ct = 0;
    }
  }
}

/* A level whose span or height says a disc was missed or falsely found
 * there holds two vertebrae or half of one: it is not named, nor is any level
 * beyond it from the labelled column's middle (the count past it is off by
 * one; a confidently named pair of anchors inside would have caught it).
 * Labels there become withheld candidates, with a warning. */
static void withhold(vt_spine_level *l) {
  if (!l->verse_label) return;
  snprintf(l->candidate, sizeof l->candidate, "%s", l->label);
  l->verse_label = 0;
  snprintf(l->label, sizeof l->label, "?");
  l->label_uncertain = 1;
  if (l->confidence > 0.3) l->confidence = 0.3;
}

/* The VerSe code of a label name ("T12" -> 19), 0 when none. */
static int verse_code(const char *name) {
  for (int c = 1; c <= 28; c++) {
    const char *n = vt_verse_label_name(c);
    if (n && name[0] && !strcmp(n, name)) return c;
  }
  return 0;
}

/* The labels the doubts are judged by: a withheld label's candidate
 * stands in for it. A span check that knows a level only as "?" lets a
 * level of two vertebrae be graded: the 2.5 mm lordosis-30 phantom (seed 7,
 * LPS) has T12 and L1 in one 56 mm level, named L1 by the count up from
 * the sacrum but withheld (the rib anchor disagreed), which the L2-L4 span
 * check then did not see, and it was graded 2. Doubts only take grades
 * away, so a wrong candidate costs a grade, never adds one. */
static void doubt_names(const vt_spine_level *lab, size_t nl, vt_spine_level *named) {
  for (size_t i = 0; i < nl; i++) {
    named[i] = lab[i];
    if (!named[i].verse_label && lab[i].candidate[0]) named[i].verse_label = verse_code(lab[i].candidate);
  }
}

/* 1 for the doubts that say a disc was missed or falsely found at a level */
static int miscut(int why) {
  return why == VT__DOUBT_SPACING || why == VT__DOUBT_TALL || why == VT__DOUBT_LUMBAR_SPAN || why == VT__DOUBT_GAP ||
         why == VT__DOUBT_RIBS || why == VT__DOUBT_OVERTALL;
}

/* A level whose heights read a fracture may be part of a body cut off by a
 * disc plane placed inside it (the kyphosis-35 phantom at 3-5 mm: the lower
 * halves of T4, T5 or T10 below planes placed mid-body, 8-10 mm for 19-20,
 * were graded 3, and a T3/T4 half-level graded 2). Not graded then (and no
 * reference for its neighbours' expected heights): any grade beside a
 * miscut level (a disc missed or falsely found there: the plane they share
 * may lie inside a body); a crush pattern (all three heights short, the
 * pattern such a cut gives) beside a level whose disc plane is in doubt in
 * any way (also steep or over-tilted, or seen only by its plates), or whose
 * body fills less than BODY_FILL_MIN of its disc-to-disc span (the
 * half-levels 0.52-0.58; intact bodies ~0.8; a crushed body keeps its discs
 * against it, ~0.7 for a 40 % loss, so only a vertebra plana, ~0.45, is
 * also held back, with the warning to check the image). Returns how many
 * levels it marked (the grades are then redone). */
#define BODY_FILL_MIN 0.6
static int crush_short(const vt_vertebra_morph *h) {
  return h->genant_grade >= 1 && h->height_posterior_mm < CRUSH_POSTERIOR * h->expected_height_mm;
}

/* 1 when level i's posterior height exceeds TALL_NEIGHBOUR x the median
 * posterior height of the levels within two of it (not i, not `skip`, none
 * in doubt): a level that took part of its neighbour's body (the
 * kyphosis-35 phantom at 5 mm: T12 38 mm for 24, its neighbours 27-32, above
 * an L1 cut short to 11 mm and graded 3). Its span alone (1.4 x) is under
 * the spacing doubt's 1.6. */
#define TALL_NEIGHBOUR 1.3
static int tall_level(const int *why, size_t nl, const int *prov, vt_vertebra_morph *m, size_t nm, size_t i,
                      size_t skip) {
  const vt_vertebra_morph *h = level_morph(prov, i, m, nm);
  if (!h || !isfinite(h->height_posterior_mm)) return 0;
  double p[4];
  size_t n = 0;
  for (long q = (long)i - 2; q <= (long)i + 2; q++) {
    if (q < 0 || (size_t)q >= nl || (size_t)q == i || (size_t)q == skip || why[q] != VT__DOUBT_NONE) continue;
    const vt_vertebra_morph *g = level_morph(prov, (size_t)q, m, nm);
    if (g && !g->heights_unreliable && isfinite(g->height_posterior_mm)) p[n++] = g->height_posterior_mm;
  }
  return n >= 2 && h->height_posterior_mm > TALL_NEIGHBOUR * vt__median(p, n);
}

static int miscut_neighbours(int *why, const vt__level *lv, size_t nl, const int *prov, vt_vertebra_morph *m,
                             size_t nm) {
  int marked = 0;
  for (size_t j = 0; j < nl; j++) {
    if (why[j] != VT__DOUBT_NONE) continue;
    int beside = 0, plane = 0; /* beside a miscut level; beside a level whose disc plane is in doubt */
    long tall = -1;            /* a neighbour taller than its neighbours */
    for (long i = (long)j - 1; i <= (long)j + 1; i += 2) {
      if (i < 0 || (size_t)i >= nl) continue;
      beside |= miscut(why[i]);
      plane |= miscut(why[i]) || why[i] == VT__DOUBT_STEEP || why[i] == VT__DOUBT_AXIS || why[i] == VT__DOUBT_HIDDEN;
      if (why[i] == VT__DOUBT_NONE && tall_level(why, nl, prov, m, nm, (size_t)i, j)) tall = i;
    }
    for (size_t k = 0; k < nm; k++) {
      vt_vertebra_morph *h = &m[k];
      if (h->verse_label != prov[j] || h->heights_unreliable || h->genant_grade < 1) continue;
      int crush = crush_short(h);
      if (crush && tall >= 0) {
        /* the tall one holds this one's missing part: neither is measured
         * nor a reference (a tall reference made its other neighbour read
         * a fracture) */
        vt_vertebra_morph *t = level_morph(prov, (size_t)tall, m, nm);
        why[tall] = VT__DOUBT_OVERTALL;
        if (t) t->heights_unreliable = 1;
        marked++;
        why[j] = VT__DOUBT_MISCUT_NEXT;
      } else if (beside || (crush && plane)) why[j] = VT__DOUBT_MISCUT_NEXT;
      else if (crush && vt__max_height(h) < BODY_FILL_MIN * lv[j].height_mm) why[j] = VT__DOUBT_UNFILLED;
      else continue;
      h->heights_unreliable = 1;
      marked++;
    }
  }
  return marked;
}

static vt_status withhold_beyond_doubt(const vt__level *lv, size_t nl, const int *why, vt_spine_level *lab,
                                       int transitional, vt__warnings *w) {
  /* transitional anatomy (4 or 6 lumbar-type vertebrae) is read from the
   * count between the anchors: a miscut level among T12-L6 changes that
   * count by one just as well (the 5 mm partial-volume phantom with a 30
   * degree lordosis: a false disc in T12 and a missed T12/L1 read "6 lumbar"
   * and named L2-L6 one level off), so then no label of the count stands */
  if (transitional)
    for (size_t i = 0; i < nl; i++) {
      if (!miscut(why[i])) continue;
      int v = lab[i].verse_label;
      int cand_lumbar = lab[i].candidate[0] == 'L' || strcmp(lab[i].candidate, "T12") == 0;
      if (!((v >= 19 && v <= 25) || cand_lumbar)) continue;
      vt_status st = vt__warn(w, "%s: its disc-to-disc span or height says a disc was missed or falsely found "
                              "there, so the %d lumbar-type vertebrae counted between the anchors are not "
                              "known to be transitional anatomy: all labels but the sacrum's are withheld",
                              lab[i].verse_label ? lab[i].label : "a lumbar-type vertebra", transitional);
      if (st) return st;
      for (size_t j = 0; j < nl; j++)
        if (lab[j].verse_label != 26) withhold(&lab[j]); /* the sacrum is seen, not counted */
      return VT_OK;
    }
  double centre = 0;
  size_t nlab = 0;
  for (size_t i = 0; i < nl; i++)
    if (lab[i].verse_label) centre += (double)i, nlab++;
  if (!nlab) return VT_OK;
  centre /= (double)nlab;
  for (size_t i = 0; i < nl; i++) {
    if (!miscut(why[i]) || !lab[i].verse_label) continue;
    size_t a = (double)i < centre ? 0 : i, b = (double)i < centre ? i : nl - 1;
    vt_status st = vt__warn(w, "%s: %s, so a disc was probably missed or falsely found there: its label and "
                            "those beyond it are withheld (the count past it is not known)",
                            lab[i].label, why[i] == VT__DOUBT_SPACING ? "its disc-to-disc span does not fit its neighbours'"
                            : why[i] == VT__DOUBT_TALL ? "its body is taller than the space between its discs"
                            : why[i] == VT__DOUBT_GAP  ? "a gap like a disc crosses its body"
                            : why[i] == VT__DOUBT_RIBS ? "two rib pairs leave it"
                                                       : "it spans more than a vertebra at its level can beside L2-L4");
    if (st) return st;
    for (size_t j = a; j <= b; j++) withhold(&lab[j]);
    (void)lv;
  }
  return VT_OK;
}

/* Vertebral coronal tilts change by a few degrees from level to level even
 * in a scoliotic curve; an end vertebra of the Cobb angle tilting more
 * than COBB_JUMP_DEG beyond its neighbour toward the curve is more likely
 * a body cut with part of a neighbour (a disc plane across a kink of the
 * column) than a curve: the angle is kept, with a warning to check it (the
 * T6-L5 phantom with a 20-degree curve at 1 mm: L5 read 39.7 degrees beside
 * L4's 8.5, Cobb 50 for 18.9). */
#define COBB_JUMP_DEG 12.0

static int cobb_end_jumps(const vt_spine_analysis *a, json_t *w);

struct vt_spine_analysis {
  vt_volume *labels;
  unsigned char *body; /* 1: body voxel of labels */
  vt_vertebra_morph *morph;
  int *subvoxel; /* per morph entry: bit 0 heights, bit 1 coronal tilt from sub-voxel endplates,
                  * bit 2 coronal tilt from the level's disc planes, bit 3 no tilt (cut or miscut) */
  vt_spine_level *levels;
  size_t n;
  vt__warnings warn;
  double aorta_hu;
};

/* Appends the warning above to w for each Cobb end vertebra that jumps
 * (found as the Cobb angle is, labelled or not); returns 1 when out of
 * memory. */
static int cobb_end_jumps(const vt_spine_analysis *a, json_t *w) {
  size_t ends[2];
  if (vt_spine_cobb(a->morph, a->n, &ends[0], &ends[1]) < 0) return 0;
  for (int e = 0; e < 2; e++) {
    size_t i = ends[e];
    /* the nearest neighbour toward the curve with a tilt */
    long j = e == 0 ? (long)i + 1 : (long)i - 1;
    while (j >= 0 && (size_t)j < a->n && !isfinite(a->morph[j].coronal_tilt_deg)) j += e == 0 ? 1 : -1;
    if (j < 0 || (size_t)j >= a->n || a->morph[j].verse_label == 26) continue;
    double t = a->morph[i].coronal_tilt_deg, u = a->morph[j].coronal_tilt_deg;
    if (fabs(t - u) <= COBB_JUMP_DEG) continue;
    const char *me = a->morph[i].label[0] == '?' ? "(label withheld)" : a->morph[i].label;
    const char *nb = a->morph[j].label[0] == '?' ? "the vertebra" : a->morph[j].label;
    char buf[400];
    snprintf(buf, sizeof buf, "Cobb angle: its %s end vertebra %s tilts %.0f degrees coronally, %.0f more than %s "
             "next to it: its body may hold part of a neighbour (a misplaced disc plane), so the angle may be "
             "too large; check the coronal image", e == 0 ? "upper" : "lower", me, t, fabs(t - u), nb);
    if (json_array_append_new(w, json_string(buf))) return 1;
  }
  return 0;
}

void vt_spine_analyze_defaults(vt_spine_analyze_opts *o) {
  o->jobs = 0;
  o->min_label_confidence = 0.5;
}

void vt_spine_analysis_free(vt_spine_analysis *a) {
  if (!a) return;
  vt_volume_free(a->labels);
  free(a->body);
  free(a->morph);
  free(a->subvoxel);
  free(a->levels);
  for (size_t i = 0; i < a->warn.n; i++) free(a->warn.w[i]);
  free(a->warn.w);
  free(a);
}

const vt_volume *vt_spine_analysis_labels(const vt_spine_analysis *a) { return a->labels; }
const unsigned char *vt_spine_analysis_body_mask(const vt_spine_analysis *a) { return a->body; }
size_t vt_spine_analysis_count(const vt_spine_analysis *a) { return a->n; }
const vt_spine_level *vt_spine_analysis_level(const vt_spine_analysis *a, size_t i) {
  return i < a->n ? &a->levels[i] : NULL;
}
const vt_vertebra_morph *vt_spine_analysis_morph(const vt_spine_analysis *a, size_t i) {
  return i < a->n ? &a->morph[i] : NULL;
}
size_t vt_spine_analysis_warning_count(const vt_spine_analysis *a) { return a->warn.n; }
const char *vt_spine_analysis_warning(const vt_spine_analysis *a, size_t i) {
  return i < a->warn.n ? a->warn.w[i] : NULL;
}

static void progress(vt_progress_fn fn, void *user, const char *stage, size_t done) {
  if (fn) fn(stage, done, 5, user);
}

/* The CT must be a 3-D volume with finite, positive spacing and an
 * invertible affine. */
static vt_status check_ct(const vt_volume *ct, vt_error *err) {
  size_t d[3];
  vt_volume_dims(ct, d);
  if (d[0] < 2 || d[1] < 2 || d[2] < 2)
    return vt_error_set(err, VT_EINVAL, "ct", "a 2-D image (%zux%zux%zu voxels): a CT volume is needed",
                        d[0], d[1], d[2]);
  double sp[3];
  vt_volume_spacing(ct, sp);
  for (int i = 0; i < 3; i++)
    if (!(sp[i] > 0.05 && sp[i] <= 10.0))
      return vt_error_set(err, VT_EINVAL, "ct", "voxel spacing %g mm along axis %d is zero, not a number or "
                          "out of 0.05-10 mm", sp[i], i);
  const double *A = vt_volume_affine(ct);
  double det = A[0] * (A[5] * A[10] - A[6] * A[9]) - A[1] * (A[4] * A[10] - A[6] * A[8]) +
               A[2] * (A[4] * A[9] - A[5] * A[8]);
  if (!(fabs(det) > 1e-9) || !isfinite(det))
    return vt_error_set(err, VT_EINVAL, "ct", "the image affine is singular or not finite");
  return VT_OK;
}

vt_status vt_spine_analyze(const vt_volume *ct, const vt_spine_analyze_opts *opts,
                           vt_progress_fn pfn, void *puser, vt_spine_analysis **out, vt_error *err) {
  if (!ct || !out) return vt_error_set(err, VT_EINVAL, "ct", "no CT or no output");
  *out = NULL;
  vt_spine_analyze_opts def;
  vt_spine_analyze_defaults(&def);
  if (!opts) opts = &def;
  vt_status st = check_ct(ct, err);
  if (st) return st;
  vt__view v;
  if ((st = vt__view_init(ct, &v, err))) return st;
  vt_spine_analysis *a = calloc(1, sizeof *a);
  if (!a) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  vt__column col;
  memset(&col, 0, sizeof col);
  unsigned char *levmask = NULL;
  vt_volume *mask = NULL;
  vt_vertebra_morph *m = NULL;
  size_t nm = 0;
  int *prov = NULL, *why = NULL, *refined = NULL, transitional = 0;
  progress(pfn, puser, "spinal canal", 0);
  if ((st = vt__find_canal(&v, &col, err))) goto fail;
  size_t d[3];
  vt_volume_dims(ct, d);
  size_t nvox = d[0] * d[1] * d[2];
  levmask = malloc(nvox);
  vt__disc discs[VT__MAX_LEVELS];
  vt__level lv[VT__MAX_LEVELS];
  size_t nd = 0, nl = 0;
  if (!levmask) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    goto fail;
  }
  progress(pfn, puser, "vertebral bodies and discs", 1);
  if ((st = vt__find_levels(&v, &col, discs, &nd, lv, &nl, levmask, err))) goto fail;
  if (nl == 0) {
    st = vt_error_set(err, VT_ENOTFOUND, "ct", "no spine found: no vertebra between discs");
    goto fail;
  }
  progress(pfn, puser, "anatomical anchors", 2);
  vt__level_anatomy(&v, &col, lv, nl);
  vt__find_dens(&v, &col, lv, nl);
  nl = vt__split_atlas(&v, lv, nl, VT__MAX_LEVELS, levmask);
  vt__mark_side_cuts(&v, levmask, lv, nl);
  if (getenv("VT_ANALYZE_DEBUG")) {
    for (size_t i = 0; i < nd; i++)
      fprintf(stderr, "disc %zu z %.1f half %.1f coronal %.1f sagittal %.1f deg\n", i, discs[i].z, discs[i].half,
              atan2(discs[i].nrm[0], discs[i].nrm[2]) * 57.29578, atan2(discs[i].nrm[1], discs[i].nrm[2]) * 57.29578);
    for (size_t i = 0; i < nl; i++)
      fprintf(stderr, "level %zu z %.1f..%.1f h %.1f rib %d sacrum %d cut %d/%d tilt %.0f dens %d\n", i,
              lv[i].z_bot, lv[i].z_top, lv[i].height_mm, lv[i].rib_bearing, lv[i].sacrum,
              lv[i].cut_top, lv[i].cut_bot, lv[i].tilt_deg, lv[i].dens);
  }
  a->aorta_hu = vt__aorta_hu(&v, &col);
  vt_spine_level lab[VT__MAX_LEVELS];
  prov = calloc(nl, sizeof *prov);
  if (!prov) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    goto fail;
  }
  vt__label_levels(lv, nl, opts->min_label_confidence, lab, prov, &transitional, &a->warn);
  for (size_t i = 0; i < nl; i++) lab[i].rib_roots[0] = lv[i].rib_roots[0], lab[i].rib_roots[1] = lv[i].rib_roots[1];
  /* measurement mask (provisional names) and output mask (given labels) */
  progress(pfn, puser, "measurements", 3);
  /* one float volume at a time beside the CT: the measurement mask is freed
   * before the output mask is made (peak memory on a 512x512x600 CT) */
  if ((st = vt_volume_new(d[0], d[1], d[2], vt_volume_affine(ct), &mask, err))) goto fail;
  float *mk = vt_volume_data(mask);
  for (size_t q = 0; q < nvox; q++) {
    int l = levmask[q] & 0x7f;
    if (l && (size_t)l <= nl) mk[q] = (float)prov[l - 1];
  }
  if ((st = vt_spine_morphometry(mask, &m, &nm, err))) goto fail;
  if ((st = vt_spine_bone_hu(ct, mask, m, nm, err))) goto fail;
  /* the sacrum's top in this mask is the L5/S1 disc's plane, not S1's
   * endplate: that one is refitted on the CT's bone (sagittal_alignment.c) */
  if ((st = vt_spine_sagittal_endplates_ct(ct, mask, m, nm, err))) goto fail;
  drop_stray_endplates(discs, nd, lv, nl, prov, m, nm);
  /* heights and coronal tilts from endplates placed to a fraction of a slice
   * by the partial-volume HU, where the CT allows (analyze_subvoxel.c) */
  refined = calloc(nm ? nm : 1, sizeof *refined);
  if (!refined) goto oom;
  int n_subvoxel = vt__subvoxel_endplates(&v, ct, levmask, prov, nl, m, nm, refined);
  if (v.sp[2] >= DISC_TILT_MIN_SLICE_MM)
    for (size_t k = 0; k < nm; k++) {
      if (refined[k] & 2 || m[k].verse_label == 26) continue;
      for (size_t i = 0; i < nl; i++) {
        double t;
        if (prov[i] != m[k].verse_label || !disc_plane_tilt(discs, nd, &lv[i], &t)) continue;
        if (getenv("VT_ANALYZE_DEBUG"))
          fprintf(stderr, "coronal tilt level %zu: disc planes %.2f deg (principal axis %.2f)\n", i, t,
                  m[k].coronal_tilt_deg);
        m[k].coronal_tilt_deg = t;
        refined[k] |= 4;
      }
    }
  vt_volume_free(mask);
  mask = NULL;
  /* levels whose cut is doubtful: not graded, and not a reference for their
   * neighbours' expected heights (re-graded below) */
  why = calloc(nl, sizeof *why);
  if (!why) goto oom;
  vt_spine_level named[VT__MAX_LEVELS];
  doubt_names(lab, nl, named);
  for (size_t i = 0; i < nl; i++) {
    vt_vertebra_morph *hit = level_morph(prov, i, m, nm);
    if (!hit) continue;
    why[i] = vt__level_doubt(lv, nl, i, named, hit, STEEP_DISC_DEG);
    hit->heights_unreliable = why[i] != VT__DOUBT_NONE;
    /* nor a coronal tilt: a body the image cuts, or one cut with part of a
     * neighbour or half of itself, has a principal axis of its own
     * (aorta_report_case: the 12 mm sliver at the crop's top tilted 67
     * degrees and made a 76-degree "Cobb angle" of a straight column) */
    if (why[i] == VT__DOUBT_FOV || miscut(why[i])) {
      hit->coronal_tilt_deg = NAN;
      refined[hit - m] |= 8;
    }
  }
  /* the sagittal angles are measured on the endplates such a plane cuts */
  {
    const char *span[2] = {"lumbar lordosis (L1-S1)", "thoracic kyphosis (T4-T12)"};
    int hit[2] = {0, 0};
    for (size_t i = 0; i < nl; i++) {
      if (why[i] != VT__DOUBT_AXIS) continue;
      int l = lab[i].verse_label;
      hit[0] |= (l >= 20 && l <= 25) || l == 26;
      hit[1] |= l >= 11 && l <= 19;
    }
    for (int q = 0; q < 2; q++)
      if (hit[q] && (st = vt__warn(&a->warn, "%s: measured on endplates next to a disc plane that tilts beyond "
                                   "the column's axis (see the level warnings): not reliable", span[q])))
        goto oom;
  }
  double lumbar_span = vt__lumbar_span(lv, nl, named); /* for the warnings: labels may be withheld next */
  if ((st = withhold_beyond_doubt(lv, nl, why, lab, transitional, &a->warn))) goto oom;
  if ((st = vt_volume_new(d[0], d[1], d[2], vt_volume_affine(ct), &a->labels, err))) goto fail;
  float *lo = vt_volume_data(a->labels);
  for (size_t q = 0; q < nvox; q++) {
    int l = levmask[q] & 0x7f;
    if (l && (size_t)l <= nl) lo[q] = (float)lab[l - 1].verse_label;
  }
  vt__sacrum_body(&v, levmask, lv, nl);
  /* the level mask's bytes become the body mask in place (no second copy) */
  for (size_t q = 0; q < nvox; q++) levmask[q] = (levmask[q] & 0x80) && (levmask[q] & 0x7f) ? 1 : 0;
  a->body = levmask;
  levmask = NULL;
  /* one morphometry entry per level, in level order */
  a->morph = calloc(nl, sizeof *a->morph);
  a->subvoxel = calloc(nl, sizeof *a->subvoxel);
  a->levels = calloc(nl, sizeof *a->levels);
  if (!a->morph || !a->levels || !a->subvoxel) {
    st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    goto fail;
  }
  vt_spine_grade(m, nm);
  /* a level marked loses its place as a reference, so its neighbours'
   * expected heights and grades change: the check runs again on the new
   * grades until it marks none (the 4 mm kyphosis-35 phantom: a 33 mm level
   * holding a 4-17 mm sliver of body, graded 0 beside a neighbour that was
   * then marked, read grade 3 once its expected height came from L2 alone) */
  for (int pass = 0; pass < (int)nl && miscut_neighbours(why, lv, nl, prov, m, nm); pass++) vt_spine_grade(m, nm);
  for (size_t i = 0; i < nl; i++) {
    const vt_vertebra_morph *hit = NULL;
    size_t hk = 0;
    for (size_t k = 0; k < nm && !hit; k++)
      if (m[k].verse_label == prov[i]) hit = &m[k], hk = k;
    if (!hit) continue; /* a level too small to measure */
    a->morph[a->n] = *hit;
    a->subvoxel[a->n] = refined[hk];
    a->levels[a->n] = lab[i];
    vt_vertebra_morph *mo = &a->morph[a->n];
    mo->verse_label = lab[i].verse_label;
    snprintf(mo->label, sizeof mo->label, "%s", lab[i].label);
    const char *name = lab[i].label[0] == '?' ? "a vertebra" : lab[i].label;
    if (why[i] == VT__DOUBT_FOV)
      st = vt__warn(&a->warn, "%s: cut by the field of view%s: heights and grade are not reliable", name,
                    lv[i].cut_side ? " at the image's edge (the body runs out of the image)" : "");
    else if (why[i] == VT__DOUBT_STEEP)
      st = vt__warn(&a->warn, "%s: next to a disc tilted %.0f degrees from its neighbour's (found by "
                    "the tilted-plane search, e.g. a lordotic L5/S1): heights and grade are not reliable",
                    name, lv[i].tilt_deg);
    else if (why[i] == VT__DOUBT_AXIS)
      st = vt__warn(&a->warn, "%s: next to a disc plane tilted %.0f degrees (sagittally) beyond the line "
                    "through the bodies' centres on a straight stretch of the column: the plane cuts the "
                    "bodies' endplates, so heights, grade and the endplate tilts (lordosis, kyphosis) there "
                    "are not reliable (check the sagittal image)",
                    name, lv[i].axis_doubt_deg);
    else if (why[i] == VT__DOUBT_SPACING)
      st = vt__warn(&a->warn, "%s: %.0f mm from disc to disc where its neighbours span %.0f mm: a disc "
                    "was probably missed or falsely found here, or the vertebra is collapsed; heights "
                    "and grade are not reliable (check the sagittal image)",
                    name, lv[i].height_mm, vt__neighbour_span(lv, nl, i, named));
    else if (why[i] == VT__DOUBT_LUMBAR_SPAN)
      st = vt__warn(&a->warn, "%s: %.0f mm from disc to disc where L2-L4 span %.0f mm: longer than a vertebra "
                    "at its level can be, so a disc was probably missed here; heights and grade are not "
                    "reliable (check the sagittal image)",
                    name, lv[i].height_mm, lumbar_span);
    else if (why[i] == VT__DOUBT_RIBS)
      st = vt__warn(&a->warn, "%s: two ribs a vertebra apart leave it on one side (one pair leaves each thoracic "
                    "vertebra): it holds two vertebrae, a disc was missed; heights and grade are not reliable "
                    "(check the sagittal image)", name);
    else if (why[i] == VT__DOUBT_GAP)
      st = vt__warn(&a->warn, "%s: a %.0f mm gap crosses its body between two runs of bone (anterior and middle): "
                    "a disc inside it, so its discs lie inside bodies; heights and grade are not reliable "
                    "(check the sagittal image)", name, hit->body_gap_mm);
    else if (why[i] == VT__DOUBT_NO_CANAL)
      st = vt__warn(&a->warn, "%s: no spinal canal found on its mid-sagittal plane, so its body was not cut "
                    "from its posterior elements: its centroid and heights are the whole vertebra's (body and arch), "
                    "not the body's; not graded (check the sagittal image)", name);
    else if (why[i] == VT__DOUBT_UNFILLED)
      st = vt__warn(&a->warn, "%s: all three heights short (a crush pattern) and its body (%.0f mm) fills under "
                    "%.0f %% of the %.0f mm between its discs: most likely part of a body cut off by a disc plane "
                    "placed inside it, not a crushed vertebra; not graded (check the sagittal image)",
                    name, vt__max_height(hit), 100 * BODY_FILL_MIN, lv[i].height_mm);
    else if (why[i] == VT__DOUBT_MISCUT_NEXT)
      st = vt__warn(&a->warn, "%s: its heights read a fracture next to a level whose disc plane is in doubt (a "
                    "disc missed, falsely found or tilted there), so the plane between them may cut a body: not "
                    "graded (check the sagittal image)", name);
    else if (why[i] == VT__DOUBT_HIDDEN)
      st = vt__warn(&a->warn, "%s: next to a disc too thin for these %.1f mm slices (found from its endplates, "
                    "every slice of it holds plate): its heights read up to a slice long at each such disc, and it is "
                    "not graded",
                    name, v.sp[2]);
    else if (why[i] == VT__DOUBT_TALL)
      st = vt__warn(&a->warn, "%s: its body (%.0f mm) is taller than the %.0f mm between its discs: the "
                    "discs around it are misplaced; heights and grade are not reliable",
                    name, vt__max_height(hit), lv[i].height_mm);
    else if (why[i] == VT__DOUBT_OVERTALL)
      st = vt__warn(&a->warn, "%s: its posterior height (%.0f mm) is over %.1f times its neighbours' beside a "
                    "neighbour with all three heights short: the disc plane between them probably lies inside "
                    "that neighbour's body; heights and grade of both are not reliable (check the sagittal image)",
                    name, hit->height_posterior_mm, TALL_NEIGHBOUR);
    else if (hit->genant_grade >= 1 && hit->height_posterior_mm < CRUSH_POSTERIOR * hit->expected_height_mm)
      /* wedge and biconcave fractures keep the posterior height; all three
       * short is a crush, or a body cut short by a disc found inside it */
      st = vt__warn(&a->warn, "%s: Genant grade %d with all three heights short (posterior %.0f of %.0f mm "
                    "expected): a crush pattern, which a disc misplaced into the body also gives; check the "
                    "sagittal image", name, hit->genant_grade, hit->height_posterior_mm, hit->expected_height_mm);
    if (st) goto oom;
    a->n++;
  }
  if (isfinite(a->aorta_hu) && a->aorta_hu > CONTRAST_AORTA_HU)
    if ((st = vt__warn(&a->warn, "the study looks contrast-enhanced (aorta about %.0f HU): trabecular "
                       "HU read high, so the osteoporosis category may be too favourable",
                       a->aorta_hu))) goto oom;
  (void)n_subvoxel;
  free(m);
  free(prov);
  free(why);
  free(refined);
  vt__column_free(&col);
  progress(pfn, puser, "done", 5);
  *out = a;
  return VT_OK;
oom:
  st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
fail:
  free(levmask);
  free(refined);
  free(m);
  free(prov);
  free(why);
  vt_volume_free(mask);
  vt__column_free(&col);
  vt_spine_analysis_free(a);
  return st;
}

vt_status vt_spine_analysis_json(const vt_spine_analysis *a, char **json, vt_error *err) {
  char *base = NULL;
  vt_status st = vt_spine_morphometry_json(a->morph, a->n, &base, err);
  if (st) return st;
  json_error_t je;
  json_t *root = json_loads(base, 0, &je);
  free(base);
  if (!root) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  json_t *vs = json_object_get(root, "vertebrae");
  for (size_t i = 0; i < a->n && i < json_array_size(vs); i++) {
    json_t *o = json_array_get(vs, i);
    const vt_spine_level *l = &a->levels[i];
    json_object_set_new(o, "confidence", json_real(l->confidence));
    json_object_set_new(o, "label_uncertain", json_boolean(l->label_uncertain));
    json_object_set_new(o, "label_basis", json_string(l->basis));
    if (!l->verse_label) json_object_set_new(o, "verse_label", json_null());
    json_object_set_new(o, "label_candidate", l->candidate[0] ? json_string(l->candidate) : json_null());
    json_object_set_new(o, "rib_roots", json_pack("{s:i,s:i}", "left", l->rib_roots[0], "right", l->rib_roots[1]));
    json_object_set_new(o, "height_method", json_string(a->subvoxel[i] & 1 ? HEIGHT_SUBVOXEL : HEIGHT_MASK));
    json_object_set_new(o, "coronal_tilt_deg", isfinite(a->morph[i].coronal_tilt_deg)
                                                   ? json_real(a->morph[i].coronal_tilt_deg)
                                                   : json_null());
    json_object_set_new(o, "coronal_tilt_method",
                        json_string(a->subvoxel[i] & 8   ? "none: the body is cut by the field of view or miscut"
                                    : a->subvoxel[i] & 2 ? "subvoxel-endplate/1 (left and right endplate bands)"
                                    : a->subvoxel[i] & 4 ? "mean of its disc planes (coarse slices)"
                                                         : "principal axis of the body mask"));
  }
  /* the Cobb angle is read from these tilts: say which */
  json_t *cobb = json_object_get(root, "cobb");
  size_t nsub = 0, ndisc = 0, ntilt = 0;
  for (size_t i = 0; i < a->n; i++) {
    nsub += (a->subvoxel[i] & 2) != 0;
    ndisc += (a->subvoxel[i] & 4) != 0;
    ntilt += a->morph[i].verse_label != 26 && isfinite(a->morph[i].coronal_tilt_deg);
  }
  if (json_is_object(cobb) && nsub == ntilt) {
    json_object_set_new(cobb, "method", json_string("max coronal tilt difference of the sub-voxel endplate planes "
                                                    "(partial-volume HU)"));
  } else if (json_is_object(cobb) && (nsub || ndisc)) {
    /* the sources present, each level's in its coronal_tilt_method */
    const char *part[3];
    int np = 0;
    if (nsub) part[np++] = "sub-voxel endplate planes";
    if (ndisc) part[np++] = "disc planes (coarse slices)";
    if (nsub + ndisc < ntilt) part[np++] = "body principal axes";
    char how[200] = "max coronal tilt difference of ";
    for (int q = 0; q < np; q++) {
      strcat(how, part[q]);
      if (q + 1 < np) strcat(how, q + 2 < np ? ", " : " and ");
    }
    strcat(how, " (per level: coronal_tilt_method)");
    json_object_set_new(cobb, "method", json_string(how));
  }
  json_t *w = json_object_get(root, "warnings");
  if (!json_is_array(w)) {
    w = json_array();
    json_object_set_new(root, "warnings", w);
  }
  for (size_t i = 0; i < a->warn.n; i++) json_array_append_new(w, json_string(a->warn.w[i]));
  if (json_is_object(cobb) && cobb_end_jumps(a, w)) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  json_object_set_new(root, "aorta_hu", isfinite(a->aorta_hu) ? json_real(a->aorta_hu) : json_null());
  json_object_set_new(root, "method", json_string(METHOD_VERSION));
  *json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
  json_decref(root);
  if (!*json) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  return VT_OK;
}
