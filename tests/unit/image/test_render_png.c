/* test_render_png.c — the sagittal/coronal overlays, driven from phantom truth
 * labels and vt_spine_morphometry (not the analyzer): the PNG decodes with
 * libpng at the rendered size, each label's colour appears at its projected
 * centroid, anterior is on the image left (sagittal), the curve keeps every
 * body in the coronal plane, ROI outline and height lines are drawn with the
 * measured lengths, the endplate lines of the lordosis lie along the
 * phantom's true endplate tilts (and none are drawn where no angle is
 * measured), withheld labels get a centroid cross and a nearby "?" but no
 * lines walked in the background, and a failed write leaves no file. */
#include <jansson.h>
#include <png.h>
#include <stdlib.h>
#include <unistd.h>

#include "vertebra/spine_render.h"
#include "vt_test.h"

typedef struct phantom {
  vt_volume *ct, *lab;
  vt_vertebra_morph *m;
  size_t n;
} phantom;

static int make_phantom(phantom *p, int lps, double cobb) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = 19, o.bottom = 22; /* T12..L3 + sacrum */
  o.lps = lps;
  o.cobb_deg = cobb;
  o.fracture_label = 20, o.fracture_grade = 2;
  char *truth = NULL;
  vt_error err;
  if (vt_phantom_build(&o, &p->ct, &p->lab, &truth, &err)) return 1;
  free(truth);
  if (vt_spine_morphometry(p->lab, &p->m, &p->n, &err)) return 1;
  return vt_spine_bone_hu(p->ct, p->lab, p->m, p->n, &err) != VT_OK;
}

static void free_phantom(phantom *p) {
  vt_volume_free(p->ct), vt_volume_free(p->lab), free(p->m);
}

/* Reads an 8-bit RGB PNG; returns malloc'd pixels or NULL. */
static unsigned char *read_png(const char *path, size_t *w, size_t *h) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path)) return NULL;
  img.format = PNG_FORMAT_RGB;
  unsigned char *buf = malloc(PNG_IMAGE_SIZE(img));
  if (!buf || !png_image_finish_read(&img, NULL, buf, 0, NULL)) {
    free(buf);
    png_image_free(&img);
    return NULL;
  }
  *w = img.width, *h = img.height;
  return buf;
}

/* Pixels within +-r of (col,row) whose colour is grey blended with the
 * label's colour at VT_SPINE_LABEL_ALPHA: p - alpha*c has equal channels. */
static int label_pixels_near(const unsigned char *rgb, size_t w, size_t h, double col, double row, int r, int label) {
  unsigned char c[3];
  vt_spine_label_color(label, c);
  int hits = 0;
  for (long y = lround(row) - r; y <= lround(row) + r; y++)
    for (long x = lround(col) - r; x <= lround(col) + r; x++) {
      if (x < 0 || y < 0 || (size_t)x >= w || (size_t)y >= h) continue;
      const unsigned char *p = rgb + 3 * ((size_t)y * w + (size_t)x);
      double g[3];
      for (int k = 0; k < 3; k++) g[k] = p[k] - VT_SPINE_LABEL_ALPHA * c[k];
      if (fabs(g[0] - g[1]) <= 1.5 && fabs(g[1] - g[2]) <= 1.5 && g[0] >= -1) hits++;
    }
  return hits;
}

static size_t count_rgb(const unsigned char *rgb, size_t w, size_t h, unsigned hex) {
  size_t n = 0;
  for (size_t i = 0; i < w * h; i++)
    n += rgb[3 * i] == (unsigned char)(hex >> 16) && rgb[3 * i + 1] == (unsigned char)(hex >> 8) &&
         rgb[3 * i + 2] == (unsigned char)hex;
  return n;
}

