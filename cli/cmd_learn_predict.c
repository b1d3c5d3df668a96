/* cmd_learn_predict.c — `vertebra learn predict`: a model file scores a
 * cohort, with the top-K contributions per row (CSV, JSON or FHIR). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vertebra/learn.h"

static const char *usage =
    "usage: vertebra learn predict --model MODEL --data F [--explain K]\n"
    "         [--format csv|json|fhir] [--out FILE]   (default: stdout)\n";

int vt_cli_learn_predict(int argc, char **argv) {
  const char *model = NULL, *data = NULL, *format = "csv", *out = "-";
  long k = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (vt_cli_is_help(a)) { fputs(usage, stdout); return VT_EXIT_OK; }
    if (i + 1 >= argc) return vt_cli_usage_error("learn predict", "%s needs a value (or unknown option)", a);
    const char *v = argv[++i];
    if (!strcmp(a, "--model")) model = v;
    else if (!strcmp(a, "--data")) data = v;
    else if (!strcmp(a, "--format")) format = v;
    else if (!strcmp(a, "--out")) out = v;
    else if (!strcmp(a, "--explain")) {
      int rc = vt_cli_parse_long("learn predict", a, v, 0, 10000, &k);
      if (rc) return rc;
    } else return vt_cli_usage_error("learn predict", "unknown option %s", a);
  }
  if (!model || !data) return vt_cli_usage_error("learn predict", "--model and --data are required");
  vt_error err = {0};
  vt_learn_model *m = NULL;
  size_t unseen = 0;
  if (vt_learn_model_load(model, &m, &err)) return vt_cli_fail(&err);
  vt_status st = vt_learn_predict(m, data, (int)k, format, out, &unseen, &err);
  vt_learn_model_free(m);
  if (st) return vt_cli_fail(&err);
  if (unseen)
    fprintf(stderr, "vertebra: learn predict: %zu categorical values not seen in training were "
                    "scored as all-zero one-hot\n", unseen);
  return VT_EXIT_OK;
}
