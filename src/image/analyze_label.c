/* analyze_label.c — names the levels cut from the column from two anatomical
 * anchors: the lowest rib-bearing vertebra (T12 in the common anatomy) and
 * the sacrum. With both in view the count between them is checked (five
 * lumbar vertebrae; four or six are reported as transitional anatomy, and
 * the ambiguous names get a low confidence). With one anchor the labels are
 * counted from it but stay below the default confidence threshold (0.5):
 * an anchor the other does not confirm is how wrong-level labels happen. A
 * rib anchor without the sacrum is checked against the lung base (the lowest
 * level with lung beside it, T12 to within about one level): agreement is
 * said in the basis but keeps the labels below the threshold (a missed 12th
 * rib or a false lowest rib still agrees to within a level), unless the
 * lowest rib pair was traced to its roots and is sure (analyze_ribs.c):
 * then the labels pass it, with a warning that the rib count is assumed;
 * disagreement lowers them further and warns. With none
 * no label is given: the field of view does not allow one, and guessing from
 * size alone is what makes wrong-level reports (docs/image-analyze.md). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/analyze_internal.h"

vt_status vt__warn(vt__warnings *w, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (w->n == w->cap) {
    size_t cap = w->cap ? 2 * w->cap : 8;
    char **nw = realloc(w->w, cap * sizeof *nw);
    if (!nw) return VT_ENOMEM;
    w->w = nw;
    w->cap = cap;
  }
  w->w[w->n] = strdup(buf);
  if (!w->w[w->n]) return VT_ENOMEM;
  w->n++;
  return VT_OK;
}

/* VerSe label of the vertebra `steps` levels caudal of `from` in the common
 * sequence C1..C7 (1-7), T1..T12 (8-19), L1..L5 (20-24), sacrum (26);
 * negative steps go cranially. 0 when off the sequence. */
static int step_label(int from, int steps) {
  static const int seq[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
                            14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26};
  int n = (int)(sizeof seq / sizeof *seq), at = -1;
  for (int i = 0; i < n; i++)
    if (seq[i] == from) at = i;
  if (at < 0) return 0;
  int to = at + steps;
  return to >= 0 && to < n ? seq[to] : 0;
}

/* Confidence of the levels counted from a rib anchor alone (no sacrum),
 * whether or not the lung base agrees: below the default threshold. The lung
 * base agrees to within a level also when the 12th rib is missed (T11 taken
 * for T12) or a false rib is read below T12 (the one-slice box test read the
 * aorta case's L1 so, from the spleen and kidney beside it), so only the
 * lumbar count up from the sacrum confirms a rib anchor... */
#define RIB_ONLY 0.45
/* ...unless the rib anchor is sure (analyze_ribs.c: the lowest rib pair
 * traced to its roots in that level, one rib of it seen whole, the level
 * below in view and bearing none) and the lung base agrees: then the end of
 * the rib series is seen, not inferred, and a false lowest rib (an organ, a
 * transverse process) is ruled out by the tracing; what remains is the
 * anatomy itself, 11 or 13 rib pairs, which no image of the thorax alone
 * tells (a few per cent of people), so the labels are given, just above the
 * threshold, with a warning that says so (aorta_report_case). */
#define RIB_TRACED 0.6

static void set(vt_spine_level *o, int verse, double conf, const char *basis) {
  o->verse_label = verse;
  const char *name = verse ? vt_verse_label_name(verse) : NULL;
  snprintf(o->label, sizeof o->label, "%s", name ? name : "?");
  o->confidence = conf < 0 ? 0 : conf > 1 ? 1 : conf;
  snprintf(o->basis, sizeof o->basis, "%s", basis);
}

/* Labels from the cervical anchors: the axis (c2, its dens found) and the
 * highest rib-bearing vertebra (t1), -1 when absent; rib: the lowest
 * rib-bearing one (T12), -1 when absent. Six levels from C2 to T1 (C3-C7
 * between) make the two consistent and the labels confident (0.95 falling
 * 0.03 per level from the nearer anchor); T1 and T12 with eleven levels
 * between likewise. One anchor alone counts below the threshold, as the
 * lumbar ones do. A level the lumbar anchors (T12 and the sacrum) labelled
 * with more confidence keeps its label; where they disagree both are
 * lowered and a warning says so. */
