/* fuzz_dicom.c — libFuzzer target for the DICOM parser and pixel decoders:
 * parse, then decode every frame of images small enough to fuzz quickly. */
#include <stdint.h>
#include <stdlib.h>

#include "../../src/io/dicom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vt__dcm_image img;
  vt_error err;
  if (vt__dcm_parse(data, size, "fuzz.dcm", &img, &err) == VT_OK && img.rows > 0 && img.cols > 0 &&
      (size_t)img.rows * (size_t)img.cols <= (1u << 20) && img.frames >= 1 && img.frames <= 8) {
    float *f = malloc((size_t)img.rows * (size_t)img.cols * sizeof *f);
    for (int fr = 0; f && fr < img.frames; fr++) (void)vt__dcm_decode_frame(&img, fr, "fuzz.dcm", f, &err);
    free(f);
  }
  vt__dcm_image_free(&img);
  return 0;
}
