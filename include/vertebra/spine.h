/* spine.h — vertebral morphometry on a labelled vertebra mask (VerSe label
 * convention): body centroid, six-point heights and Genant grade per level,
 * sagittal endplates with lordosis and kyphosis, bone density, phantom. */
#ifndef VERTEBRA_SPINE_H
#define VERTEBRA_SPINE_H
#include <stddef.h>

#include "vertebra/status.h"
#include "vertebra/volume.h"

#ifdef __cplusplus
extern "C" {
#endif

/* VerSe labels: 1-7 C1-C7, 8-19 T1-T12, 20-25 L1-L6, 26 sacrum, 28 T13. */
#define VT_VERSE_MAX_LABEL 28

/* One vertebra's morphometry (plain value struct). Heights are in mm along the
 * local column axis on the body's mid-sagittal plane; NaN when unmeasurable. */
typedef struct vt_vertebra_morph {
  int verse_label;            /* 1..28 */
  char label[8];              /* "T12", "L1", "S", "T13" */
  double centroid_ras_mm[3];  /* vertebral body centroid (world RAS mm) */
  double whole_centroid_ras_mm[3]; /* centroid of the whole label (body + posterior) */
  double height_anterior_mm, height_middle_mm, height_posterior_mm;
  double expected_height_mm;  /* from own posterior height and the neighbours */
  double height_loss;         /* 0..1, 1 - min(heights)/expected */
  int genant_grade;           /* 0..3, -1 when not graded */
  int genant_grade_lo, genant_grade_hi; /* the grades within the height resolution */
  double height_resolution_mm; /* half the voxel's extent along the body axis: each height +- this */
  int heights_unreliable;     /* set by a caller that knows the level's cut is doubtful (cut by the
                               * field of view, implausible disc spacing): not graded and not a
                               * neighbour's reference; vt_spine_grade then re-grades */
  int body_separated;         /* 1: canal found, body cut from it; 0: whole label taken as body */
  double body_gap_mm;         /* the longest run without the label between two runs of it along the
                               * body axis at the anterior and middle height points (the smaller of
                               * the two): a disc inside the label, 0 for one solid body */
  size_t body_voxels;
  double axis_up[3], axis_ap[3]; /* local column (cranial) and anterior axes */
  double endplate_normal[3];  /* principal axis of the body voxels nearest axis_up (cranial) */
  double coronal_tilt_deg;    /* atan2(normal.x, normal.z): + tilts toward the right */
  double cut_ap_mm;           /* body = label voxels with (p - whole centroid).ap >= this */
  /* bone density, filled by vt_spine_bone_hu (NaN / 0 until then) */
  double trabecular_hu_mean, trabecular_hu_sd, body_mean_hu;
  size_t trabecular_voxels;
  /* sagittal endplate lines on the mid-sagittal plane, filled by
   * vt_spine_sagittal_endplates (NaN when not fitted): the tilt of each
   * endplate's cranial normal toward anterior, atan2(n.y, n.z) in world RAS
   * (degrees), and the fitted line's anterior [0] and posterior [1] ends */
  double sup_endplate_tilt_deg, inf_endplate_tilt_deg;
  double sup_endplate_ras[2][3], inf_endplate_ras[2][3];
  int sup_endplate_ct; /* 1: the superior line was fitted on the CT's bone edge
                        * (vt_spine_sagittal_endplates_ct), 0: on the mask */
} vt_vertebra_morph;

/* Trabecular ROI rule (docs/image-spine.md): body voxels (label voxels anterior
 * of the canal cut) that stay inside the body 5 mm away along each voxel axis
 * (+-i, +-j, +-k: an erosion that keeps the ROI off the cortex), within +-5 mm
 * of the body centroid along the column axis (the central axial slices, as in
 * Pickhardt 2013 and Comp2Comp). */
#define VT_ROI_EROSION_MM 5.0
#define VT_ROI_HALF_SLAB_MM 5.0

/* Measures every VerSe label present in `mask` (voxel values rounded to the
 * nearest integer). *out is malloc'd (caller frees with free()), ordered
 * cranial to caudal; *n its length. VT_EINVAL for a mask with no vertebra
 * label or a singular affine, VT_ENOMEM. */
VT_API vt_status vt_spine_morphometry(const vt_volume *mask, vt_vertebra_morph **out, size_t *n,
                                      vt_error *err);

/* Expected heights and Genant grades of all `n` levels (vt_spine_morphometry
 * does this already): each level against its own posterior height and the
 * median maximal height of its measured neighbours within two levels. A level
 * with heights_unreliable set is neither graded nor used as a neighbour, so a
 * caller that marks levels re-grades with this. */
VT_API void vt_spine_grade(vt_vertebra_morph *v, size_t n);

/* The Cobb angle (degrees) of `n` levels: the largest difference of coronal
 * tilt between two levels above the sacrum that have one (the end vertebrae
 * of the largest curve, indices into v in *upper and *lower); -1 when fewer
 * than two levels have a tilt. vertebrae.json and the FHIR report read it. */
VT_API double vt_spine_cobb(const vt_vertebra_morph *v, size_t n, size_t *upper, size_t *lower);

/* Fits the superior and inferior endplate lines of every body in `v` (from
 * vt_spine_morphometry on `mask`) on its mid-sagittal plane and fills the
 * sup_/inf_endplate_* fields (method: docs/image-spine.md, "Sagittal
 * alignment"). Called by vt_spine_morphometry; the sacrum's superior endplate
 * is fitted under L5's body. VT_ENOMEM. */
VT_API vt_status vt_spine_sagittal_endplates(const vt_volume *mask, vt_vertebra_morph *v, size_t n,
                                             vt_error *err);

/* Refits, from the CT's bone, the endplates that the mask places where its
 * level was cut rather than where the bone ends: the sacrum's superior
 * endplate (S1), whose top in `ct analyze`'s mask is the L5/S1 disc's plane.
 * On L5's mid-sagittal plane, in the columns of L5's central depth, the edge
 * is where the HU profile rises from the disc into S1's cortex (half-way
 * between the disc's minimum and the cortex's peak) below L5's body; the line
 * is fitted as the mask's are. `ct` must be on the mask's grid; `v` is from
 * vt_spine_morphometry on `mask` (vt_spine_sagittal_endplates already run).
 * Where the CT shows no such edge in enough columns, the mask's line stays.
 * Sets sup_endplate_ct on what it refits. VT_EINVAL (grids differ),
 * VT_ENOMEM. */
VT_API vt_status vt_spine_sagittal_endplates_ct(const vt_volume *ct, const vt_volume *mask, vt_vertebra_morph *v,
                                                size_t n, vt_error *err);

/* A sagittal Cobb angle between two named endplates (plain value struct). */
typedef struct vt_sagittal_angle {
  int measured;         /* 1: angle_deg holds the angle; 0: not measurable (why: `warning`) */
  int standard_span;    /* 1: the standard end vertebrae (L1-S1, T4-T12) */
  double angle_deg;     /* positive for the physiological curve, negative when inverted */
  char upper[8], lower[8]; /* end vertebrae: "L1" / "S1" or "L5"; "T4" / "T12" */
  double upper_line_ras[2][3], lower_line_ras[2][3]; /* the two endplate lines used: anterior [0]
                                                      * and posterior [1] ends (world RAS mm) */
  char method[160];     /* which endplates were used */
  char warning[200];    /* why not measured, or why not the standard span; "" when none */
} vt_sagittal_angle;

/* Lumbar lordosis from the endplates of vt_spine_sagittal_endplates: the
 * angle between L1's superior and S1's (the sacrum's) superior endplate, or
 * L1 superior to L5 inferior when the sacrum's endplate is not available
 * (said in method and warning). Positive when the lumbar curve is concave
 * posteriorly (lordosis), negative for a lumbar kyphosis. Never fails. */
VT_API void vt_spine_lordosis(const vt_vertebra_morph *v, size_t n, vt_sagittal_angle *out);

/* Thoracic kyphosis: T4 superior to T12 inferior endplate (standard Cobb
 * kyphosis). Without T4 but with at least 4 thoracic levels down to T12,
 * the most cranial thoracic level in view is the upper end vertebra,
 * standard_span is 0 and the warning says so. Positive when the thoracic
 * curve is concave anteriorly (kyphosis), negative for a lordosis. */
VT_API void vt_spine_kyphosis(const vt_vertebra_morph *v, size_t n, vt_sagittal_angle *out);

/* The VerSe name of a label ("L1"), or NULL for an unknown label. */
VT_API const char *vt_verse_label_name(int verse_label);

/* Fills the HU fields of `m` (from vt_spine_morphometry on `mask`) from `ct`,
 * which must share the mask's grid: trabecular ROI mean/SD/voxels and the
 * whole-body mean HU (all body voxels, a separate convention). VT_EINVAL when
 * the grids differ. */
VT_API vt_status vt_spine_bone_hu(const vt_volume *ct, const vt_volume *mask, vt_vertebra_morph *m,
                                  size_t n, vt_error *err);

/* Renders `n` measurements as the vertebrae.json document of the CT interface
 * (fields not measured from a mask alone are null). *json is malloc'd (caller
 * frees). VT_ENOMEM. */
VT_API vt_status vt_spine_morphometry_json(const vt_vertebra_morph *v, size_t n, char **json,
                                           vt_error *err);


/* A digital spine phantom with known truth (vertebra ct phantom). Levels are
 * VerSe labels from `top` to `bottom` (e.g. 18 T11 .. 24 L5), then the sacrum.
 * Bodies are elliptic cylinders with a cortical shell and a trabecular core,
 * discs between them, a posterior arch around the canal with a spinous
 * process, ribs and lungs beside thoracic levels; the atlas a ring without a
 * body, the axis with its dens; the sacrum with its canal and alae, joined
 * to two iliac wings. */
typedef struct vt_phantom_opts {
  int top, bottom;            /* VerSe labels, top <= bottom in rank; default 18..24 */
  double spacing_xy_mm;       /* in-plane voxel size (default 1) */
  double spacing_z_mm;        /* slice spacing 0.5-5 (default 1) */
  int lps;                    /* 1: voxel axes run to L,P,S (DICOM-like), 0: R,A,S */
  double trabecular_hu;       /* default 150 */
  double noise_sd_hu;         /* Gaussian noise SD (default 0) */
  unsigned seed;              /* noise seed */
  int fracture_label;         /* VerSe label of the fractured level, 0 none */
  int fracture_grade;         /* 1..3 */
  int biconcave;              /* 1: biconcave (middle) instead of wedge (anterior) */
  double cobb_deg;            /* coronal curve (scoliosis) Cobb angle, 0 straight */
  double lordosis_deg;        /* sagittal curve: L1 superior to S1 superior endplate, 0 none */
  double kyphosis_deg;        /* sagittal curve: T4 superior to T12 inferior endplate, 0 none */
  int partial_volume;         /* 1: each voxel the mean HU over its extent (a CT's slice
                                 profile and in-plane footprint, as a box); 0: the HU at
                                 its centre. Labels are always those at the centre. */
} vt_phantom_opts;

/* Fills opts with the defaults above. */
VT_API void vt_phantom_defaults(vt_phantom_opts *opts);

/* Builds the phantom: *ct (HU), *labels (VerSe labels, same grid) and
 * *truth_json (positions, heights, grade, HU, Cobb; malloc'd). Caller frees
 * with vt_volume_free / free. VT_EINVAL for options out of range, VT_ENOMEM. */
VT_API vt_status vt_phantom_build(const vt_phantom_opts *opts, vt_volume **ct, vt_volume **labels,
                                  char **truth_json, vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
