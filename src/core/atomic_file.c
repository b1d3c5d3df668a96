/* atomic_file.c — temp-file-then-rename output, for files and directories. */
#include "core/atomic_file.h"

#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dupstr(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

vt_status vt__atomic_open(vt_atomic_file *af, const char *path, vt_error *err) {
  memset(af, 0, sizeof *af);
  if (strcmp(path, "-") == 0) {
    af->fp = stdout;
    return VT_OK;
  }
  size_t n = strlen(path) + 16;
  af->path = dupstr(path);
  af->tmp_path = malloc(n);
  if (!af->path || !af->tmp_path) {
    free(af->path);
    free(af->tmp_path);
    return vt_error_set(err, VT_ENOMEM, path, "out of memory");
  }
  snprintf(af->tmp_path, n, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(af->tmp_path);
  if (fd < 0) {
    vt_error_set(err, VT_EIO, path, "cannot create output file: %s", strerror(errno));
    free(af->path);
    free(af->tmp_path);
    af->path = af->tmp_path = NULL;
    return VT_EIO;
  }
  fchmod(fd, 0644);
  af->fp = fdopen(fd, "wb");
  if (!af->fp) {
    close(fd);
    unlink(af->tmp_path);
    free(af->path);
    free(af->tmp_path);
    af->path = af->tmp_path = NULL;
    return vt_error_set(err, VT_EIO, path, "cannot open output stream");
  }
  return VT_OK;
}

vt_status vt__atomic_commit(vt_atomic_file *af, vt_error *err) {
  if (!af->fp) return VT_OK;
  if (!af->tmp_path) { /* stdout */
    int bad = fflush(af->fp) != 0 || ferror(af->fp);
    af->fp = NULL;
    return bad ? vt_error_set(err, VT_EIO, "stdout", "write failed") : VT_OK;
  }
  int bad = fflush(af->fp) != 0 || ferror(af->fp);
  if (!bad) bad = fsync(fileno(af->fp)) != 0 && errno != EINVAL;
  if (fclose(af->fp) != 0) bad = 1;
  af->fp = NULL;
  if (!bad && rename(af->tmp_path, af->path) != 0) bad = 1;
  vt_status st = VT_OK;
  if (bad) {
    st = vt_error_set(err, VT_EIO, af->path, "cannot write output file: %s", strerror(errno));
    unlink(af->tmp_path);
  }
  free(af->path);
  free(af->tmp_path);
  af->path = af->tmp_path = NULL;
  return st;
}

void vt__atomic_abort(vt_atomic_file *af) {
  if (af->fp && af->tmp_path) {
    fclose(af->fp);
    unlink(af->tmp_path);
  }
  af->fp = NULL;
  free(af->path);
  free(af->tmp_path);
  af->path = af->tmp_path = NULL;
}

vt_status vt__atomic_write(const char *path, const void *data, size_t len, vt_error *err) {
  vt_atomic_file af;
  vt_status st = vt__atomic_open(&af, path, err);
  if (st) return st;
  if (len && fwrite(data, 1, len, af.fp) != len) {
    vt__atomic_abort(&af);
    return vt_error_set(err, VT_EIO, path, "write failed: %s", strerror(errno));
  }
  return vt__atomic_commit(&af, err);
}

vt_status vt__atomic_dir_open(const char *dir, char **tmp_dir, vt_error *err) {
  size_t n = strlen(dir) + 16;
  char *t = malloc(n);
  if (!t) return vt_error_set(err, VT_ENOMEM, dir, "out of memory");
  /* strip trailing slashes so the sibling lands beside, not inside */
  snprintf(t, n, "%s", dir);
  size_t l = strlen(t);
  while (l > 1 && t[l - 1] == '/') t[--l] = '\0';
  snprintf(t + l, n - l, ".tmp-XXXXXX");
  if (!mkdtemp(t)) {
    vt_error_set(err, VT_EIO, dir, "cannot create output directory: %s", strerror(errno));
    free(t);
    return VT_EIO;
  }
  chmod(t, 0755);
  *tmp_dir = t;
  return VT_OK;
}

static int dir_is_empty(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  struct dirent *e;
  int empty = 1;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      empty = 0;
      break;
    }
  closedir(d);
  return empty;
}

vt_status vt__atomic_dir_check(const char *dir, vt_error *err) {
  struct stat sb;
  if (stat(dir, &sb) != 0) return VT_OK;
  if (!S_ISDIR(sb.st_mode)) return vt_error_set(err, VT_EIO, dir, "exists and is not a directory");
  if (!dir_is_empty(dir))
    return vt_error_set(err, VT_EIO, dir,
                        "output directory exists and is not empty; remove it or choose another");
  return VT_OK;
}

vt_status vt__atomic_dir_commit(const char *tmp_dir, const char *dir, vt_error *err) {
  vt_status st = vt__atomic_dir_check(dir, err);
  if (st) {
    vt__atomic_dir_abort(tmp_dir);
    return st;
  }
  rmdir(dir); /* an empty one, or none */
  if (rename(tmp_dir, dir) != 0) {
    int e = errno;
    vt__atomic_dir_abort(tmp_dir);
    return vt_error_set(err, VT_EIO, dir, "cannot move output into place: %s", strerror(e));
  }
  return VT_OK;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

void vt__atomic_dir_abort(const char *tmp_dir) {
  /* depth-first, without following links: removes only what the run wrote */
  nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
