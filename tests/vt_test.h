/* vt_test.h — the minimal unit-test harness: CHECK macros that count, and a
 * closing line "N passed, N failed". A test file's main() returns VT_TEST_END(). */
#ifndef VT_TEST_H
#define VT_TEST_H
#include <math.h>
#include <stdio.h>
#include <string.h>

static int vt_test_passed, vt_test_failed;

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (cond) {                                                                  \
      vt_test_passed++;                                                          \
    } else {                                                                     \
      vt_test_failed++;                                                          \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
    }                                                                            \
  } while (0)

#define CHECK_MSG(cond, ...)                                                     \
  do {                                                                           \
    if (cond) {                                                                  \
      vt_test_passed++;                                                          \
    } else {                                                                     \
      vt_test_failed++;                                                          \
      fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);   \
      fprintf(stderr, __VA_ARGS__);                                              \
      fputc('\n', stderr);                                                       \
    }                                                                            \
  } while (0)

#define CHECK_STR(a, b) CHECK_MSG(strcmp((a), (b)) == 0, "'%s' != '%s'", (a), (b))
#define CHECK_INT(a, b) CHECK_MSG((long long)(a) == (long long)(b), "%lld != %lld", \
                                  (long long)(a), (long long)(b))
#define CHECK_NEAR(a, b, tol) CHECK_MSG(fabs((double)(a) - (double)(b)) <= (tol), \
                                        "%.10g vs %.10g (tol %g)", (double)(a), (double)(b), (double)(tol))

#define VT_TEST_END()                                                            \
  (printf("%d passed, %d failed\n", vt_test_passed, vt_test_failed), vt_test_failed != 0)
#endif
