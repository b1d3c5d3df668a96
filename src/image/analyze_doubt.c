/* analyze_doubt.c — which levels of a cut column have doubtful heights: cut
 * by the field of view, beside a steeply tilted searched disc, a disc-to-disc
 * span that does not fit the neighbours', two rib pairs leaving one level, a
 * body taller than its span or crossed by a gap (a disc inside it).
 * Such levels get no Genant grade and are no reference for their
 * neighbours' expected heights: a grade read across a missed or false disc
 * is a false fracture report (real chest CTs at 3-4 mm slices). */
#include <math.h>
#include <stdlib.h>

#include "image/analyze_internal.h"

/* A level's disc-to-disc span against the median of its neighbours' (two
 * each side, not cut by the field of view, not the sacrum, atlas or axis) outside these
 * factors is not a vertebra between two true discs: thoracic to lumbar spans
 * grow by at most ~30 % from level to level, while a missed disc doubles a
 * span and a false one halves it (real chest CTs at 3-4 mm). A collapsed
 * vertebra (Genant 3, > 40 % loss of a ~25 mm body) shortens its span by
 * ~35 %; more than that is reported as doubtful, not graded. */
#define SPAN_MIN_RATIO 0.6
#define SPAN_MAX_RATIO 1.6
/* A body taller than this times the span between its discs lies across a
 * misplaced disc (the body must fit between its discs; the span is taken
 * along the scan axis, which shortens it by cos(tilt) on a tilted column). */
#define BODY_SPAN_RATIO 1.25
/* A gap of this many mm without the level's mask between two runs of it, at
 * both the anterior and the middle height point, is a disc crossing the
 * body: the level's discs were placed inside bodies, half a vertebra off
 * (the T8-L5 phantom with a 40-degree lordosis at 4 mm: T8-T12 each cut
 * from the lower half of one body and the upper half of the next, 4-8.5
 * mm gaps, spans that fit, labels one level off with confidence 0.83-0.95).
 * One solid body has none (example_ct: 0 at T12-L4); an intravertebral
 * cleft would also read as one, and withholds, the safer error. */
#define BODY_GAP_MM 3.0

/* The morphometry cuts the body from the posterior elements at the canal
 * on the level's mid-sagittal plane; where it finds none, it takes the whole
 * label as the body. The analysis's levels hold their posterior elements,
 * so a level whose "body" then holds more than NO_CANAL_RATIO x the body
 * voxels the segmentation marked is measured on body and arch together: its
 * centroid lies behind the body and its 20/50/80 % points fall on the arch
 * and the canal (the lordosis-30/40 phantoms at 2.5 mm: L5 15 mm behind its
 * truth, middle height 7.6 mm for 28, graded 3 with a confident label). */
#define NO_CANAL_RATIO 1.3

static int level_cut(const vt__level *l) { return l->cut_top == 1 || l->cut_bot == 1 || l->cut_side; }

/* A body with at least this many voxels on the image's in-plane border is
 * cut by it (a few can be partial-volume specks). */
#define SIDE_CUT_VOXELS 10

void vt__mark_side_cuts(const vt__view *v, const unsigned char *levmask, vt__level *lv, size_t nl) {
  size_t cnt[VT__MAX_LEVELS + 1] = {0};
  /* the outer two voxels: the segmentation's neighbour means read outside
   * the image as air, so a body cut by the border ends one voxel inside */
  for (size_t k = 0; k < v->n[2]; k++)
    for (size_t j = 0; j < v->n[1]; j++)
      for (size_t i = 0; i < v->n[0]; i++) {
        int border = i < 2 || j < 2 || i + 2 >= v->n[0] || j + 2 >= v->n[1];
        if (!border) {
          if (j >= 2 && j + 2 < v->n[1] && i == 2 && v->n[0] > 4) i = v->n[0] - 3; /* skip the inside */
          continue;
        }
        unsigned char c = levmask[vt__index(v, i, j, k)];
        if ((c & 0x80) && (c & 0x7f) && (size_t)(c & 0x7f) <= nl && (c & 0x7f) <= VT__MAX_LEVELS) cnt[c & 0x7f]++;
      }
  for (size_t l = 0; l < nl && l < VT__MAX_LEVELS; l++) lv[l].cut_side = cnt[l + 1] >= SIDE_CUT_VOXELS;
}

