/* test_analyze_ribs.c — the rib tracing of ct analyze (analyze_ribs.c) on
 * synthetic columns whose answer is known by construction: six levels of
 * 30 mm, ribs (bars of bone from 20 to 90 mm beside the canal) leaving the
 * upper four, short transverse processes (20-42 mm) beside the fifth,
 * nothing beside the last:
 * - each rib is traced to a root in its own level, a process is no rib, and
 *   the rib-bearing levels run down to the lowest rib pair, which is sure
 *   (seen whole, the level below in view and rib-free);
 * - a rib that leaves the image's side is still a rib (a crop);
 * - two rib pairs a vertebra apart in one level make it two vertebrae;
 * - a lowest pair leaving at a disc names neither level (not sure);
 * - a lowest pair whose level below is out of view is not sure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"
#include "vt_test.h"

#define NX 240
#define NY 140
#define NZ 200
#define CX 120.0 /* the canal's centre (view mm) */
#define CY 50.0

typedef struct {
  vt_volume *ct;
  vt__view v;
  vt__column col;
  vt__level lv[6];
} scene;

/* Soft tissue with a bar of rib bone each side from d0 to d1 mm beside the
 * canal, 8 mm tall round z and 8 mm deep round the canal's centre. */
static void bar(scene *s, double z, double d0, double d1) {
  float *a = vt_volume_data(s->ct);
  size_t nx = s->v.n[0];
  for (long k = (long)(z - 4); k <= (long)(z + 4); k++)
    for (long j = (long)(CY - 4); j <= (long)(CY + 4); j++)
      for (long i = 0; i < (long)nx; i++) {
        double d = fabs((double)i - CX);
        if (k < 0 || k >= NZ || d < d0 || d > d1) continue;
        a[(size_t)i + nx * ((size_t)j + NY * (size_t)k)] = 700.0f;
      }
}

