/* text.h — the spine-report NLP engine: sections, sentences, findings with
 * vertebral level, side, severity and ConText assertion, each tied to the exact
 * span of text behind it. One immutable engine serves many threads. */
#ifndef VERTEBRA_TEXT_H
#define VERTEBRA_TEXT_H
#include <stddef.h>

#include "vertebra/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Half-open character range [start, end) in bytes of the UTF-8 input.
 * VT_NO_SPAN marks an absent span (start == end == VT_SPAN_NONE). */
typedef struct vt_text_span {
  size_t start;
  size_t end;
} vt_text_span;
#define VT_SPAN_NONE ((size_t)-1)

typedef enum vt_experiencer {
  VT_EXPERIENCER_PATIENT = 0,
  VT_EXPERIENCER_FAMILY,
  VT_EXPERIENCER_OTHER
} vt_experiencer;

typedef enum vt_level_kind {
  VT_LEVEL_NONE = 0,
  VT_LEVEL_VERTEBRA, /* "L4" */
  VT_LEVEL_DISC,     /* "L4-L5": adjacent vertebrae */
  VT_LEVEL_RANGE     /* "L3-S1": "L3 through S1", non-adjacent */
} vt_level_kind;

/* One mention of a finding. Plain value struct; the strings point into the
 * engine (finding, snomed, section, trigger categories) or are inline arrays. */
typedef struct vt_finding {
  const char *finding;       /* snake_case id, e.g. "disc_protrusion" (docs/findings.md) */
  const char *snomed;        /* verified SNOMED CT code or NULL (never invented) */
  vt_level_kind level_kind;
  char level[16];            /* "L4", "L4-L5", "L3-S1" or "" */
  vt_text_span level_span;
  char side[16];             /* left|right|bilateral|central|paracentral or "" */
  vt_text_span side_span;
  char severity[24];         /* mild|mild-to-moderate|moderate|moderate-to-severe|severe or "" */
  vt_text_span severity_span;
  int listhesis_grade;       /* 1..4 (Meyerding), 0 if not stated */
  double size_mm;            /* stated size in mm (cm converted), < 0 if not stated */
  int negated, uncertain, historical, hypothetical;
  vt_experiencer experiencer;
  vt_text_span trigger_span;     /* the ConText trigger that modified it, or none */
  const char *trigger_category;  /* e.g. "NEGATED_EXISTENCE", or NULL */
  const char *section;           /* canonical section name ("impression") or NULL */
  vt_text_span span;             /* the target words */
  vt_text_span sentence;         /* the sentence holding them */
} vt_finding;

typedef struct vt_text_engine vt_text_engine;
typedef struct vt_text_result vt_text_result;

/* Builds an engine with the built-in section, target and context rules.
 * VT_ENOMEM. Free with vt_text_engine_free. */
VT_API vt_status vt_text_engine_new(vt_text_engine **out, vt_error *err);
VT_API void vt_text_engine_free(vt_text_engine *eng);

/* Adds user rules before first use (docs/text-rules.md):
 *  - targets: Vertebra JSON target rules;
 *  - context: Vertebra JSON, NegEx trigger TSV ("phrase\t\t[PREN]"), or
 *    medspaCy en_context_rules.json (format detected from content);
 *  - sections: medspaCy en_section_patterns.json.
 * VT_EIO, VT_EFORMAT (file, line/field, reason), VT_ELIMIT. */
VT_API vt_status vt_text_engine_load_targets(vt_text_engine *eng, const char *path, vt_error *err);
VT_API vt_status vt_text_engine_load_context(vt_text_engine *eng, const char *path, vt_error *err);
VT_API vt_status vt_text_engine_load_sections(vt_text_engine *eng, const char *path, vt_error *err);

/* Runs the whole pipeline on one document. `text` need not be NUL-terminated;
 * it must be valid UTF-8 without NUL bytes (else VT_EFORMAT naming the byte
 * offset). Documents over 64 MiB give VT_ELIMIT. Thread-safe for a shared
 * engine. The result is owned by the caller (vt_text_result_free). */
VT_API vt_status vt_text_extract(const vt_text_engine *eng, const char *text, size_t len,
                                 vt_text_result **out, vt_error *err);
VT_API void vt_text_result_free(vt_text_result *res);
VT_API size_t vt_text_result_count(const vt_text_result *res);
/* Borrowed; valid until the result is freed. i < count. */
VT_API const vt_finding *vt_text_result_get(const vt_text_result *res, size_t i);

/* The assertion of one target phrase in one sentence (NegEx/ConText test-kit
 * mode, `vertebra text assert`). */
typedef struct vt_assertion {
  int negated, uncertain, historical, hypothetical;
  vt_experiencer experiencer;
  vt_text_span trigger_span;    /* into the sentence, or none */
  const char *trigger_category; /* or NULL */
} vt_assertion;

/* Finds `target` (case-insensitive) in `sentence` and applies the engine's
 * context rules to it. VT_ENOTFOUND when the phrase is not in the sentence. */
VT_API vt_status vt_text_assert(const vt_text_engine *eng, const char *sentence, size_t len,
                                const char *target, size_t target_len, vt_assertion *out,
                                vt_error *err);

#ifdef __cplusplus
}
#endif
#endif