static void label_cervical(const vt__level *lv, size_t nl, long c2, long t1, long rib, vt_spine_level *out,
                           vt__warnings *w) {
  (void)lv;
  if (c2 < 0 && t1 < 0) return;
  int from_c2 = c2 >= 0; /* which anchor names the levels: C2 = sequence 1, T1 = 7 */
  long at = from_c2 ? c2 : t1;
  int seq0 = from_c2 ? 2 : 8;
  int pair = 0; /* a consistent pair of anchors */
  char basis[160];
  if (c2 >= 0 && t1 >= 0) {
    if (t1 - c2 == 6) {
      pair = 1;
      snprintf(basis, sizeof basis, "dens = C2 and highest rib-bearing = T1; 5 cervical between: consistent");
    } else {
      vt__warn(w, "%ld levels between the axis (C2, its dens) and the highest rib-bearing vertebra (6 "
                  "expected: C3-C7, then T1): cervical labels counted from C2 with low confidence",
               t1 - c2);
      snprintf(basis, sizeof basis, "counted from the dens = C2; the first rib disagrees");
    }
  } else if (t1 >= 0 && rib >= 0 && rib - t1 == 11) {
    pair = 1;
    snprintf(basis, sizeof basis, "highest rib-bearing = T1 and lowest = T12; 12 thoracic: consistent");
  } else {
    snprintf(basis, sizeof basis, from_c2 ? "counted from the dens = C2 (no first rib in view)"
                                          : "counted from the highest rib-bearing vertebra = T1");
  }
  /* below T1, a T12 anchor must agree with the count (12 thoracic) */
  long last = (long)nl - 1;
  if (pair && from_c2 && rib >= 0 && rib - t1 != 11) {
    vt__warn(w, "%ld rib-bearing levels from the first to the last (12 expected): thoracic labels "
                "below T1 are uncertain", rib - t1 + 1);
    last = t1;
  }
  for (long i = 0; i < (long)nl; i++) {
    int verse = step_label(seq0, (int)(i - at));
    if (!verse) continue;
    long d = labs(i - at);
    if (pair) {
      long other = from_c2 ? t1 : rib;
      if (labs(i - other) < d) d = labs(i - other);
    }
    double conf = (pair && i <= last ? 0.95 : 0.45) - 0.03 * (double)d;
    if (out[i].verse_label && out[i].confidence >= conf) {
      if (out[i].verse_label != verse && out[i].confidence >= 0.5) {
        vt__warn(w, "level %ld: the lumbar anchors name it %s, the cervical ones %s: both uncertain", i,
                 out[i].label, vt_verse_label_name(verse));
        out[i].confidence = 0.3;
      }
      continue;
    }
    set(&out[i], verse, conf, basis);
  }
}

