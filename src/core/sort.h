/* sort.h — stable ascending sort of doubles by LSD radix on their bits:
 * O(n) where qsort's calls to a comparator cost O(n log n), and the same
 * order on every C library (glibc's qsort is a stable merge sort up to 2.36
 * and an unstable introsort after it). Equal keys, -0 and +0 included, keep
 * their input order, as a stable sort with the comparator x < y would. */
#ifndef VT_CORE_SORT_H
#define VT_CORE_SORT_H
#include <stddef.h>

#include "vertebra/status.h"

/* order[0..n) = the indices of key[0..n) in stable ascending order. Keys
 * must not be NaN. VT_ENOMEM (err filled) when scratch cannot be had. */
vt_status vt__sort_order(const double *key, size_t n, size_t *order, vt_error *err);

/* Sorts v[0..n) ascending in place (no NaN). VT_ENOMEM as above. */
vt_status vt__sort_doubles(double *v, size_t n, vt_error *err);
#endif
