/* result.h — what a vt_text_result holds, for the engine and the output writers. */
#ifndef VT_TEXT_RESULT_H
#define VT_TEXT_RESULT_H
#include "text/stages.h"

struct vt_text_result {
  vt__findings list; /* sorted by vt__findings_sort */
};

/* Sorts mentions stably by target start, end, finding id, level. VT_ENOMEM. */
vt_status vt__findings_sort(vt__findings *list, vt_error *err);

/* A result made from a list of mentions (taken; the list is left empty),
 * sorted like vt_text_extract's. For tests and internal producers. VT_ENOMEM. */
vt_status vt__text_result_from_list(vt__findings *list, vt_text_result **out, vt_error *err);
#endif
