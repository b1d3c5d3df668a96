/* render_png.c — sagittal and coronal overlays of a spine analysis as PNG:
 * a curved reformat through the vertebral body centroids, label colours, the
 * level names, the trabecular ROI outline, the six-point height lines and the
 * endplate lines of lordosis and kyphosis (conventions in
 * docs/image-outputs.md). */
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "vertebra/spine_render.h"

#define WITHHELD_NAME_OFFSET_MM 20.0 /* centroid to name of a withheld label: about a body's half-depth */
#define MAX_SIDE 4096 /* pixels: a bigger view only wastes memory and disk */

void vt_spine_render_defaults(vt_spine_render_opts *o) {
  o->window_level = 400;  /* bone window (L 400 / W 1800): cortex, trabeculae */
  o->window_width = 1800; /* and soft tissue both stay distinguishable */
  o->pixel_mm = 0;
  o->label_alpha = VT_SPINE_LABEL_ALPHA;
}

/* Eight colours cycle over the VerSe labels so that neighbouring levels always
 * differ (the palette is the common "distinct colours" set). */
static const unsigned char PALETTE[8][3] = {
    {230, 25, 75}, {60, 180, 75}, {255, 225, 25}, {0, 130, 200},
    {245, 130, 48}, {145, 30, 180}, {70, 240, 240}, {240, 50, 230},
};

void vt_spine_label_color(int l, unsigned char rgb[3]) {
  int k = l > 0 ? (l - 1) % 8 : 0;
  memcpy(rgb, PALETTE[k], 3);
}

/* ---- a 5x7 bitmap font ----
 * libpng writes pixels only and has no text; a font library (FreeType) would
 * add a dependency and a font file for a dozen short labels, so the few
 * glyphs needed (level names, orientation letters) are drawn from bitmaps.
 * Each glyph is 7 rows of 5 bits, most significant bit on the left. */
typedef struct glyph {
  char c;
  unsigned char rows[7];
} glyph;
static const glyph FONT[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}}, {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}}, {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}}, {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}}, {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'?', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}}, {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
};

static const glyph *find_glyph(char c) {
  for (size_t i = 0; i < sizeof FONT / sizeof FONT[0]; i++)
    if (FONT[i].c == c) return &FONT[i];
  return NULL; /* drawn as a space */
}

typedef struct canvas {
  unsigned char *rgb;
  long w, h;
} canvas;

static void put_px(canvas *cv, long x, long y, const unsigned char c[3]) {
  if (x < 0 || y < 0 || x >= cv->w || y >= cv->h) return;
  memcpy(cv->rgb + 3 * ((size_t)y * (size_t)cv->w + (size_t)x), c, 3);
}

static void hex_rgb(unsigned v, unsigned char c[3]) {
  c[0] = (unsigned char)(v >> 16), c[1] = (unsigned char)(v >> 8), c[2] = (unsigned char)v;
}

static long text_width(const char *s, int scale) { return (long)strlen(s) * 6 * scale - scale; }

/* Text with a one-pixel black shadow so it reads on bone and on air alike. */
static void draw_text(canvas *cv, long x0, long y0, const char *s, int scale, const unsigned char c[3]) {
  static const unsigned char black[3] = {0, 0, 0};
  for (int pass = 0; pass < 2; pass++) {
    long off = pass == 0 ? 1 : 0;
    long x = x0;
    for (const char *p = s; *p; p++, x += 6 * scale) {
      const glyph *g = find_glyph(*p);
      if (!g) continue;
      for (int r = 0; r < 7; r++)
        for (int b = 0; b < 5; b++)
          if (g->rows[r] & (0x10 >> b))
            for (int dy = 0; dy < scale; dy++)
              for (int dx = 0; dx < scale; dx++)
                put_px(cv, x + b * scale + dx + off, y0 + r * scale + dy + off, pass == 0 ? black : c);
    }
  }
}

/* A line `thick` pixels wide, thickened across its run (sideways for a
 * steep line such as a height, downwards for a flat one such as an
 * endplate). */
