/* result.c — a document's findings as handed to callers: sorted, counted, freed. */
#include <stdlib.h>
#include <string.h>

#include "text/result.h"

/* Output order: by target start, then end, then finding id and level, so that
 * the same text always gives the same lines whatever order the stages used. */
static int finding_cmp(const vt_finding *a, const vt_finding *b) {
  if (a->span.start != b->span.start) return a->span.start < b->span.start ? -1 : 1;
  if (a->span.end != b->span.end) return a->span.end < b->span.end ? -1 : 1;
  int c = strcmp(a->finding ? a->finding : "", b->finding ? b->finding : "");
  if (c) return c;
  return strcmp(a->level, b->level);
}

/* A stable merge sort: qsort is not stable, and equal keys (two mentions of
 * one phrase at one level) must keep the stages' order. */
static void merge_sort(vt_finding *v, vt_finding *tmp, size_t n) {
  if (n < 2) return;
  size_t h = n / 2;
  merge_sort(v, tmp, h);
  merge_sort(v + h, tmp, n - h);
  if (finding_cmp(&v[h - 1], &v[h]) <= 0) return;
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) tmp[k++] = finding_cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
  while (i < h) tmp[k++] = v[i++];
  while (j < n) tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof *v);
}

vt_status vt__findings_sort(vt__findings *list, vt_error *err) {
  if (list->n < 2) return VT_OK;
  vt_finding *tmp = malloc(list->n * sizeof *tmp);
  if (!tmp) return vt_error_set(err, VT_ENOMEM, "text engine", "out of memory sorting findings");
  merge_sort(list->v, tmp, list->n);
  free(tmp);
  return VT_OK;
}

void vt_text_result_free(vt_text_result *res) {
  if (!res) return;
  vt__findings_free(&res->list);
  free(res);
}

size_t vt_text_result_count(const vt_text_result *res) { return res ? res->list.n : 0; }

const vt_finding *vt_text_result_get(const vt_text_result *res, size_t i) {
  return res && i < res->list.n ? &res->list.v[i] : NULL;
}

/* For unit tests and other internal producers: a result made from a list of
 * mentions (taken; the list is left empty), sorted like vt_text_extract's. */
vt_status vt__text_result_from_list(vt__findings *list, vt_text_result **out, vt_error *err) {
  vt_text_result *res = calloc(1, sizeof *res);
  if (!res) return vt_error_set(err, VT_ENOMEM, "text engine", "out of memory");
  res->list = *list;
  memset(list, 0, sizeof *list);
  vt_status st = vt__findings_sort(&res->list, err);
  if (st) {
    vt_text_result_free(res);
    return st;
  }
  *out = res;
  return VT_OK;
}
