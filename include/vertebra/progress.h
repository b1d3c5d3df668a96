/* progress.h — how long jobs report progress: the library calls back, the
 * front door decides how (if at all) to show it. */
#ifndef VERTEBRA_PROGRESS_H
#define VERTEBRA_PROGRESS_H
#include <stddef.h>

/* Called from the thread that drives the job (never concurrently for one job).
 * `stage` is a short label ("documents", "bootstrap"); `total` is 0 when
 * unknown. A final call has done == total (or the last count when unknown). */
typedef void (*vt_progress_fn)(const char *stage, size_t done, size_t total, void *user);

typedef struct vt_progress {
  vt_progress_fn fn; /* NULL: no reporting */
  void *user;
} vt_progress;

static inline void vt_progress_report(const vt_progress *p, const char *stage, size_t done,
                                      size_t total) {
  if (p && p->fn) p->fn(stage, done, total, p->user);
}
#endif
