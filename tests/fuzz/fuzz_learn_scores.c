/* fuzz_learn_scores.c — libFuzzer target for the score-table reader and,
 * when a table is accepted, every metric and its JSON (ties, extreme
 * probabilities, tiny and one-sided subgroups). */
#include <stddef.h>
#include <stdint.h>

#include "learn/metrics.h"
#include "learn/scores.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vt__scores_options o = {0};
  o.label = "y";
  o.score = "p";
  o.subgroup = size > 0 && (data[0] & 1) ? "g" : NULL;
  o.logit = size > 0 && (data[0] & 2);
  o.max_rows = 2000;
  vt__scores s = {0};
  vt_error err;
  if (vt__scores_read_mem("fuzz.csv", (const char *)data, size, &o, &s, &err) == VT_OK) {
    vt__metrics_options mo;
    vt__metrics_options_init(&mo);
    mo.bootstrap = 20;
    vt__metrics *m = NULL;
    if (vt__metrics_compute(s.prob, s.y, s.n, (const char *const *)s.group, &mo, &m, &err) ==
        VT_OK) {
      json_t *j = vt__metrics_to_json(m);
      json_decref(j);
      vt__metrics_free(m);
    }
    vt__scores_free(&s);
  }
  return 0;
}
