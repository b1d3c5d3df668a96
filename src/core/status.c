/* status.c — names of status codes and the vt_error record helpers. */
#include "vertebra/status.h"

#include <stdio.h>
#include <string.h>

const char *vt_status_name(vt_status status) {
  switch (status) {
  case VT_OK: return "VT_OK";
  case VT_ENOMEM: return "VT_ENOMEM";
  case VT_EINVAL: return "VT_EINVAL";
  case VT_EIO: return "VT_EIO";
  case VT_EFORMAT: return "VT_EFORMAT";
  case VT_EUNSUPPORTED: return "VT_EUNSUPPORTED";
  case VT_ELIMIT: return "VT_ELIMIT";
  case VT_ENOTFOUND: return "VT_ENOTFOUND";
  case VT_ESTATE: return "VT_ESTATE";
  case VT_EINTERNAL: return "VT_EINTERNAL";
  }
  return "VT_UNKNOWN";
}

void vt_error_clear(vt_error *err) {
  if (!err) return;
  err->status = VT_OK;
  err->where[0] = '\0';
  err->message[0] = '\0';
}

vt_status vt_error_setv(vt_error *err, vt_status status, const char *where,
                        const char *fmt, va_list ap) {
  if (!err) return status;
  err->status = status;
  snprintf(err->where, sizeof err->where, "%s", where ? where : "");
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  return status;
}

vt_status vt_error_set(vt_error *err, vt_status status, const char *where,
                       const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vt_error_setv(err, status, where, fmt, ap);
  va_end(ap);
  return status;
}

void vt_error_wrap(vt_error *err, const char *outer) {
  if (!err || !outer || !*outer) return;
  char tmp[VT_ERROR_WHERE_MAX];
  if (err->where[0])
    snprintf(tmp, sizeof tmp, "%s: %s", outer, err->where);
  else
    snprintf(tmp, sizeof tmp, "%s", outer);
  memcpy(err->where, tmp, sizeof tmp);
}

const char *vt_error_format(const vt_error *err, char *buf, size_t size) {
  if (!buf || size == 0) return buf;
  if (!err) {
    buf[0] = '\0';
    return buf;
  }
  if (err->where[0])
    snprintf(buf, size, "%s: %s", err->where, err->message);
  else
    snprintf(buf, size, "%s", err->message);
  return buf;
}
