/* big_alloc.h — zero-filled allocations of many megabytes (CT volumes, the
 * bytes of a DICOM series) backed by transparent huge pages where the system
 * offers them. Filling 100 MB of ordinary 4 KB pages takes ~25,000 page
 * faults, which on a virtual machine cost more than decoding the images. */
#ifndef VT_CORE_BIG_ALLOC_H
#define VT_CORE_BIG_ALLOC_H
#include <stddef.h>

/* A zero-filled block of `bytes`; *mapped receives what vt__big_free needs
 * (0 when the block came from calloc). NULL when out of memory. */
void *vt__big_alloc(size_t bytes, size_t *mapped);
/* Frees a block from vt__big_alloc (NULL is fine). */
void vt__big_free(void *p, size_t mapped);
#endif
