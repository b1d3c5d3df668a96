/* fuzz_context.c — libFuzzer target for the ConText stage: the first byte picks
 * what the rest is: context rules in any of the three formats (parsed, then
 * used once), or "target\nsentence" asserted with the built-in rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/context_rules.h"
#include "text/engine.h"

static vt_text_engine eng;

static void assert_once(const char *data, size_t size) {
  const char *nl = memchr(data, '\n', size);
  if (!nl) return;
  vt_assertion a;
  vt_error err;
  vt_text_assert(&eng, nl + 1, size - (size_t)(nl + 1 - data), data, (size_t)(nl - data), &a,
                 &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vt_error err;
  if (!eng.context && vt__context_builtin(&eng.context, &err) != VT_OK) return 0;
  if (size < 1) return 0;
  const char *body = (const char *)data + 1;
  size_t n = size - 1;
  if (data[0] & 1) {
    assert_once(body, n);
    return 0;
  }
  vt__context *ctx = NULL;
  if (vt__ctx_new_empty(&ctx) != VT_OK) return 0;
  if (vt__ctx_load_mem(ctx, "fuzz", body, n, (data[0] >> 1) % VT_CTX_NCAT, &err) == VT_OK) {
    vt__context *saved = eng.context;
    eng.context = ctx;
    static const char probe[] = "pain\nNo history of pain, but possible mother pain if seen.";
    assert_once(probe, sizeof probe - 1);
    eng.context = saved;
  }
  vt__context_free(ctx);
  return 0;
}
