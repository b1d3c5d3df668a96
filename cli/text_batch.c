/* text_batch.c — the streaming, multi-threaded batch behind `vertebra text
 * extract`: one reader (this thread), N extracting workers, and the writer
 * (this thread again) that emits results strictly in input order. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "core/buf.h"
#include "text_batch.h"
#include "text_source.h"

int vt_cli_text_input_format_parse(const char *name, vt_cli_text_input *out) {
  if (!name) return -1;
  if (!strcmp(name, "text")) *out = VT_CLI_INPUT_TEXT;
  else if (!strcmp(name, "jsonl")) *out = VT_CLI_INPUT_JSONL;
  else if (!strcmp(name, "csv")) *out = VT_CLI_INPUT_CSV;
  else return -1;
  return 0;
}

enum { SLOT_FREE = 0, SLOT_READY, SLOT_BUSY, SLOT_DONE };

typedef struct slot {
  vt_cli_text_doc doc; /* id, text (owned), or a read error */
  vt_text_result *res;
  char *rendered;      /* JSONL/FHIR rendered by the worker, or NULL */
  size_t rendered_len, nfindings;
  vt_status st;
  vt_error err;
  int state;
} slot;

/* The ring of documents in flight. Counters only grow; slot i is ring[i % n].
 * head: next to write; work: next to extract; tail: next to fill. */
/* Text bytes in flight at most (one document over it still goes, alone):
 * with 16 documents per thread, 64 MiB documents would otherwise pile up. */
#define MAX_BYTES_IN_FLIGHT ((size_t)256 << 20)

typedef struct batch {
  const vt_text_engine *eng;
  const vt_text_output *out; /* workers render through it (read only) */
  slot *ring;
  size_t n, head, work, tail;
  size_t bytes; /* text bytes in flight */
  int eof;
  int idle;         /* workers waiting for a document */
  int main_waiting; /* the reader/writer waits for a finished one */
  pthread_mutex_t mu;
  pthread_cond_t cv_work, cv_done;
} batch;

static void *worker(void *arg) {
  batch *b = arg;
  pthread_mutex_lock(&b->mu);
  for (;;) {
    while (b->work == b->tail && !b->eof) {
      b->idle++;
      pthread_cond_wait(&b->cv_work, &b->mu);
      b->idle--;
    }
    if (b->work == b->tail) break;
    slot *s = &b->ring[b->work++ % b->n];
    s->state = SLOT_BUSY;
    pthread_mutex_unlock(&b->mu);
    if (s->doc.st == VT_OK) {
      vt_error_clear(&s->err);
      s->st = vt_text_extract(b->eng, s->doc.text, s->doc.len, &s->res, &s->err);
      /* Render here too, off the writer's thread, when the format allows. */
      if (!s->st && b->out) {
        s->nfindings = vt_text_result_count(s->res);
        s->st = vt_text_output_render(b->out, s->doc.id, s->doc.text, s->doc.len, s->res,
                                      &s->rendered, &s->rendered_len, &s->err);
        vt_text_result_free(s->res);
        s->res = NULL;
      }
    }
    pthread_mutex_lock(&b->mu);
    s->state = SLOT_DONE;
    /* Wake the writer only when it waits: a futex call per document costs
     * more than extracting a short one. */
    if (b->main_waiting) pthread_cond_signal(&b->cv_done);
  }
  pthread_mutex_unlock(&b->mu);
  return NULL;
}

typedef struct writer_state {
  vt_text_output *out;
  FILE *map;        /* note_id map, or NULL */
  vt_cli_text_batch_stats *stats;
  const vt_progress *progress;
  size_t total;     /* documents expected, 0 when unknown */
  int fatal;        /* an exit code >= 64 once output failed */
} writer_state;