static void draw_line(canvas *cv, double x0, double y0, double x1, double y1, int thick,
                      const unsigned char c[3]) {
  double len = hypot(x1 - x0, y1 - y0);
  long steps = (long)ceil(len * 2) + 1;
  int flat = fabs(x1 - x0) > fabs(y1 - y0);
  for (long s = 0; s <= steps; s++) {
    double t = (double)s / (double)steps;
    long x = lround(x0 + t * (x1 - x0)), y = lround(y0 + t * (y1 - y0));
    for (int d = 0; d < thick; d++) put_px(cv, flat ? x : x + d, flat ? y + d : y, c);
  }
}

/* ---- geometry ---- */
typedef struct view_geom {
  const vt_volume *ct, *lab;
  size_t dim[3];
  const float *hu, *lv;
  double inv[12]; /* world -> voxel, row-major 3x4 */
  const double *aff;
  int h_axis, d_axis; /* horizontal world axis (1 y sagittal, 0 x coronal), through-plane axis */
  double px, h0, v0;
  size_t nk;          /* curve knots */
  double *kz, *kd;    /* knot z (descending) and through-plane coordinate */
} view_geom;

static void to_voxel(const view_geom *g, const double p[3], double ijk[3]) {
  for (int r = 0; r < 3; r++)
    ijk[r] = g->inv[4 * r] * p[0] + g->inv[4 * r + 1] * p[1] + g->inv[4 * r + 2] * p[2] + g->inv[4 * r + 3];
}

static double curve_at(const view_geom *g, double z) {
  if (g->nk == 0) return 0;
  if (z >= g->kz[0]) return g->kd[0];
  for (size_t k = 1; k < g->nk; k++)
    if (z >= g->kz[k]) {
      double t = (g->kz[k - 1] - z) / (g->kz[k - 1] - g->kz[k]);
      return g->kd[k - 1] + t * (g->kd[k] - g->kd[k - 1]);
    }
  return g->kd[g->nk - 1];
}

/* World point shown at pixel (col,row). */
static void pixel_world(const view_geom *g, double col, double row, double p[3]) {
  p[2] = g->v0 - row * g->px;
  p[g->h_axis] = g->h0 - col * g->px;
  p[g->d_axis] = curve_at(g, p[2]);
}

static int label_at_voxel(const view_geom *g, long i, long j, long k) {
  if (i < 0 || j < 0 || k < 0 || (size_t)i >= g->dim[0] || (size_t)j >= g->dim[1] || (size_t)k >= g->dim[2])
    return 0;
  float v = g->lv[(size_t)i + g->dim[0] * ((size_t)j + g->dim[1] * (size_t)k)];
  return v >= 0.5f && v < VT_VERSE_MAX_LABEL + 0.5f ? (int)lrintf(v) : 0;
}

static int label_at(const view_geom *g, const double p[3]) {
  double q[3];
  to_voxel(g, p, q);
  return label_at_voxel(g, lround(q[0]), lround(q[1]), lround(q[2]));
}

static double hu_at(const view_geom *g, const double p[3], int *inside) {
  double q[3];
  to_voxel(g, p, q);
  long b[3];
  double f[3];
  *inside = 1;
  for (int r = 0; r < 3; r++) {
    if (!(q[r] >= -0.5 && q[r] <= (double)g->dim[r] - 0.5)) {
      *inside = 0;
      return 0;
    }
    double c = q[r] < 0 ? 0 : q[r] > (double)g->dim[r] - 1 ? (double)g->dim[r] - 1 : q[r];
    b[r] = (long)floor(c);
    if (b[r] >= (long)g->dim[r] - 1) b[r] = (long)g->dim[r] - 1;
    f[r] = c - (double)b[r];
  }
  double s = 0;
  for (int c = 0; c < 8; c++) {
    long i = b[0] + (c & 1), j = b[1] + ((c >> 1) & 1), k = b[2] + ((c >> 2) & 1);
    double w = ((c & 1) ? f[0] : 1 - f[0]) * (((c >> 1) & 1) ? f[1] : 1 - f[1]) * (((c >> 2) & 1) ? f[2] : 1 - f[2]);
    if (w == 0) continue;
    if (i >= (long)g->dim[0]) i = (long)g->dim[0] - 1;
    if (j >= (long)g->dim[1]) j = (long)g->dim[1] - 1;
    if (k >= (long)g->dim[2]) k = (long)g->dim[2] - 1;
    s += w * g->hu[(size_t)i + g->dim[0] * ((size_t)j + g->dim[1] * (size_t)k)];
  }
  return s;
}

