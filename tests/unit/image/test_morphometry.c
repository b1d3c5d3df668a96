/* test_morphometry.c — morphometry of the VerSe sub-verse004 human mask against
 * the manual VerSe centroids and the published Genant grades (HealthiVert-GAN),
 * plus a synthetic wedge whose heights are known by construction. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vertebra/image_io.h"

/* Reads a reference NIfTI through the library's own reader (sform, else qform). */
static vt_volume *load_nifti(const char *path) {
  vt_volume *v = NULL;
  vt_error err;
  if (vt_volume_read_nifti(path, &v, &err) != VT_OK) {
    fprintf(stderr, "%s\n", err.message);
    return NULL;
  }
  return v;
}
#include "vertebra/spine.h"
#include "vt_test.h"

#define VERSE VT_SHARED_DATA "/ct/verse_sample/"

static const vt_vertebra_morph *find(const vt_vertebra_morph *m, size_t n, int l) {
  for (size_t i = 0; i < n; i++)
    if (m[i].verse_label == l) return &m[i];
  return NULL;
}

static void test_verse004(void) {
  vt_volume *mask = load_nifti(VERSE "sub-verse004_seg-vert_msk.nii.gz");
  CHECK(mask != NULL);
  if (!mask) return;
  vt_vertebra_morph *m = NULL;
  size_t n = 0;
  vt_error err;
  CHECK_INT(vt_spine_morphometry(mask, &m, &n, &err), VT_OK);
  CHECK_INT(n, 9);
  /* Genant grades published for VerSe'19 (verse19_vertebra_genant_grades.json) */
  json_error_t je;
  json_t *g = json_load_file(VT_SHARED_DATA "/ct/verse_fracture_grades/verse19_vertebra_genant_grades.json", 0, &je);
  CHECK(g != NULL);
  int graded = 0;
  for (int l = 16; l <= 22; l++) {
    char key[64];
    snprintf(key, sizeof key, "sub-verse004_%d", l);
    json_t *split, *val = NULL;
    const char *sk;
    json_object_foreach(g, sk, split) {
      if (json_object_get(split, key)) val = json_object_get(split, key);
    }
    const vt_vertebra_morph *v = find(m, n, l);
    CHECK(val != NULL && v != NULL);
    if (!val || !v) continue;
    if (v->genant_grade != (int)json_integer_value(val))
      fprintf(stderr, "%s: grade %d, reference %d (loss %.2f)\n", v->label, v->genant_grade,
              (int)json_integer_value(val), v->height_loss);
    CHECK_INT(v->genant_grade, json_integer_value(val));
    graded++;
  }
  CHECK_INT(graded, 7);
  json_decref(g);
  /* manual body centroids (voxel coordinates) */
  json_t *c = json_load_file(VERSE "sub-verse004_seg-subreg_ctd.json", 0, &je);
  CHECK(c != NULL);
  size_t i;
  json_t *e;
  int checked = 0;
  json_array_foreach(c, i, e) {
    json_t *lab = json_object_get(e, "label");
    if (!lab) continue;
    double ijk[3] = {json_number_value(json_object_get(e, "X")), json_number_value(json_object_get(e, "Y")),
                     json_number_value(json_object_get(e, "Z"))},
           ras[3];
    vt_volume_voxel_to_world(mask, ijk, ras);
    const vt_vertebra_morph *v = find(m, n, (int)json_integer_value(lab));
    CHECK(v != NULL);
    if (!v) continue;
    double d = 0, dw = 0;
    for (int r = 0; r < 3; r++) {
      d += pow(v->centroid_ras_mm[r] - ras[r], 2);
      dw += pow(v->whole_centroid_ras_mm[r] - ras[r], 2);
    }
    if (sqrt(d) > 3) fprintf(stderr, "%s: body centroid %.1f mm from manual\n", v->label, sqrt(d));
    CHECK(sqrt(d) <= 3.0);
    CHECK(sqrt(dw) > 8.0); /* the whole-mask centroid is not the body's */
    checked++;
  }
  CHECK_INT(checked, 9);
  json_decref(c);
  free(m);
  vt_volume_free(mask);
}