/* One finished document: output or a clear error naming it. */
static void write_slot(writer_state *w, slot *s) {
  vt_cli_text_batch_stats *st = w->stats;
  st->documents++;
  vt_status rc = s->doc.st ? s->doc.st : s->st;
  vt_error *err = s->doc.st ? &s->doc.err : &s->err;
  if (!rc && !w->fatal) {
    vt_error_clear(err);
    if (s->rendered)
      rc = vt_text_output_write_rendered(w->out, s->rendered, s->rendered_len, err);
    else
      rc = vt_text_output_document(w->out, s->doc.id, s->doc.text, s->doc.len, s->res, err);
    if (rc == VT_EIO) {
      w->fatal = vt_cli_fail(err);
    } else if (!rc) {
      st->findings += s->rendered ? s->nfindings : vt_text_result_count(s->res);
      if (w->map) {
        vt_buf line;
        vt__buf_init(&line, 0);
        vt_status ls = vt__buf_printf(&line, "%ld,", vt_text_output_last_note_id(w->out));
        if (!ls) ls = vt__buf_csv_field(&line, s->doc.id, strlen(s->doc.id));
        if (!ls) ls = vt__buf_putc(&line, '\n');
        if (ls || fwrite(line.data, 1, line.len, w->map) != line.len) {
          vt_error_set(err, VT_EIO, "note id map", "write failed");
          w->fatal = vt_cli_fail(err);
        }
        vt__buf_free(&line);
      }
    }
  }
  if (rc && !w->fatal) {
    st->failed++;
    /* Name the document (and its line in a JSONL/CSV file) in front of the
     * stage's own place ("offset 12"). */
    char outer[VT_ERROR_WHERE_MAX];
    char line_place[VT_ERROR_WHERE_MAX / 2];
    snprintf(line_place, sizeof line_place, "%s: line %zu", s->doc.path ? s->doc.path : "", s->doc.line);
    if (s->doc.line && strcmp(line_place, s->doc.id))
      snprintf(outer, sizeof outer, "%s (id %s)", line_place, s->doc.id);
    else
      snprintf(outer, sizeof outer, "%s", s->doc.id);
    if (strncmp(err->where, outer, strlen(outer))) vt_error_wrap(err, outer);
    vt_cli_fail(err);
  }
  if (st->documents % 64 == 0 || st->documents == w->total)
    vt_progress_report(w->progress, "documents", st->documents, w->total);
  vt_text_result_free(s->res);
  s->res = NULL;
  free(s->rendered);
  s->rendered = NULL;
  vt_cli_text_doc_clear(&s->doc);
  s->state = SLOT_FREE;
}

/* Writes the finished document at the head of the ring; called and
 * returning with b->mu held, writing without it. */
