/* big_alloc.c — see big_alloc.h. Small blocks come from calloc; from 8 MB on
 * an anonymous mapping (zero-filled by the kernel) with MADV_HUGEPAGE, so a
 * 2 MB page is faulted in at a time where the kernel allows it. */
#include "core/big_alloc.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_FROM ((size_t)8 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

void *vt__big_alloc(size_t bytes, size_t *mapped) {
  *mapped = 0;
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
  if (bytes >= HUGE_FROM && bytes <= (size_t)-1 - HUGE_PAGE) {
    size_t len = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      (void)madvise(p, len, MADV_HUGEPAGE); /* a hint: refused is fine */
      *mapped = len;
      return p;
    }
  }
#endif
  return calloc(bytes ? bytes : 1, 1);
}

void vt__big_free(void *p, size_t mapped) {
  if (!p) return;
  if (mapped)
    munmap(p, mapped);
  else
    free(p);
}
