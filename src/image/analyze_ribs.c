/* analyze_ribs.c — the ribs traced from the column: each rib-bearing
 * vertebra gives off one rib each side, which leaves the column beside its
 * transverse process and runs on laterally (or out of the field of view),
 * while a lumbar transverse process stops 35-50 mm from the midline. So a
 * piece of bone that starts beside the column and reaches far out, or leaves
 * the image, is a rib, and where it starts (its root) says which vertebra
 * bears it. Tracing the whole bone, rather than testing boxes of one slice,
 * keeps a sloping lower rib's shaft, or the spleen and kidney cortex of an
 * arterial-phase scan, from lending a rib to the vertebra below, and sees
 * ribs whose far part a crop cuts off (aorta_report_case: the crop ends
 * right behind the laminae and 70 mm right of the body; every rib leaves it
 * 40-55 mm out). Method, measurements and limits: docs/image-analyze.md,
 * step 4. Hand-written: no Debian library does 3-D connected components on
 * a masked region of a float volume. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"

/* Rib bone: the shafts' bone at 1.5-3 mm (cortex 400-1000 HU; a thin
 * 12th rib at 3 mm reads 200-300 after partial volume: example_ct's left one
 * reaches 57 mm out at 250 HU, 82 mm at 200). In a contrast-enhanced study
 * (the aorta above ENHANCED_AORTA_HU) the kidney cortex and spleen read
 * 200-250 HU and join a lumbar transverse process to far bone
 * (aorta_report_case, arterial phase: L1's right process and the kidney
 * reach 61 mm at 200 HU, 45 mm at 250), so the threshold is raised there. */
#define RIB_HU 200.0
#define RIB_HU_ENHANCED 250.0
#define ENHANCED_AORTA_HU 150.0
/* The region searched each side, lateral distance from the midline (the
 * body's centre x) and antero-posterior from the canal's centre (tracked
 * more steadily than the body's centre and wall front to back, which a
 * missed body or a leak in a noisy slice throws 10-20 mm):
 * from ROOT_MM (past the pedicles, articular pillar and the thoracic
 * transverse processes' roots, which join the levels to one another) out to
 * FAR_MM. Behind the canal's centre down to BACK_MM; in front of it only up
 * to FRONT_NEAR_MM within NEAR_MM of the midline (about the body's posterior
 * third: the aorta lies beside the body, its lumen as bright as bone in an
 * arterial phase), up to FRONT_FAR_MM further out, where the ribs turn
 * forward. */
#define ROOT_MM 25.0
#define ROOT_BAND_MM 4.0
#define NEAR_MM 45.0
#define FAR_MM 130.0
#define BACK_MM 40.0
#define FRONT_NEAR_MM 15.0
#define FRONT_FAR_MM 50.0
/* A rib reaches REACH_MM (a transverse process stops by 50 mm; the
 * phantom's ribs reach 85 mm, real ones 100 mm and more) or leaves the image
 * beyond EDGE_MM. */
#define REACH_MM 60.0
#define EDGE_MM 38.0
/* A root must hold this much bone (a partial-volume speck is no rib). A
 * rib meets the root band in one place, or in specks a few mm apart; a
 * piece that meets it at places further apart than ROOT_SPAN_MM is a plate
 * (an iliac wing or a sacral ala beside L5: 30-50 mm) or two ribs run
 * together, and names no root. Specks under SPECK_MIN_MM3 are ignored. */
#define ROOT_MIN_MM3 20.0
#define ROOT_SPAN_MM 15.0
#define SPECK_MIN_MM3 6.0
/* A side shows its ribs when the image reaches this far out beside the body. */
#define SIDE_VIEW_MM 45.0
/* The lowest roots of the two sides belong to one rib pair when they lie
 * within PAIR_MM (a vertebra is 18-40 mm; example_ct's 12th ribs 7 mm
 * apart, aorta_report_case's 6 mm). The series of roots up a side is
 * regular when no gap exceeds GAP_MAX times the median gap (a missed rib
 * leaves twice the gap). Two roots this far apart in one level on one side
 * are two vertebrae: a disc was missed. The level below the lowest pair
 * shows it bears no rib when this much of it is in view (a rib leaves the
 * upper half of its vertebra). */
