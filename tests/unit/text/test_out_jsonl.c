/* test_out_jsonl.c — the JSONL line: parsed back with jansson (an independent
 * JSON parser), its spans must cut exactly the words they claim. */
#include <jansson.h>

#include "out_fixture.h"
#include "text/output.h"
#include "vt_test.h"

static void check_line(json_t *doc) {
  CHECK_STR(json_string_value(json_object_get(doc, "id")), "rep-1");
  json_t *fs = json_object_get(doc, "findings");
  CHECK_INT(json_array_size(fs), 3);
  /* sorted by span start: protrusion, spondylolisthesis, fracture */
  const char *order[] = {"disc_protrusion", "spondylolisthesis", "compression_fracture"};
  size_t prev = 0;
  for (size_t i = 0; i < json_array_size(fs) && i < 3; i++) {
    json_t *f = json_array_get(fs, i);
    CHECK_STR(json_string_value(json_object_get(f, "finding")), order[i]);
    json_t *span = json_object_get(f, "span");
    size_t s = (size_t)json_integer_value(json_array_get(span, 0));
    size_t e = (size_t)json_integer_value(json_array_get(span, 1));
    CHECK(s >= prev);
    prev = s;
    CHECK(e <= strlen(fixture_text));
    /* byte offsets: the text field equals those bytes of the input */
    const char *t = json_string_value(json_object_get(f, "text"));
    CHECK(t && strlen(t) == e - s && !memcmp(t, fixture_text + s, e - s));
    CHECK(json_is_boolean(json_object_get(f, "negated")));
    /* char_span: the same words in code points (counted by mbrtowc here) */
    json_t *cs = json_object_get(f, "char_span");
    CHECK_INT(json_integer_value(json_array_get(cs, 0)), fixture_chars(s));
    CHECK_INT(json_integer_value(json_array_get(cs, 1)), fixture_chars(e));
    CHECK_STR(json_string_value(json_object_get(f, "experiencer")), "patient");
  }
  json_t *p = json_array_get(fs, 0);
  CHECK_STR(json_string_value(json_object_get(p, "level")), "L4-L5");
  CHECK_STR(json_string_value(json_object_get(p, "level_kind")), "disc");
  CHECK_STR(json_string_value(json_object_get(p, "side")), "left");
  CHECK_STR(json_string_value(json_object_get(p, "severity")), "mild");
  CHECK(json_is_null(json_object_get(p, "snomed")));
  CHECK(json_is_null(json_object_get(p, "trigger")));
  CHECK_NEAR(json_number_value(json_object_get(p, "size_mm")), 3.5, 1e-9);
  json_t *n = json_array_get(fs, 1);
  CHECK(json_is_true(json_object_get(n, "negated")));
  CHECK_STR(json_string_value(json_object_get(n, "snomed")), "274152003");
  json_t *trig = json_object_get(n, "trigger");
  CHECK_STR(json_string_value(json_object_get(trig, "text")), "No");
  CHECK_STR(json_string_value(json_object_get(trig, "category")), "NEGATED_EXISTENCE");
  json_t *fr = json_array_get(fs, 2);
  CHECK(json_is_true(json_object_get(fr, "historical")));
  CHECK_STR(json_string_value(json_object_get(fr, "section")), "impression");

  json_t *sum = json_object_get(doc, "summary");
  CHECK(json_is_true(json_object_get(sum, "disc_protrusion")));
  CHECK(json_is_false(json_object_get(sum, "listhesis_grade_1"))); /* negated */
  CHECK(json_is_false(json_object_get(sum, "fracture")));          /* historical only */
  CHECK(json_is_false(json_object_get(sum, "any_stenosis")));
  CHECK(json_is_false(json_object_get(sum, "spondylolisthesis")));
  CHECK(json_is_false(json_object_get(sum, "compression_fracture")));
  CHECK_INT(json_object_size(sum), 26 + 2); /* LIRE labels + two non-LIRE ids */
}

int main(void) {
  CHECK(setlocale(LC_CTYPE, "C.UTF-8") != NULL);
  vt_status st;
  char *out = fixture_render(VT_TEXT_FORMAT_JSONL, 0, "rep-1", &st);
  CHECK_INT(st, VT_OK);
  /* exactly two lines, each a JSON object */
  char *nl = strchr(out, '\n');
  CHECK(nl && strchr(nl + 1, '\n') && !strchr(strchr(nl + 1, '\n') + 1, '\n'));
  json_error_t jerr;
  json_t *doc = json_loadb(out, nl ? (size_t)(nl - out) : 0, 0, &jerr);
  CHECK_MSG(doc != NULL, "%s", jerr.text);
  if (doc) check_line(doc);
  json_decref(doc);
  free(out);

  /* invalid UTF-8 and control bytes in an id still give valid JSON */
  vt_text_result *res = fixture_result();
  char *json = NULL;
  size_t jl = 0;
  vt_error err;
  CHECK_INT(vt_text_result_to_json("bad\xff\xc0id\x01", fixture_text, strlen(fixture_text), res,
                                   &json, &jl, &err),
            VT_OK);
  json_t *d2 = json_loadb(json, jl, 0, &jerr);
  CHECK_MSG(d2 != NULL, "%s", jerr.text);
  if (d2) CHECK_STR(json_string_value(json_object_get(d2, "id")), "bad\xEF\xBF\xBD\xEF\xBF\xBDid\x01");
  json_decref(d2);
  free(json);
  vt_text_result_free(res);

  /* an empty result still has every LIRE label, all false */
  vt__findings empty = {0};
  vt_text_result *r0 = NULL;
  CHECK_INT(vt__text_result_from_list(&empty, &r0, &err), VT_OK);
  CHECK_INT(vt_text_result_to_json("e", "", 0, r0, &json, &jl, &err), VT_OK);
  json_t *d3 = json_loads(json, 0, &jerr);
  CHECK(d3 && json_array_size(json_object_get(d3, "findings")) == 0);
  CHECK(d3 && json_object_size(json_object_get(d3, "summary")) == 26);
  json_decref(d3);
  free(json);
  vt_text_result_free(r0);

  vt_text_format f;
  CHECK_INT(vt_text_format_parse("note-nlp", &f), VT_OK);
  CHECK_INT(f, VT_TEXT_FORMAT_NOTE_NLP);
  CHECK_INT(vt_text_format_parse("xml", &f), VT_EINVAL);
  return VT_TEST_END();
}
