/* text_source.c — documents for `vertebra text extract`, one at a time in
 * input order: plain-text files (one document each), folders of them (sorted,
 * recursive), JSONL ({"id":..,"text":..} per line), CSV/TSV (--id-col,
 * --text-col) and stdin. A document that cannot be read fails alone; a CSV
 * that breaks (unterminated quote) fails from that record on, named by line. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "io/csv.h"
#include "text/stages.h"
#include "text_source.h"

/* A JSONL line holds the text JSON-escaped: allow for escapes on top of the
 * 64 MiB document limit, then refuse. */
#define MAX_JSONL_LINE (VT_TEXT_MAX_DOC * 2)
#define MAX_INPUT_FILES ((size_t)1 << 24)

typedef struct input {
  char *path; /* "-" = stdin */
  const char *shown; /* path, or "stdin" */
  vt_cli_text_input fmt;
} input;

struct vt_cli_text_source {
  const vt_cli_text_batch_options *bo;
  input *in;
  size_t n, cap, next;
  size_t text_files; /* documents known in advance (text inputs) */
  /* the stream being read (JSONL or CSV), or none */
  const input *cur;
  FILE *fp;
  size_t line;
  vt_buf buf;
  char rbuf[65536]; /* read-ahead of fp */
  size_t rpos, rlen;
  vt__csv *csv;
  size_t id_idx, text_idx, max_idx;
  int has_id;
};

static vt_cli_text_input by_name(const char *path, vt_cli_text_input forced) {
  if (forced != VT_CLI_INPUT_AUTO) return forced;
  const char *dot = strrchr(path, '.');
  if (dot && (!strcmp(dot, ".jsonl") || !strcmp(dot, ".ndjson"))) return VT_CLI_INPUT_JSONL;
  if (dot && (!strcmp(dot, ".csv") || !strcmp(dot, ".tsv"))) return VT_CLI_INPUT_CSV;
  return VT_CLI_INPUT_TEXT;
}

static vt_status add_input(vt_cli_text_source *s, const char *path, vt_cli_text_input fmt,
                           vt_error *err) {
  if (s->n == MAX_INPUT_FILES)
    return vt_error_set(err, VT_ELIMIT, path, "more than %zu input files", MAX_INPUT_FILES);
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    input *v = realloc(s->in, cap * sizeof *v);
    if (!v) return vt_error_set(err, VT_ENOMEM, path, "out of memory");
    s->in = v;
    s->cap = cap;
  }
  s->in[s->n].path = strdup(path);
  if (!s->in[s->n].path) return vt_error_set(err, VT_ENOMEM, path, "out of memory");
  s->in[s->n].shown = strcmp(path, "-") ? s->in[s->n].path : "stdin";
  s->in[s->n++].fmt = fmt;
  if (fmt == VT_CLI_INPUT_TEXT) s->text_files++;
  return VT_OK;
}

static int skip_name(const struct dirent *e) { return e->d_name[0] != '.'; }

/* A folder: its files in name order, sub-folders in place, hidden names skipped. */
static vt_status add_dir(vt_cli_text_source *s, const char *dir, int depth, vt_error *err) {
  if (depth > 32) return vt_error_set(err, VT_ELIMIT, dir, "folders nested more than 32 deep");
  struct dirent **names = NULL;
  int n = scandir(dir, &names, skip_name, alphasort);
  if (n < 0) return vt_error_set(err, VT_EIO, dir, "cannot read folder: %s", strerror(errno));
  vt_status st = VT_OK;
  for (int i = 0; i < n; i++) {
    if (!st) {
      vt_buf p;
      vt__buf_init(&p, 0);
      st = vt__buf_printf(&p, "%s/%s", dir, names[i]->d_name);
      struct stat sb;
      if (!st && stat(p.data, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) st = add_dir(s, p.data, depth + 1, err);
        else if (S_ISREG(sb.st_mode)) st = add_input(s, p.data, by_name(p.data, s->bo->input_format), err);
      }
      if (st == VT_ENOMEM) vt_error_set(err, st, dir, "out of memory");
      vt__buf_free(&p);
    }
    free(names[i]);
  }
  free(names);
  return st;
}

