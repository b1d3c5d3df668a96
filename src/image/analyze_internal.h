/* analyze_internal.h — what the steps of `vt_spine_analyze` share: an
 * axis-aligned RAS view of the CT, the spinal column found in it, and the
 * levels cut from it (method: docs/image-analyze.md). Internal to src/image. */
#ifndef VT_ANALYZE_INTERNAL_H
#define VT_ANALYZE_INTERNAL_H
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "vertebra/spine.h"
#include "vertebra/spine_analyze.h"
#include "vertebra/status.h"
#include "vertebra/volume.h"

/* HU thresholds shared by the steps. Cortical and dense bone is well above
 * 200 HU, soft tissue and CSF below 100 HU (e.g. Hounsfield-scale tables in
 * Prokop & Galanski, Spiral and Multislice CT, 2003). */
#define VT__BONE_HU 200.0
#define VT__MAX_LEVELS 40

/* qsort comparator for doubles, ascending. */
static inline int vt__cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of a[0..n-1] (sorted in place; the mean of the middle two when n is
 * even), NAN when n is 0. */
static inline double vt__median(double *a, size_t n) {
  if (!n) return NAN;
  qsort(a, n, sizeof *a, vt__cmp_double);
  return n % 2 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
}

/* The CT seen with its voxel axes permuted/flipped to the nearest world axes:
 * view axis 0 runs to patient right (+x RAS), 1 anterior, 2 superior.
 * Positions in mm are i*sp[0], j*sp[1], k*sp[2] (relative to the view origin). */
typedef struct vt__view {
  const float *data;
  size_t n[3];     /* view dimensions */
  double sp[3];    /* spacing along the view axes (mm) */
  long long st[3]; /* signed voxel-array stride per view axis */
  long long base;  /* array offset of view voxel (0,0,0) */
  int perm[3];     /* view axis a is voxel axis perm[a] */
  int flip[3];     /* 1: view index runs against the voxel index */
} vt__view;

static inline float vt__hu(const vt__view *v, long i, long j, long k) {
  if (i < 0 || j < 0 || k < 0 || (size_t)i >= v->n[0] || (size_t)j >= v->n[1] || (size_t)k >= v->n[2])
    return -1000.0f;
  return v->data[v->base + i * v->st[0] + j * v->st[1] + k * v->st[2]];
}
/* HU at a position in mm within slice k (nearest voxel). */
static inline float vt__hu_mm(const vt__view *v, double x, double y, long k) {
  double fi = x / v->sp[0] + 0.5, fj = y / v->sp[1] + 0.5;
  if (fi < 0 || fj < 0) return -1000.0f;
  return vt__hu(v, (long)fi, (long)fj, k);
}
/* Array index of view voxel (i, j, k). */
static inline size_t vt__index(const vt__view *v, size_t i, size_t j, size_t k) {
  return (size_t)(v->base + (long long)i * v->st[0] + (long long)j * v->st[1] + (long long)k * v->st[2]);
}

/* The column per view slice k: canal centre (mm in the view), body centre,
 * posterior wall of the body; state 0 outside the column, 1 canal found in
 * this slice, 2 interpolated, 3 extrapolated below/above the canal track. */
typedef struct vt__column {
  size_t nz;
  double *cx, *cy, *score; /* canal centre, canal score (0..12) */
  double *bx, *by;         /* vertebral body centre (mm) */
  double *pw;              /* posterior wall of the body (y mm) */
  double *depth;           /* body antero-posterior depth (mm) */
  int *state;
  long k0, k1;             /* first and last slice of the column (inclusive) */
  long t0, t1;             /* first and last slice of the canal track */
  double body_thr;         /* HU threshold of the body segmentation (trabecular bone) */
} vt__column;

