/* fuzz_nifti.c — libFuzzer target for the NIfTI reader (header checks, libnifti,
 * conversion); libnifti reads files, so each input goes through a temp file. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "vertebra/image_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/vt_fuzz_nifti_%d.nii", (int)getpid());
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  vt_volume *v = NULL;
  vt_error err;
  if (vt_volume_read_nifti(path, &v, &err) == VT_OK) vt_volume_free(v);
  unlink(path);
  return 0;
}