void vt__label_levels(const vt__level *lv, size_t nl, double min_conf, vt_spine_level *out,
                      int *prov, int *transitional, vt__warnings *w) {
  *transitional = 0;
  memset(out, 0, nl * sizeof *out);
  /* anchors: the sacrum (the last level, when detected) and the lowest
   * rib-bearing level. Lateral bone within two levels above the sacrum is
   * the pelvis (iliac wings, alae), not a rib, and is left out. The rib
   * anchor is the lowest level of the only run of rib-bearing levels: when
   * rib-bearing levels come again below a rib-free one, a rib was missed or
   * a false one seen (real chest CTs at 3-4 mm), so which level is the
   * lowest rib-bearing one is not known and the anchor is not used. */
  long sac = nl && lv[nl - 1].sacrum ? (long)nl - 1 : -1;
  long rib = -1, rib_top = -1;
  int runs = 0;
  size_t rib_end = sac >= 0 ? (size_t)(sac >= 2 ? sac - 2 : 0) : nl; /* levels [0, rib_end) may bear ribs */
  for (size_t i = 0; i < rib_end; i++) {
    if (!lv[i].rib_bearing) continue;
    if (i == 0 || !lv[i - 1].rib_bearing) runs++;
    if (rib_top < 0) rib_top = (long)i;
    rib = (long)i;
  }
  /* a lowest rib-bearing level that holds two rib pairs is two vertebrae:
   * which of them bears the lowest ribs is not known */
  if (runs == 1 && rib >= 0 && lv[rib].rib_double) {
    vt__warn(w, "the lowest rib-bearing level holds two rib pairs (a disc missed): the lowest rib-bearing "
                "vertebra is not known and not used as an anchor");
    rib = rib_top = -1;
  }
  /* the lowest ribs leave the column at a found disc: the disc may lie
   * inside the vertebra that bears them, so which level does is not known */
  if (runs == 1 && rib >= 0 && lv[rib].rib_at_disc) {
    vt__warn(w, "the lowest rib pair leaves the column at a disc found between two levels (a disc misplaced or "
                "false): the lowest rib-bearing vertebra is not known and not used as an anchor");
    rib = rib_top = -1;
  }
  if (runs > 1) {
    vt__warn(w, "rib-bearing levels found in %d separate runs (a rib missed or a false one): the lowest "
                "rib-bearing vertebra is not known and not used as an anchor", runs);
    rib = rib_top = -1;
  }
  /* cervical anchors: the axis (C2, its dens found) and the highest
   * rib-bearing vertebra (T1: the first rib's head articulates with it),
   * when a rib-free level lies above it */
  long c2 = -1, t1 = -1;
  for (size_t i = 0; i < nl && c2 < 0; i++)
    if (lv[i].dens) c2 = (long)i;
  if (rib_top >= 1 && !lv[rib_top - 1].rib_bearing) t1 = rib_top;
  /* a rib run that reaches the bottom of the view without a sacrum: its
   * lowest level may be cut or the view may end inside the thorax; still the
   * lowest rib-bearing level seen, but only if a rib-free level follows it */
  if (rib >= 0 && (size_t)rib + 1 >= nl) rib = -1;
  /* the lung base: a check on the rib anchor, never an anchor alone */
  long lung = vt__lung_base(lv, nl);
  if (lung >= 0 && rib >= 0 && sac >= 0 && labs(lung - rib) > 1)
    vt__warn(w, "the lung base lies %ld levels %s the lowest rib-bearing vertebra (T12 expected, within "
                "about one level); the sacrum confirms the ribs, so the labels stand",
             labs(lung - rib), lung < rib ? "above" : "below");
  char basis[160];
  int lumbar = sac >= 0 && rib >= 0 ? (int)(sac - rib - 1) : -1;
  /* a rib-free level above the rib run names T1 only by the ribs it lacks:
   * upper ribs go unseen in a coronally tilted (scoliotic) column, whose ribs
   * cross the axial slices askew, or beside the arms. Where the sacrum
   * confirms T12, a "T1" more than one level off the 11 above it (11 or 13
   * rib pairs) is such a miss, not C7/T1; it would otherwise cast doubt on
   * every label (the T6-L5 phantom with a 20-degree Cobb curve: ribs seen
   * at T9-T12 only, "T1" at T9, all 13 labels withheld) */
  if (c2 < 0 && t1 >= 0 && lumbar == 5 && labs(rib - t1 - 11) > 1) {
    vt__warn(w, "ribs were seen on only %ld levels up to the T12 that the sacrum confirms (12 expected): "
                "the highest rib-bearing level is not taken for T1 (ribs above it were missed)",
             rib - t1 + 1);
    t1 = -1;
  }
  if (sac >= 0 && rib >= 0 && lumbar == 5) {
    for (size_t i = 0; i < nl; i++) {
      long d = labs((long)i - rib) < labs((long)i - sac) ? labs((long)i - rib) : labs((long)i - sac);
      set(&out[i], step_label(19, (int)((long)i - rib)), 0.95 - 0.03 * (double)d,
          "lowest rib-bearing = T12 and sacrum; 5 lumbar between: consistent");
    }
  } else if (sac >= 0 && rib >= 0 && (lumbar == 4 || lumbar == 6)) {
    *transitional = lumbar;
    /* transitional anatomy: 4 or 6 lumbar-type vertebrae. Counted up from
     * the sacrum the lumbar names hold; the lowest rib-bearing level is T12
     * or T13 (6) / T11-like T12 (4): reported, with low confidence above */
    vt__warn(w, "transitional anatomy: %d lumbar-type vertebrae between the lowest rib-bearing "
                "vertebra and the sacrum (common anatomy: 5); labels above the lumbar spine are "
                "uncertain", lumbar);
    for (size_t i = 0; i < nl; i++) {
      long up = sac - (long)i; /* levels above the sacrum */
      int verse;
      double conf;
      if (lumbar == 6 && up == 1) {
        verse = 25, conf = 0.6; /* L6: the sixth lumbar-type vertebra, above the sacrum */
        snprintf(basis, sizeof basis, "6 lumbar-type vertebrae above the sacrum: the lowest is L6");
      } else if (lumbar == 6 && up >= 2 && up <= 6) {
        verse = step_label(24, (int)(2 - up)), conf = 0.6; /* L5 .. L1 */
        snprintf(basis, sizeof basis, "counted up from L6 (6 lumbar-type vertebrae seen)");
      } else if (lumbar == 6 && up > 6) {
        verse = step_label(20, (int)(6 - up)), conf = 0.3;
        snprintf(basis, sizeof basis, "above a 6th lumbar-type vertebra: naming depends on T13 vs L6");
      } else if (lumbar == 4 && up == 5) {
        verse = 19, conf = 0.3;
        snprintf(basis, sizeof basis, "4 lumbar-type vertebrae: lowest rib-bearing is L1 with ribs or T12");
      } else {
        verse = up == 0 ? 26 : step_label(24, (int)(1 - up));
        conf = up == 0 ? 0.9 : 0.45;
        snprintf(basis, sizeof basis, "counted up from the sacrum (%d lumbar-type vertebrae seen)", lumbar);
      }
      set(&out[i], verse, conf, basis);
    }
  } else if (sac >= 0) {
    if (rib >= 0)
      vt__warn(w, "%d levels between the lowest rib-bearing vertebra and the sacrum (5 expected): "
                  "labels counted from the sacrum with low confidence", lumbar);
    for (size_t i = 0; i < nl; i++) {
      long up = sac - (long)i;
      /* one anchor, unchecked by the other: below the default threshold */
      double conf = (rib >= 0 ? 0.35 : 0.45) - 0.03 * (double)(up > 5 ? up - 5 : 0);
      set(&out[i], step_label(26, (int)-up), conf,
          rib >= 0 ? "counted up from the sacrum; rib anchor disagrees"
                   : "counted up from the sacrum (no rib-bearing vertebra in view)");
    }
  } else if (rib >= 0) {
    /* no sacrum: the lung base (T12 to within about one level) may confirm
     * the rib anchor; it never names a level itself */
    double conf0 = RIB_ONLY;
    const char *why = "counted from the lowest rib-bearing vertebra = T12 (no sacrum in view)";
    if (lung >= 0 && labs(lung - rib) <= 1 && lv[rib].rib_anchor_sure) {
      conf0 = RIB_TRACED;
      why = "counted from the lowest rib pair = T12, traced to its roots, the vertebra below in view and "
            "rib-free; the lung base agrees (no sacrum in view)";
      vt__warn(w, "labels counted from the lowest rib pair (T12) without the sacrum in view: 11 or 13 rib "
                  "pairs, which a few per cent of people have, would put every label one level off; check "
                  "the count against the sacrum or C2 on another image");
    } else if (lung >= 0 && labs(lung - rib) <= 1) {
      why = "counted from the lowest rib-bearing vertebra = T12 (no sacrum in view); the lung base "
            "agrees to within a level, not ruling out a missed or false lowest rib";
    } else if (lung >= 0) {
      conf0 = 0.3;
      why = "counted from the lowest rib-bearing vertebra = T12; the lung base disagrees";
      vt__warn(w, "the lung base lies %ld levels %s the lowest rib-bearing vertebra (T12 expected, "
                  "within about one level): labels counted from the ribs are uncertain",
               labs(lung - rib), lung < rib ? "above" : "below");
    }
    for (size_t i = 0; i < nl; i++) {
      long d = labs((long)i - rib);
      set(&out[i], step_label(19, (int)((long)i - rib)), conf0 - 0.03 * (double)d, why);
    }
  } else if (c2 < 0 && t1 < 0) {
    if (lung >= 0)
      vt__warn(w, "the lung base lies at vertebra %ld of the %zu found, counted from the top (about "
                  "T12, within a level), which alone names no level", lung + 1, nl);
    vt__warn(w, "no anatomical anchor in the field of view (no rib-bearing vertebra above a "
                "rib-free one, no sacrum, no dens): the %zu vertebrae found are not labelled", nl);
    for (size_t i = 0; i < nl; i++) set(&out[i], 0, 0, "no anchor in the field of view");
  } else {
    for (size_t i = 0; i < nl; i++) set(&out[i], 0, 0, "no anchor in the field of view");
  }
  label_cervical(lv, nl, c2, t1, rib, out, w);
  /* provisional labels for measuring: always a valid cranio-caudal sequence */
  int any = 0;
  for (size_t i = 0; i < nl; i++) any |= out[i].verse_label != 0;
  for (size_t i = 0; i < nl; i++) {
    if (any && out[i].verse_label) {
      prov[i] = out[i].verse_label;
    } else if (any) {
      /* a level off the sequence: measured under a neighbour-derived name */
      prov[i] = 0;
    } else {
      prov[i] = step_label(24, (int)i - (int)nl + 1); /* unlabelled: ends at "L5" */
      if (!prov[i]) prov[i] = 1 + (int)(i % 24);
    }
  }
  size_t withheld = 0;
  for (size_t i = 0; i < nl; i++) {
    out[i].label_uncertain = out[i].confidence < min_conf;
    if (out[i].label_uncertain && out[i].verse_label) {
      withheld++;
      snprintf(out[i].candidate, sizeof out[i].candidate, "%s", out[i].label);
      out[i].verse_label = 0;
      snprintf(out[i].label, sizeof out[i].label, "?");
    }
  }
  if (withheld)
    vt__warn(w, "%zu label(s) withheld: confidence below %.2f", withheld, min_conf);
}
