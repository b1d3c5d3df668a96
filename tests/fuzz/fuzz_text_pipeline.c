/* fuzz_text_pipeline.c — libFuzzer target for the whole text pipeline: any
 * bytes through vt_text_extract, then every finding's spans checked and the
 * result rendered as JSONL, FHIR and NOTE_NLP (the output writers). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vertebra/text.h"
#include "vertebra/text_output.h"

static vt_text_engine *engine(void) {
  static vt_text_engine *eng;
  if (!eng) {
    vt_error err;
    if (vt_text_engine_new(&eng, &err)) __builtin_trap();
  }
  return eng;
}

static void render(vt_text_format fmt, const char *text, size_t len, const vt_text_result *res) {
  FILE *fp = fopen("/dev/null", "w");
  if (!fp) return;
  vt_text_output_options opt = {0};
  opt.format = fmt;
  opt.assign_note_ids = 1;
  vt_text_output *w = NULL;
  vt_error err;
  if (!vt_text_output_new(&w, fp, &opt, &err)) {
    if (vt_text_output_document(w, "fuzz", text, len, res, &err)) __builtin_trap();
    if (vt_text_output_finish(w, &err)) __builtin_trap();
  }
  vt_text_output_free(w);
  fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  vt_text_result *res = NULL;
  vt_error err;
  if (vt_text_extract(engine(), text, size, &res, &err)) return 0;
  size_t n = vt_text_result_count(res);
  size_t prev = 0;
  for (size_t i = 0; i < n; i++) {
    const vt_finding *f = vt_text_result_get(res, i);
    /* spans lie inside the text, findings come sorted by start */
    if (!f || !f->finding || f->span.start > f->span.end || f->span.end > size) __builtin_trap();
    if (f->span.start < prev) __builtin_trap();
    prev = f->span.start;
    if (f->sentence.start != VT_SPAN_NONE && (f->sentence.start > f->sentence.end || f->sentence.end > size))
      __builtin_trap();
    if (f->trigger_span.start != VT_SPAN_NONE &&
        (f->trigger_span.start > f->trigger_span.end || f->trigger_span.end > size))
      __builtin_trap();
  }
  render(VT_TEXT_FORMAT_JSONL, text, size, res);
  render(VT_TEXT_FORMAT_FHIR, text, size, res);
  render(VT_TEXT_FORMAT_NOTE_NLP, text, size, res);
  char *json = NULL;
  if (!vt_text_result_to_json("fuzz", text, size, res, &json, NULL, &err)) free(json);
  vt_text_result_free(res);
  return 0;
}