/* Whether a pixel of colour `hex` lies within +-r of (col, row). */
static int rgb_near(const unsigned char *rgb, size_t w, size_t h, double col, double row, int r, unsigned hex) {
  for (long y = lround(row) - r; y <= lround(row) + r; y++)
    for (long x = lround(col) - r; x <= lround(col) + r; x++) {
      if (x < 0 || y < 0 || (size_t)x >= w || (size_t)y >= h) continue;
      const unsigned char *q = rgb + 3 * ((size_t)y * w + (size_t)x);
      if (q[0] == (unsigned char)(hex >> 16) && q[1] == (unsigned char)(hex >> 8) && q[2] == (unsigned char)hex)
        return 1;
    }
  return 0;
}

/* The lordosis's endplate lines on a T12-L5 + sacrum phantom with a 30
 * degree lordosis: along a line through the middle of each drawn line with
 * the truth's tilt (L1's and the sacrum's, from truth.json), over the drawn
 * length, endplate-red pixels lie within a pixel at >= 90 % of the points (a
 * line drawn with the wrong tilt, sign or endplate is 5-17 px off at its
 * ends); the legend is drawn in the bottom left. */
static void check_endplate_lines(void) {
  vt_phantom_opts o;
  vt_phantom_defaults(&o);
  o.top = 19, o.bottom = 24;
  o.lordosis_deg = 30;
  vt_volume *ct = NULL, *lab = NULL;
  char *js = NULL;
  vt_error err;
  vt_vertebra_morph *m = NULL;
  size_t n = 0;
  CHECK(vt_phantom_build(&o, &ct, &lab, &js, &err) == VT_OK);
  CHECK(ct && vt_spine_morphometry(lab, &m, &n, &err) == VT_OK);
  json_t *truth = js ? json_loads(js, 0, NULL) : NULL, *tv = json_object_get(truth, "vertebrae");
  double tilt[2] = {NAN, NAN}; /* L1, sacrum */
  for (size_t i = 0; i < json_array_size(tv); i++) {
    const char *l = json_string_value(json_object_get(json_array_get(tv, i), "label"));
    double t = json_real_value(json_object_get(json_array_get(tv, i), "sagittal_tilt_deg"));
    if (l && !strcmp(l, "L1")) tilt[0] = t;
    if (l && !strcmp(l, "S")) tilt[1] = t;
  }
  vt_sagittal_angle a;
  vt_spine_lordosis(m, n, &a);
  CHECK(a.measured && !strcmp(a.lower, "S1") && isfinite(tilt[0]) && isfinite(tilt[1]));
  vt_spine_findings f = {ct, lab, m, NULL, n, NULL, 0, NULL};
  vt_spine_image img;
  memset(&img, 0, sizeof img);
  CHECK(vt_spine_render(&f, VT_SPINE_SAGITTAL, NULL, &img, &err) == VT_OK);
  if (a.measured && img.rgb) {
    for (int l = 0; l < 2; l++) {
      const double(*e)[3] = l == 0 ? a.upper_line_ras : a.lower_line_ras;
      double mid[3], c0, r0, half = 0;
      for (int r = 0; r < 3; r++) mid[r] = 0.5 * (e[0][r] + e[1][r]), half += (e[0][r] - e[1][r]) * (e[0][r] - e[1][r]);
      half = 0.5 * sqrt(half) + VT_SPINE_ENDPLATE_EXTEND_MM - 2; /* mm, short of the drawn ends */
      vt_spine_image_project(&img, mid, &c0, &r0);
      /* the line is square to the cranial normal (cos t, sin t in the world
       * y-z plane); on the image +col is -y (posterior) and +row is -z */
      double t = tilt[l] * M_PI / 180, dc = -cos(t), dr = sin(t);
      int pts = 0, hit = 0;
      for (double s = -half; s <= half; s += 1.0) {
        pts++;
        hit += rgb_near(img.rgb, img.width, img.height, c0 + s * dc / img.pixel_mm, r0 + s * dr / img.pixel_mm, 1,
                        VT_SPINE_RGB_ENDPLATE);
      }
      CHECK_MSG(pts > 20 && hit >= 0.9 * pts, "%s endplate line (truth tilt %.1f deg): %d of %d points red",
                l ? "S1" : "L1", tilt[l], hit, pts);
    }
    /* the legend "L1-S1 30": red in the bottom left corner */
    size_t legend = 0;
    for (size_t y = img.height * 3 / 4; y < img.height; y++)
      for (size_t x = 0; x < img.width / 2; x++) legend += rgb_near(img.rgb, img.width, img.height, (double)x, (double)y, 0, VT_SPINE_RGB_ENDPLATE);
    CHECK_MSG(legend >= 30, "legend: %zu red pixels in the bottom left", legend);
  }
  vt_spine_image_free(&img);
  json_decref(truth);
  free(js);
  free(m);
  vt_volume_free(ct);
  vt_volume_free(lab);
}