/* Body voxel of m (the cut rule of spine.h), as in bone_hu.c. */
static int body_voxel(const view_geom *g, const vt_vertebra_morph *m, long i, long j, long k) {
  if (label_at_voxel(g, i, j, k) != m->verse_label) return 0;
  double ijk[3] = {(double)i, (double)j, (double)k}, p[3];
  vt_volume_voxel_to_world(g->lab, ijk, p);
  double a = 0;
  for (int r = 0; r < 3; r++) a += (p[r] - m->whole_centroid_ras_mm[r]) * m->axis_ap[r];
  return a >= m->cut_ap_mm;
}

/* Whether world point p falls in m's trabecular ROI: the voxel nearest p is a
 * body voxel within the central slab and still body `rr` voxels away along
 * each voxel axis (the rule of vt_spine_bone_hu, VT_ROI_* in spine.h). */
static int in_roi(const view_geom *g, const vt_vertebra_morph *m, const long rr[3], const double p[3]) {
  double q[3], c[3];
  to_voxel(g, p, q);
  long I = lround(q[0]), J = lround(q[1]), K = lround(q[2]);
  if (!body_voxel(g, m, I, J, K)) return 0;
  double ijk[3] = {(double)I, (double)J, (double)K}, s = 0;
  vt_volume_voxel_to_world(g->lab, ijk, c);
  for (int r = 0; r < 3; r++) s += (c[r] - m->centroid_ras_mm[r]) * m->axis_up[r];
  if (fabs(s) > VT_ROI_HALF_SLAB_MM) return 0;
  return body_voxel(g, m, I - rr[0], J, K) && body_voxel(g, m, I + rr[0], J, K) &&
         body_voxel(g, m, I, J - rr[1], K) && body_voxel(g, m, I, J + rr[1], K) &&
         body_voxel(g, m, I, J, K - rr[2]) && body_voxel(g, m, I, J, K + rr[2]);
}

static int cmp_knot(const void *a, const void *b) {
  double x = ((const double *)a)[0], y = ((const double *)b)[0];
  return (x < y) - (x > y); /* descending z: cranial first */
}

