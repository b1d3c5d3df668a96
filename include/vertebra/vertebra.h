/* vertebra.h — the umbrella header of libvertebra, and its rules of ownership.
 *
 * Ownership, stated once for the whole library:
 *  - `vt_*_new`, `vt_*_read` and `vt_*_open` return an object the caller owns
 *    and releases with the matching `vt_*_free`, which accepts NULL.
 *  - Getters return borrowed pointers, valid until the owner changes or is freed.
 *  - Arguments are borrowed unless the function name says `_take`.
 *  - A fallible function returns a `vt_status` and, on failure, fills the
 *    caller's `vt_error` (if not NULL); its out-parameters are written only on
 *    success.
 *  - Every buffer that grows from untrusted input has a maximum size.
 *  - The library never exits, aborts or prints: it logs only through the
 *    callback installed with `vt_log_set` (silent by default).
 */
#ifndef VERTEBRA_H
#define VERTEBRA_H

#include "vertebra/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH"; static storage. */
VT_API const char *vt_version(void);

#ifdef __cplusplus
}
#endif
#endif
