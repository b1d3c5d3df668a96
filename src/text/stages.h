/* stages.h — the contract between the text pipeline's stages. Each stage is its
 * own module (own .c, own unit test); engine.c runs them in this order:
 *   vt__doc_init (utf8 + lower + tokens)  tokenize.c
 *   vt__sections_find                      section.c
 *   vt__sentences_split                    sentence.c
 *   vt__targets_match                      targets.c
 *   vt__attributes_apply                   attributes.c
 *   vt__context_apply                      context.c
 * Rule sets are built once, then read-only and shared by threads. */
#ifndef VT_TEXT_STAGES_H
#define VT_TEXT_STAGES_H
#include "text/doc.h"
#include "vertebra/status.h"
#include "vertebra/text.h"

/* Maximum document size accepted by the pipeline (bytes). */
#define VT_TEXT_MAX_DOC ((size_t)64 << 20)

/* ---- a growable list of mentions ---- */
typedef struct vt__findings {
  vt_finding *v;
  size_t n, cap;
} vt__findings;
vt_status vt__findings_push(vt__findings *list, const vt_finding *f);
void vt__findings_free(vt__findings *list);
/* A mention with every span set to none, every attribute empty. */
void vt__finding_init(vt_finding *f);

/* ---- tokenize.c: validate UTF-8 (no NUL), lower-case copy, tokens ---- */
/* VT_EFORMAT names the byte offset of the first invalid sequence or NUL;
 * VT_ELIMIT over VT_TEXT_MAX_DOC. On failure doc is left empty. */
vt_status vt__doc_init(vt__doc *doc, const char *text, size_t len, vt_error *err);
void vt__doc_free(vt__doc *doc);

/* ---- section.c ---- */
typedef struct vt__section_rules vt__section_rules;
vt_status vt__section_rules_builtin(vt__section_rules **out, vt_error *err);
/* medspaCy en_section_patterns.json: [{"section_title": .., "pattern": str|[token dicts]}] */
vt_status vt__section_rules_load_medspacy(vt__section_rules *rules, const char *path,
                                          vt_error *err);
void vt__section_rules_free(vt__section_rules *rules);
vt_status vt__sections_find(const vt__section_rules *rules, vt__doc *doc, vt_error *err);

/* ---- sentence.c ---- */
vt_status vt__sentences_split(vt__doc *doc, vt_error *err);

/* ---- targets.c: finding lexicon and phrase matching ---- */
typedef struct vt__targets vt__targets;
vt_status vt__targets_builtin(vt__targets **out, vt_error *err);
/* Vertebra JSON target rules (docs/text-rules.md). */
vt_status vt__targets_load_json(vt__targets *t, const char *path, vt_error *err);
void vt__targets_free(vt__targets *t);
/* Appends one mention per target match: finding, snomed, span, sentence,
 * section set; the rest initialised by vt__finding_init. */
vt_status vt__targets_match(const vt__targets *t, const vt__doc *doc, vt__findings *out,
                            vt_error *err);

/* ---- attributes.c: level, side, severity, size, listhesis grade ---- */
/* May replace one mention by several ("at L3-4 and L4-5" -> two). */
vt_status vt__attributes_apply(const vt__doc *doc, vt__findings *list, vt_error *err);

/* ---- context.c: ConText assertion ---- */
typedef struct vt__context vt__context;
vt_status vt__context_builtin(vt__context **out, vt_error *err);
/* Detects the format: Vertebra JSON, medspaCy en_context_rules.json, or a
 * NegEx trigger file ("phrase\t\t[PREN]"). */
vt_status vt__context_load(vt__context *ctx, const char *path, vt_error *err);
void vt__context_free(vt__context *ctx);
vt_status vt__context_apply(const vt__context *ctx, const vt__doc *doc, vt__findings *list,
                            vt_error *err);
#endif
