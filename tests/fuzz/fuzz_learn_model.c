/* fuzz_learn_model.c — libFuzzer target for the learn parsers: the bytes as a
 * model file (vt_learn_model_load), and as a cohort CSV trained with its
 * first column as the outcome (2 folds, logistic). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learn/learn_internal.h"
#include "vertebra/learn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[] = "/tmp/fuzz_learn_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return 0;
  if (write(fd, data, size) != (ssize_t)size) { close(fd); unlink(path); return 0; }
  close(fd);
  vt_error err;
  vt_learn_model *m = NULL;
  if (vt_learn_model_load(path, &m, &err) == VT_OK) vt_learn_model_free(m);
  vt__table *t = NULL;
  if (size < 4096 && vt__table_read(path, &t, &err) == VT_OK) {
    char outcome[256];
    snprintf(outcome, sizeof outcome, "%s", t->names[0]);
    vt__table_free(t);
    vt_learn_train_opts o;
    vt_learn_train_defaults(&o);
    o.data = path;
    o.outcome = outcome;
    o.model = "logistic";
    o.folds = 2;
    m = NULL;
    if (vt_learn_train(&o, &m, &err) == VT_OK) vt_learn_model_free(m);
  }
  unlink(path);
  return 0;
}
