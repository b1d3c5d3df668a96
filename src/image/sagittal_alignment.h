/* sagittal_alignment.h — internal: how morphometry.c's vertebrae.json gets
 * the sagittal alignment of sagittal_alignment.c. */
#ifndef VT_IMAGE_SAGITTAL_ALIGNMENT_H
#define VT_IMAGE_SAGITTAL_ALIGNMENT_H
#include <jansson.h>

#include "vertebra/spine.h"

/* Adds "lordosis" and "kyphosis" (objects or null) to root, each vertebra's
 * "endplate_sagittal_tilt_deg" to root's "vertebrae" array (same order as v),
 * and the reasons an angle is missing or non-standard to `warnings`.
 * Returns 0, or -1 when out of memory. */
int vt__sagittal_json(json_t *root, json_t *warnings, const vt_vertebra_morph *v, size_t n);

#endif