static vt_status setup(view_geom *g, const vt_spine_findings *f, vt_spine_view view,
                       const vt_spine_render_opts *o, size_t *w, size_t *h, vt_error *err) {
  size_t ld[3];
  vt_volume_dims(f->ct, g->dim);
  vt_volume_dims(f->labels, ld);
  const double *a = vt_volume_affine(f->ct), *b = vt_volume_affine(f->labels);
  int same = ld[0] == g->dim[0] && ld[1] == g->dim[1] && ld[2] == g->dim[2];
  for (int q = 0; q < 12 && same; q++) same = fabs(a[q] - b[q]) <= 1e-3 * (1 + fabs(a[q]));
  if (!same) return vt_error_set(err, VT_EINVAL, "labels", "the label mask is not on the CT's grid");
  g->ct = f->ct, g->lab = f->labels, g->aff = a;
  g->hu = vt_volume_cdata(f->ct), g->lv = vt_volume_cdata(f->labels);
  /* the inverse affine from the images of the origin and the unit vectors */
  double o0[3], e[3], zero[3] = {0, 0, 0};
  if (vt_volume_world_to_voxel(f->ct, zero, o0, err)) return err ? err->status : VT_EINVAL;
  for (int c = 0; c < 3; c++) {
    double u[3] = {0, 0, 0};
    u[c] = 1;
    vt_volume_world_to_voxel(f->ct, u, e, NULL);
    for (int r = 0; r < 3; r++) g->inv[4 * r + c] = e[r] - o0[r];
  }
  for (int r = 0; r < 3; r++) g->inv[4 * r + 3] = o0[r];
  /* world bounding box of the voxel grid */
  double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (int c = 0; c < 8; c++) {
    double ijk[3], p[3];
    for (int r = 0; r < 3; r++) ijk[r] = ((c >> r) & 1) ? (double)g->dim[r] - 0.5 : -0.5;
    vt_volume_voxel_to_world(f->ct, ijk, p);
    for (int r = 0; r < 3; r++) lo[r] = fmin(lo[r], p[r]), hi[r] = fmax(hi[r], p[r]);
  }
  double sp[3];
  vt_volume_spacing(f->ct, sp);
  /* default: the smallest voxel size, within 0.5-1 mm, so that a 3 mm CT
   * still gives a view a reader can see the labels on */
  g->px = o->pixel_mm > 0 ? o->pixel_mm : fmin(1.0, fmax(0.5, fmin(sp[0], fmin(sp[1], sp[2]))));
  g->h_axis = view == VT_SPINE_SAGITTAL ? 1 : 0;
  g->d_axis = view == VT_SPINE_SAGITTAL ? 0 : 1;
  double hspan = hi[g->h_axis] - lo[g->h_axis], vspan = hi[2] - lo[2];
  if (hspan / g->px > MAX_SIDE) g->px = hspan / MAX_SIDE;
  if (vspan / g->px > MAX_SIDE) g->px = vspan / MAX_SIDE;
  *w = (size_t)ceil(hspan / g->px), *h = (size_t)ceil(vspan / g->px);
  if (*w < 1) *w = 1;
  if (*h < 1) *h = 1;
  /* pixel centres: anterior (+y) or patient right (+x) at col 0, cranial at row 0 */
  g->h0 = hi[g->h_axis] - 0.5 * g->px;
  g->v0 = hi[2] - 0.5 * g->px;
  /* the curve: body centroids sorted cranial to caudal */
  g->nk = 0;
  g->kz = g->kd = NULL;
  double *k = f->n ? malloc(2 * f->n * sizeof *k) : NULL;
  if (f->n && !k) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  for (size_t i = 0; i < f->n; i++) {
    const double *c = f->morph[i].centroid_ras_mm;
    if (!isfinite(c[2]) || !isfinite(c[g->d_axis])) continue;
    k[2 * g->nk] = c[2], k[2 * g->nk + 1] = c[g->d_axis];
    g->nk++;
  }
  if (g->nk == 0) { /* nothing to follow: the middle of the volume */
    free(k);
    k = malloc(2 * sizeof *k);
    if (!k) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
    k[0] = 0, k[1] = 0.5 * (lo[g->d_axis] + hi[g->d_axis]);
    g->nk = 1;
  }
  qsort(k, g->nk, 2 * sizeof *k, cmp_knot);
  /* split into two arrays; equal z knots collapse to their mean */
  double *kz = malloc(g->nk * sizeof *kz), *kd = malloc(g->nk * sizeof *kd);
  if (!kz || !kd) {
    free(k), free(kz), free(kd);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  size_t m = 0;
  for (size_t i = 0; i < g->nk; i++) {
    if (m && fabs(kz[m - 1] - k[2 * i]) < 1e-6) {
      kd[m - 1] = 0.5 * (kd[m - 1] + k[2 * i + 1]);
      continue;
    }
    kz[m] = k[2 * i], kd[m] = k[2 * i + 1], m++;
  }
  free(k);
  g->kz = kz, g->kd = kd, g->nk = m;
  return VT_OK;
}

void vt_spine_image_project(const vt_spine_image *img, const double ras[3], double *col, double *row) {
  int h = img->view == VT_SPINE_SAGITTAL ? 1 : 0;
  *col = (img->h0_mm - ras[h]) / img->pixel_mm;
  *row = (img->v0_mm - ras[2]) / img->pixel_mm;
}

void vt_spine_image_free(vt_spine_image *img) {
  if (!img) return;
  free(img->rgb);
  img->rgb = NULL;
  img->width = img->height = 0;
}

static double dot3(const double a[3], const double b[3]) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/* Projects a world point to pixel coordinates on this view's geometry. */
static void project(const view_geom *g, const double p[3], double *col, double *row) {
  *col = (g->h0 - p[g->h_axis]) / g->px;
  *row = (g->v0 - p[2]) / g->px;
}

/* The six-point height lines of m on the sagittal view: the body's depth
 * along its anterior axis is walked in the label mask from the centroid (the
 * anterior wall where the label ends, the posterior wall where the body cut
 * ends); at 20/50/80 % of the depth from the anterior wall a segment of the
 * measured height is drawn along the column axis, centred on the label's own
 * extent there. The heights were measured on a plane whose coronal tilt
 * follows the endplate normal; drawing along axis_up shows them on the
 * sagittal plane, which is what a reader compares them with. */
static void draw_heights(canvas *cv, const view_geom *g, const vt_vertebra_morph *m, int thick) {
  /* a withheld label has no voxels in the label mask to walk: its walls
   * would be looked for in the background (lines through the aorta) */
  if (m->verse_label <= 0) return;
  const double step = 0.25;
  const double *c = m->centroid_ras_mm;
  double amax = 0, pmin = 0;
  for (double s = 0; s < 80; s += step) {
    double p[3];
    for (int r = 0; r < 3; r++) p[r] = c[r] + s * m->axis_ap[r];
    if (label_at(g, p) != m->verse_label) break;
    amax = s;
  }
  for (double s = 0; s > -80; s -= step) {
    double p[3], q[3];
    for (int r = 0; r < 3; r++) p[r] = c[r] + s * m->axis_ap[r];
    if (label_at(g, p) != m->verse_label) break;
    for (int r = 0; r < 3; r++) q[r] = p[r] - m->whole_centroid_ras_mm[r];
    if (dot3(q, m->axis_ap) < m->cut_ap_mm) break;
    pmin = s;
  }
  double depth = amax - pmin;
  if (depth <= 0) return;
  const double frac[3] = {0.2, 0.5, 0.8};
  const double hgt[3] = {m->height_anterior_mm, m->height_middle_mm, m->height_posterior_mm};
  const unsigned colours[3] = {VT_SPINE_RGB_ANTERIOR, VT_SPINE_RGB_MIDDLE, VT_SPINE_RGB_POSTERIOR};
  for (int t = 0; t < 3; t++) {
    if (!isfinite(hgt[t]) || hgt[t] <= 0) continue;
    double base[3], up = 0, down = 0;
    for (int r = 0; r < 3; r++) base[r] = c[r] + (amax - frac[t] * depth) * m->axis_ap[r];
    for (double s = 0; s < 80; s += step) {
      double p[3];
      for (int r = 0; r < 3; r++) p[r] = base[r] + s * m->axis_up[r];
      if (label_at(g, p) != m->verse_label) break;
      up = s;
    }
    for (double s = 0; s > -80; s -= step) {
      double p[3];
      for (int r = 0; r < 3; r++) p[r] = base[r] + s * m->axis_up[r];
      if (label_at(g, p) != m->verse_label) break;
      down = s;
    }
    double mid = 0.5 * (up + down), e0[3], e1[3], x0, y0, x1, y1;
    for (int r = 0; r < 3; r++) {
      e0[r] = base[r] + (mid - 0.5 * hgt[t]) * m->axis_up[r];
      e1[r] = base[r] + (mid + 0.5 * hgt[t]) * m->axis_up[r];
    }
    project(g, e0, &x0, &y0);
    project(g, e1, &x1, &y1);
    unsigned char col[3];
    hex_rgb(colours[t], col);
    draw_line(cv, x0, y0, x1, y1, thick, col);
  }
}

/* The endplate lines of the lordosis and the kyphosis (the rules of
 * vt_spine_lordosis / vt_spine_kyphosis, so the image shows what
 * vertebrae.json measured), extended past both ends as a reader draws a Cobb
 * angle, and each span with its angle ("L1-S1 50") in the bottom left.
 * The sagittal view projects on the world y-z plane, the plane of the tilts,
 * so the drawn lines meet at the reported angle. */
static void draw_alignment(canvas *cv, const view_geom *g, const vt_spine_findings *f, int thick, int scale) {
  unsigned char red[3];
  hex_rgb(VT_SPINE_RGB_ENDPLATE, red);
  for (int k = 0; k < 2; k++) {
    vt_sagittal_angle a;
    if (k == 0) vt_spine_lordosis(f->morph, f->n, &a);
    else vt_spine_kyphosis(f->morph, f->n, &a);
    if (!a.measured || !isfinite(a.angle_deg)) continue;
    double px[2][2][2]; /* line, end (anterior, posterior), (col, row) */
    int drawn = 0;
    for (int l = 0; l < 2; l++) {
      const double(*e)[3] = l == 0 ? a.upper_line_ras : a.lower_line_ras;
      double d[3], len = 0, p0[3], p1[3];
      for (int r = 0; r < 3; r++) d[r] = e[0][r] - e[1][r], len += d[r] * d[r];
      len = sqrt(len);
      if (!(len > 0) || !isfinite(len)) break;
      for (int r = 0; r < 3; r++) {
        p0[r] = e[0][r] + VT_SPINE_ENDPLATE_EXTEND_MM * d[r] / len;
        p1[r] = e[1][r] - VT_SPINE_ENDPLATE_EXTEND_MM * d[r] / len;
      }
      project(g, p0, &px[l][0][0], &px[l][0][1]);
      project(g, p1, &px[l][1][0], &px[l][1][1]);
      draw_line(cv, px[l][0][0], px[l][0][1], px[l][1][0], px[l][1][1], thick, red);
      drawn++;
    }
    if (drawn < 2) continue;
    char text[32];
    snprintf(text, sizeof text, "%s-%s %.0f", a.upper, a.lower, a.angle_deg);
    /* a legend in the bottom left corner (beside the lines the text
     * covered the sacrum's label and the lines themselves): lordosis on the
     * last row, kyphosis above it */
    long ty = cv->h - 2 - (long)(k + 1) * 9 * scale;
    draw_text(cv, 2 * scale, ty < 2 ? 2 : ty, text, scale, red);
  }
}

vt_status vt_spine_render(const vt_spine_findings *f, vt_spine_view view, const vt_spine_render_opts *opts,
                          vt_spine_image *out, vt_error *err) {
  if (!f || !f->ct || !f->labels || (f->n && !f->morph) || !out)
    return vt_error_set(err, VT_EINVAL, NULL, "render: CT, labels and measurements are required");
  vt_spine_render_opts o;
  vt_spine_render_defaults(&o);
  if (opts) o = *opts;
  if (!(o.window_width > 0) || !(o.label_alpha >= 0 && o.label_alpha <= 1) || !(o.pixel_mm >= 0))
    return vt_error_set(err, VT_EINVAL, NULL, "render: window width must be > 0, alpha in [0, 1], pixel size >= 0");
  view_geom g;
  memset(&g, 0, sizeof g);
  size_t w = 0, h = 0;
  vt_status st = setup(&g, f, view, &o, &w, &h, err);
  if (st) return st;
  unsigned char *rgb = malloc(w * h * 3);
  unsigned char *plab = malloc(w * h);
  unsigned char *roi = calloc(w * h, 1);
  if (!rgb || !plab || !roi) {
    free(rgb), free(plab), free(roi), free(g.kz), free(g.kd);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory for a %zux%zu view", w, h);
  }
  int index[VT_VERSE_MAX_LABEL + 1];
  for (int l = 0; l <= VT_VERSE_MAX_LABEL; l++) index[l] = -1;
  for (size_t t = 0; t < f->n; t++)
    if (f->morph[t].verse_label > 0 && f->morph[t].verse_label <= VT_VERSE_MAX_LABEL)
      index[f->morph[t].verse_label] = (int)t;
  double sp[3];
  vt_volume_spacing(f->labels, sp);
  long rr[3];
  for (int r = 0; r < 3; r++) rr[r] = lround(VT_ROI_EROSION_MM / sp[r]) > 0 ? lround(VT_ROI_EROSION_MM / sp[r]) : 1;
  double lo = o.window_level - 0.5 * o.window_width;
  /* grey image, label overlay and the ROI membership of each pixel */
  for (size_t r = 0; r < h; r++)
    for (size_t c = 0; c < w; c++) {
      double p[3];
      pixel_world(&g, (double)c, (double)r, p);
      int inside;
      double v = hu_at(&g, p, &inside);
      double grey = inside ? 255.0 * (v - lo) / o.window_width : 0;
      grey = grey < 0 ? 0 : grey > 255 ? 255 : grey;
      int l = inside ? label_at(&g, p) : 0;
      unsigned char *px = rgb + 3 * (r * w + c);
      plab[r * w + c] = (unsigned char)l;
      if (l) {
        unsigned char lc[3];
        vt_spine_label_color(l, lc);
        for (int q = 0; q < 3; q++) px[q] = (unsigned char)lround((1 - o.label_alpha) * grey + o.label_alpha * lc[q]);
        if (index[l] >= 0 && in_roi(&g, &f->morph[index[l]], rr, p)) roi[r * w + c] = 1;
      } else {
        px[0] = px[1] = px[2] = (unsigned char)lround(grey);
      }
    }
  canvas cv = {rgb, (long)w, (long)h};
  unsigned char green[3];
  hex_rgb(VT_SPINE_RGB_ROI, green);
  for (size_t r = 0; r < h; r++)
    for (size_t c = 0; c < w; c++) {
      if (!roi[r * w + c]) continue;
      int edge = r == 0 || c == 0 || r + 1 == h || c + 1 == w || !roi[(r - 1) * w + c] ||
                 !roi[(r + 1) * w + c] || !roi[r * w + c - 1] || !roi[r * w + c + 1];
      if (edge) put_px(&cv, (long)c, (long)r, green);
    }
  int thick = g.px < 0.9 ? 2 : 1;
  int scale = (int)lround(2.5 / g.px);
  if (scale < 1) scale = 1;
  if (scale > 6) scale = 6;
  if (view == VT_SPINE_SAGITTAL) {
    for (size_t t = 0; t < f->n; t++) draw_heights(&cv, &g, &f->morph[t], thick);
    draw_alignment(&cv, &g, f, thick + 1, scale);
  }
  /* level names: beside each body, on the anterior side (sagittal) or the
   * patient's left (coronal), i.e. walking left or right from the centroid
   * along the image row until the label ends */
  for (size_t t = 0; t < f->n; t++) {
    const vt_vertebra_morph *m = &f->morph[t];
    double x, y;
    project(&g, m->centroid_ras_mm, &x, &y);
    long cx = lround(x), cy = lround(y);
    if (cy < 0 || cy >= (long)h || cx < 0 || cx >= (long)w) continue;
    char text[16];
    const vt_spine_level *lev = f->levels ? &f->levels[t] : NULL;
    const char *name = lev ? lev->label : m->label;
    /* a withheld label shows the anchors' candidate with a "?" ("T12?") */
    if (lev && !lev->verse_label && lev->candidate[0]) name = lev->candidate;
    snprintf(text, sizeof text, "%s%s", name[0] ? name : "?", lev && lev->label_uncertain && strcmp(name, "?") ? "?" : "");
    unsigned char lc[3];
    vt_spine_label_color(m->verse_label, lc);
    long tw = text_width(text, scale), gap = 4 * scale, tx;
    if (m->verse_label <= 0) {
      /* withheld: no label pixels to walk to the body's edge, so a cross
       * marks the centroid and the name stands a body's half-depth off it
       * (on the anterior side or the patient's left, as for the others) */
      long off = lround(WITHHELD_NAME_OFFSET_MM / g.px);
      for (long d = -2 * scale; d <= 2 * scale; d++) put_px(&cv, cx + d, cy, lc), put_px(&cv, cx, cy + d, lc);
      tx = view == VT_SPINE_SAGITTAL ? cx - off - tw : cx + off;
      if (tx < 2) tx = 2;
      if (tx + tw > (long)w - 2) tx = (long)w - 2 - tw;
    } else if (view == VT_SPINE_SAGITTAL) {
      long e = cx;
      while (e > 0 && plab[(size_t)cy * w + (size_t)(e - 1)] == (unsigned char)m->verse_label) e--;
      tx = e - gap - tw;
      if (tx < 2) tx = 2;
    } else {
      long e = cx;
      while (e + 1 < (long)w && plab[(size_t)cy * w + (size_t)(e + 1)] == (unsigned char)m->verse_label) e++;
      tx = e + gap;
      if (tx + tw > (long)w - 2) tx = (long)w - 2 - tw;
    }
    draw_text(&cv, tx, cy - 7 * scale / 2, text, scale, lc);
  }
  /* orientation letters at the middle of the left and right edges (no "S"
   * at the top: cranial-up is the universal convention, and an "S" there
   * would read as the sacrum's label) */
  unsigned char white[3] = {255, 255, 255};
  const char *left = view == VT_SPINE_SAGITTAL ? "A" : "R", *right = view == VT_SPINE_SAGITTAL ? "P" : "L";
  long my = (long)h / 2 - 7 * scale / 2;
  draw_text(&cv, 2 * scale, my, left, scale, white);
  draw_text(&cv, (long)w - 2 * scale - text_width(right, scale), my, right, scale, white);
  free(plab), free(roi), free(g.kz), free(g.kd);
  out->rgb = rgb;
  out->width = w, out->height = h;
  out->view = view;
  out->pixel_mm = g.px, out->h0_mm = g.h0, out->v0_mm = g.v0;
  return VT_OK;
}

/* libpng reports errors by longjmp; the message is kept for vt_error. */
typedef struct png_ctx {
  jmp_buf jmp;
  char msg[200];
} png_ctx;

static void png_fail(png_structp png, png_const_charp msg) {
  png_ctx *c = png_get_error_ptr(png);
  snprintf(c->msg, sizeof c->msg, "%s", msg);
  longjmp(c->jmp, 1);
}

static void png_warn(png_structp png, png_const_charp msg) { (void)png, (void)msg; }

vt_status vt_spine_image_write_png(const vt_spine_image *img, const char *path, vt_error *err) {
  if (!img || !img->rgb || !img->width || !img->height || img->width > 0x7FFFFFFF || img->height > 0x7FFFFFFF)
    return vt_error_set(err, VT_EINVAL, path, "no image to write");
  vt_atomic_file af;
  vt_status st = vt__atomic_open(&af, path, err);
  if (st) return st;
  png_ctx ctx;
  ctx.msg[0] = '\0';
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, png_fail, png_warn);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    vt__atomic_abort(&af);
    return vt_error_set(err, VT_ENOMEM, path, "out of memory (libpng)");
  }
  /* volatile: read after longjmp */
  volatile vt_status result = VT_OK;
  if (setjmp(ctx.jmp)) {
    result = VT_EIO;
  } else {
    png_init_io(png, af.fp);
    png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t r = 0; r < img->height; r++) png_write_row(png, img->rgb + 3 * img->width * r);
    png_write_end(png, info);
  }
  png_destroy_write_struct(&png, &info);
  if (result != VT_OK) {
    vt__atomic_abort(&af);
    return vt_error_set(err, VT_EIO, path, "writing PNG failed: %s", ctx.msg);
  }
  return vt__atomic_commit(&af, err);
}

vt_status vt_spine_render_png(const vt_spine_findings *f, vt_spine_view view, const vt_spine_render_opts *opts,
                              const char *path, vt_error *err) {
  vt_spine_image img;
  memset(&img, 0, sizeof img);
  vt_status st = vt_spine_render(f, view, opts, &img, err);
  if (st == VT_OK) st = vt_spine_image_write_png(&img, path, err);
  vt_spine_image_free(&img);
  return st;
}
