/* atomic_file.h — write an output file to a temporary name and rename it into
 * place on commit, so a failure never leaves a partial output behind. Also the
 * same for a whole output directory. */
#ifndef VT_CORE_ATOMIC_FILE_H
#define VT_CORE_ATOMIC_FILE_H
#include <stdio.h>

#include "vertebra/status.h"

typedef struct vt_atomic_file {
  FILE *fp;        /* write here */
  char *path;      /* final name */
  char *tmp_path;  /* temporary sibling of path */
} vt_atomic_file;

/* Opens a temporary file next to `path` (same directory, so rename is atomic).
 * `path` "-" means stdout (commit flushes, abort does nothing). VT_EIO. */
vt_status vt__atomic_open(vt_atomic_file *af, const char *path, vt_error *err);
/* Flushes, fsyncs, closes and renames into place. VT_EIO (temp file removed). */
vt_status vt__atomic_commit(vt_atomic_file *af, vt_error *err);
/* Closes and removes the temporary file. Safe to call after commit (no-op). */
void vt__atomic_abort(vt_atomic_file *af);

/* Writes `len` bytes to `path` atomically. */
vt_status vt__atomic_write(const char *path, const void *data, size_t len, vt_error *err);

/* Output directories: create "<dir>.tmp-XXXXXX" beside `dir`, fill it, then
 * commit renames it to `dir` (replacing an existing empty or previous-run
 * directory is refused unless it does not exist). tmp_dir is malloc'd. */
vt_status vt__atomic_dir_open(const char *dir, char **tmp_dir, vt_error *err);
/* VT_OK when `dir` does not exist or is an empty directory, the commit's
 * refusal otherwise (VT_EIO): lets a command refuse before doing the work. */
vt_status vt__atomic_dir_check(const char *dir, vt_error *err);
vt_status vt__atomic_dir_commit(const char *tmp_dir, const char *dir, vt_error *err);
/* Removes the temporary directory and everything in it. */
void vt__atomic_dir_abort(const char *tmp_dir);
#endif
