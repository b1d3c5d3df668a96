/* log.h — internal logging through the caller's callback (silent by default). */
#ifndef VT_CORE_LOG_H
#define VT_CORE_LOG_H
#include "vertebra/status.h"

/* Formats and forwards one message to the installed callback, if any. */
void vt__log(vt_log_level level, const char *fmt, ...) VT_PRINTF(2, 3);
#define VT_DEBUG(...) vt__log(VT_LOG_DEBUG, __VA_ARGS__)
#define VT_INFO(...) vt__log(VT_LOG_INFO, __VA_ARGS__)
#define VT_WARN(...) vt__log(VT_LOG_WARN, __VA_ARGS__)
#endif