vt_status vt_cli_text_source_open(const vt_cli_text_batch_options *bo, vt_cli_text_source **out,
                                  vt_error *err) {
  vt_cli_text_source *s = calloc(1, sizeof *s);
  if (!s) return vt_error_set(err, VT_ENOMEM, "input", "out of memory");
  s->bo = bo;
  vt__buf_init(&s->buf, MAX_JSONL_LINE);
  vt_status st = VT_OK;
  if (bo->ninputs == 0)
    st = add_input(s, "-", bo->input_format ? bo->input_format : VT_CLI_INPUT_TEXT, err);
  for (size_t i = 0; i < bo->ninputs && !st; i++) {
    const char *p = bo->inputs[i];
    struct stat sb;
    if (strcmp(p, "-") && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) st = add_dir(s, p, 0, err);
    else if (!strcmp(p, "-")) st = add_input(s, p, bo->input_format ? bo->input_format : VT_CLI_INPUT_TEXT, err);
    else st = add_input(s, p, by_name(p, bo->input_format), err); /* unreadable: fails as a document */
  }
  if (!st) {
    for (size_t i = 0; i < s->n && !st; i++)
      if (s->in[i].fmt == VT_CLI_INPUT_CSV && !bo->text_col)
        st = vt_error_set(err, VT_EINVAL, s->in[i].path, "CSV input needs --text-col (and --id-col)");
  }
  if (st) {
    vt_cli_text_source_free(s);
    return st;
  }
  *out = s;
  return VT_OK;
}

/* The id of a document that has none of its own: its place. */
static vt_status place_id(vt_cli_text_doc *doc, const char *path, size_t line, vt_error *err) {
  vt_buf id;
  vt__buf_init(&id, 0);
  if (vt__buf_printf(&id, "%s: line %zu", path, line)) {
    vt__buf_free(&id);
    return vt_error_set(err, VT_ENOMEM, path, "out of memory");
  }
  doc->id = vt__buf_take(&id, NULL);
  return VT_OK;
}

static void end_stream(vt_cli_text_source *s) {
  if (s->fp && s->fp != stdin) fclose(s->fp);
  s->fp = NULL;
  vt__csv_free(s->csv);
  s->csv = NULL;
  s->cur = NULL;
}

/* ---- JSONL ---- */

/* Reads one line into s->buf (without the newline), NUL bytes and all (so a
 * NUL can never merge two lines; the JSON parse names it). 1 = a line, 0 =
 * end, -1 = over the limit (the rest of the line is skipped), -2 = error. */
static int read_line(vt_cli_text_source *s) {
  vt__buf_reset(&s->buf);
  int any = 0, over = 0;
  for (;;) {
    if (s->rpos == s->rlen) {
      s->rlen = fread(s->rbuf, 1, sizeof s->rbuf, s->fp);
      s->rpos = 0;
      if (s->rlen == 0) break;
    }
    any = 1;
    const char *start = s->rbuf + s->rpos;
    const char *nl = memchr(start, '\n', s->rlen - s->rpos);
    size_t n = nl ? (size_t)(nl - start) : s->rlen - s->rpos;
    if (!over && vt__buf_append(&s->buf, start, n)) over = 1;
    s->rpos += n + (nl != NULL);
    if (nl) break;
  }
  if (ferror(s->fp)) return -2;
  if (!any) return 0;
  return over ? -1 : 1;
}

