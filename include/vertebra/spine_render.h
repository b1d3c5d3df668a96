/* spine_render.h — what a spine analysis shows its reader: sagittal and
 * coronal PNG overlays and a FHIR R4 report. Both are drawn from the CT, the
 * vertebra label mask and the per-vertebra measurements, not from the opaque
 * vt_spine_analysis, so that they work just as well from a mask alone (a
 * phantom's truth, a manual segmentation) and can be tested without the
 * analyzer. Conventions: docs/image-outputs.md. */
#ifndef VERTEBRA_SPINE_RENDER_H
#define VERTEBRA_SPINE_RENDER_H
#include <stddef.h>

#include "vertebra/spine.h"
#include "vertebra/spine_analyze.h"
#include "vertebra/status.h"
#include "vertebra/volume.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The findings to render; every pointer is borrowed. `morph` holds n
 * vertebrae (cranial to caudal, HU fields filled by vt_spine_bone_hu or NaN);
 * `levels` holds the n label decisions of the analyzer, or is NULL when the
 * labels come from a mask (then every label counts as certain). */
typedef struct vt_spine_findings {
  const vt_volume *ct;              /* HU */
  const vt_volume *labels;          /* VerSe labels on the CT's grid */
  const vt_vertebra_morph *morph;
  const vt_spine_level *levels;     /* may be NULL */
  size_t n;
  const char *const *warnings;      /* may be NULL when nwarnings is 0 */
  size_t nwarnings;
  const unsigned char *body;        /* 1 per vertebral-body voxel of `labels`; may be NULL */
} vt_spine_findings;

typedef enum vt_spine_view {
  VT_SPINE_SAGITTAL = 0, /* cranial up, anterior on the image left */
  VT_SPINE_CORONAL = 1   /* cranial up, patient right on the image left */
} vt_spine_view;

typedef struct vt_spine_render_opts {
  double window_level, window_width; /* HU; default 400 / 1800 (bone window) */
  double pixel_mm;    /* 0: the smallest voxel size, kept within 0.5-1 mm */
  double label_alpha; /* opacity of the label colours, default VT_SPINE_LABEL_ALPHA */
} vt_spine_render_opts;

#define VT_SPINE_LABEL_ALPHA 0.35
/* Colours of the measurement marks: pure primaries, which the grey image
 * blended with a label colour at alpha < 1 never produces. */
#define VT_SPINE_RGB_ROI 0x00FF00       /* trabecular ROI outline */
#define VT_SPINE_RGB_ANTERIOR 0xFFFF00  /* anterior height line */
#define VT_SPINE_RGB_MIDDLE 0x00FFFF    /* middle height line */
#define VT_SPINE_RGB_POSTERIOR 0xFF00FF /* posterior height line */
#define VT_SPINE_RGB_ENDPLATE 0xFF0000  /* endplate lines of lordosis and kyphosis */
#define VT_SPINE_ENDPLATE_EXTEND_MM 15.0 /* each drawn endplate line runs this far past both ends */

/* A rendered view: 8-bit RGB rows, top row first. Pixel (col, row) shows the
 * world point whose vertical coordinate (RAS z) is v0_mm - row * pixel_mm and
 * whose horizontal coordinate (RAS y on the sagittal view, RAS x on the
 * coronal one) is h0_mm - col * pixel_mm; the third coordinate follows the
 * spine (see vt_spine_render). */
typedef struct vt_spine_image {
  unsigned char *rgb; /* width * height * 3 bytes, malloc'd */
  size_t width, height;
  vt_spine_view view;
  double pixel_mm, h0_mm, v0_mm;
} vt_spine_image;

/* Fills opts with the defaults above. */
VT_API void vt_spine_render_defaults(vt_spine_render_opts *opts);

/* Renders one view: a curved reformat through the vertebral body centroids
 * (the through-plane coordinate is interpolated linearly between the
 * centroids along z, so a scoliotic or lordotic column stays in the plane),
 * resampled with the affine to isotropic pixels (trilinear HU, nearest
 * labels), in the window of `opts`; semi-transparent label colours; the label
 * name beside each vertebra ("?" appended when uncertain); the trabecular ROI
 * outline; on the sagittal view the anterior, middle and posterior height
 * lines, and the fitted endplate lines of the lumbar lordosis and thoracic
 * kyphosis (vt_spine_lordosis / vt_spine_kyphosis on `morph`), each extended
 * by VT_SPINE_ENDPLATE_EXTEND_MM past both ends, with the span and angle
 * ("L1-S1 50") in the bottom left corner. `opts` may be NULL (defaults). *out is filled on success; release
 * with vt_spine_image_free. VT_EINVAL (no CT or labels, grids differ,
 * singular affine, bad options), VT_ENOMEM. */
VT_API vt_status vt_spine_render(const vt_spine_findings *f, vt_spine_view view,
                                 const vt_spine_render_opts *opts, vt_spine_image *out,
                                 vt_error *err);

/* Frees img->rgb (accepts NULL or an empty image). */
VT_API void vt_spine_image_free(vt_spine_image *img);

/* The pixel position (fractional col, row) of a world RAS point on `img`. */
VT_API void vt_spine_image_project(const vt_spine_image *img, const double ras[3], double *col,
                                   double *row);

/* Writes `img` as an 8-bit RGB PNG through libpng, atomically (temporary file
 * then rename). VT_EIO, VT_ENOMEM. */
VT_API vt_status vt_spine_image_write_png(const vt_spine_image *img, const char *path,
                                          vt_error *err);

/* vt_spine_render then vt_spine_image_write_png. Statuses of both. */
VT_API vt_status vt_spine_render_png(const vt_spine_findings *f, vt_spine_view view,
                                     const vt_spine_render_opts *opts, const char *path,
                                     vt_error *err);

/* The overlay colour of a VerSe label (neighbouring levels differ). */
VT_API void vt_spine_label_color(int verse_label, unsigned char rgb[3]);

/* Options of the FHIR report; zero-initialise for none. */
typedef struct vt_spine_report_opts {
  const char *subject_reference; /* e.g. "Patient/123"; NULL: no subject */
  const char *id_seed;           /* makes the urn:uuid fullUrls unique per study and
                                    stable across re-runs; NULL: "vertebra-ct" */
} vt_spine_report_opts;

/* The report.fhir.json document: a FHIR R4 Bundle (type collection) holding a
 * DiagnosticReport (status final) whose results are Observations per
 * vertebra (body heights, Genant grade, trabecular HU) with bodySite the
 * verified SNOMED CT code of the level where one exists (else text only),
 * values in UCUM units, plus the L1 osteoporosis category and the Cobb angle.
 * Codes and their sources: docs/image-outputs.md. `opts` may be NULL.
 * *json is malloc'd (caller frees). VT_EINVAL (f NULL), VT_ENOMEM. */
VT_API vt_status vt_spine_report_fhir(const vt_spine_findings *f, const vt_spine_report_opts *opts,
                                      char **json, vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