#define PAIR_MM 15.0
#define GAP_MAX 1.7
#define DOUBLE_MM 18.0
#define BELOW_VIEW_MM 10.0
/* A lowest rib pair leaving the column within ROOT_DISC_FRAC of its
 * level's span (at least ROOT_DISC_MM) of a found disc names neither level
 * beside it: the disc may be a false one inside the vertebra that bears the
 * ribs, or a true one found half a vertebra off (4 mm phantoms with a 30-40
 * degree lordosis: T12's ribs 2.4 mm below a false disc inside T12, or 5 mm
 * below a disc placed mid-T12 with the true T12/L1 disc missed, so the level
 * below, mostly L1, took them and the labels came out one level high with
 * confidence). The 12th ribs leave their own body (not the disc above, as
 * ribs 2-9 do) well inside it: aorta_report_case 6 and 12 mm above the
 * T12/L1 disc, example_ct 10 mm. */
#define ROOT_DISC_MM 4.0
#define ROOT_DISC_FRAC 0.2

typedef struct {
  double x, y; /* the smoothed midline (mm): body centre x, canal centre y; NaN outside the column */
} slice_line;

typedef struct {
  long i0, j0, k0, ni, nj, nk; /* the box of the region in view voxels */
  int side;                    /* +1 right, -1 left */
  const vt__view *v;
  const slice_line *line;
  double thr;                  /* rib bone HU */
} region;

typedef struct {
  double dmax;    /* how far out it reaches (mm) */
  int edge;       /* leaves the image beyond EDGE_MM */
  size_t voxels;
  /* its specks in the root band: voxels, z sum, lowest and highest speck centre */
  size_t root_voxels;
  double root_zsum, speck_lo, speck_hi;
} piece;

typedef struct {
  double z;  /* view z (mm) where it leaves the column */
  int full;  /* its rib reaches REACH_MM inside the image */
} rib_root;

/* Median of the finite values of a[k - h .. k + h]. */
static double window_median(const double *a, long n, long k, long h, double *tmp) {
  size_t m = 0;
  for (long q = k - h; q <= k + h; q++)
    if (q >= 0 && q < n && isfinite(a[q])) tmp[m++] = a[q];
  if (!m) return NAN;
  qsort(tmp, m, sizeof *tmp, vt__cmp_double);
  return m % 2 ? tmp[m / 2] : 0.5 * (tmp[m / 2 - 1] + tmp[m / 2]);
}

/* Lateral distance (mm, positive outwards) of view column i in slice k. */
static double lateral(const region *r, long i, long k) {
  return r->side * ((double)i * r->v->sp[0] - r->line[k].x);
}

/* 1 when view voxel (i, j, k) is rib bone inside the region. */
static int in_region(const region *r, long i, long j, long k) {
  const slice_line *s = &r->line[k];
  if (!isfinite(s->x) || !isfinite(s->y)) return 0;
  double d = lateral(r, i, k), y = (double)j * r->v->sp[1] - s->y;
  if (d < ROOT_MM || d > FAR_MM || y < -BACK_MM || y > (d < NEAR_MM ? FRONT_NEAR_MM : FRONT_FAR_MM)) return 0;
  return vt__hu(r->v, i, j, k) >= r->thr;
}

/* Grows a size_t array to hold n + 1 values; 0 on failure. */
static int push(size_t **q, size_t *cap, size_t n, size_t val) {
  if (n == *cap) {
    size_t c = *cap ? 2 * *cap : 4096;
    size_t *nq = realloc(*q, c * sizeof *nq);
    if (!nq) return 0;
    *q = nq, *cap = c;
  }
  (*q)[n] = val;
  return 1;
}

/* Labels the 26-connected pieces of rib bone in the region (comp, 1-based)
 * and measures each. Specks under SPECK_VOXELS voxels (noise, calcified
 * vessels) are marked TINY and not kept, so the ids stay below TINY's bit;
 * past MAX_PIECES the rest of the region stays unlabelled. Returns the
 * count, -1 when out of memory. */
