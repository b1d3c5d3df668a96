/* test_csv.c — RFC 4180 cases, limits and error positions of the CSV reader,
 * plus real files from ../shared (UCI vertebral column, MTSamples spine). */
#include <stdlib.h>

#include "vt_test.h"
#include "io/csv.h"

static vt__csv *mem(const char *s, const vt__csv_options *o) {
  vt__csv *c = NULL;
  vt_error err;
  if (vt__csv_open_mem("t.csv", s, strlen(s), o, &c, &err)) return NULL;
  return c;
}

static void test_rfc4180(void) {
  const char *s = "\xEF\xBB\xBFid,text\r\n1,\"a, \"\"quoted\"\"\r\nline\"\r\n2,plain\n\n3,\n";
  vt__csv *c = mem(s, NULL);
  vt_error err;
  size_t n, len;
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK);
  CHECK_INT(n, 2);
  CHECK_STR(vt__csv_field(c, 0, NULL), "id"); /* BOM stripped */
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK);
  CHECK_INT(n, 2);
  CHECK_STR(vt__csv_field(c, 1, &len), "a, \"quoted\"\r\nline");
  CHECK_INT(len, 17);
  CHECK_INT(vt__csv_line(c), 2);
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK);
  CHECK_INT(vt__csv_line(c), 4);
  CHECK_STR(vt__csv_field(c, 1, NULL), "plain");
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK); /* blank line: one empty field */
  CHECK_INT(n, 1);
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK); /* trailing delimiter: empty last field */
  CHECK_INT(n, 2);
  CHECK_STR(vt__csv_field(c, 1, NULL), "");
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK);
  CHECK_INT(n, 0);
  vt__csv_free(c);
}

static void test_errors(void) {
  vt_error err;
  size_t n;
  vt__csv *c = mem("a,b\n1,\"never closed\n2,3\n", NULL);
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK);
  CHECK_INT(vt__csv_next(c, &n, &err), VT_EFORMAT);
  CHECK_STR(err.where, "t.csv: line 2, column 3");
  CHECK(strstr(err.message, "unterminated") != NULL);
  vt__csv_free(c);

  c = mem("\"ab\"c,d\n", NULL);
  CHECK_INT(vt__csv_next(c, &n, &err), VT_EFORMAT);
  CHECK(strstr(err.message, "after a closing quote") != NULL);
  vt__csv_free(c);

  vt__csv_options o = {0};
  o.max_field = 4;
  c = mem("abcd,abcde\n", &o);
  CHECK_INT(vt__csv_next(c, &n, &err), VT_ELIMIT);
  CHECK(strstr(err.message, "field longer") != NULL);
  vt__csv_free(c);

  o.max_field = 0;
  o.max_fields = 3;
  c = mem("a,b,c,d\n", &o);
  CHECK_INT(vt__csv_next(c, &n, &err), VT_ELIMIT);
  vt__csv_free(c);

  CHECK_INT(vt__csv_open_file("/nonexistent.csv", NULL, &c, &err), VT_EIO);
}

static void test_tsv_and_cr(void) {
  vt__csv_options o = {0};
  o.delimiter = '\t';
  o.quoting = -1;
  vt_error err;
  size_t n;
  vt__csv *c = mem("x\t\"y\r1\t2\r", &o); /* CR-only line ends, quotes literal */
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK);
  CHECK_STR(vt__csv_field(c, 1, NULL), "\"y");
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK);
  CHECK_INT(vt__csv_line(c), 2);
  CHECK_STR(vt__csv_field(c, 0, NULL), "1");
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK);
  CHECK_INT(n, 0);
  vt__csv_free(c);
}

static void test_real_files(void) {
  vt_error err;
  size_t n, rows = 0, abnormal = 0;
  vt__csv *c = NULL;
  CHECK_INT(vt__csv_open_file(VT_SHARED_DATA "/tabular/uci_vertebral_column/column_2C_weka.csv",
                              NULL, &c, &err), VT_OK);
  if (!c) return;
  CHECK_INT(vt__csv_next(c, &n, &err), VT_OK);
  CHECK_INT(n, 7);
  while (vt__csv_next(c, &n, &err) == VT_OK && n > 0) {
    CHECK_INT(n, 7);
    rows++;
    if (!strcmp(vt__csv_field(c, 6, NULL), "Abnormal")) abnormal++;
  }
  vt__csv_free(c);
  /* PROVENANCE.md: 310 rows, AB 210 / NO 100 */
  CHECK_INT(rows, 310);
  CHECK_INT(abnormal, 210);

  /* MTSamples spine: quoted multi-line transcriptions, 1,401 rows */
  CHECK_INT(vt__csv_open_file(VT_SHARED_DATA "/reports/mtsamples_spine.csv", NULL, &c, &err),
            VT_OK);
  if (!c) return;
  size_t header = 0, records = 0;
  CHECK_INT(vt__csv_next(c, &header, &err), VT_OK);
  vt_status st;
  while ((st = vt__csv_next(c, &n, &err)) == VT_OK && n > 0) {
    CHECK_INT(n, header);
    records++;
  }
  CHECK_INT(st, VT_OK);
  CHECK_INT(records, 1401);
  vt__csv_free(c);
}

int main(void) {
  test_rfc4180();
  test_errors();
  test_tsv_and_cr();
  test_real_files();
  return VT_TEST_END();
}
