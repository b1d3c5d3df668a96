/* replay_main.c — runs a libFuzzer target over every file of one or more
 * corpus folders, without libFuzzer, so the normal (and sanitizer) suite
 * replays the seeds (kept ones and ones generated into the build folder). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replays every file of `dir`; returns the count, or -1 on an error. */
static int replay_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "%s: cannot open corpus\n", dir);
    return -1;
  }
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "rb");
    if (!f) continue;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(sz > 0 ? (size_t)sz : 1);
    if (!buf || (sz > 0 && fread(buf, 1, (size_t)sz, f) != (size_t)sz)) {
      fclose(f);
      free(buf);
      closedir(d);
      return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)sz);
    free(buf);
    n++;
  }
  closedir(d);
  return n;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
    return 64;
  }
  int n = 0;
  for (int i = 1; i < argc; i++) {
    int k = replay_dir(argv[i]);
    if (k < 0) return 74;
    n += k;
  }
  printf("%d passed, 0 failed\n", n);
  return n > 0 ? 0 : 1;
}