static vt_status next_jsonl(vt_cli_text_source *s, vt_cli_text_doc *doc, int *got, vt_error *err) {
  const char *path = s->cur->shown;
  for (;;) {
    int r = read_line(s);
    if (r == 0) {
      end_stream(s);
      return VT_OK;
    }
    if (r == -2) return vt_error_set(err, VT_EIO, path, "read failed: %s", strerror(errno));
    s->line++;
    *got = 1;
    doc->path = path;
    doc->line = s->line;
    if (r == -1) {
      doc->st = vt_error_set(&doc->err, VT_ELIMIT, "", "line is over %zu bytes", (size_t)MAX_JSONL_LINE);
      return place_id(doc, path, s->line, err);
    }
    size_t n = s->buf.len;
    if (n && s->buf.data[n - 1] == '\r') n--;
    int blank = 1;
    for (size_t i = 0; i < n && blank; i++) blank = s->buf.data[i] == ' ' || s->buf.data[i] == '\t';
    if (blank) { /* blank lines separate nothing: skip */
      *got = 0;
      continue;
    }
    json_error_t je;
    json_t *o = json_loadb(s->buf.data, n, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &je);
    json_t *jid = o ? json_object_get(o, "id") : NULL, *jt = o ? json_object_get(o, "text") : NULL;
    vt_status st = VT_OK;
    if (!o)
      doc->st = vt_error_set(&doc->err, VT_EFORMAT, "", "column %d: invalid JSON: %s", je.column, je.text);
    else if (!json_is_string(jt))
      doc->st = vt_error_set(&doc->err, VT_EFORMAT, "", "no string \"text\" member");
    if (json_is_string(jid)) {
      doc->id = strdup(json_string_value(jid));
      if (!doc->id) st = vt_error_set(err, VT_ENOMEM, path, "out of memory");
    } else if (json_is_integer(jid)) {
      char num[32];
      snprintf(num, sizeof num, "%lld", (long long)json_integer_value(jid));
      doc->id = strdup(num);
      if (!doc->id) st = vt_error_set(err, VT_ENOMEM, path, "out of memory");
    } else {
      st = place_id(doc, path, s->line, err); /* no id: the place is the id */
    }
    if (!st && !doc->st) {
      doc->len = json_string_length(jt);
      doc->text = malloc(doc->len + 1);
      if (!doc->text) st = vt_error_set(err, VT_ENOMEM, path, "out of memory");
      else memcpy(doc->text, json_string_value(jt), doc->len + 1);
    }
    json_decref(o);
    return st;
  }
}

/* ---- CSV ---- */

static vt_status find_col(vt_cli_text_source *s, const char *want, size_t nf, size_t *idx,
                          vt_error *err) {
  for (size_t i = 0; i < nf; i++)
    if (!strcmp(vt__csv_field(s->csv, i, NULL), want)) {
      *idx = i;
      return VT_OK;
    }
  char *end;
  long v = strtol(want, &end, 10);
  if (!*end && v >= 1 && (size_t)v <= nf) {
    *idx = (size_t)v - 1;
    return VT_OK;
  }
  return vt_error_set(err, VT_ENOTFOUND, s->cur->path, "no column '%s' in the header", want);
}

