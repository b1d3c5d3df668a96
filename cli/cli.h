/* cli.h — what the `vertebra` front door's subcommands share: the command
 * table, status-to-exit-code mapping, error printing, a stderr logger and a
 * terminal progress bar. The CLI parses arguments and calls the library;
 * nothing more. */
#ifndef VT_CLI_H
#define VT_CLI_H
#include <stdio.h>

#include "vertebra/progress.h"
#include "vertebra/status.h"

/* Exit codes (docs/ERRORS.md). 1..63: that many inputs failed in a batch
 * (63 means 63 or more); the rest follow sysexits.h. */
enum {
  VT_EXIT_OK = 0,
  VT_EXIT_BATCH_MAX = 63,
  VT_EXIT_USAGE = 64,
  VT_EXIT_DATAERR = 65,
  VT_EXIT_NOINPUT = 66,
  VT_EXIT_UNSUPPORTED = 69,
  VT_EXIT_SOFTWARE = 70,
  VT_EXIT_OSERR = 71,
  VT_EXIT_IOERR = 74,
};

/* One subcommand: `vertebra NAME ...`. run() receives argv with argv[0] == NAME. */
typedef struct vt_cli_command {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
} vt_cli_command;

/* Top-level commands (cli/commands.c) and the subcommands of each group.
 * Subcommands are declared weak: a group lists only those linked into this
 * build, so each domain's front door lands on its own. Each lives in its own
 * cli/cmd_<group>_<sub>.c. */
#define VT_CLI_WEAK __attribute__((weak))
int vt_cli_demo(int argc, char **argv);
int vt_cli_text(int argc, char **argv);
int vt_cli_learn(int argc, char **argv);
int vt_cli_ct(int argc, char **argv);
VT_CLI_WEAK int vt_cli_text_extract(int argc, char **argv);
VT_CLI_WEAK int vt_cli_text_assert(int argc, char **argv);
VT_CLI_WEAK int vt_cli_learn_train(int argc, char **argv);
VT_CLI_WEAK int vt_cli_learn_predict(int argc, char **argv);
VT_CLI_WEAK int vt_cli_learn_validate(int argc, char **argv);
VT_CLI_WEAK int vt_cli_learn_evaluate(int argc, char **argv);
VT_CLI_WEAK int vt_cli_ct_convert(int argc, char **argv);
VT_CLI_WEAK int vt_cli_ct_analyze(int argc, char **argv);
VT_CLI_WEAK int vt_cli_ct_phantom(int argc, char **argv);
VT_CLI_WEAK int vt_cli_ct_morphometry(int argc, char **argv);

/* Runs `vertebra GROUP SUB ...` from a NULL-terminated table of subcommands
 * (entries whose run is NULL are not in this build and are not listed). */
int vt_cli_group(const char *group, const char *summary, const vt_cli_command *subs,
                 int argc, char **argv);

VT_CLI_WEAK int vt_cli_demo_text(const char *dir, FILE *out);
VT_CLI_WEAK int vt_cli_demo_learn(const char *dir, FILE *out);
VT_CLI_WEAK int vt_cli_demo_ct(const char *dir, FILE *out);

/* A part of `vertebra demo`: writes its results under `dir` (which exists and
 * is private to the run), prints a few lines of summary to `out`, returns 0 or
 * an exit code. Parts are listed in cli/cmd_demo.c, one per domain. */
typedef int (*vt_cli_demo_part_fn)(const char *dir, FILE *out);

int vt_cli_exit_code(vt_status st);
/* Prints "vertebra: where: message" to stderr and returns the exit code. */
int vt_cli_fail(const vt_error *err);
/* Prints a usage error and returns VT_EXIT_USAGE. */
int vt_cli_usage_error(const char *cmd, const char *fmt, ...) VT_PRINTF(2, 3);
/* Exit code for a batch in which `failed` inputs failed. */
int vt_cli_batch_exit(size_t failed);
/* True when argv[i] is -h or --help. */
int vt_cli_is_help(const char *arg);
/* Installs the stderr logger at the verbosity given by -v count. */
void vt_cli_set_verbosity(int v);
/* Parses a non-negative integer option value in [lo, hi]; 0 on success. */
int vt_cli_parse_long(const char *cmd, const char *opt, const char *val, long lo,
                      long hi, long *out);

/* Parses "0.1,0.2" into out[0..*n) (each in (0, 1), at most
 * VT_CLI_MAX_THRESHOLDS); on error prints usage for cmd and returns its exit code. */
#define VT_CLI_MAX_THRESHOLDS 64
int vt_cli_parse_thresholds(const char *cmd, const char *s, double *out, size_t *n);

/* The files of `vertebra ct analyze` (vertebrae.json, labels.nii.gz,
 * sagittal.png, coronal.png, report.fhir.json) written into `dir`, which
 * exists and is private to the run (cli/cmd_ct_analyze.c; the demo uses it
 * too). `id_seed` names the study in the FHIR fullUrls. */
struct vt_spine_findings;
vt_status vt_cli_ct_write_outputs(const char *dir, const struct vt_spine_findings *f,
                                  const char *vertebrae_json, const char *id_seed, vt_error *err);

/* A progress bar on stderr when stderr is a terminal (documents/s, ETA), silent
 * otherwise. Pass &vt_cli_progress_bar to library calls. */
extern const vt_progress vt_cli_progress_bar;
/* Clears the bar's line before other stderr output. */
void vt_cli_progress_clear(void);
#endif
