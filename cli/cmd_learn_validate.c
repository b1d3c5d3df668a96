/* cmd_learn_validate.c — `vertebra learn validate`: a saved model on another
 * cohort (metrics, drift per input) and optional recalibrated new version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "learn/learn_internal.h"

static const char *usage =
    "usage: vertebra learn validate --model M --data OTHER.csv [--recalibrate OUT]\n"
    "         [--json REPORT.json]   (default: report on stdout)\n";

int vt_cli_learn_validate(int argc, char **argv) {
  const char *model = NULL, *data = NULL, *recal = NULL, *json = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (vt_cli_is_help(a)) { fputs(usage, stdout); return VT_EXIT_OK; }
    if (i + 1 >= argc) return vt_cli_usage_error("learn validate", "%s needs a value (or unknown option)", a);
    const char *v = argv[++i];
    if (!strcmp(a, "--model")) model = v;
    else if (!strcmp(a, "--data")) data = v;
    else if (!strcmp(a, "--recalibrate")) recal = v;
    else if (!strcmp(a, "--json")) json = v;
    else return vt_cli_usage_error("learn validate", "unknown option %s", a);
  }
  if (!model || !data) return vt_cli_usage_error("learn validate", "--model and --data are required");
  vt_error err = {0};
  vt_learn_model *m = NULL;
  json_t *rep = NULL;
  if (vt_learn_model_load(model, &m, &err)) return vt_cli_fail(&err);
  vt_status st = vt__validate(m, data, model, recal, &rep, &err);
  vt_learn_model_free(m);
  if (st) return vt_cli_fail(&err);
  char *s = json_dumps(rep, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  json_decref(rep);
  if (!s) return VT_EXIT_SOFTWARE;
  st = vt__atomic_write(json ? json : "-", s, strlen(s), &err);
  free(s);
  return st ? vt_cli_fail(&err) : VT_EXIT_OK;
}