/* An empty scene nx voxels wide (1 mm, RAS), its column and six levels. */
static int scene_new(scene *s, size_t nx) {
  memset(s, 0, sizeof *s);
  double aff[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  vt_error err;
  if (vt_volume_new(nx, NY, NZ, aff, &s->ct, &err) != VT_OK) return 0;
  float *a = vt_volume_data(s->ct);
  for (size_t q = 0; q < nx * NY * NZ; q++) a[q] = 40.0f;
  if (vt__view_init(s->ct, &s->v, &err) != VT_OK) return 0;
  vt__column *c = &s->col;
  c->nz = NZ;
  double **arr[7] = {&c->cx, &c->cy, &c->score, &c->bx, &c->by, &c->pw, &c->depth};
  for (int q = 0; q < 7; q++)
    if (!(*arr[q] = calloc(NZ, sizeof(double)))) return 0;
  if (!(c->state = calloc(NZ, sizeof(int)))) return 0;
  for (long k = 0; k < NZ; k++)
    c->cx[k] = CX, c->cy[k] = CY, c->bx[k] = CX, c->by[k] = CY + 25, c->pw[k] = CY + 10, c->depth[k] = 30,
    c->state[k] = 1;
  c->k0 = 0, c->k1 = NZ - 1;
  for (int L = 0; L < 6; L++) { /* cranial first: [150, 199], [120, 150], ... [0, 30] */
    s->lv[L].z_top = L == 0 ? NZ - 1 : 180.0 - 30.0 * L;
    s->lv[L].z_bot = 150.0 - 30.0 * L;
    s->lv[L].height_mm = s->lv[L].z_top - s->lv[L].z_bot;
  }
  s->lv[0].cut_top = 1;
  s->lv[5].cut_bot = 1;
  return 1;
}

static void scene_free(scene *s) {
  vt__column_free(&s->col);
  vt_volume_free(s->ct);
}

/* The common case: ribs at the middle of levels 0-3, processes beside 4. */
static void common(scene *s) {
  const double mid[4] = {165, 135, 105, 75};
  for (int L = 0; L < 4; L++) bar(s, mid[L], 20, 90);
  bar(s, 45, 20, 42);
}

static void traced(void) {
  scene s;
  CHECK(scene_new(&s, NX));
  common(&s);
  vt__level_ribs(&s.v, &s.col, s.lv, 6);
  for (int L = 0; L < 6; L++) {
    int want = L < 4;
    CHECK_MSG(s.lv[L].rib_roots[0] == want && s.lv[L].rib_roots[1] == want, "level %d: roots %d/%d, want %d", L,
              s.lv[L].rib_roots[0], s.lv[L].rib_roots[1], want);
    CHECK_MSG(s.lv[L].rib_bearing == want, "level %d rib-bearing %d", L, s.lv[L].rib_bearing);
    CHECK_MSG(s.lv[L].rib_anchor_sure == (L == 3), "level %d sure %d", L, s.lv[L].rib_anchor_sure);
    CHECK(!s.lv[L].rib_double && !s.lv[L].rib_at_disc);
  }
  CHECK(s.lv[3].rib_full[0] && s.lv[3].rib_full[1]);
  scene_free(&s);
}

static void leaves_the_image(void) {
  /* the image ends 55 mm right of the canal: the right ribs leave it, the
   * right processes (to 42 mm) do not */
  scene s;
  CHECK(scene_new(&s, (size_t)(CX + 55)));
  common(&s);
  vt__level_ribs(&s.v, &s.col, s.lv, 6);
  for (int L = 0; L < 6; L++) {
    int want = L < 4;
    CHECK_MSG(s.lv[L].rib_roots[1] == want, "cropped: level %d right roots %d", L, s.lv[L].rib_roots[1]);
  }
  CHECK(!s.lv[3].rib_full[1] && s.lv[3].rib_full[0]); /* cut right, whole left */
  CHECK(s.lv[3].rib_anchor_sure);
  scene_free(&s);
}

static void two_pairs_in_one_level(void) {
  /* a disc missed in the top level: two rib pairs 20 mm apart leave it */
  scene s;
  CHECK(scene_new(&s, NX));
  common(&s);
  bar(&s, 185, 20, 90);
  vt__level_ribs(&s.v, &s.col, s.lv, 6);
  CHECK_MSG(s.lv[0].rib_double, "two pairs 20 mm apart: level 0 roots %d/%d", s.lv[0].rib_roots[0],
            s.lv[0].rib_roots[1]);
  CHECK(!s.lv[1].rib_double && !s.lv[2].rib_double && !s.lv[3].rib_double);
  scene_free(&s);
}

static void at_a_disc(void) {
  /* the lowest ribs leave 5 mm above level 3's lower disc (60 mm; within
   * 20 % of its 30 mm span) */
  scene s;
  CHECK(scene_new(&s, NX));
  for (int L = 0; L < 3; L++) bar(&s, 165 - 30 * L, 20, 90);
  bar(&s, 65, 20, 90);
  vt__level_ribs(&s.v, &s.col, s.lv, 6);
  CHECK_MSG(s.lv[3].rib_roots[0] == 1 && s.lv[3].rib_at_disc && !s.lv[3].rib_anchor_sure,
            "at a disc: roots %d, at disc %d, sure %d", s.lv[3].rib_roots[0], s.lv[3].rib_at_disc,
            s.lv[3].rib_anchor_sure);
  scene_free(&s);
}

static void below_out_of_view(void) {
  /* level 4 is the column's end, 6 mm in view: it cannot show a rib */
  scene s;
  CHECK(scene_new(&s, NX));
  common(&s);
  s.lv[4].z_bot = 54, s.lv[4].cut_bot = 1;
  vt__level_ribs(&s.v, &s.col, s.lv, 5);
  CHECK(s.lv[3].rib_bearing && !s.lv[3].rib_anchor_sure);
  scene_free(&s);
}

int main(void) {
  traced();
  leaves_the_image();
  two_pairs_in_one_level();
  at_a_disc();
  below_out_of_view();
  return VT_TEST_END();
}
