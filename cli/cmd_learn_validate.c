/* cmd_learn_validate.c — `vertebra learn validate`: a saved model on another
 * cohort (metrics, drift per input) and optional recalibrated new version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "learn/learn_internal.h"

static const char *usage =
    "usage: vertebra learn validate --model M --data OTHER.csv [--recalibrate OUT]\n"
    "         [--json METRICS.json] [--report R.html] [--subgroup COL]\n"
    "         [--thresholds 0.1,0.2] [--bootstrap B] [--seed N] [--jobs N]\n"
    "  (default: the metrics JSON on stdout; --report also writes R.html.json)\n";

int vt_cli_learn_validate(int argc, char **argv) {
  const char *model = NULL, *json = NULL, *report = NULL;
  vt__validate_opts vo;
  vt__validate_opts_init(&vo);
  double thr[VT_CLI_MAX_THRESHOLDS];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (vt_cli_is_help(a)) { fputs(usage, stdout); return VT_EXIT_OK; }
    if (i + 1 >= argc) return vt_cli_usage_error("learn validate", "%s needs a value (or unknown option)", a);
    const char *v = argv[++i];
    long l;
    int rc = 0;
    if (!strcmp(a, "--model")) model = v;
    else if (!strcmp(a, "--data")) vo.data = v;
    else if (!strcmp(a, "--recalibrate")) vo.recal_out = v;
    else if (!strcmp(a, "--json")) json = v;
    else if (!strcmp(a, "--report")) report = v;
    else if (!strcmp(a, "--subgroup")) vo.subgroup = v;
    else if (!strcmp(a, "--thresholds")) {
      rc = vt_cli_parse_thresholds("learn validate", v, thr, &vo.nthresholds);
      vo.thresholds = thr;
    } else if (!strcmp(a, "--bootstrap")) { rc = vt_cli_parse_long("learn validate", a, v, 0, 100000, &l); vo.bootstrap = (size_t)l; }
    else if (!strcmp(a, "--seed")) { rc = vt_cli_parse_long("learn validate", a, v, 0, 2147483647L, &l); vo.seed = (uint64_t)l; }
    else if (!strcmp(a, "--jobs")) { rc = vt_cli_parse_long("learn validate", a, v, 1, 256, &l); vo.jobs = (unsigned)l; }
    else return vt_cli_usage_error("learn validate", "unknown option %s", a);
    if (rc) return rc;
  }
  if (!model || !vo.data) return vt_cli_usage_error("learn validate", "--model and --data are required");
  vt_error err = {0};
  vt_learn_model *m = NULL;
  json_t *rep = NULL;
  char *jp = NULL;
  if (report) {
    size_t jl = strlen(report) + 6;
    if (!(jp = malloc(jl))) return VT_EXIT_OSERR;
    snprintf(jp, jl, "%s.json", report);
    vo.report_html = report;
    vo.report_json = jp;
  }
  vo.model_path = model;
  vo.progress = isatty(STDERR_FILENO) ? &vt_cli_progress_bar : NULL;
  if (vt_learn_model_load(model, &m, &err)) { free(jp); return vt_cli_fail(&err); }
  vt_status st = vt__validate(m, &vo, &rep, &err);
  vt_cli_progress_clear();
  vt_learn_model_free(m);
  free(jp);
  if (st) return vt_cli_fail(&err);
  st = vt__json_write(json ? json : "-", rep, &err);
  json_decref(rep);
  return st ? vt_cli_fail(&err) : VT_EXIT_OK;
}
