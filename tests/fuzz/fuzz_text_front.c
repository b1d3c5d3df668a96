/* fuzz_text_front.c — libFuzzer target for the front of the text pipeline:
 * tokenizer (UTF-8 validation), section finder and sentence splitter, with
 * invariants on the spans they return. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "text/stages.h"

static vt__section_rules *rules;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vt_error err;
  if (!rules && vt__section_rules_builtin(&rules, &err)) abort();
  vt__doc d;
  if (vt__doc_init(&d, (const char *)data, size, &err) != VT_OK) return 0;
  if (vt__sections_find(rules, &d, &err) == VT_OK && vt__sentences_split(&d, &err) == VT_OK) {
    for (size_t i = 0; i < d.ntoks; i++)
      if (d.toks[i].start >= d.toks[i].end || d.toks[i].end > size ||
          (i && d.toks[i].start < d.toks[i - 1].end))
        abort();
    for (size_t i = 0; i < d.nsecs; i++)
      if (d.secs[i].head_start > d.secs[i].head_end || d.secs[i].start > d.secs[i].end ||
          d.secs[i].end > size)
        abort();
    for (size_t i = 0; i < d.nsents; i++)
      if (d.sents[i].tok_begin >= d.sents[i].tok_end || d.sents[i].tok_end > d.ntoks ||
          d.sents[i].start > d.sents[i].end || d.sents[i].end > size ||
          (i && d.sents[i].start < d.sents[i - 1].end) || d.sents[i].section >= (int)d.nsecs)
        abort();
  }
  vt__doc_free(&d);
  return 0;
}
