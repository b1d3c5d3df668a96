/* test_volume.c — voxel<->world mapping round-trips through an oblique affine. */
#include "vt_test.h"
#include "vertebra/volume.h"

int main(void) {
  /* P,I,R-like oblique affine with 1x1x2 mm voxels and an offset */
  double aff[16] = {0, 0, 2, -30, -1, 0, 0, 40, 0, -1, 0, 100, 0, 0, 0, 1};
  vt_volume *v = NULL;
  vt_error err;
  CHECK_INT(vt_volume_new(4, 5, 6, aff, &v, &err), VT_OK);
  double sp[3];
  vt_volume_spacing(v, sp);
  CHECK_NEAR(sp[0], 1, 1e-12);
  CHECK_NEAR(sp[2], 2, 1e-12);
  double ijk[3] = {1, 2, 3}, ras[3], back[3];
  vt_volume_voxel_to_world(v, ijk, ras);
  CHECK_NEAR(ras[0], -24, 1e-12);
  CHECK_NEAR(ras[1], 39, 1e-12);
  CHECK_NEAR(ras[2], 98, 1e-12);
  CHECK_INT(vt_volume_world_to_voxel(v, ras, back, &err), VT_OK);
  for (int c = 0; c < 3; c++) CHECK_NEAR(back[c], ijk[c], 1e-9);
  size_t d[3];
  vt_volume_dims(v, d);
  CHECK_INT(d[2], 6);
  CHECK(vt_volume_data(v)[4 * 5 * 6 - 1] == 0.0f);
  vt_volume_free(v);
  CHECK_INT(vt_volume_new(0, 5, 6, NULL, &v, &err), VT_EINVAL);
  CHECK_INT(vt_volume_new(1u << 20, 1u << 20, 2, NULL, &v, &err), VT_ELIMIT);
  return VT_TEST_END();
}
