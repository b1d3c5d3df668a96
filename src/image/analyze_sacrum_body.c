/* analyze_sacrum_body.c — the sacrum's body in the body mask without its
 * alae (method: docs/image-analyze.md, step 5).
 *
 * Why: in the sacrum's upper slices the bone in front of the canal runs on
 * into the lateral masses (alae), so the body box, grown from the canal,
 * fills side to side and bodies.nii.gz held the alae as "body" (the pelvis
 * phantom's sacral body centred 3.2 mm off the block's, toward the alae).
 * The first sacral body is about as wide as the fifth lumbar one (both
 * ~45-50 mm in adults), so the sacrum's body is kept within the body above's
 * half-width times SACRUM_WIDTH_RATIO of that body's middle (both the
 * medians over its slices): S1 sits under L5, while the sacrum's own box
 * follows a canal point that wanders ~2 mm across the wide sacral canal and
 * cuts the alae unevenly. The label mask keeps the whole sacrum. */
#include <math.h>
#include <stdlib.h>

#include "image/analyze_internal.h"

#define SACRUM_WIDTH_RATIO 1.1 /* S1's body against L5's, with the cortex's partial volume */
#define LEVEL_REACH_MM 40.0    /* a level's voxels reach this far past its discs' centres on the column */

/* Per view slice k of level `code`: the smallest and largest view column of
 * its body voxels (lo > hi: none). */
static void body_x_range(const vt__view *v, const unsigned char *levmask, int code, long k, long *lo, long *hi) {
  *lo = (long)v->n[0], *hi = -1;
  for (size_t j = 0; j < v->n[1]; j++)
    for (size_t i = 0; i < v->n[0]; i++) {
      unsigned char q = levmask[vt__index(v, i, j, (size_t)k)];
      if ((q & 0x80) && (q & 0x7f) == code) {
        if ((long)i < *lo) *lo = (long)i;
        if ((long)i > *hi) *hi = (long)i;
      }
    }
}

void vt__sacrum_body(const vt__view *v, unsigned char *levmask, const vt__level *lv, size_t nl) {
  long nz = (long)v->n[2];
  double *w = malloc((size_t)(nz > 0 ? nz : 1) * sizeof *w);
  double *xs = malloc((size_t)(nz > 0 ? nz : 1) * sizeof *xs);
  if (!w || !xs) {
    free(w), free(xs);
    return; /* the mask stays as it was */
  }
  for (size_t s = 1; s < nl; s++) {
    if (!lv[s].sacrum) continue;
    int code = (int)s + 1, above = (int)s; /* level codes are 1-based, cranial to caudal */
    /* the two levels' slices (their discs' positions on the column, with
     * room for a tilted disc's reach across the body) */
    double zlo = fmin(lv[s].z_bot, lv[s - 1].z_bot) - LEVEL_REACH_MM, zhi = fmax(lv[s].z_top, lv[s - 1].z_top) + LEVEL_REACH_MM;
    long k0 = (long)floor(zlo / v->sp[2]), k1 = (long)ceil(zhi / v->sp[2]);
    if (k0 < 0) k0 = 0;
    if (k1 > nz - 1) k1 = nz - 1;
    size_t nw = 0;
    for (long k = k0; k <= k1; k++) {
      long lo, hi;
      body_x_range(v, levmask, above, k, &lo, &hi);
      if (hi >= lo) w[nw] = 0.5 * (double)(hi - lo + 1) * v->sp[0], xs[nw] = 0.5 * (double)(lo + hi) * v->sp[0], nw++;
    }
    if (nw < 3) continue;
    double half = SACRUM_WIDTH_RATIO * vt__median(w, nw), xc = vt__median(xs, nw);
    for (long k = k0; k <= k1; k++)
      for (size_t j = 0; j < v->n[1]; j++)
        for (size_t i = 0; i < v->n[0]; i++) {
          size_t q = vt__index(v, i, j, (size_t)k);
          if ((levmask[q] & 0x80) && (levmask[q] & 0x7f) == code && fabs((double)i * v->sp[0] - xc) > half)
            levmask[q] &= 0x7f;
        }
  }
  free(w), free(xs);
}