#define SPECK_VOXELS 4
#define TINY 0xFFFFu
#define MAX_PIECES 32767
static long label_pieces(const region *r, unsigned short *comp, piece **out) {
  const vt__view *v = r->v;
  size_t *q = NULL, cap = 0, pcap = 0;
  piece *pc = NULL;
  long np = 0;
  for (long k = 0; k < r->nk; k++)
    for (long j = 0; j < r->nj; j++)
      for (long i = 0; i < r->ni; i++) {
        size_t at = (size_t)i + (size_t)r->ni * ((size_t)j + (size_t)r->nj * (size_t)k);
        if (comp[at] || !in_region(r, i + r->i0, j + r->j0, k + r->k0)) continue;
        if (np == MAX_PIECES) goto done;
        if ((size_t)np == pcap) {
          size_t c = pcap ? 2 * pcap : 64;
          piece *npc = realloc(pc, c * sizeof *npc);
          if (!npc) goto oom;
          pc = npc, pcap = c;
        }
        piece *p = &pc[np++];
        memset(p, 0, sizeof *p);
        size_t n = 0, h = 0;
        comp[at] = (unsigned short)np;
        if (!push(&q, &cap, n++, at)) goto oom;
        while (h < n) {
          size_t c = q[h++];
          long ci = (long)(c % (size_t)r->ni), cj = (long)(c / (size_t)r->ni % (size_t)r->nj),
               ck = (long)(c / ((size_t)r->ni * (size_t)r->nj));
          long vi = ci + r->i0, vj = cj + r->j0, vk = ck + r->k0;
          double d = lateral(r, vi, vk);
          p->voxels++;
          if (d > p->dmax) p->dmax = d;
          /* out of the image's side, back, top or bottom (a lower rib
           * sloping out of a chest CT's last slice) */
          if (d >= EDGE_MM && (vi == 0 || vi + 1 == (long)v->n[0] || vj == 0 || vk == 0 || vk + 1 == (long)v->n[2]))
            p->edge = 1;
          for (long dk = -1; dk <= 1; dk++)
            for (long dj = -1; dj <= 1; dj++)
              for (long di = -1; di <= 1; di++) {
                long a = ci + di, b = cj + dj, e = ck + dk;
                if (a < 0 || b < 0 || e < 0 || a >= r->ni || b >= r->nj || e >= r->nk) continue;
                size_t t = (size_t)a + (size_t)r->ni * ((size_t)b + (size_t)r->nj * (size_t)e);
                if (comp[t] || !in_region(r, a + r->i0, b + r->j0, e + r->k0)) continue;
                comp[t] = (unsigned short)np;
                if (!push(&q, &cap, n++, t)) goto oom;
              }
        }
        if (p->voxels < SPECK_VOXELS) {
          for (size_t t = 0; t < n; t++) comp[q[t]] = TINY;
          np--;
        }
      }
done:
  free(q);
  *out = pc;
  return np;
oom:
  free(q);
  free(pc);
  return -1;
}

/* The specks: the 26-connected parts of each piece within ROOT_BAND_MM of
 * ROOT_MM, where a rib leaves the column. Each adds to its piece's root
 * voxels and z range. Visited voxels get the high bit of comp (ids stay
 * below it; TINY has it set). 0 when out of memory. */
static int find_specks(const region *r, unsigned short *comp, piece *pc) {
  const vt__view *v = r->v;
  size_t *q = NULL, cap = 0;
  double vox = v->sp[0] * v->sp[1] * v->sp[2];
  int ok = 1;
  for (long k = 0; k < r->nk && ok; k++)
    for (long j = 0; j < r->nj && ok; j++)
      for (long i = 0; i < r->ni && ok; i++) {
        size_t at = (size_t)i + (size_t)r->ni * ((size_t)j + (size_t)r->nj * (size_t)k);
        unsigned id = comp[at];
        if (!id || id & 0x8000 || !(lateral(r, i + r->i0, k + r->k0) <= ROOT_MM + ROOT_BAND_MM)) continue;
        size_t n = 0, h = 0;
        double zs = 0;
        comp[at] |= 0x8000;
        if (!(ok = push(&q, &cap, n++, at))) break;
        while (h < n && ok) {
          size_t c = q[h++];
          long ci = (long)(c % (size_t)r->ni), cj = (long)(c / (size_t)r->ni % (size_t)r->nj),
               ck = (long)(c / ((size_t)r->ni * (size_t)r->nj));
          zs += (double)(ck + r->k0) * v->sp[2];
          for (long dk = -1; dk <= 1 && ok; dk++)
            for (long dj = -1; dj <= 1 && ok; dj++)
              for (long di = -1; di <= 1 && ok; di++) {
                long a = ci + di, b = cj + dj, e = ck + dk;
                if (a < 0 || b < 0 || e < 0 || a >= r->ni || b >= r->nj || e >= r->nk) continue;
                size_t t = (size_t)a + (size_t)r->ni * ((size_t)b + (size_t)r->nj * (size_t)e);
                if (comp[t] != id || !(lateral(r, a + r->i0, e + r->k0) <= ROOT_MM + ROOT_BAND_MM)) continue;
                comp[t] |= 0x8000;
                ok = push(&q, &cap, n++, t);
              }
        }
        piece *p = &pc[id - 1];
        double zc = zs / (double)n;
        if (getenv("VT_RIB_DEBUG"))
          fprintf(stderr, "  speck of piece %u: %zu voxels at z %.1f; piece reach %.1f%s\n", id, n, zc, p->dmax,
                  p->edge ? ", leaves the image" : "");
        if ((double)n * vox < SPECK_MIN_MM3) continue;
        if (!p->root_voxels) p->speck_lo = p->speck_hi = zc;
        p->speck_lo = fmin(p->speck_lo, zc), p->speck_hi = fmax(p->speck_hi, zc);
        p->root_voxels += n, p->root_zsum += zs;
      }
  free(q);
  return ok;
}

