/* fuzz_csv.c — libFuzzer target for the RFC 4180 reader (src/io/csv.h): any
 * bytes, comma and tab dialects, small limits so the limit paths are walked. */
#include <stdint.h>
#include <string.h>

#include "io/csv.h"

static void run(const char *data, size_t size, const vt__csv_options *opt) {
  vt__csv *csv = NULL;
  vt_error err;
  if (vt__csv_open_mem("fuzz.csv", data, size, opt, &csv, &err)) return;
  size_t nf = 0, records = 0;
  while (vt__csv_next(csv, &nf, &err) == VT_OK && nf && records++ < 100000) {
    for (size_t i = 0; i < nf; i++) {
      size_t len = 0;
      const char *f = vt__csv_field(csv, i, &len);
      /* every field is NUL-terminated at its length */
      if (!f || f[len] != '\0') __builtin_trap();
    }
    (void)vt__csv_line(csv);
  }
  vt__csv_free(csv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *d = (const char *)data;
  run(d, size, NULL);
  vt__csv_options tsv;
  memset(&tsv, 0, sizeof tsv);
  tsv.delimiter = '\t';
  tsv.quoting = -1;
  tsv.max_field = 64;
  tsv.max_fields = 8;
  tsv.max_record = 256;
  run(d, size, &tsv);
  vt__csv_options small;
  memset(&small, 0, sizeof small);
  small.max_field = 16;
  small.max_fields = 4;
  small.max_record = 64;
  run(d, size, &small);
  return 0;
}
