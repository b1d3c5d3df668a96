/* findings.c — the growable list of mentions passed between text stages. */
#include <stdlib.h>
#include <string.h>

#include "text/stages.h"

void vt__finding_init(vt_finding *f) {
  memset(f, 0, sizeof *f);
  vt_text_span none = {VT_SPAN_NONE, VT_SPAN_NONE};
  f->level_span = f->side_span = f->severity_span = none;
  f->trigger_span = f->span = f->sentence = none;
  f->size_mm = -1.0;
  f->experiencer = VT_EXPERIENCER_PATIENT;
}

vt_status vt__findings_push(vt__findings *list, const vt_finding *f) {
  if (list->n == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 16;
    if (cap > ((size_t)1 << 24)) return VT_ELIMIT;
    vt_finding *v = realloc(list->v, cap * sizeof *v);
    if (!v) return VT_ENOMEM;
    list->v = v;
    list->cap = cap;
  }
  list->v[list->n++] = *f;
  return VT_OK;
}

void vt__findings_free(vt__findings *list) {
  free(list->v);
  list->v = NULL;
  list->n = list->cap = 0;
}