/* The roots of the pieces that are ribs, sorted by z; returns the count. */
static size_t rib_roots(const region *r, const piece *pc, long np, rib_root *out, size_t max) {
  double vox = r->v->sp[0] * r->v->sp[1] * r->v->sp[2];
  size_t n = 0;
  for (long t = 0; t < np && n < max; t++) {
    const piece *p = &pc[t];
    if (!(p->dmax >= REACH_MM || p->edge) || (double)p->root_voxels * vox < ROOT_MIN_MM3 ||
        p->speck_hi - p->speck_lo > ROOT_SPAN_MM)
      continue;
    out[n].z = p->root_zsum / (double)p->root_voxels;
    out[n].full = p->dmax >= REACH_MM;
    n++;
  }
  for (size_t i = 1; i < n; i++) /* insertion sort: a few dozen */
    for (size_t j = i; j > 0 && out[j - 1].z > out[j].z; j--) {
      rib_root tmp = out[j];
      out[j] = out[j - 1], out[j - 1] = tmp;
    }
  return n;
}

/* The upper bound (view z, mm) of the roots level L owns: a rib leaves its
 * vertebra at or below the disc above it (its head at the disc for T2-T9,
 * on the body for T10-T12), so a root a little above a found disc, which
 * may lie a few mm low, is still the level's. */
static double root_top(const vt__level *l) {
  if (l->cut_top) return INFINITY;
  return l->z_top + fmin(4.0, 0.15 * (l->z_top - l->z_bot));
}

/* The level owning a root at view z: the lowest whose upper bound is above it. */
static long root_level(const vt__level *lv, size_t nl, double z) {
  for (size_t L = nl; L-- > 0;)
    if (z <= root_top(&lv[L])) return (long)L;
  return -1;
}

/* 1 when the gaps between a side's roots are regular (none over GAP_MAX
 * times their median: no rib missed between the lowest and the highest). */
static int regular_series(const rib_root *rt, size_t n) {
  if (n < 3) return 1;
  double g[4 * VT__MAX_LEVELS];
  for (size_t i = 1; i < n; i++) g[i - 1] = rt[i].z - rt[i - 1].z;
  double s[4 * VT__MAX_LEVELS];
  memcpy(s, g, (n - 1) * sizeof *g);
  qsort(s, n - 1, sizeof *s, vt__cmp_double);
  double med = (n - 1) % 2 ? s[(n - 1) / 2] : 0.5 * (s[(n - 1) / 2 - 1] + s[(n - 1) / 2]);
  for (size_t i = 0; i + 1 < n; i++)
    if (g[i] > GAP_MAX * med) return 0;
  return 1;
}

