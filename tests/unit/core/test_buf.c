/* test_buf.c — bounded buffers stop at their maximum; JSON/CSV escaping is exact. */
#include "vt_test.h"
#include "core/buf.h"

int main(void) {
  vt_buf b;
  vt__buf_init(&b, 10);
  CHECK_INT(vt__buf_append(&b, "0123456789", 10), VT_OK);
  CHECK_INT(vt__buf_putc(&b, 'x'), VT_ELIMIT);
  CHECK_INT(b.len, 10);
  vt__buf_free(&b);

  vt__buf_init(&b, 0);
  CHECK_INT(vt__buf_json_escape(&b, "a\"b\\c\n\x01", 7), VT_OK);
  CHECK_STR(b.data, "a\\\"b\\\\c\\n\\u0001");
  vt__buf_reset(&b);
  CHECK_INT(vt__buf_csv_field(&b, "plain", 5), VT_OK);
  CHECK_INT(vt__buf_putc(&b, ','), VT_OK);
  CHECK_INT(vt__buf_csv_field(&b, "say \"hi\",\nok", 12), VT_OK);
  CHECK_STR(b.data, "plain,\"say \"\"hi\"\",\nok\"");
  vt__buf_reset(&b);
  CHECK_INT(vt__buf_printf(&b, "%d-%s", 42, "x"), VT_OK);
  CHECK_STR(b.data, "42-x");
  vt__buf_free(&b);

  char *data = NULL;
  size_t len = 0;
  vt_error err;
  vt_error_clear(&err);
  CHECK_INT(vt__read_file("/nonexistent/file", 100, &data, &len, &err), VT_EIO);
  CHECK(strstr(err.where, "/nonexistent/file") != NULL);
  CHECK_INT(vt__read_file("/etc/passwd", 4, &data, &len, &err), VT_ELIMIT);
  CHECK(strstr(err.message, "limit") != NULL);
  CHECK_INT(vt__read_file("/etc", 100, &data, &len, &err), VT_EINVAL);
  return VT_TEST_END();
}