/* Two adjacent levels each shorter than PAIR_SHORT times the span of the
 * levels around them, together no longer than PAIR_SUM times it, are one
 * vertebra cut by a false disc (the POPI chest CT: 17 + 16 mm among 24-25 mm
 * levels, both then "graded 2"). One Genant-3 collapse beside a normal level
 * is not a pair (~0.7 + 1.0); two adjacent Genant-3 crushes (~0.7 + 0.7) are
 * caught too: they get no grade and the warning to check the image, which is
 * the safer of the two errors. */
#define PAIR_SHORT 0.75
#define PAIR_SUM 1.45

static int reference_level(const vt__level *lv, size_t nl, long j, const vt_spine_level *lab) {
  return j >= 0 && j < (long)nl && !level_cut(&lv[j]) && lab[j].verse_label != 26 && !lv[j].sacrum &&
         !lv[j].atlas && !lv[j].dens;
}

/* median span of the reference levels within `reach` of level i, leaving out
 * i and `skip` (NaN when fewer than two) */
static double span_around(const vt__level *lv, size_t nl, size_t i, long skip, int reach, const vt_spine_level *lab) {
  double s[6];
  int k = 0;
  for (long j = (long)i - reach; j <= (long)i + reach && k < 6; j++) {
    if (j == (long)i || j == skip || !reference_level(lv, nl, j, lab)) continue;
    s[k++] = lv[j].height_mm;
  }
  if (k < 2) return NAN;
  qsort(s, (size_t)k, sizeof s[0], vt__cmp_double);
  return k % 2 ? s[k / 2] : 0.5 * (s[k / 2 - 1] + s[k / 2]);
}

/* median span of level i's neighbours within two levels (NaN when < 2) */
double vt__neighbour_span(const vt__level *lv, size_t nl, size_t i, const vt_spine_level *lab) {
  return span_around(lv, nl, i, -1, 2, lab);
}

/* 1 when level i and a neighbour are the two halves of one vertebra */
static int split_pair(const vt__level *lv, size_t nl, size_t i, const vt_spine_level *lab) {
  for (long j = (long)i - 1; j <= (long)i + 1; j += 2) {
    if (!reference_level(lv, nl, j, lab)) continue;
    double ref = span_around(lv, nl, i, j, 3, lab);
    if (isfinite(ref) && lv[i].height_mm < PAIR_SHORT * ref && lv[j].height_mm < PAIR_SHORT * ref &&
        lv[i].height_mm + lv[j].height_mm <= PAIR_SUM * ref)
      return 1;
  }
  return 0;
}

/* Vertebrae and discs grow from the thoracic to the lumbar spine: a thoracic
 * level spans ~0.75-0.9 times the L2-L4 levels along the scan axis (T12 ~30
 * mm body + disc against L3 ~38 mm; kyphosis only shortens it), L1 about as
 * much as they do. A thoracic level longer than THORACIC_SPAN_MAX times the
 * median L2-L4 span, or an L1 longer than L1_SPAN_MAX times it, holds a
 * missed disc, even where its neighbours are miscut as well and the
 * neighbour test above has no true span to compare with (phantom sweep at
 * 2.5-5 mm with a 30-40 degree lordosis or a 20 degree Cobb curve: a missed
 * T11/T12 among 42-47 mm "thoracic" levels beside 36-39 mm lumbar ones was
 * named T12 with confidence 0.95). */
#define THORACIC_SPAN_MAX 1.1
#define L1_SPAN_MAX 1.3