/* Withheld labels (verse_label 0, absent from the label mask, as ct analyze
 * writes them when no anchor names a level): nothing is walked in the
 * background, so no height lines or ROI are drawn (before, the walls were
 * looked for in the background and the lines landed 40-80 mm in front of
 * the bodies, in the aorta); a cross marks each centroid and the "?" stands
 * within a body's depth in front of it, not at the image's edge. */
static void check_withheld(const phantom *p) {
  size_t d[3];
  vt_volume_dims(p->lab, d);
  vt_volume *empty = NULL;
  vt_error err;
  CHECK(vt_volume_new(d[0], d[1], d[2], vt_volume_affine(p->lab), &empty, &err) == VT_OK);
  if (!empty) return;
  vt_vertebra_morph *m = malloc(p->n * sizeof *m);
  CHECK(m != NULL);
  if (!m) return;
  memcpy(m, p->m, p->n * sizeof *m);
  for (size_t i = 0; i < p->n; i++) m[i].verse_label = 0, snprintf(m[i].label, sizeof m[i].label, "?");
  vt_spine_findings f = {p->ct, empty, m, NULL, p->n, NULL, 0, NULL};
  vt_spine_image img;
  memset(&img, 0, sizeof img);
  CHECK(vt_spine_render(&f, VT_SPINE_SAGITTAL, NULL, &img, &err) == VT_OK);
  if (img.rgb) {
    size_t w = img.width, h = img.height;
    CHECK_INT(count_rgb(img.rgb, w, h, VT_SPINE_RGB_ANTERIOR), 0);
    CHECK_INT(count_rgb(img.rgb, w, h, VT_SPINE_RGB_MIDDLE), 0);
    CHECK_INT(count_rgb(img.rgb, w, h, VT_SPINE_RGB_POSTERIOR), 0);
    CHECK_INT(count_rgb(img.rgb, w, h, VT_SPINE_RGB_ROI), 0);
    unsigned char c[3];
    vt_spine_label_color(0, c);
    unsigned hex = (unsigned)c[0] << 16 | (unsigned)c[1] << 8 | c[2];
    for (size_t i = 0; i < p->n; i++) {
      double col, row;
      vt_spine_image_project(&img, m[i].centroid_ras_mm, &col, &row);
      CHECK_MSG(rgb_near(img.rgb, w, h, col, row, 0, hex), "%zu: no cross at the withheld centroid", i);
      /* the name's pixels: on the centroid's rows, in front (left) of it,
       * the nearest within 20 mm + 3 px, the farthest within 45 mm */
      long near = -1, far = -1;
      for (long x = lround(col) - 4; x >= 0; x--)
        if (rgb_near(img.rgb, w, h, (double)x, row, 2, hex)) {
          if (near < 0) near = lround(col) - x;
          far = lround(col) - x;
        }
      CHECK_MSG(near > 0 && near <= 20 / img.pixel_mm + 3 && far <= 45 / img.pixel_mm,
                "%zu: withheld name %ld-%ld px in front of the centroid", i, near, far);
    }
  }
  vt_spine_image_free(&img);
  free(m);
  vt_volume_free(empty);
}

