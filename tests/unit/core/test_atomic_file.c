/* test_atomic_file.c — outputs appear whole on commit and not at all on abort. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vt_test.h"
#include "core/atomic_file.h"
#include "core/buf.h"

static int exists(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0;
}

int main(void) {
  char dir[] = "/tmp/vt-atomic-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[256];
  snprintf(path, sizeof path, "%s/out.txt", dir);
  vt_error err;
  vt_error_clear(&err);

  vt_atomic_file af;
  CHECK_INT(vt__atomic_open(&af, path, &err), VT_OK);
  fputs("partial", af.fp);
  CHECK(!exists(path)); /* nothing at the final name before commit */
  vt__atomic_abort(&af);
  CHECK(!exists(path));

  CHECK_INT(vt__atomic_write(path, "whole", 5, &err), VT_OK);
  char *data;
  size_t len;
  CHECK_INT(vt__read_file(path, 100, &data, &len, &err), VT_OK);
  CHECK_STR(data, "whole");
  free(data);

  CHECK_INT(vt__atomic_open(&af, "/nonexistent-dir/x", &err), VT_EIO);
  CHECK(strstr(err.where, "/nonexistent-dir/x") != NULL);

  /* directories: abort removes nested content, commit moves into place */
  char outdir[256];
  snprintf(outdir, sizeof outdir, "%s/result", dir);
  char *tmp = NULL;
  CHECK_INT(vt__atomic_dir_open(outdir, &tmp, &err), VT_OK);
  char sub[512];
  snprintf(sub, sizeof sub, "%s/part", tmp);
  CHECK(mkdir(sub, 0755) == 0);
  snprintf(sub, sizeof sub, "%s/part/f.txt", tmp);
  CHECK_INT(vt__atomic_write(sub, "x", 1, &err), VT_OK);
  vt__atomic_dir_abort(tmp);
  CHECK(!exists(tmp));
  CHECK(!exists(outdir));
  free(tmp);
  CHECK_INT(vt__atomic_dir_open(outdir, &tmp, &err), VT_OK);
  CHECK_INT(vt__atomic_dir_commit(tmp, outdir, &err), VT_OK);
  CHECK(exists(outdir));
  free(tmp);
  /* a non-empty existing folder is never overwritten */
  snprintf(sub, sizeof sub, "%s/keep.txt", outdir);
  CHECK_INT(vt__atomic_write(sub, "x", 1, &err), VT_OK);
  CHECK_INT(vt__atomic_dir_open(outdir, &tmp, &err), VT_OK);
  CHECK_INT(vt__atomic_dir_commit(tmp, outdir, &err), VT_EIO);
  CHECK(!exists(tmp));
  free(tmp);
  unlink(sub);
  rmdir(outdir);
  rmdir(dir);
  return VT_TEST_END();
}
