/* log.c — the process-wide log callback; silent until a front door installs one. */
#include "core/log.h"

#include <stdatomic.h>
#include <stdio.h>

static vt_log_fn g_fn;
static void *g_user;
static vt_log_level g_level = VT_LOG_WARN;

void vt_log_set(vt_log_fn fn, void *user, vt_log_level min_level) {
  g_user = user;
  g_level = min_level;
  atomic_thread_fence(memory_order_release);
  g_fn = fn;
}

void vt__log(vt_log_level level, const char *fmt, ...) {
  vt_log_fn fn = g_fn;
  if (!fn || level < g_level) return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fn(level, line, g_user);
}
