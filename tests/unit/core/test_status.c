/* test_status.c — vt_error records say where and why, and wrap outer context. */
#include "vt_test.h"
#include "vertebra/vertebra.h"

int main(void) {
  vt_error err;
  vt_error_clear(&err);
  CHECK_INT(err.status, VT_OK);
  CHECK_INT(vt_error_set(&err, VT_EFORMAT, "column 3", "not a number: '%s'", "abc"), VT_EFORMAT);
  vt_error_wrap(&err, "cohort.csv: row 12");
  char buf[256];
  CHECK_STR(vt_error_format(&err, buf, sizeof buf),
            "cohort.csv: row 12: column 3: not a number: 'abc'");
  CHECK_STR(vt_status_name(VT_ELIMIT), "VT_ELIMIT");
  CHECK_INT(vt_error_set(NULL, VT_EIO, NULL, "x"), VT_EIO); /* NULL record is allowed */
  /* overlong text is truncated, never overflows */
  char big[5000];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  vt_error_set(&err, VT_EINVAL, big, "%s", big);
  CHECK(strlen(err.where) == VT_ERROR_WHERE_MAX - 1);
  CHECK(strlen(err.message) == VT_ERROR_MESSAGE_MAX - 1);
  CHECK(vt_version()[0] >= '0');
  return VT_TEST_END();
}