/* median span of the levels labelled L2-L4 that fit their own neighbours
 * (NaN when fewer than two) */
double vt__lumbar_span(const vt__level *lv, size_t nl, const vt_spine_level *lab) {
  double s[3];
  int k = 0;
  for (size_t j = 0; j < nl && k < 3; j++) {
    if (lab[j].verse_label < 21 || lab[j].verse_label > 23 || !reference_level(lv, nl, (long)j, lab)) continue;
    double around = vt__neighbour_span(lv, nl, j, lab);
    if (isfinite(around) && (lv[j].height_mm < SPAN_MIN_RATIO * around || lv[j].height_mm > SPAN_MAX_RATIO * around))
      continue;
    s[k++] = lv[j].height_mm;
  }
  if (k < 2) return NAN;
  qsort(s, (size_t)k, sizeof s[0], vt__cmp_double);
  return k % 2 ? s[k / 2] : 0.5 * (s[0] + s[1]);
}

/* 1 when a level labelled thoracic or L1 is longer than the lumbar spans allow */
static int longer_than_lumbar(const vt__level *lv, size_t nl, size_t i, const vt_spine_level *lab) {
  int v = lab[i].verse_label;
  int thoracic = (v >= 8 && v <= 19) || v == 28;
  if (!thoracic && v != 20) return 0;
  double ref = vt__lumbar_span(lv, nl, lab);
  return isfinite(ref) && lv[i].height_mm > (thoracic ? THORACIC_SPAN_MAX : L1_SPAN_MAX) * ref;
}

double vt__max_height(const vt_vertebra_morph *m) {
  return fmax(m->height_anterior_mm, fmax(m->height_middle_mm, m->height_posterior_mm));
}

int vt__level_doubt(const vt__level *lv, size_t nl, size_t i, const vt_spine_level *lab,
                    const vt_vertebra_morph *m, double steep_deg) {
  if (level_cut(&lv[i])) return VT__DOUBT_FOV;
  if (lab[i].verse_label == 26 || lv[i].sacrum || lv[i].atlas || lv[i].dens)
    return VT__DOUBT_NONE; /* not graded anyway: the sacrum, the atlas (no body), the axis (its dens) */
  /* a miscut (two vertebrae or half of one) first: it also puts the labels
   * beyond it in doubt, a steep disc beside a well-cut level does not */
  double span = vt__neighbour_span(lv, nl, i, lab);
  if (isfinite(span) && (lv[i].height_mm < SPAN_MIN_RATIO * span || lv[i].height_mm > SPAN_MAX_RATIO * span))
    return VT__DOUBT_SPACING;
  if (split_pair(lv, nl, i, lab)) return VT__DOUBT_SPACING;
  /* one rib pair leaves each thoracic vertebra: two a vertebra apart on one
   * side say two vertebrae between these discs, whatever the spans say (a
   * column whose discs are all missed alike has no true span to compare) */
  if (lv[i].rib_double) return VT__DOUBT_RIBS;
  if (longer_than_lumbar(lv, nl, i, lab)) return VT__DOUBT_LUMBAR_SPAN;
  if (vt__max_height(m) > BODY_SPAN_RATIO * lv[i].height_mm) return VT__DOUBT_TALL;
  if (m->body_gap_mm >= BODY_GAP_MM) return VT__DOUBT_GAP;
  if (!m->body_separated && (double)m->body_voxels > NO_CANAL_RATIO * (double)lv[i].voxels)
    return VT__DOUBT_NO_CANAL;
  if (lv[i].tilt_deg > steep_deg) return VT__DOUBT_STEEP;
  if (lv[i].axis_doubt_deg > 0) return VT__DOUBT_AXIS;
  /* a disc seen only by its plates: its slices all hold plate, pass for
   * bone and lengthen both bodies beside it by up to a slice */
  if (lv[i].hidden_disc) return VT__DOUBT_HIDDEN;
  return VT__DOUBT_NONE;
}
