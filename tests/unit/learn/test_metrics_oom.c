/* test_metrics_oom.c — every allocation in the metrics, their JSON and the
 * report fails in turn (an allocator that fails the n-th call, as SQLite's
 * torture tests): each call must return VT_ENOMEM (or NULL for JSON) and
 * leak nothing, never crash. Skipped under AddressSanitizer, which owns
 * malloc; the normal build runs it. */
#include <stdio.h>

#if defined(__SANITIZE_ADDRESS__)
#define VT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VT_ASAN 1
#endif
#endif

#ifdef VT_ASAN
int main(void) {
  printf("skipped under AddressSanitizer\n");
  return 0;
}
#else
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learn/metrics.h"
#include "learn/report.h"
#include "learn/scores.h"
#include "vt_test.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static long fail_at = -1, count = 0, live = 0;

static int should_fail(void) { return fail_at >= 0 && count++ == fail_at; }

/* exported, so that jansson and libc (shared libraries) allocate through them
 * too; the build's default visibility is hidden */
#define EXPORT __attribute__((visibility("default")))

EXPORT void *malloc(size_t n) {
  if (should_fail()) return NULL;
  void *p = __libc_malloc(n);
  if (p) live++;
  return p;
}
EXPORT void *calloc(size_t a, size_t b) {
  if (should_fail()) return NULL;
  void *p = __libc_calloc(a, b);
  if (p) live++;
  return p;
}
EXPORT void *realloc(void *q, size_t n) {
  if (should_fail()) return NULL;
  void *p = __libc_realloc(q, n);
  if (p && !q) live++;
  return p;
}
EXPORT void free(void *p) {
  if (p) live--;
  __libc_free(p);
}

#define N 60

int main(void) {
  double p[N];
  unsigned char y[N];
  const char *g[N];
  for (int i = 0; i < N; i++) {
    p[i] = (double)((i * 37) % 100) / 100.0;
    y[i] = (i * 53) % 100 < 100 * p[i];
    g[i] = i % 3 ? "a" : "b";
  }
  vt__metrics_options o;
  vt__metrics_options_init(&o);
  o.bootstrap = 20;
  char dir[] = "/tmp/vt_oom_XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char html[128];
  snprintf(html, sizeof html, "%s/r.html", dir);
  /* one complete run first, so one-time library set-up (stdio, jansson's
   * hash seed, time zone) is not mistaken for a leak */
  {
    vt_error err;
    vt__metrics *m = NULL;
    o.jobs = 2;
    if (vt__metrics_compute(p, y, N, g, &o, &m, &err) == VT_OK) {
      json_decref(vt__metrics_to_json(m));
      vt__report_metrics set = {"all", m};
      vt__report r = {0};
      r.title = "t";
      r.sets = &set;
      r.nsets = 1;
      vt__report_write(&r, html, NULL, &err);
      unlink(html);
      vt__metrics_free(m);
    }
  }
  long ok_runs = 0, enomem = 0, leaks = 0, iterations = 0;
  /* pass 0: one thread, metrics + JSON + report, exact leak accounting;
   * pass 1: metrics with bootstrap threads (glibc keeps thread resources
   * across calls, so only the statuses are checked) */
  for (int pass = 0; pass < 2; pass++) {
  o.jobs = pass ? 2 : 1;
  for (long k = 0;; k++) {
    vt_error err;
    vt__metrics *m = NULL;
    long before = live;
    count = 0;
    fail_at = k;
    vt_status st = vt__metrics_compute(p, y, N, g, &o, &m, &err);
    iterations++;
    if (st == VT_OK && pass == 1) {
      vt__metrics_free(m);
    } else if (st == VT_OK) {
      json_t *j = vt__metrics_to_json(m);
      json_decref(j);
      vt__report_metrics set = {"all", m};
      vt__report r = {0};
      r.title = "t";
      r.sets = &set;
      r.nsets = 1;
      vt_status rs = vt__report_write(&r, html, NULL, &err);
      CHECK(rs == VT_OK || rs == VT_ENOMEM || rs == VT_EIO);
      unlink(html);
      vt__metrics_free(m);
    } else {
      CHECK_MSG(st == VT_ENOMEM, "allocation %ld: status %d", k, (int)st);
      enomem++;
    }
    long reached = count;
    fail_at = -1;
    if (!pass) {
      if (live != before) leaks++;
      CHECK_MSG(live == before, "allocation %ld failed: %ld blocks leaked", k, live - before);
    }
    if (reached <= k) { /* no allocation failed: every path has been walked */
      ok_runs++;
      break;
    }
  }
  }
  printf("%ld runs, each failing one allocation in turn; %ld metrics runs gave VT_ENOMEM; "
         "%ld leaked\n",
         iterations, enomem, leaks);
  CHECK(enomem > 50);

  /* the score-table reader */
  static const char csv[] = "y,p,g\n1,0.9,a\n0,0.1,b\n1,0.4,a\n0,0.6,b\n";
  vt__scores_options so = {0};
  so.label = "y";
  so.score = "p";
  so.subgroup = "g";
  long reader_runs = 0;
  for (long k = 0;; k++) {
    vt_error err;
    vt__scores sc = {0};
    long before = live;
    count = 0;
    fail_at = k;
    vt_status st = vt__scores_read_mem("t.csv", csv, sizeof csv - 1, &so, &sc, &err);
    long reached = count;
    fail_at = -1;
    CHECK_MSG(st == VT_OK || st == VT_ENOMEM, "reader, allocation %ld: status %d", k, (int)st);
    if (st == VT_OK) vt__scores_free(&sc);
    CHECK_MSG(live == before, "reader, allocation %ld failed: %ld blocks leaked", k, live - before);
    reader_runs++;
    if (reached <= k) break;
  }
  printf("score reader: %ld runs, no leak\n", reader_runs);
  rmdir(dir);
  return VT_TEST_END();
}
#endif
