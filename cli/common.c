/* common.c — exit codes, error printing, logging and the progress bar for the CLI. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int vt_cli_exit_code(vt_status st) {
  switch (st) {
  case VT_OK: return VT_EXIT_OK;
  case VT_EINVAL: return VT_EXIT_USAGE;
  case VT_EFORMAT:
  case VT_ELIMIT: return VT_EXIT_DATAERR;
  case VT_ENOTFOUND: return VT_EXIT_NOINPUT;
  case VT_EUNSUPPORTED: return VT_EXIT_UNSUPPORTED;
  case VT_ENOMEM: return VT_EXIT_OSERR;
  case VT_EIO: return VT_EXIT_IOERR;
  case VT_ESTATE:
  case VT_EINTERNAL: return VT_EXIT_SOFTWARE;
  }
  return VT_EXIT_SOFTWARE;
}

int vt_cli_fail(const vt_error *err) {
  char msg[VT_ERROR_WHERE_MAX + VT_ERROR_MESSAGE_MAX + 4];
  vt_cli_progress_clear();
  fprintf(stderr, "vertebra: %s\n", vt_error_format(err, msg, sizeof msg));
  return vt_cli_exit_code(err->status);
}

int vt_cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "vertebra %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n(see 'vertebra %s --help')\n", cmd);
  va_end(ap);
  return VT_EXIT_USAGE;
}

int vt_cli_batch_exit(size_t failed) {
  return failed > VT_EXIT_BATCH_MAX ? VT_EXIT_BATCH_MAX : (int)failed;
}

int vt_cli_is_help(const char *arg) {
  return arg && (!strcmp(arg, "-h") || !strcmp(arg, "--help"));
}

int vt_cli_parse_long(const char *cmd, const char *opt, const char *val, long lo, long hi,
                      long *out) {
  if (!val) return vt_cli_usage_error(cmd, "%s needs a value", opt);
  char *end;
  errno = 0;
  long v = strtol(val, &end, 10);
  if (errno || end == val || *end || v < lo || v > hi)
    return vt_cli_usage_error(cmd, "%s: '%s' is not an integer in [%ld, %ld]", opt, val, lo, hi);
  *out = v;
  return 0;
}

int vt_cli_parse_thresholds(const char *cmd, const char *s, double *out, size_t *n) {
  size_t k = 0;
  const char *p = s;
  while (*p) {
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p || errno || !(v > 0 && v < 1) || k == VT_CLI_MAX_THRESHOLDS)
      return vt_cli_usage_error(cmd, "--thresholds: '%s' is not a list of up to %d numbers in "
                                     "(0, 1)", s, VT_CLI_MAX_THRESHOLDS);
    out[k++] = v;
    p = end;
    if (*p == ',') p++;
    else if (*p)
      return vt_cli_usage_error(cmd, "--thresholds: '%s' is not a comma-separated list", s);
  }
  if (!k) return vt_cli_usage_error(cmd, "--thresholds needs at least one value");
  *n = k;
  return 0;
}

static void stderr_logger(vt_log_level level, const char *message, void *user) {
  static const char *names[] = {"debug", "info", "warning", "error"};
  vt_cli_progress_clear();
  fprintf(stderr, "vertebra: %s: %s\n", names[level], message);
}

void vt_cli_set_verbosity(int v) {
  vt_log_set(stderr_logger, NULL, v >= 2 ? VT_LOG_DEBUG : v == 1 ? VT_LOG_INFO : VT_LOG_WARN);
}

/* ---- progress bar ---- */
static struct {
  int active;
  struct timespec start;
  struct timespec last;
} bar;

static double seconds_since(const struct timespec *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) + 1e-9 * (double)(now.tv_nsec - t->tv_nsec);
}

void vt_cli_progress_clear(void) {
  if (bar.active) fprintf(stderr, "\r\033[K");
}

static void draw(const char *stage, size_t done, size_t total, void *user) {
  (void)user;
  if (!isatty(STDERR_FILENO)) return;
  if (!bar.active) {
    clock_gettime(CLOCK_MONOTONIC, &bar.start);
    bar.last.tv_sec = 0;
    bar.last.tv_nsec = 0;
    bar.active = 1;
  }
  int final = total && done >= total;
  if (!final && bar.last.tv_sec && seconds_since(&bar.last) < 0.1) return;
  clock_gettime(CLOCK_MONOTONIC, &bar.last);
  double el = seconds_since(&bar.start);
  double rate = el > 0 ? (double)done / el : 0;
  if (total) {
    int width = 30, fill = (int)((double)width * (double)done / (double)total);
    char b[32];
    for (int i = 0; i < width; i++) b[i] = i < fill ? '#' : '.';
    b[width] = '\0';
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    fprintf(stderr, "\r\033[K[%s] %zu/%zu %s  %.0f/s  ETA %.0fs", b, done, total, stage, rate, eta);
  } else {
    fprintf(stderr, "\r\033[K%zu %s  %.0f/s  %.1fs", done, stage, rate, el);
  }
  if (final) {
    fputc('\n', stderr);
    bar.active = 0;
  }
  fflush(stderr);
}

const vt_progress vt_cli_progress_bar = {draw, NULL};

/* ---- command groups ---- */
static void group_usage(FILE *out, const char *group, const char *summary,
                        const vt_cli_command *subs) {
  fprintf(out, "usage: vertebra %s COMMAND [ARGS...]\n\n%s\n\nCommands:\n", group, summary);
  for (const vt_cli_command *c = subs; c->name; c++)
    if (c->run) fprintf(out, "  %-12s %s\n", c->name, c->summary);
  fprintf(out, "\nRun 'vertebra %s COMMAND --help' for a command's options.\n", group);
}

int vt_cli_group(const char *group, const char *summary, const vt_cli_command *subs,
                 int argc, char **argv) {
  if (argc < 2) {
    group_usage(stderr, group, summary, subs);
    return VT_EXIT_USAGE;
  }
  if (vt_cli_is_help(argv[1])) {
    group_usage(stdout, group, summary, subs);
    return 0;
  }
  for (const vt_cli_command *c = subs; c->name; c++)
    if (c->run && !strcmp(argv[1], c->name)) return c->run(argc - 1, argv + 1);
  fprintf(stderr, "vertebra %s: unknown command '%s'\n\n", group, argv[1]);
  group_usage(stderr, group, summary, subs);
  return VT_EXIT_USAGE;
}
