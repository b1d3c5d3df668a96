/* cmd_text_extract.c — `vertebra text extract`: streams documents through the
 * text engine on N threads and writes JSONL, a FHIR Bundle or NOTE_NLP CSV in
 * input order; a bad document is reported by name and the batch goes on. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "text_batch.h"
#include "core/atomic_file.h"
#include "vertebra/text.h"
#include "vertebra/text_output.h"

static const char *CMD = "text extract";

static void usage(FILE *out) {
  fprintf(out,
          "usage: vertebra text extract [OPTIONS] [INPUT...]\n\n"
          "Finds spine findings (level, side, severity, negation, history...) in reports\n"
          "and writes one record per document, in input order. INPUT is a text file, a\n"
          "folder of them, a JSONL file ({\"id\":..,\"text\":..} per line) or a CSV file;\n"
          "standard input when none is given or INPUT is '-'.\n\n"
          "Options:\n"
          "  --format F        jsonl (default), fhir (R4 Bundle of Observations) or\n"
          "                    note-nlp (OMOP CDM v5.4 NOTE_NLP rows, CSV with header)\n"
          "  --input-format F  text, jsonl or csv (default: from the file name; stdin: text)\n"
          "  --id-col C        CSV column holding the document id (name or 1-based number)\n"
          "  --text-col C      CSV column holding the report text\n"
          "  --jobs N          worker threads (default: number of processors)\n"
          "  --targets F       add target rules (Vertebra JSON, docs/text-rules.md)\n"
          "  --context F       add context rules (Vertebra JSON, NegEx triggers or medspaCy)\n"
          "  --sections F      add section rules (medspaCy en_section_patterns.json)\n"
          "  --note-id-map F   note-nlp: number documents 1, 2, ... as note_id and write\n"
          "                    the map note_id,document_id to F (needed when ids are not\n"
          "                    integers)\n"
          "  -o, --output F    write to F (atomically: complete or absent); default stdout\n"
          "  -v                more log output on stderr\n"
          "  -h, --help        this help\n\n"
          "Spans are byte offsets into the UTF-8 text, end exclusive (docs/text-output.md).\n"
          "Exit status: 0 when every document was processed, else the number that failed\n"
          "(at most 63); 64 and up for usage and I/O errors (docs/ERRORS.md).\n");
}

static long default_jobs(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 256 ? 256 : n;
}

int vt_cli_text_extract(int argc, char **argv) {
  vt_cli_text_batch_options bo;
  memset(&bo, 0, sizeof bo);
  vt_text_output_options oo;
  memset(&oo, 0, sizeof oo);
  const char *out_path = "-", *targets = NULL, *context = NULL, *sections = NULL;
  const char *note_map = NULL;
  long jobs = default_jobs();
  int verbose = 0;
  const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
  if (!inputs) return VT_EXIT_OSERR;
  size_t ninputs = 0;
  int rc = 0;
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (vt_cli_is_help(a)) {
      usage(stdout);
      free(inputs);
      return 0;
    } else if (!strcmp(a, "-v") || !strcmp(a, "-vv")) {
      verbose += (int)strlen(a) - 1;
    } else if (!strcmp(a, "--format")) {
      if (!val || vt_text_format_parse(val, &oo.format))
        rc = vt_cli_usage_error(CMD, "--format must be jsonl, fhir or note-nlp");
      i++;
    } else if (!strcmp(a, "--input-format")) {
      if (!val || vt_cli_text_input_format_parse(val, &bo.input_format))
        rc = vt_cli_usage_error(CMD, "--input-format must be text, jsonl or csv");
      i++;
    } else if (!strcmp(a, "--jobs") || !strcmp(a, "-j")) {
      rc = vt_cli_parse_long(CMD, a, val, 1, 1024, &jobs);
      i++;
    } else if (!strcmp(a, "--id-col") || !strcmp(a, "--text-col") || !strcmp(a, "--targets") ||
               !strcmp(a, "--context") || !strcmp(a, "--sections") || !strcmp(a, "-o") ||
               !strcmp(a, "--output") || !strcmp(a, "--note-id-map")) {
      if (!val) {
        rc = vt_cli_usage_error(CMD, "%s needs a value", a);
        break;
      }
      if (!strcmp(a, "--id-col")) bo.id_col = val;
      else if (!strcmp(a, "--text-col")) bo.text_col = val;
      else if (!strcmp(a, "--targets")) targets = val;
      else if (!strcmp(a, "--context")) context = val;
      else if (!strcmp(a, "--sections")) sections = val;
      else if (!strcmp(a, "--note-id-map")) note_map = val;
      else out_path = val;
      i++;
    } else if (a[0] == '-' && a[1]) {
      rc = vt_cli_usage_error(CMD, "unknown option '%s'", a);
    } else {
      inputs[ninputs++] = a;
    }
  }
  if (!rc && note_map && oo.format != VT_TEXT_FORMAT_NOTE_NLP)
    rc = vt_cli_usage_error(CMD, "--note-id-map goes with --format note-nlp");
  if (rc) {
    free(inputs);
    return rc;
  }
  vt_cli_set_verbosity(verbose);
  oo.assign_note_ids = note_map != NULL;
  bo.inputs = inputs;
  bo.ninputs = ninputs;
  bo.jobs = (int)jobs;
  bo.note_id_map = note_map;
  bo.progress = isatty(STDERR_FILENO) ? &vt_cli_progress_bar : NULL; /* no bar, no cost */

  vt_error err;
  vt_error_clear(&err);
  vt_text_engine *eng = NULL;
  vt_status st = vt_text_engine_new(&eng, &err);
  if (!st && targets) st = vt_text_engine_load_targets(eng, targets, &err);
  if (!st && context) st = vt_text_engine_load_context(eng, context, &err);
  if (!st && sections) st = vt_text_engine_load_sections(eng, sections, &err);
  if (st) {
    vt_text_engine_free(eng);
    free(inputs);
    return vt_cli_fail(&err);
  }
  vt_cli_text_batch_stats stats;
  rc = vt_cli_text_batch_run(eng, &bo, &oo, out_path, &stats);
  if (rc < VT_EXIT_USAGE) {
    vt_cli_progress_clear();
    fprintf(stderr,
            "vertebra %s: %zu documents, %zu findings, %zu failed (%.2f s, %.0f documents/s)\n",
            CMD, stats.documents, stats.findings, stats.failed, stats.seconds,
            stats.seconds > 0 ? (double)stats.documents / stats.seconds : 0.0);
  }
  vt_text_engine_free(eng);
  free(inputs);
  return rc;
}