static void check_view(const phantom *p, vt_spine_view view, const char *path, vt_spine_image *keep) {
  vt_spine_findings f = {p->ct, p->lab, p->m, NULL, p->n, NULL, 0, NULL};
  vt_spine_image img;
  vt_error err;
  CHECK(vt_spine_render(&f, view, NULL, &img, &err) == VT_OK);
  CHECK(vt_spine_image_write_png(&img, path, &err) == VT_OK);
  size_t w = 0, h = 0;
  unsigned char *rgb = read_png(path, &w, &h);
  CHECK(rgb != NULL);
  if (!rgb) return;
  CHECK_INT(w, img.width);
  CHECK_INT(h, img.height);
  CHECK(memcmp(rgb, img.rgb, w * h * 3) == 0);
  /* isotropic pixels of the smallest voxel size (1 mm here) */
  CHECK_NEAR(img.pixel_mm, 1.0, 1e-9);
  for (size_t i = 0; i < p->n; i++) {
    double col, row;
    vt_spine_image_project(&img, p->m[i].centroid_ras_mm, &col, &row);
    int hits = label_pixels_near(rgb, w, h, col, row, 3, p->m[i].verse_label);
    CHECK_MSG(hits >= 10, "%s view %d: %d label pixels near the centroid (%.1f, %.1f)", p->m[i].label, view, hits,
              col, row);
    /* cranial at the top: rows grow caudally */
    if (i > 0) {
      double c0, r0;
      vt_spine_image_project(&img, p->m[i - 1].centroid_ras_mm, &c0, &r0);
      CHECK(r0 < row);
    }
  }
  if (view == VT_SPINE_SAGITTAL) {
    /* anterior on the left: on the centroid row of L2, the label's pixels
     * reach much further right (spinous process, posterior) than left */
    const vt_vertebra_morph *m = &p->m[2];
    double col, row;
    vt_spine_image_project(&img, m->centroid_ras_mm, &col, &row);
    long left = 0, right = 0;
    for (long x = 0; x < (long)w; x++) {
      if (!label_pixels_near(rgb, w, h, (double)x, row, 0, m->verse_label)) continue;
      if (x < col) left = (long)col - x > left ? (long)col - x : left;
      else right = x - (long)col > right ? x - (long)col : right;
    }
    CHECK_MSG(right > left + 20, "posterior reach %ld px vs anterior %ld px", right, left);
    CHECK(count_rgb(rgb, w, h, VT_SPINE_RGB_ANTERIOR) > 0);
    CHECK(count_rgb(rgb, w, h, VT_SPINE_RGB_POSTERIOR) > 0);
    /* the middle line of each vertebra has the measured middle height */
    for (size_t i = 0; i + 1 < p->n; i++) {
      double c0, r0;
      vt_spine_image_project(&img, p->m[i].centroid_ras_mm, &c0, &r0);
      /* rows holding cyan near the centroid's column (a slightly tilted
       * line steps sideways by a pixel); the longest run of such rows */
      size_t best = 0, run = 0;
      for (long y = lround(r0) - 30; y <= lround(r0) + 30; y++) {
        int any = 0;
        for (long x = lround(c0) - 15; x <= lround(c0) + 15 && !any; x++) {
          if (x < 0 || y < 0 || (size_t)x >= w || (size_t)y >= h) continue;
          const unsigned char *q = rgb + 3 * ((size_t)y * w + (size_t)x);
          any = q[0] == 0 && q[1] == 255 && q[2] == 255;
        }
        run = any ? run + 1 : 0;
        if (run > best) best = run;
      }
      CHECK_MSG(fabs((double)best - p->m[i].height_middle_mm / img.pixel_mm) <= 2.5,
                "%s middle line %zu px, height %.1f mm", p->m[i].label, best, p->m[i].height_middle_mm);
    }
  }
  CHECK(count_rgb(rgb, w, h, VT_SPINE_RGB_ROI) > 0);
  /* T12-L3: neither lordosis nor kyphosis measurable, so no endplate lines */
  CHECK_INT(count_rgb(rgb, w, h, VT_SPINE_RGB_ENDPLATE), 0);
  free(rgb);
  if (keep) *keep = img;
  else vt_spine_image_free(&img);
}