/* Three stacked boxes 1 mm voxels, the middle one wedged: anterior 15 mm,
 * posterior 25 mm; posterior elements behind a 6 mm canal. */
static void test_synthetic_wedge(void) {
  double aff[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  vt_volume *v = NULL;
  vt_error err;
  CHECK_INT(vt_volume_new(60, 80, 110, aff, &v, &err), VT_OK);
  float *d = vt_volume_data(v);
  for (int lvl = 0; lvl < 3; lvl++) {
    int label = 20 + lvl, z0 = 80 - lvl * 30; /* L1 on top */
    for (int z = z0; z < z0 + 25; z++)
      for (int y = 10; y < 70; y++)
        for (int x = 15; x < 45; x++) {
          int body = y >= 40; /* body y 40..69 (30 mm deep), canal y 34..39 */
          int post = y < 34 && x >= 27 && x < 33;
          if (body && lvl == 1) { /* wedge: anterior (high y) loses height at the top */
            int top = z0 + 15 + (int)lround(10.0 * (69 - y) / 29.0);
            if (z >= top) body = 0;
          }
          if (body || post) d[x + 60 * (y + 80 * z)] = (float)label;
        }
  }
  vt_vertebra_morph *m = NULL;
  size_t n = 0;
  CHECK_INT(vt_spine_morphometry(v, &m, &n, &err), VT_OK);
  CHECK_INT(n, 3);
  if (n == 3) {
    CHECK(m[1].body_separated);
    CHECK_NEAR(m[1].centroid_ras_mm[0], 29.5, 0.01);
    CHECK_NEAR(m[0].height_posterior_mm, 25, 0.6);
    CHECK_NEAR(m[0].height_anterior_mm, 25, 0.6);
    /* 20 % depth from the anterior wall: 6 mm in, height 15 + 10*6/29 */
    CHECK_NEAR(m[1].height_anterior_mm, 15 + 10 * 6.0 / 29, 1.0);
    CHECK_INT(m[0].genant_grade, 0);
    CHECK_INT(m[1].genant_grade, 2); /* ~ 1 - 16/25 = 36 % */
    CHECK_INT(m[2].genant_grade, 0);
  }
  char *js = NULL;
  CHECK_INT(vt_spine_morphometry_json(m, n, &js, &err), VT_OK);
  json_t *root = js ? json_loads(js, 0, NULL) : NULL;
  CHECK(root && json_array_size(json_object_get(root, "vertebrae")) == 3);
  CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(root, "vertebrae"), 1), "label")), "L2");
  json_decref(root);
  free(js);
  free(m);
  /* an empty mask is a clear error */
  memset(d, 0, 60 * 80 * 110 * sizeof *d);
  CHECK_INT(vt_spine_morphometry(v, &m, &n, &err), VT_EINVAL);
  vt_volume_free(v);
}


/* TotalSegmentator v2 labels (totalsegmentator_label_maps.json "total") of the
 * spine_report example, restricted to its vertebral-body mask, measured and
 * compared with TotalSegmentator's own spine_report.json heights. */