/* One vertebra (or the sacrum) cut from the column between two discs. */
typedef struct vt__level {
  double z_top, z_bot;     /* bounding disc (or column end) positions along view z (mm) */
  int cut_top, cut_bot;    /* 1: this end is the field-of-view / column end, not a disc */
  int rib_bearing;         /* within the traced series of rib pairs (analyze_ribs.c) */
  int rib_roots[2];        /* ribs traced to a root in this level, left and right */
  int rib_full[2];         /* 1: one of them seen whole (reaching far out), not cut by the image */
  int rib_side_seen[2];    /* 1: the image reaches far enough out that side to show a rib */
  int rib_double;          /* 1: two roots a vertebra apart on one side: two vertebrae, a disc missed */
  int rib_anchor_sure;     /* 1: the lowest rib pair, seen whole, with the level below in view and rib-free */
  int rib_at_disc;         /* 1: the lowest rib pair leaves the column at one of this level's discs */
  int sacrum;              /* 1: wide alae or a closed canal: the sacrum */
  double height_mm;        /* z extent */
  double tilt_deg;         /* the larger tilt of its two discs against the column's cut */
  size_t voxels;
  int dens;                /* 1: the top level is the axis with the dens and the atlas above it */
  double dens_z;           /* then: view z (mm) of the axis body's top, where the dens rises */
  double dens_x, dens_y, dens_r; /* the dens's centre and radius in the view (mm) */
  int atlas;               /* 1: the atlas (C1), split off the axis above its body */
  int cut_side;            /* 1: its body reaches the image's side or front/back edge */
  double lung;             /* fraction of its middle slices with lung beside the body on both sides */
  int lung_bearing;        /* lung fraction above the threshold (analyze_lungs.c) */
  int hidden_disc;         /* 1: a bounding disc was found from its plates' peaks (analyze_discs.c) */
  double axis_doubt_deg;   /* the larger of its two discs' axis_doubt_deg */
} vt__level;

typedef struct vt__disc {
  double z;       /* view z (mm) of the disc centre on the column */
  double half;    /* half thickness excluded from the bodies (mm) */
  double p[3];    /* disc centre (view mm) */
  double nrm[3];  /* plane normal (cranial): the column tangent, or the searched plane's */
  double tilt_deg; /* angle between the plane and the column's axial cut (searched discs) */
  int from_peaks;  /* 1: found from its endplates' profile peaks (no slice of it free of the plates) */
  double axis_doubt_deg; /* sagittal tilt beyond the chord of a straight stretch (analyze_bodies.c), else 0 */
  int searched;    /* 1: placed by the plane search (vt__add_missed_discs), its plane its own */
} vt__disc;

vt_status vt__view_init(const vt_volume *ct, vt__view *v, vt_error *err);
void vt__column_free(vt__column *c);
/* Finds and tracks the spinal canal; VT_ENOTFOUND "no spine found". */
vt_status vt__find_canal(const vt__view *v, vt__column *col, vt_error *err);
/* Body centre line, disc positions and the level index mask (0 none, 1..nl
 * cranial to caudal, one byte per CT voxel in the CT's own order). */
vt_status vt__find_levels(const vt__view *v, vt__column *col, vt__disc *discs, size_t *nd,
                          vt__level *lv, size_t *nl, unsigned char *levmask, vt_error *err);
/* Adds the discs the profile missed in levels much taller than the typical
 * one (a tilted L5/S1), each as the plane of best disc contrast (the darkest
 * slab between two bony ones) searched over position and tilt; returns the
 * new count (<= maxd), sorted by z. depth: the typical body depth (mm). */
size_t vt__add_missed_discs(const vt__view *v, const vt__column *col, vt__disc *d, size_t nd, size_t maxd,
                        double depth);
/* The sacrum's body bits (0x80) in levmask kept within the body above's
 * half-width of its middle in each slice: the alae are not body
 * (analyze_sacrum_body.c). */
void vt__sacrum_body(const vt__view *v, unsigned char *levmask, const vt__level *lv, size_t nl);
/* Sacrum, rib and lung evidence per level (fills sacrum, then the rib_* and lung fields). */
void vt__level_anatomy(const vt__view *v, const vt__column *col, vt__level *lv, size_t nl);
/* Ribs traced from the column to their roots (analyze_ribs.c): fills the
 * rib_* fields of each level; the sacrum must be known (it leaves the
 * pelvis beside the lowest levels out). */
void vt__level_ribs(const vt__view *v, const vt__column *col, vt__level *lv, size_t nl);
/* Lung beside each level (fills lung, lung_bearing; analyze_lungs.c): air in
 * the paravertebral gutters on both sides, called by vt__level_anatomy. */
void vt__level_lungs(const vt__view *v, const vt__column *col, vt__level *lv, size_t nl);
/* The lowest lung-bearing level (the lung base: T12 to within about one
 * level) when the lung-bearing levels are one run from the top of the view
 * with a lung-free level below; -1 otherwise. */
long vt__lung_base(const vt__level *lv, size_t nl);
/* The dens of C2 (analyze_cervical.c): marks lv[0] when the column's top
 * level shows the axis's body narrowing above into a peg (fills dens*). */
