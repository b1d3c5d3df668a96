/* scores.h — reading a table of scores and outcomes (any model's output) for
 * `vertebra learn evaluate`, with errors that name the column and the line. */
#ifndef VT_LEARN_SCORES_H
#define VT_LEARN_SCORES_H
#include <stddef.h>

#include "vertebra/status.h"

typedef struct vt__scores_options {
  const char *label;    /* outcome column (required) */
  const char *score;    /* score column (required) */
  const char *subgroup; /* optional column whose levels are the subgroups */
  const char *positive; /* label value that is the event; NULL: labels must be 0/1 */
  int logit;            /* 1: scores are log-odds, converted with 1/(1+e^-s) */
  size_t max_rows;      /* 0 = 50,000,000 */
} vt__scores_options;

typedef struct vt__scores {
  size_t n;
  double *prob;       /* n probabilities in [0, 1] */
  unsigned char *y;   /* n outcomes, 0/1 */
  char **group;       /* n subgroup levels ("" when empty) or NULL without subgroup */
  char *positive;     /* how the event was named ("1" or the --positive value) */
} vt__scores;

/* Reads `path` (CSV with a header; "-" = stdin). VT_ENOTFOUND: a column is
 * missing (named, with the columns present); VT_EFORMAT: an empty or
 * non-numeric score, a probability outside [0, 1] (suggesting --logit), a
 * label that is not 0/1 (suggesting --positive), a third label level, a
 * ragged row — each with the file and line — or only one class;
 * VT_ELIMIT, VT_EIO, VT_ENOMEM. On success *out owns its arrays
 * (vt__scores_free). */
vt_status vt__scores_read(const char *path, const vt__scores_options *o, vt__scores *out,
                          vt_error *err);
/* The same from memory (borrowed); `name` stands for the file in errors. */
vt_status vt__scores_read_mem(const char *name, const char *data, size_t len,
                              const vt__scores_options *o, vt__scores *out, vt_error *err);
void vt__scores_free(vt__scores *s);
#endif