int main(void) {
  phantom ras = {0}, lps = {0}, curved = {0};
  CHECK(make_phantom(&ras, 0, 0) == 0);
  CHECK(make_phantom(&lps, 1, 0) == 0);
  CHECK(make_phantom(&curved, 0, 25) == 0);
  char dir[] = "render_png_XXXXXX", path[256];
  CHECK(mkdtemp(dir) != NULL);
  vt_spine_image a, b;
  snprintf(path, sizeof path, "%s/ras_sag.png", dir);
  check_view(&ras, VT_SPINE_SAGITTAL, path, &a);
  snprintf(path, sizeof path, "%s/ras_cor.png", dir);
  check_view(&ras, VT_SPINE_CORONAL, path, NULL);
  /* the same anatomy stored LPS renders upright the same way */
  snprintf(path, sizeof path, "%s/lps_sag.png", dir);
  check_view(&lps, VT_SPINE_SAGITTAL, path, &b);
  CHECK_INT(a.width, b.width);
  CHECK_INT(a.height, b.height);
  if (a.width == b.width && a.height == b.height) {
    size_t same = 0;
    for (size_t i = 0; i < a.width * a.height * 3; i++) same += abs(a.rgb[i] - b.rgb[i]) <= 8;
    CHECK_MSG(same > 0.95 * (double)(a.width * a.height * 3), "RAS vs LPS: %zu of %zu bytes agree", same,
              a.width * a.height * 3);
  }
  vt_spine_image_free(&a);
  vt_spine_image_free(&b);
  /* a 25 degree scoliotic curve: the coronal reformat follows the column, so
   * every body shows at its centroid */
  snprintf(path, sizeof path, "%s/curved_cor.png", dir);
  check_view(&curved, VT_SPINE_CORONAL, path, NULL);
  snprintf(path, sizeof path, "%s/curved_sag.png", dir);
  check_view(&curved, VT_SPINE_SAGITTAL, path, NULL);
  check_endplate_lines();
  check_withheld(&ras);
  /* a failed write leaves nothing behind */
  vt_spine_findings f = {ras.ct, ras.lab, ras.m, NULL, ras.n, NULL, 0, NULL};
  vt_error err;
  snprintf(path, sizeof path, "%s/missing/x.png", dir);
  CHECK(vt_spine_render_png(&f, VT_SPINE_SAGITTAL, NULL, path, &err) == VT_EIO);
  CHECK(access(path, F_OK) != 0);
  /* labels on another grid are refused */
  vt_spine_findings g = {ras.ct, curved.lab, ras.m, NULL, ras.n, NULL, 0, NULL};
  vt_spine_image img;
  vt_status st = vt_spine_render(&g, VT_SPINE_SAGITTAL, NULL, &img, &err);
  size_t d1[3], d2[3];
  vt_volume_dims(ras.lab, d1);
  vt_volume_dims(curved.lab, d2);
  if (d1[0] != d2[0] || d1[1] != d2[1] || d1[2] != d2[2]) CHECK(st == VT_EINVAL);
  else if (st == VT_OK) vt_spine_image_free(&img);
  /* bad options */
  vt_spine_render_opts o;
  vt_spine_render_defaults(&o);
  o.window_width = 0;
  CHECK(vt_spine_render(&f, VT_SPINE_CORONAL, &o, &img, &err) == VT_EINVAL);
  free_phantom(&ras), free_phantom(&lps), free_phantom(&curved);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (!vt_test_failed && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return VT_TEST_END();
}