static vt_status next_csv(vt_cli_text_source *s, vt_cli_text_doc *doc, int *got, vt_error *err) {
  const char *path = s->cur->shown;
  vt_error e;
  size_t nf = 0;
  if (!s->csv) {
    vt__csv_options opt;
    memset(&opt, 0, sizeof opt);
    const char *dot = strrchr(path, '.');
    if (dot && !strcmp(dot, ".tsv")) {
      opt.delimiter = '\t';
      opt.quoting = -1;
    }
    opt.max_field = VT_TEXT_MAX_DOC;
    vt_status st = vt__csv_open_file(s->cur->path, &opt, &s->csv, &e);
    if (!st) st = vt__csv_next(s->csv, &nf, &e);
    if (!st && nf == 0) st = vt_error_set(&e, VT_EFORMAT, path, "empty CSV: no header");
    if (!st) st = find_col(s, s->bo->text_col, nf, &s->text_idx, &e);
    s->has_id = s->bo->id_col != NULL;
    if (!st && s->has_id) st = find_col(s, s->bo->id_col, nf, &s->id_idx, &e);
    if (st) { /* the file as a whole fails, as one document */
      *got = 1;
      doc->st = st;
      doc->err = e;
      end_stream(s);
      doc->id = strdup(path);
      return doc->id ? VT_OK : vt_error_set(err, VT_ENOMEM, path, "out of memory");
    }
    s->max_idx = s->text_idx > s->id_idx ? s->text_idx : s->id_idx;
  }
  vt_status st = vt__csv_next(s->csv, &nf, &e);
  if (!st && nf == 0) {
    end_stream(s);
    return VT_OK;
  }
  *got = 1;
  size_t line = vt__csv_line(s->csv);
  doc->path = path;
  doc->line = line;
  if (st) { /* a broken record ends the file: the reader cannot resync after it */
    doc->st = st;
    doc->err = e;
    end_stream(s);
    return place_id(doc, path, line, err);
  }
  if (nf <= s->max_idx) {
    doc->st = vt_error_set(&doc->err, VT_EFORMAT, "", "%zu fields, the id/text columns need %zu",
                           nf, s->max_idx + 1);
    return place_id(doc, path, line, err);
  }
  if (s->has_id) {
    doc->id = strdup(vt__csv_field(s->csv, s->id_idx, NULL));
    if (!doc->id) return vt_error_set(err, VT_ENOMEM, path, "out of memory");
  } else if ((st = place_id(doc, path, line, err))) {
    return st;
  }
  size_t len = 0;
  const char *t = vt__csv_field(s->csv, s->text_idx, &len);
  doc->text = malloc(len + 1);
  if (!doc->text) return vt_error_set(err, VT_ENOMEM, path, "out of memory");
  memcpy(doc->text, t, len + 1);
  doc->len = len;
  return VT_OK;
}

vt_status vt_cli_text_source_next(vt_cli_text_source *src, vt_cli_text_doc *doc, int *eof,
                                  vt_error *err) {
  memset(doc, 0, sizeof *doc);
  *eof = 0;
  for (;;) {
    if (!src->cur) {
      if (src->next >= src->n) {
        *eof = 1;
        return VT_OK;
      }
      const input *in = &src->in[src->next++];
      const char *shown = strcmp(in->path, "-") ? in->path : "stdin";
      if (in->fmt == VT_CLI_INPUT_TEXT) {
        doc->id = strdup(shown);
        if (!doc->id) return vt_error_set(err, VT_ENOMEM, shown, "out of memory");
        doc->st = vt__read_file(strcmp(in->path, "-") ? in->path : "/dev/stdin", VT_TEXT_MAX_DOC,
                                &doc->text, &doc->len, &doc->err);
        return VT_OK;
      }
      src->cur = in;
      src->line = 0;
      src->rpos = src->rlen = 0;
      if (in->fmt == VT_CLI_INPUT_JSONL) {
        src->fp = strcmp(in->path, "-") ? fopen(in->path, "rb") : stdin;
        if (!src->fp) {
          src->cur = NULL;
          doc->id = strdup(in->path);
          doc->st = vt_error_set(&doc->err, VT_EIO, in->path, "cannot open: %s", strerror(errno));
          return doc->id ? VT_OK : vt_error_set(err, VT_ENOMEM, in->path, "out of memory");
        }
      }
    }
    int got = 0;
    vt_status st = src->cur->fmt == VT_CLI_INPUT_JSONL ? next_jsonl(src, doc, &got, err)
                                                       : next_csv(src, doc, &got, err);
    if (st || got) return st;
  }
}

size_t vt_cli_text_source_total(const vt_cli_text_source *src) {
  /* Known only when every input is one document (text files). */
  return src->text_files == src->n && !(src->n == 1 && !strcmp(src->in[0].path, "-")) ? src->n : 0;
}

void vt_cli_text_doc_clear(vt_cli_text_doc *doc) {
  free(doc->id);
  free(doc->text);
  doc->id = doc->text = NULL;
}

void vt_cli_text_source_free(vt_cli_text_source *src) {
  if (!src) return;
  end_stream(src);
  for (size_t i = 0; i < src->n; i++) free(src->in[i].path);
  free(src->in);
  vt__buf_free(&src->buf);
  free(src);
}
