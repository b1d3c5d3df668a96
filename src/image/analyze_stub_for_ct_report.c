/* analyze_stub_for_ct_report.c — TEMPORARY stand-in for the spine analyzer
 * (branch ct-analyze implements include/vertebra/spine_analyze.h in
 * src/image/analyze_*.c). It exists only so that branch ct-report links
 * `vertebra ct analyze`, the renderers and the demo before the analyzer
 * lands: vt_spine_analyze always fails with VT_EUNSUPPORTED "analyzer not
 * built". DELETE THIS FILE when merging ct-analyze (drop the "TEMP stub"
 * commit); it must never ship next to the real analyzer. */
#include <stddef.h>

#include "vertebra/spine_analyze.h"

void vt_spine_analyze_defaults(vt_spine_analyze_opts *opts) {
  opts->jobs = 0;
  opts->min_label_confidence = 0.5;
}

vt_status vt_spine_analyze(const vt_volume *ct, const vt_spine_analyze_opts *opts, vt_progress_fn progress,
                           void *progress_user, vt_spine_analysis **out, vt_error *err) {
  (void)ct, (void)opts, (void)progress, (void)progress_user, (void)out;
  return vt_error_set(err, VT_EUNSUPPORTED, NULL,
                      "analyzer not built: this build has no spine analyzer (vt_spine_analyze)");
}

void vt_spine_analysis_free(vt_spine_analysis *a) { (void)a; }
const vt_volume *vt_spine_analysis_labels(const vt_spine_analysis *a) { (void)a; return NULL; }
size_t vt_spine_analysis_count(const vt_spine_analysis *a) { (void)a; return 0; }
const vt_spine_level *vt_spine_analysis_level(const vt_spine_analysis *a, size_t i) { (void)a, (void)i; return NULL; }
const vt_vertebra_morph *vt_spine_analysis_morph(const vt_spine_analysis *a, size_t i) { (void)a, (void)i; return NULL; }
size_t vt_spine_analysis_warning_count(const vt_spine_analysis *a) { (void)a; return 0; }
const char *vt_spine_analysis_warning(const vt_spine_analysis *a, size_t i) { (void)a, (void)i; return NULL; }

vt_status vt_spine_analysis_json(const vt_spine_analysis *a, char **json, vt_error *err) {
  (void)a, (void)json;
  return vt_error_set(err, VT_EUNSUPPORTED, NULL, "analyzer not built");
}