#define TS VT_SHARED_DATA "/ct/totalsegmentator/"
static void test_totalseg_heights(void) {
  json_error_t je;
  json_t *maps = json_load_file(TS "totalsegmentator_label_maps.json", 0, &je);
  json_t *rep = json_load_file(TS "spine_report/example_ct_report/spine_report.json", 0, &je);
  vt_volume *seg = load_nifti(TS "spine_report/example_ct_report/totalseg.nii.gz");
  vt_volume *body = load_nifti(TS "spine_report/example_ct_report/totalseg_vertebrae_body.nii.gz");
  CHECK(maps && rep && seg && body);
  if (!maps || !rep || !seg || !body) goto done;
  int ts_to_verse[256] = {0};
  const char *key;
  json_t *val;
  json_object_foreach(json_object_get(maps, "total"), key, val) {
    const char *name = json_string_value(val);
    long id = strtol(key, NULL, 10);
    if (!name || id <= 0 || id > 255 || strncmp(name, "vertebrae_", 10)) continue;
    for (int l = 1; l <= VT_VERSE_MAX_LABEL; l++) {
      const char *vn = vt_verse_label_name(l);
      if (vn && !strcmp(name + 10, vn)) ts_to_verse[id] = l;
    }
    if (!strcmp(name + 10, "S1")) ts_to_verse[id] = 26;
  }
  size_t dim[3];
  vt_volume_dims(seg, dim);
  float *sd = vt_volume_data(seg);
  const float *bd = vt_volume_cdata(body);
  for (size_t i = 0; i < dim[0] * dim[1] * dim[2]; i++) {
    int t = (int)sd[i];
    sd[i] = (t > 0 && t < 256 && bd[i] > 0) ? (float)ts_to_verse[t] : 0.0f;
  }
  vt_vertebra_morph *m = NULL;
  size_t n = 0;
  vt_error err;
  CHECK_INT(vt_spine_morphometry(seg, &m, &n, &err), VT_OK);
  json_t *res = json_object_get(rep, "results");
  int compared = 0, within3 = 0;
  for (size_t i = 0; i < n; i++) {
    static const char *const pos[3] = {"anterior", "middle", "posterior"};
    double ours[3] = {m[i].height_anterior_mm, m[i].height_middle_mm, m[i].height_posterior_mm};
    for (int p = 0; p < 3; p++) {
      char k[96];
      snprintf(k, sizeof k, "vertebrae_%s_height_%s_mm", m[i].label, pos[p]);
      json_t *ref = json_object_get(res, k);
      if (!ref) continue;
      double d = fabs(ours[p] - json_number_value(ref));
      if (d > 3.0)
        fprintf(stderr, "%s %s: %.1f mm vs TotalSegmentator %.1f\n", m[i].label, pos[p], ours[p],
                json_number_value(ref));
      CHECK(d <= 5.0); /* 3 mm voxels: sampling alone moves an edge by 1.5 mm */
      within3 += d <= 3.0;
      compared++;
    }
  }
  CHECK(compared >= 15); /* L1-L5 at least */
  CHECK(within3 >= 12);   /* measured: 12 of 15 within 3 mm (docs/image-spine.md) */
  /* L1 trabecular ROI HU vs the same rule in an independent numpy script */
  vt_volume *ct = load_nifti(TS "example_ct.nii.gz");
  CHECK(ct != NULL);
  if (ct && vt_spine_bone_hu(ct, seg, m, n, &err) == VT_OK) {
    FILE *py = popen("/usr/bin/python3 " VT_SOURCE_DIR "/tests/image/roi_hu.py " TS "example_ct.nii.gz " TS
                     "spine_report/example_ct_report/totalseg.nii.gz " TS
                     "spine_report/example_ct_report/totalseg_vertebrae_body.nii.gz " TS
                     "totalsegmentator_label_maps.json L1", "r");
    double ref = NAN;
    long nref = 0;
    CHECK(py && fscanf(py, "%lf %ld", &ref, &nref) == 2);
    if (py) pclose(py);
    const vt_vertebra_morph *l1 = find(m, n, 20);
    CHECK(l1 != NULL);
    if (l1) {
      fprintf(stderr, "L1 ROI: %.1f HU (%zu voxels) vs numpy %.1f HU (%ld voxels)\n", l1->trabecular_hu_mean,
              l1->trabecular_voxels, ref, nref);
      CHECK(fabs(l1->trabecular_hu_mean - ref) <= 10.0);
      CHECK(l1->trabecular_voxels > 20);
    }
  }
  vt_volume_free(ct);
  free(m);
done:
  json_decref(maps);
  json_decref(rep);
  vt_volume_free(seg);
  vt_volume_free(body);
}

int main(void) {
  test_totalseg_heights();
  test_synthetic_wedge();
  test_verse004();
  return VT_TEST_END();
}
