/* out_fixture.h — a hand-built document and mention list for the output tests
 * (the pipeline stages are tested in their own files). */
#ifndef VT_TEST_OUT_FIXTURE_H
#define VT_TEST_OUT_FIXTURE_H
#include <string.h>

#include "text/result.h"

/* Non-ASCII on purpose ("é" and "≥" are 2 and 3 bytes) so byte and character
 * offsets differ. */
static const char fixture_text[] =
    "IMPRESSION: Résumé: ≥ mild disc protrusion at L4-L5, left.\n"
    "No spondylolisthesis. History of \"L1\" compression fracture.\n";

static inline size_t fixture_find(const char *needle) {
  const char *p = strstr(fixture_text, needle);
  return p ? (size_t)(p - fixture_text) : (size_t)-1;
}

static inline vt_text_result *fixture_result(void) {
  vt__findings list = {0};
  vt_finding f;
  size_t s1 = fixture_find("Résumé"), e1 = fixture_find("\nNo");
  /* pushed out of order on purpose: the result must be sorted by start */
  vt__finding_init(&f);
  f.finding = "compression_fracture";
  f.snomed = "42942008";
  f.level_kind = VT_LEVEL_VERTEBRA;
  strcpy(f.level, "L1");
  f.historical = 1;
  f.section = "impression";
  f.span.start = fixture_find("compression");
  f.span.end = f.span.start + strlen("compression fracture");
  f.sentence.start = fixture_find("History");
  f.sentence.end = fixture_find("fracture.") + 9;
  f.trigger_span.start = fixture_find("History");
  f.trigger_span.end = f.trigger_span.start + 10;
  f.trigger_category = "HISTORICAL";
  vt__findings_push(&list, &f);

  vt__finding_init(&f);
  f.finding = "disc_protrusion";
  f.level_kind = VT_LEVEL_DISC;
  strcpy(f.level, "L4-L5");
  strcpy(f.side, "left");
  strcpy(f.severity, "mild");
  f.size_mm = 3.5;
  f.section = "impression";
  f.span.start = fixture_find("disc protrusion");
  f.span.end = f.span.start + strlen("disc protrusion");
  f.sentence.start = s1;
  f.sentence.end = e1;
  vt__findings_push(&list, &f);

  vt__finding_init(&f);
  f.finding = "spondylolisthesis";
  f.snomed = "274152003";
  f.negated = 1;
  f.section = "impression";
  f.span.start = fixture_find("spondylolisthesis");
  f.span.end = f.span.start + strlen("spondylolisthesis");
  f.sentence.start = fixture_find("No ");
  f.sentence.end = f.span.end + 1;
  f.trigger_span.start = f.sentence.start;
  f.trigger_span.end = f.sentence.start + 2;
  f.trigger_category = "NEGATED_EXISTENCE";
  vt__findings_push(&list, &f);

  vt_text_result *res = NULL;
  vt_error err;
  if (vt__text_result_from_list(&list, &res, &err)) return NULL;
  return res;
}

/* Characters before byte `off` of the fixture, by the C library's UTF-8
 * decoder (independent of our own UTF-8 code); needs setlocale C.UTF-8. */
#include <locale.h>
#include <wchar.h>
static inline size_t fixture_chars(size_t off) {
  mbstate_t ps;
  memset(&ps, 0, sizeof ps);
  size_t i = 0, c = 0;
  while (i < off) {
    size_t k = mbrtowc(NULL, fixture_text + i, off - i, &ps);
    if (k == 0 || k > off - i) break;
    i += k;
    c++;
  }
  return c;
}

/* Writes a document through a writer into a memory stream; returns malloc'd text. */
#include <stdio.h>
#include <stdlib.h>
#include "vertebra/text_output.h"
static inline char *fixture_render(vt_text_format fmt, int assign, const char *id, vt_status *st_out) {
  FILE *fp = tmpfile();
  vt_text_output_options opt = {0};
  opt.format = fmt;
  opt.assign_note_ids = assign;
  opt.nlp_date = "2026-11-22";
  opt.nlp_datetime = "2026-11-22 20:00:00";
  vt_text_output *w = NULL;
  vt_error err;
  vt_text_result *res = fixture_result();
  vt_status st = vt_text_output_new(&w, fp, &opt, &err);
  if (!st) st = vt_text_output_document(w, id, fixture_text, strlen(fixture_text), res, &err);
  if (!st) st = vt_text_output_document(w, id, fixture_text, strlen(fixture_text), res, &err);
  if (!st) st = vt_text_output_finish(w, &err);
  vt_text_output_free(w);
  vt_text_result_free(res);
  long size = ftell(fp);
  char *data = calloc(1, (size_t)(size > 0 ? size : 0) + 1);
  rewind(fp);
  if (data && size > 0 && fread(data, 1, (size_t)size, fp) != (size_t)size) data[0] = '\0';
  fclose(fp);
  *st_out = st;
  return data;
}
#endif