void vt__find_dens(const vt__view *v, const vt__column *col, vt__level *lv, size_t nl);
/* With the dens found, the bone above the axis's body other than the dens
 * becomes a level of its own, the atlas, inserted first (levmask codes move
 * down by one); returns the new level count (<= maxl). */
size_t vt__split_atlas(const vt__view *v, vt__level *lv, size_t nl, size_t maxl, unsigned char *levmask);
/* HU of the largest bright blob left-anterior of the column (aorta), NaN if none. */
double vt__aorta_hu(const vt__view *v, const vt__column *col);
/* Marks the levels whose body touches the in-plane border of the image
 * (cut_side): a field of view narrower than the body (a reconstruction
 * centred elsewhere, a crop) shortens its depth or width (analyze_doubt.c). */
void vt__mark_side_cuts(const vt__view *v, const unsigned char *levmask, vt__level *lv, size_t nl);
/* Why a level's heights are doubtful (analyze_doubt.c). */
enum {
  VT__DOUBT_NONE,
  VT__DOUBT_FOV,
  VT__DOUBT_STEEP,
  VT__DOUBT_SPACING,
  VT__DOUBT_TALL,
  VT__DOUBT_HIDDEN,
  VT__DOUBT_LUMBAR_SPAN, /* a thoracic level or L1 longer than the L2-L4 levels allow */
  VT__DOUBT_GAP,         /* a gap (a disc) crosses its body: its discs lie inside bodies */
  VT__DOUBT_AXIS,        /* a disc plane beside it tilts beyond the straight column's axis */
  VT__DOUBT_MISCUT_NEXT, /* a fracture read beside a miscut level (or crush-short beside a doubtful plane) */
  VT__DOUBT_UNFILLED,    /* crush-short and its body fills too little of its span: a body cut off */
  VT__DOUBT_NO_CANAL,    /* no canal found: body and arch measured together */
  VT__DOUBT_RIBS,        /* two rib pairs leave it: two vertebrae, a disc missed */
  VT__DOUBT_OVERTALL     /* much taller than its neighbours beside a crush-short one: it holds part of it */
};
/* The reason level i of lv[0..nl) is not to be graded, VT__DOUBT_NONE when
 * it is fine; steep_deg: the searched-disc tilt beyond which a level is cut
 * between non-parallel planes. */
int vt__level_doubt(const vt__level *lv, size_t nl, size_t i, const vt_spine_level *lab,
                    const vt_vertebra_morph *m, double steep_deg);
/* Median disc-to-disc span of level i's measured neighbours within two
 * levels (not cut, not the sacrum); NaN with fewer than two. */
double vt__neighbour_span(const vt__level *lv, size_t nl, size_t i, const vt_spine_level *lab);
/* Median disc-to-disc span of the levels labelled L2-L4 that fit their
 * neighbours; NaN with fewer than two. */
double vt__lumbar_span(const vt__level *lv, size_t nl, const vt_spine_level *lab);
/* The largest of a level's three heights. */
double vt__max_height(const vt_vertebra_morph *m);

/* Sub-voxel endplates (analyze_subvoxel.c): where the CT is box-averaged
 * (slices >= 2 mm, a plate fitted), replaces each level's three heights and
 * coronal tilt in m[0..nm) by those of endplate surfaces placed from the
 * partial-volume HU; levmask holds level codes 1..nl (bit 0x80: body), prov
 * the provisional label of each level. refined[k]: bit 0 heights, bit 1 tilt.
 * Returns the number of levels refined (0: the mask's heights stay). */
int vt__subvoxel_endplates(const vt__view *v, const vt_volume *ct, const unsigned char *levmask, const int *prov,
                           size_t nl, vt_vertebra_morph *m, size_t nm, int *refined);

/* Label decisions from the anchors (lowest rib-bearing vertebra, sacrum):
 * fills out[0..nl-1] (provisional VerSe labels in prov[], always a valid
 * cranio-caudal sequence for measuring) and appends warnings. *transitional:
 * the lumbar-type count (4 or 6) when the anchors were read as transitional
 * anatomy, else 0. */
typedef struct vt__warnings {
  char **w;
  size_t n, cap;
} vt__warnings;
vt_status vt__warn(vt__warnings *w, const char *fmt, ...) VT_PRINTF(2, 3);
void vt__label_levels(const vt__level *lv, size_t nl, double min_conf, vt_spine_level *out,
                      int *prov, int *transitional, vt__warnings *w);
#endif
