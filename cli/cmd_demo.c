/* cmd_demo.c — `vertebra demo`: runs each engine on inputs the program makes
 * itself (built-in reports, a simulated cohort, a digital phantom) and writes
 * every result into one folder, named at the end. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "core/atomic_file.h"

typedef struct demo_part {
  const char *name;
  vt_cli_demo_part_fn run;
} demo_part;

/* One line per domain; each part writes into its own subfolder. A part not
 * linked into this build (weak symbol) is skipped. */
static const demo_part parts[] = {
    {"text", vt_cli_demo_text},
    {"learn", vt_cli_demo_learn},
    {"ct", vt_cli_demo_ct},
    {NULL, NULL},
};

static void usage(FILE *out) {
  fprintf(out,
          "usage: vertebra demo [-o DIR]\n\n"
          "Runs every engine on built-in inputs with known truth and writes the\n"
          "results into DIR (default: vertebra-demo-YYYYMMDD-HHMMSS in the current\n"
          "folder). The folder appears only when the whole demo succeeded.\n");
}

int vt_cli_demo(int argc, char **argv) {
  const char *out_dir = NULL;
  char default_dir[64];
  for (int i = 1; i < argc; i++) {
    if (vt_cli_is_help(argv[i])) {
      usage(stdout);
      return 0;
    } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out")) {
      if (++i >= argc) return vt_cli_usage_error("demo", "%s needs a folder", argv[i - 1]);
      out_dir = argv[i];
    } else {
      return vt_cli_usage_error("demo", "unexpected argument '%s'", argv[i]);
    }
  }
  if (!out_dir) {
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(default_dir, sizeof default_dir, "vertebra-demo-%Y%m%d-%H%M%S", &tm);
    out_dir = default_dir;
  }
  vt_error err;
  vt_error_clear(&err);
  char *tmp = NULL;
  if (vt__atomic_dir_open(out_dir, &tmp, &err)) return vt_cli_fail(&err);
  int rc = 0;
  for (const demo_part *p = parts; p->name && rc == 0; p++) {
    if (!p->run) continue;
    printf("== %s ==\n", p->name);
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/%s", tmp, p->name);
    if (mkdir(sub, 0755) != 0) {
      rc = VT_EXIT_IOERR;
      break;
    }
    rc = p->run(sub, stdout);
  }
  if (rc) {
    vt__atomic_dir_abort(tmp);
    free(tmp);
    fprintf(stderr, "vertebra demo: failed; no output folder was left behind\n");
    return rc;
  }
  if (vt__atomic_dir_commit(tmp, out_dir, &err)) {
    free(tmp);
    return vt_cli_fail(&err);
  }
  free(tmp);
  printf("\nvertebra demo: results written to %s/\n", out_dir);
  return 0;
}
