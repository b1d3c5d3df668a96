/* text_batch.h — the CLI's streaming batch over the text engine: reads
 * documents, extracts on N threads, writes in input order, counts failures.
 * Shared by `vertebra text extract` and the demo. */
#ifndef VT_CLI_TEXT_BATCH_H
#define VT_CLI_TEXT_BATCH_H
#include <stddef.h>

#include "vertebra/progress.h"
#include "vertebra/text.h"
#include "vertebra/text_output.h"

typedef enum vt_cli_text_input {
  VT_CLI_INPUT_AUTO = 0, /* by file name: .jsonl/.ndjson, .csv/.tsv, else text */
  VT_CLI_INPUT_TEXT,
  VT_CLI_INPUT_JSONL,
  VT_CLI_INPUT_CSV
} vt_cli_text_input;

int vt_cli_text_input_format_parse(const char *name, vt_cli_text_input *out);

typedef struct vt_cli_text_batch_options {
  const char **inputs; /* files/folders; none (or "-") = stdin */
  size_t ninputs;
  vt_cli_text_input input_format;
  const char *id_col, *text_col; /* CSV columns */
  int jobs;                      /* worker threads, >= 1 */
  const char *note_id_map;       /* NOTE_NLP: where to write note_id,document_id */
  const vt_progress *progress;
} vt_cli_text_batch_options;

typedef struct vt_cli_text_batch_stats {
  size_t documents, findings, failed;
  double seconds;
} vt_cli_text_batch_stats;

/* Runs the batch and writes `out_path` ("-" = stdout) atomically. Returns the
 * exit code: vt_cli_batch_exit(failed), or >= 64 for a fatal error (printed). */
int vt_cli_text_batch_run(const vt_text_engine *eng, const vt_cli_text_batch_options *bo,
                          const vt_text_output_options *oo, const char *out_path,
                          vt_cli_text_batch_stats *stats);
#endif
