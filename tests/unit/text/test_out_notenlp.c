/* test_out_notenlp.c — NOTE_NLP CSV read back with the RFC 4180 reader: the 14
 * columns of OMOP CDM v5.4 in order, CDM values for term_exists/term_temporal,
 * "offset" in characters (counted here with the C library's UTF-8 decoder),
 * integer note ids. The load into PostgreSQL is tests/text/note_nlp_postgres.sh. */
#include <stdlib.h>

#include "io/csv.h"
#include "out_fixture.h"
#include "text/output.h"
#include "vt_test.h"

static const char *cols[] = {"note_nlp_id", "note_id", "section_concept_id", "snippet", "offset",
                             "lexical_variant", "note_nlp_concept_id",
                             "note_nlp_source_concept_id", "nlp_system", "nlp_date",
                             "nlp_datetime", "term_exists", "term_temporal", "term_modifiers"};

int main(void) {
  CHECK(setlocale(LC_CTYPE, "C.UTF-8") != NULL);
  vt_status st;
  char *out = fixture_render(VT_TEXT_FORMAT_NOTE_NLP, 0, "42", &st);
  CHECK_INT(st, VT_OK);
  vt__csv *csv = NULL;
  vt_error err;
  CHECK_INT(vt__csv_open_mem("note_nlp", out, strlen(out), NULL, &csv, &err), VT_OK);
  size_t nf = 0;
  CHECK_INT(vt__csv_next(csv, &nf, &err), VT_OK);
  CHECK_INT(nf, 14);
  for (size_t i = 0; i < nf && i < 14; i++) CHECK_STR(vt__csv_field(csv, i, NULL), cols[i]);
  int rows = 0;
  while (vt__csv_next(csv, &nf, &err) == VT_OK && nf) {
    rows++;
    CHECK_INT(nf, 14);
    if (nf != 14) break;
    CHECK_INT(strtol(vt__csv_field(csv, 0, NULL), NULL, 10), rows);
    CHECK_STR(vt__csv_field(csv, 1, NULL), "42");
    CHECK_STR(vt__csv_field(csv, 9, NULL), "2026-11-22");
    CHECK_STR(vt__csv_field(csv, 10, NULL), "2026-11-22 20:00:00");
    const char *lex = vt__csv_field(csv, 5, NULL);
    const char *mods = vt__csv_field(csv, 13, NULL);
    size_t byte_off = fixture_find(lex);
    CHECK_INT(strtol(vt__csv_field(csv, 4, NULL), NULL, 10), fixture_chars(byte_off));
    CHECK(strstr(vt__csv_field(csv, 3, NULL), lex) != NULL); /* snippet holds the words */
    const char *exists = vt__csv_field(csv, 11, NULL), *temporal = vt__csv_field(csv, 12, NULL);
    if (!strcmp(lex, "disc protrusion")) {
      CHECK_STR(exists, "Y");
      CHECK_STR(temporal, "present");
      CHECK(strstr(mods, "level=L4-L5") && strstr(mods, "side=left") && strstr(mods, "severity=mild"));
      CHECK(strstr(mods, "negated=false") != NULL);
      CHECK(byte_off != fixture_chars(byte_off)); /* non-ASCII before it: offsets differ */
    } else if (!strcmp(lex, "spondylolisthesis")) {
      CHECK_STR(exists, "N");
      CHECK(strstr(mods, "negated=true") != NULL);
    } else {
      CHECK_STR(lex, "compression fracture");
      CHECK_STR(exists, "Y");
      CHECK_STR(temporal, "past");
      CHECK(strstr(mods, "snomed=42942008") != NULL);
    }
  }
  CHECK_INT(rows, 6);
  vt__csv_free(csv);
  free(out);

  /* a non-integer id fails without writing its rows; assigned ids count up */
  out = fixture_render(VT_TEXT_FORMAT_NOTE_NLP, 0, "report-7.txt", &st);
  CHECK_INT(st, VT_EINVAL);
  CHECK(out && strchr(out, '\n') == strrchr(out, '\n')); /* the header only */
  free(out);
  out = fixture_render(VT_TEXT_FORMAT_NOTE_NLP, 1, "report-7.txt", &st);
  CHECK_INT(st, VT_OK);
  CHECK(out && strstr(out, "\n1,1,0,") && strstr(out, "\n4,2,0,"));
  free(out);
  out = fixture_render(VT_TEXT_FORMAT_NOTE_NLP, 0, "2147483648", &st);
  CHECK_INT(st, VT_EINVAL);
  free(out);
  return VT_TEST_END();
}