void vt__level_ribs(const vt__view *v, const vt__column *col, vt__level *lv, size_t nl) {
  int debug = getenv("VT_ANALYZE_DEBUG") != NULL;
  long nz = (long)v->n[2];
  slice_line *line = calloc((size_t)nz, sizeof *line);
  double tmp[64];
  rib_root roots[2][4 * VT__MAX_LEVELS];
  size_t nr[2] = {0, 0};
  for (size_t L = 0; L < nl; L++) {
    vt__level *l = &lv[L];
    l->rib_roots[0] = l->rib_roots[1] = 0;
    l->rib_full[0] = l->rib_full[1] = 0;
    l->rib_side_seen[0] = l->rib_side_seen[1] = 0;
    l->rib_double = 0;
    l->rib_at_disc = 0;
    l->rib_anchor_sure = 0;
  }
  if (!line) return;
  /* the midline: left-right the body's centre line (a body is symmetric;
   * the canal point sits anywhere in a wide or obliquely cut canal, 7 mm
   * off on the 2.5 mm lordosis phantoms, whose left ribs then went
   * untraced), front-back the canal's centre; smoothed over +-5 mm */
  long hw = (long)lround(5.0 / v->sp[2]);
  if (hw > 30) hw = 30;
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  long ka = -1, kb = -1;
  for (long k = 0; k < nz; k++) {
    line[k].x = line[k].y = NAN;
    if (k < col->k0 || k > col->k1 || !isfinite(col->cx[k]) || !isfinite(col->cy[k])) continue;
    line[k].x = window_median(isfinite(col->bx[k]) ? col->bx : col->cx, nz, k, hw, tmp);
    line[k].y = window_median(col->cy, nz, k, hw, tmp);
    xmin = fmin(xmin, line[k].x), xmax = fmax(xmax, line[k].x);
    ymin = fmin(ymin, line[k].y), ymax = fmax(ymax, line[k].y);
    if (ka < 0) ka = k;
    kb = k;
  }
  if (ka < 0) {
    free(line);
    return;
  }
  double aorta = vt__aorta_hu(v, col), thr = aorta > ENHANCED_AORTA_HU ? RIB_HU_ENHANCED : RIB_HU;
  /* the pelvis beside the lowest levels (iliac wings, alae) is no rib */
  size_t rib_end = nl >= 1 && lv[nl - 1].sacrum ? (nl >= 3 ? nl - 3 : 0) : nl;
  for (int s = 0; s < 2; s++) {
    region r;
    r.side = s ? 1 : -1;
    r.v = v;
    r.line = line;
    r.thr = thr;
    double x0 = r.side > 0 ? xmin + ROOT_MM : xmin - FAR_MM, x1 = r.side > 0 ? xmax + FAR_MM : xmax - ROOT_MM;
    r.i0 = (long)floor(x0 / v->sp[0]), r.j0 = (long)floor((ymin - BACK_MM) / v->sp[1]), r.k0 = ka;
    long i1 = (long)ceil(x1 / v->sp[0]), j1 = (long)ceil((ymax + FRONT_FAR_MM) / v->sp[1]);
    if (r.i0 < 0) r.i0 = 0;
    if (r.j0 < 0) r.j0 = 0;
    if (i1 >= (long)v->n[0]) i1 = (long)v->n[0] - 1;
    if (j1 >= (long)v->n[1]) j1 = (long)v->n[1] - 1;
    r.ni = i1 - r.i0 + 1, r.nj = j1 - r.j0 + 1, r.nk = kb - ka + 1;
    /* which levels this side can show: the image reaches SIDE_VIEW_MM out */
    for (size_t L = 0; L < nl; L++) {
      long k = (long)lround(0.5 * (lv[L].z_top + lv[L].z_bot) / v->sp[2]);
      if (k < ka) k = ka;
      if (k > kb) k = kb;
      double edge = r.side > 0 ? (double)(v->n[0] - 1) * v->sp[0] - line[k].x : line[k].x;
      lv[L].rib_side_seen[s] = isfinite(edge) && edge >= SIDE_VIEW_MM;
    }
    if (r.ni <= 0 || r.nj <= 0 || r.nk <= 0) continue;
    unsigned short *comp = calloc((size_t)r.ni * (size_t)r.nj * (size_t)r.nk, sizeof *comp);
    if (!comp) continue;
    piece *pc = NULL;
    long np = label_pieces(&r, comp, &pc);
    size_t n = 0;
    if (np > 0 && find_specks(&r, comp, pc)) n = rib_roots(&r, pc, np, roots[s], 4 * VT__MAX_LEVELS);
    free(comp);
    free(pc);
    /* roots beside the pelvis are left out */
    size_t kept = 0;
    for (size_t q = 0; q < n; q++) {
      long L = root_level(lv, nl, roots[s][q].z);
      if (debug)
        fprintf(stderr, "rib root %s z %.1f %s, level %ld%s\n", r.side > 0 ? "right" : "left", roots[s][q].z,
                roots[s][q].full ? "whole" : "leaves the image", L, L >= (long)rib_end ? " (pelvis: left out)" : "");
      if (L < 0 || L >= (long)rib_end) continue;
      roots[s][kept++] = roots[s][q];
      vt__level *l = &lv[L];
      l->rib_roots[s]++;
      l->rib_full[s] |= roots[s][q].full;
    }
    nr[s] = kept;
  }
  /* two roots far apart in one level on one side: two vertebrae */
  for (int s = 0; s < 2; s++)
    for (size_t a = 0; a < nr[s]; a++)
      for (size_t b = a + 1; b < nr[s]; b++) {
        long L = root_level(lv, nl, roots[s][a].z);
        if (L >= 0 && L == root_level(lv, nl, roots[s][b].z) && roots[s][b].z - roots[s][a].z >= DOUBLE_MM)
          lv[L].rib_double = 1;
      }
  /* The rib-bearing levels: from the lowest rib pair's level to the
   * highest's, where each side's series of roots is regular; the roots of
   * one level each come near its upper disc or within its body, and a found
   * disc a few mm off moves one from level to level, so the levels between
   * are not asked to hold one each. Otherwise (a rib missed or a false one)
   * only the levels holding a root on both sides. */
  for (size_t L = 0; L < nl; L++) {
    vt__level *l = &lv[L];
    l->rib_bearing = (l->rib_roots[0] && l->rib_roots[1]) || (l->rib_roots[0] && !l->rib_side_seen[1]) ||
                     (l->rib_roots[1] && !l->rib_side_seen[0]);
  }
  int seen[2] = {nr[0] > 0, nr[1] > 0};
  long low = -1, high = -1;
  double zlow = NAN;
  if (seen[0] && seen[1] && fabs(roots[0][0].z - roots[1][0].z) <= PAIR_MM) {
    zlow = 0.5 * (roots[0][0].z + roots[1][0].z);
    low = root_level(lv, nl, zlow);
    high = root_level(lv, nl, 0.5 * (roots[0][nr[0] - 1].z + roots[1][nr[1] - 1].z));
  } else if (seen[0] != seen[1]) {
    int s = seen[1];
    zlow = roots[s][0].z;
    low = root_level(lv, nl, zlow);
    high = root_level(lv, nl, roots[s][nr[s] - 1].z);
    /* one side's ribs alone only where the other side is out of view */
    if (low >= 0 && lv[low].rib_side_seen[!s]) low = high = -1;
  }
  if (low >= 0) {
    const vt__level *l = &lv[low];
    double m = fmax(ROOT_DISC_MM, ROOT_DISC_FRAC * (l->z_top - l->z_bot));
    if ((!l->cut_top && fabs(zlow - l->z_top) < m) || (!l->cut_bot && fabs(zlow - l->z_bot) < m))
      lv[low].rib_at_disc = 1;
  }
  int regular = regular_series(roots[0], nr[0]) && regular_series(roots[1], nr[1]);
  if (low >= 0 && high >= 0 && regular)
    for (long L = high; L <= low; L++) lv[L].rib_bearing = 1;
  /* the lowest rib pair is sure to be the lowest ribs when the level below
   * is in view far enough to show its own (none there), and at least one
   * of the pair was seen whole (not a transverse process cut by the image) */
  if (low >= 0 && regular && (size_t)low + 1 < nl) {
    const vt__level *below = &lv[low + 1];
    int whole = lv[low].rib_full[0] || lv[low].rib_full[1];
    double in_view = below->z_top - below->z_bot;
    if (whole && !below->rib_roots[0] && !below->rib_roots[1] && in_view >= BELOW_VIEW_MM && !lv[low].rib_at_disc)
      lv[low].rib_anchor_sure = 1;
  }
  if (debug)
    for (size_t L = 0; L < nl; L++)
      fprintf(stderr, "ribs level %zu roots %d/%d whole %d/%d sides seen %d/%d%s%s: %s\n", L, lv[L].rib_roots[0],
              lv[L].rib_roots[1], lv[L].rib_full[0], lv[L].rib_full[1], lv[L].rib_side_seen[0],
              lv[L].rib_side_seen[1], lv[L].rib_double ? ", two vertebrae" : "",
              lv[L].rib_anchor_sure ? ", lowest ribs sure" : lv[L].rib_at_disc ? ", lowest ribs at a disc" : "",
              lv[L].rib_bearing ? "rib-bearing" : "-");
  free(line);
}
