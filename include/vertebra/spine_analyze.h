/* spine_analyze.h — whole-CT spine analysis (`vertebra ct analyze`): find the
 * spinal canal and vertebral bodies, separate and label the vertebrae, then
 * measure them with the morphometry of spine.h. The result is opaque; the
 * renderers (PNG overlays, FHIR report) and the CLI read it through the
 * accessors below. Method: docs/image-analyze.md. */
#ifndef VERTEBRA_SPINE_ANALYZE_H
#define VERTEBRA_SPINE_ANALYZE_H
#include <stddef.h>

#include "vertebra/progress.h"
#include "vertebra/spine.h"
#include "vertebra/status.h"
#include "vertebra/volume.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vt_spine_analyze_opts {
  int jobs;                  /* worker threads, 0 = all cores */
  double min_label_confidence; /* below this a label is withheld (uncertain); default 0.5 */
} vt_spine_analyze_opts;

/* Fills opts with the defaults above. */
VT_API void vt_spine_analyze_defaults(vt_spine_analyze_opts *opts);

/* How a level's label was decided (per vertebra found). */
typedef struct vt_spine_level {
  int verse_label;       /* 1..28 (VerSe convention), 0 when the label was withheld */
  char label[8];         /* "L1", "T13", "S"; "?" when withheld */
  double confidence;     /* 0..1 */
  int label_uncertain;   /* 1: confidence below the threshold or anchors disagree */
  char basis[160];       /* the anchors behind the label, e.g. "lowest rib-bearing = T12; sacrum" */
  char candidate[8];     /* when withheld: the name the anchors suggest ("" when none) */
  int rib_roots[2];      /* ribs traced to where they leave the column in this level: left, right */
} vt_spine_level;

typedef struct vt_spine_analysis vt_spine_analysis;

/* Analyses a CT volume in HU (any orientation, slice spacing 0.5-5 mm).
 * VT_EINVAL for a 2-D image, zero/NaN spacing or a singular affine; VT_ENOTFOUND
 * with "no spine found" when no canal/body column is found; VT_ENOMEM. The
 * progress callback may be NULL. */
VT_API vt_status vt_spine_analyze(const vt_volume *ct, const vt_spine_analyze_opts *opts,
                                  vt_progress_fn progress, void *progress_user,
                                  vt_spine_analysis **out, vt_error *err);
VT_API void vt_spine_analysis_free(vt_spine_analysis *a);

/* Label mask on the CT's grid, VerSe labels (bodies and posterior elements
 * that could be assigned; 0 background). Borrowed, lives as long as `a`. */
VT_API const vt_volume *vt_spine_analysis_labels(const vt_spine_analysis *a);

/* Which labelled voxels belong to a vertebral body (1) rather than to the
 * posterior elements (0): one byte per CT voxel, in the CT's voxel order.
 * Borrowed, lives as long as `a`. */
VT_API const unsigned char *vt_spine_analysis_body_mask(const vt_spine_analysis *a);

/* Vertebrae found, cranial to caudal, with their label decisions and their
 * morphometry (heights, grade, centroid, HU filled). Borrowed pointers. */
VT_API size_t vt_spine_analysis_count(const vt_spine_analysis *a);
VT_API const vt_spine_level *vt_spine_analysis_level(const vt_spine_analysis *a, size_t i);
VT_API const vt_vertebra_morph *vt_spine_analysis_morph(const vt_spine_analysis *a, size_t i);

/* Warnings the analysis raised (contrast suspected, partial field of view,
 * transitional anatomy, labels withheld...). Borrowed strings. */
VT_API size_t vt_spine_analysis_warning_count(const vt_spine_analysis *a);
VT_API const char *vt_spine_analysis_warning(const vt_spine_analysis *a, size_t i);

/* The vertebrae.json document (the CT interface of docs/image-spine.md:
 * vertebrae with label, verse_label, confidence, centroid, heights, grade,
 * HU; osteoporosis; cobb; lordosis/kyphosis; warnings; units; methods).
 * *json is malloc'd (caller frees). VT_ENOMEM. */
VT_API vt_status vt_spine_analysis_json(const vt_spine_analysis *a, char **json, vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
