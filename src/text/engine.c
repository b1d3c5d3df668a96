/* engine.c — the text engine: builds the rule sets once, then runs the pipeline
 * stages of stages.h on one document at a time, from any number of threads. */
#include <stdlib.h>
#include <string.h>

#include "text/engine.h"
#include "text/result.h"
#include "text/stages.h"

vt_status vt_text_engine_new(vt_text_engine **out, vt_error *err) {
  vt_text_engine *eng = calloc(1, sizeof *eng);
  if (!eng) return vt_error_set(err, VT_ENOMEM, "text engine", "out of memory");
  vt_status st = vt__section_rules_builtin(&eng->sections, err);
  if (!st) st = vt__targets_builtin(&eng->targets, err);
  if (!st) st = vt__context_builtin(&eng->context, err);
  if (st) {
    vt_text_engine_free(eng);
    return st;
  }
  *out = eng;
  return VT_OK;
}

void vt_text_engine_free(vt_text_engine *eng) {
  if (!eng) return;
  vt__section_rules_free(eng->sections);
  vt__targets_free(eng->targets);
  vt__context_free(eng->context);
  free(eng);
}

static vt_status check_load_args(vt_text_engine *eng, const char *path, vt_error *err) {
  if (!eng || !path || !*path)
    return vt_error_set(err, VT_EINVAL, "text engine", "no engine or no rule file given");
  return VT_OK;
}

vt_status vt_text_engine_load_targets(vt_text_engine *eng, const char *path, vt_error *err) {
  vt_status st = check_load_args(eng, path, err);
  return st ? st : vt__targets_load_json(eng->targets, path, err);
}

vt_status vt_text_engine_load_context(vt_text_engine *eng, const char *path, vt_error *err) {
  vt_status st = check_load_args(eng, path, err);
  return st ? st : vt__context_load(eng->context, path, err);
}

vt_status vt_text_engine_load_sections(vt_text_engine *eng, const char *path, vt_error *err) {
  vt_status st = check_load_args(eng, path, err);
  return st ? st : vt__section_rules_load_medspacy(eng->sections, path, err);
}

vt_status vt_text_extract(const vt_text_engine *eng, const char *text, size_t len,
                          vt_text_result **out, vt_error *err) {
  if (!eng || !out || (!text && len))
    return vt_error_set(err, VT_EINVAL, "text engine", "no engine, output or text given");
  if (len > VT_TEXT_MAX_DOC)
    return vt_error_set(err, VT_ELIMIT, "document",
                        "%zu bytes exceeds the limit of %zu bytes per document", len,
                        VT_TEXT_MAX_DOC);
  vt_text_result *res = calloc(1, sizeof *res);
  if (!res) return vt_error_set(err, VT_ENOMEM, "text engine", "out of memory");
  vt__doc doc;
  memset(&doc, 0, sizeof doc);
  vt_status st = vt__doc_init(&doc, text ? text : "", len, err);
  if (!st) st = vt__sections_find(eng->sections, &doc, err);
  if (!st) st = vt__sentences_split(&doc, err);
  if (!st) st = vt__targets_match(eng->targets, &doc, &res->list, err);
  if (!st) st = vt__attributes_apply(&doc, &res->list, err);
  if (!st) st = vt__context_apply(eng->context, &doc, &res->list, err);
  if (!st) st = vt__findings_sort(&res->list, err);
  vt__doc_free(&doc);
  if (st) {
    vt_text_result_free(res);
    return st;
  }
  *out = res;
  return VT_OK;
}

