/* cmd_text_assert.c — `vertebra text assert`: the NegEx/ConText test-kit mode.
 * Reads TSV rows (id, target phrase, sentence[, anything]) and writes, per
 * row, id, negation, temporality and experiencer as TSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "io/csv.h"
#include "vertebra/text.h"

#define MAX_RULE_FILES 64

static void usage(FILE *out) {
  fprintf(out,
          "usage: vertebra text assert [--rules FILE]... [--header|--no-header]\n"
          "                            [--quotes] [-o OUT.tsv] [IN.tsv]\n\n"
          "Assertion of one target phrase in one sentence per row, as in the NegEx\n"
          "and ConText test kits. Input: TSV (default stdin), columns id, target\n"
          "phrase, sentence; further columns are ignored, so the kit file\n"
          "rsAnnotations-1-120-random.txt can be given as it is. A first row whose\n"
          "target does not occur in its sentence is taken as a header (force with\n"
          "--header / --no-header); the output then has a header too.\n\n"
          "Output (default stdout), one row per input row:\n"
          "  id <TAB> Negated|Affirmed|Possible <TAB> Recent|Historical|Not particular\n"
          "     <TAB> Patient|Family member|Other\n"
          "'Possible' is an uncertain, non-negated mention; 'Not particular' is the\n"
          "kit's word for hypothetical.\n\n"
          "  --rules FILE   add context rules to the built-in ones (repeatable):\n"
          "                 Vertebra JSON, medspaCy en_context_rules.json, or a NegEx\n"
          "                 trigger file; CATEGORY=FILE reads a NegEx-format file as\n"
          "                 rules of another category (historical=, hypothetical=,\n"
          "                 family=, other=), as genConText's trigger files need.\n"
          "                 See docs/text-context.md.\n"
          "  --quotes       fields may be quoted as in CSV (\"a, b\" and \"\" for a quote),\n"
          "                 as in the NegEx kit's Annotations-1-120.txt\n"
          "  -o FILE        write to FILE (atomically: all or nothing)\n\n"
          "A row whose target is not in its sentence, or with fewer than three\n"
          "columns, is reported on stderr with its line and skipped; the exit code\n"
          "is then the number of such rows (at most 63). See docs/ERRORS.md.\n");
}

static const char *negation_word(const vt_assertion *a) {
  return a->negated ? "Negated" : a->uncertain ? "Possible" : "Affirmed";
}
static const char *temporality_word(const vt_assertion *a) {
  return a->hypothetical ? "Not particular" : a->historical ? "Historical" : "Recent";
}
static const char *experiencer_word(const vt_assertion *a) {
  return a->experiencer == VT_EXPERIENCER_FAMILY  ? "Family member"
         : a->experiencer == VT_EXPERIENCER_OTHER ? "Other"
                                                  : "Patient";
}

/* Writes a field without tabs or line breaks (they would break the TSV). */
static void put_field(FILE *f, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) fputc(s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ? ' ' : s[i], f);
}

int vt_cli_text_assert(int argc, char **argv) {
  const char *rules[MAX_RULE_FILES];
  int nrules = 0, header = -1, quotes = 0;
  const char *in_path = "-", *out_path = "-";
  for (int i = 1; i < argc; i++) {
    if (vt_cli_is_help(argv[i])) {
      usage(stdout);
      return 0;
    } else if (!strcmp(argv[i], "--rules")) {
      if (++i >= argc) return vt_cli_usage_error("text assert", "--rules needs a file");
      if (nrules == MAX_RULE_FILES)
        return vt_cli_usage_error("text assert", "at most %d --rules files", MAX_RULE_FILES);
      rules[nrules++] = argv[i];
    } else if (!strcmp(argv[i], "--header")) {
      header = 1;
    } else if (!strcmp(argv[i], "--no-header")) {
      header = 0;
    } else if (!strcmp(argv[i], "--quotes")) {
      quotes = 1;
    } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out")) {
      if (++i >= argc) return vt_cli_usage_error("text assert", "%s needs a file", argv[i - 1]);
      out_path = argv[i];
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return vt_cli_usage_error("text assert", "unknown option '%s'", argv[i]);
    } else if (strcmp(in_path, "-")) {
      return vt_cli_usage_error("text assert", "more than one input ('%s')", argv[i]);
    } else {
      in_path = argv[i];
    }
  }

  vt_error err;
  vt_error_clear(&err);
  vt_text_engine *eng = NULL;
  if (vt_text_engine_new(&eng, &err)) return vt_cli_fail(&err);
  for (int k = 0; k < nrules; k++)
    if (vt_text_engine_load_context(eng, rules[k], &err)) {
      vt_text_engine_free(eng);
      return vt_cli_fail(&err);
    }
  vt__csv_options opt = {.delimiter = '\t', .quoting = quotes ? 1 : -1};
  vt__csv *csv = NULL;
  if (vt__csv_open_file(in_path, &opt, &csv, &err)) {
    vt_text_engine_free(eng);
    return vt_cli_fail(&err);
  }
  vt_atomic_file out;
  if (vt__atomic_open(&out, out_path, &err)) {
    vt__csv_free(csv);
    vt_text_engine_free(eng);
    return vt_cli_fail(&err);
  }
  const char *name = strcmp(in_path, "-") ? in_path : "stdin";
  size_t failed = 0, nf;
  vt_status st;
  int first = 1;
  while ((st = vt__csv_next(csv, &nf, &err)) == VT_OK && nf > 0) {
    size_t line = vt__csv_line(csv);
    if (nf == 1 && vt__csv_field(csv, 0, NULL)[0] == 0) continue; /* blank line */
    if (nf < 3) {
      fprintf(stderr, "vertebra: %s: line %zu: expected id, target and sentence, found %zu column%s\n",
              name, line, nf, nf == 1 ? "" : "s");
      failed++;
      first = 0;
      continue;
    }
    size_t il, tl, sl;
    const char *id = vt__csv_field(csv, 0, &il);
    const char *target = vt__csv_field(csv, 1, &tl);
    const char *sentence = vt__csv_field(csv, 2, &sl);
    vt_assertion a;
    st = vt_text_assert(eng, sentence, sl, target, tl, &a, &err);
    if (first) {
      first = 0;
      if (header == 1 || (header == -1 && st == VT_ENOTFOUND)) {
        fputs("id\tnegation\ttemporality\texperiencer\n", out.fp);
        continue;
      }
    }
    if (st) {
      fprintf(stderr, "vertebra: %s: line %zu: %s\n", name, line, err.message);
      failed++;
      if (st == VT_ENOMEM) break;
      continue;
    }
    put_field(out.fp, id, il);
    fprintf(out.fp, "\t%s\t%s\t%s\n", negation_word(&a), temporality_word(&a),
            experiencer_word(&a));
  }
  vt__csv_free(csv);
  vt_text_engine_free(eng);
  if (st) {
    /* the reader failed (I/O, limit) or memory ran out: no partial output */
    vt__atomic_abort(&out);
    return vt_cli_fail(&err);
  }
  if (vt__atomic_commit(&out, &err)) return vt_cli_fail(&err);
  return vt_cli_batch_exit(failed);
}
