/* status.h — status codes, the error record that says where and why, and the
 * log callback: the contract every fallible libvertebra function follows. */
#ifndef VERTEBRA_STATUS_H
#define VERTEBRA_STATUS_H

#include <stdarg.h>
#include <stddef.h>

#if defined(VT_BUILDING_LIBRARY)
#define VT_API __attribute__((visibility("default")))
#else
#define VT_API
#endif

#if defined(__GNUC__)
#define VT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define VT_PRINTF(f, a)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Outcome of a fallible call. VT_OK is 0; every other value is a failure
 * whose details are in the vt_error the caller passed. */
typedef enum vt_status {
  VT_OK = 0,
  VT_ENOMEM,       /* an allocation failed */
  VT_EINVAL,       /* the caller passed an invalid argument or option */
  VT_EIO,          /* reading or writing a file failed (errno text in message) */
  VT_EFORMAT,      /* input is malformed: the message names file, place, reason */
  VT_EUNSUPPORTED, /* input is valid but uses a feature not implemented */
  VT_ELIMIT,       /* input exceeds a configured size or count limit */
  VT_ENOTFOUND,    /* a named item (file, column, label, rule) does not exist */
  VT_ESTATE,       /* the object is not in a state that allows the call */
  VT_EINTERNAL     /* a bug: an invariant did not hold */
} vt_status;

#define VT_ERROR_WHERE_MAX 512
#define VT_ERROR_MESSAGE_MAX 1024

/* Where (file, offset/line/column/field) and why a call failed, in words a
 * user can act on. Plain struct: declare it on the stack, pass its address. */
typedef struct vt_error {
  vt_status status;
  char where[VT_ERROR_WHERE_MAX];     /* e.g. "series/IM0001.dcm: offset 4312" */
  char message[VT_ERROR_MESSAGE_MAX]; /* e.g. "element (7FE0,0010) length ... " */
} vt_error;

/* Short stable name of a status ("VT_EFORMAT"); never NULL. */
VT_API const char *vt_status_name(vt_status status);

/* Empties an error record. Accepts NULL. */
VT_API void vt_error_clear(vt_error *err);

/* Fills `err` (if not NULL) with status, place and a formatted reason, and
 * returns `status`, so a failing path can `return vt_error_set(...)`.
 * `where` may be NULL. Text longer than the fields is truncated. */
VT_API vt_status vt_error_set(vt_error *err, vt_status status, const char *where,
                              const char *fmt, ...) VT_PRINTF(4, 5);
VT_API vt_status vt_error_setv(vt_error *err, vt_status status, const char *where,
                               const char *fmt, va_list ap);

/* Prefixes the error's `where` with `outer` ("report.csv: row 12" around
 * "column 3"), for layers that add context as an error travels up. */
VT_API void vt_error_wrap(vt_error *err, const char *outer);

/* Writes "where: message" (or just message) into buf; returns buf. */
VT_API const char *vt_error_format(const vt_error *err, char *buf, size_t size);

/* Log levels; the callback receives messages at or above the installed level. */
typedef enum vt_log_level {
  VT_LOG_DEBUG = 0,
  VT_LOG_INFO = 1,
  VT_LOG_WARN = 2,
  VT_LOG_ERROR = 3
} vt_log_level;

/* Receives one log line (no newline). Must not call back into logging.
 * Must be thread-safe: the library logs from worker threads. */
typedef void (*vt_log_fn)(vt_log_level level, const char *message, void *user);

/* Installs the process-wide log callback (NULL: silent, the default).
 * Never log patient information or report text through it. */
VT_API void vt_log_set(vt_log_fn fn, void *user, vt_log_level min_level);

#ifdef __cplusplus
}
#endif
#endif