static void write_head(batch *b, writer_state *w) {
  slot *h = &b->ring[b->head % b->n];
  size_t len = h->doc.len;
  pthread_mutex_unlock(&b->mu);
  write_slot(w, h);
  pthread_mutex_lock(&b->mu);
  b->bytes -= len;
  b->head++;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int vt_cli_text_batch_run(const vt_text_engine *eng, const vt_cli_text_batch_options *bo,
                          const vt_text_output_options *oo, const char *out_path,
                          vt_cli_text_batch_stats *stats) {
  memset(stats, 0, sizeof *stats);
  double t0 = now_s();
  vt_error err;
  vt_error_clear(&err);
  vt_cli_text_source *src = NULL;
  if (vt_cli_text_source_open(bo, &src, &err)) return vt_cli_fail(&err);
  vt_atomic_file af, mapf;
  memset(&af, 0, sizeof af);
  memset(&mapf, 0, sizeof mapf);
  int map_open = 0;
  if (vt__atomic_open(&af, out_path, &err)) {
    vt_cli_text_source_free(src);
    return vt_cli_fail(&err);
  }
  if (bo->note_id_map) {
    if (vt__atomic_open(&mapf, bo->note_id_map, &err) ||
        fputs("note_id,document_id\n", mapf.fp) == EOF) {
      vt__atomic_abort(&af);
      vt_cli_text_source_free(src);
      return vt_cli_fail(&err);
    }
    map_open = 1;
  }
  writer_state w = {NULL, map_open ? mapf.fp : NULL, stats, bo->progress,
                    vt_cli_text_source_total(src), 0};
  if (vt_text_output_new(&w.out, af.fp, oo, &err)) {
    vt__atomic_abort(&af);
    if (map_open) vt__atomic_abort(&mapf);
    vt_cli_text_source_free(src);
    return vt_cli_fail(&err);
  }

  int jobs = bo->jobs < 1 ? 1 : bo->jobs;
  batch b;
  memset(&b, 0, sizeof b);
  b.eng = eng;
  b.out = oo->format == VT_TEXT_FORMAT_NOTE_NLP ? NULL : w.out;
  b.n = (size_t)jobs * 16; /* documents in flight: bounds memory, keeps workers fed */
  b.ring = calloc(b.n, sizeof *b.ring);
  pthread_t *th = calloc((size_t)jobs, sizeof *th);
  int started = 0;
  if (b.ring && th) {
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv_work, NULL);
    pthread_cond_init(&b.cv_done, NULL);
    for (; started < jobs; started++)
      if (pthread_create(&th[started], NULL, worker, &b)) break;
  }
  if (!started) {
    free(b.ring);
    free(th);
    vt_text_output_free(w.out);
    vt__atomic_abort(&af);
    if (map_open) vt__atomic_abort(&mapf);
    vt_cli_text_source_free(src);
    fprintf(stderr, "vertebra: cannot start worker threads\n");
    return VT_EXIT_OSERR;
  }

  int reading = 1;
  while (reading) {
    vt_cli_text_doc doc;
    int eof = 0;
    vt_status rs = vt_cli_text_source_next(src, &doc, &eof, &err);
    if (rs) { /* the input itself broke (stdin I/O): stop reading, keep what we have */
      w.fatal = vt_cli_fail(&err);
      break;
    }
    if (eof) break;
    pthread_mutex_lock(&b.mu);
    /* Write finished documents in order; wait only when the ring is full. */
    for (;;) {
      slot *h = &b.ring[b.head % b.n];
      if (b.head < b.tail && h->state == SLOT_DONE) {
        write_head(&b, &w);
      } else if (b.tail - b.head == b.n ||
                 (b.head < b.tail && b.bytes + doc.len > MAX_BYTES_IN_FLIGHT)) {
        b.main_waiting = 1;
        pthread_cond_wait(&b.cv_done, &b.mu);
        b.main_waiting = 0;
      } else {
        break;
      }
    }
    slot *s = &b.ring[b.tail % b.n];
    s->doc = doc;
    b.bytes += doc.len;
    s->st = VT_OK;
    s->res = NULL;
    s->rendered = NULL;
    s->nfindings = 0;
    s->state = SLOT_READY;
    b.tail++;
    if (b.idle) pthread_cond_signal(&b.cv_work);
    pthread_mutex_unlock(&b.mu);
    if (w.fatal) reading = 0;
  }
  pthread_mutex_lock(&b.mu);
  b.eof = 1;
  pthread_cond_broadcast(&b.cv_work);
  while (b.head < b.tail) {
    slot *h = &b.ring[b.head % b.n];
    if (h->state != SLOT_DONE) {
      b.main_waiting = 1;
      pthread_cond_wait(&b.cv_done, &b.mu);
      b.main_waiting = 0;
      continue;
    }
    write_head(&b, &w);
  }
  pthread_mutex_unlock(&b.mu);
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  pthread_mutex_destroy(&b.mu);
  pthread_cond_destroy(&b.cv_work);
  pthread_cond_destroy(&b.cv_done);
  free(th);
  free(b.ring);
  vt_cli_text_source_free(src);

  if (!w.total) vt_progress_report(bo->progress, "documents", stats->documents, stats->documents);
  int rc = w.fatal;
  if (!rc && vt_text_output_finish(w.out, &err)) rc = vt_cli_fail(&err);
  vt_text_output_free(w.out);
  if (!rc && map_open && vt__atomic_commit(&mapf, &err)) rc = vt_cli_fail(&err);
  if (!rc && vt__atomic_commit(&af, &err)) rc = vt_cli_fail(&err);
  if (rc) {
    vt__atomic_abort(&af);
    if (map_open) vt__atomic_abort(&mapf);
    return rc;
  }
  stats->seconds = now_s() - t0;
  return vt_cli_batch_exit(stats->failed);
}
