/* doc_input.c — streams documents out of text files, directories, JSONL, CSV
 * and stdin for the text engine, one at a time and with bounded memory. */
#include "io/doc_input.h"

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

#define MAX_ID 4096
#define MAX_DEPTH 64

typedef struct entry {
  char *path; /* as opened; "-" for stdin */
  char *name; /* document id for text files: path below the directory, or base name */
} entry;

enum { SRC_NONE, SRC_TEXT_DONE, SRC_JSONL, SRC_CSV };

struct vt__doc_input {
  vt__doc_input_options o;
  entry *v;
  size_t n, cap, next;
  /* the open source */
  int kind;
  const entry *cur;
  FILE *fp;
  vt__csv *csv;
  size_t id_ix, text_ix, line;
  char chunk[65536];
  size_t clen, cpos;
  int eof;
  vt_buf lb; /* the current JSONL line */
  json_t *root;
  char *text; /* the current text document */
  char id[MAX_ID];
  char source[VT_ERROR_WHERE_MAX];
  vt__doc_item item;
};

static vt_status add_entry(vt__doc_input *in, const char *path, const char *name, vt_error *err) {
  if (in->n == in->cap) {
    size_t cap = in->cap ? in->cap * 2 : 64;
    if (in->n >= in->o.max_files)
      return vt_error_set(err, VT_ELIMIT, path, "more than %zu input files", in->o.max_files);
    entry *v = realloc(in->v, cap * sizeof *v);
    if (!v) return vt_error_set(err, VT_ENOMEM, path, "out of memory listing inputs");
    in->v = v;
    in->cap = cap;
  }
  size_t pl = strlen(path), nl = strlen(name);
  char *p = malloc(pl + 1), *q = malloc(nl + 1);
  if (!p || !q) {
    free(p);
    free(q);
    return vt_error_set(err, VT_ENOMEM, path, "out of memory listing inputs");
  }
  memcpy(p, path, pl + 1);
  memcpy(q, name, nl + 1);
  in->v[in->n].path = p;
  in->v[in->n].name = q;
  in->n++;
  return VT_OK;
}

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the files under dir (recursively, sorted), named by their path below
 * the top directory (`rel`). */
static vt_status walk(vt__doc_input *in, const char *dir, const char *rel, int depth,
                      vt_error *err) {
  if (depth > MAX_DEPTH)
    return vt_error_set(err, VT_ELIMIT, dir, "directories nested deeper than %d", MAX_DEPTH);
  DIR *d = opendir(dir);
  if (!d) return vt_error_set(err, VT_EIO, dir, "cannot open directory: %s", strerror(errno));
  char **names = NULL;
  size_t n = 0, cap = 0;
  vt_status st = VT_OK;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) {
      if (n >= in->o.max_files) {
        st = vt_error_set(err, VT_ELIMIT, dir, "more than %zu entries", in->o.max_files);
        break;
      }
      cap = cap ? cap * 2 : 64;
      char **v = realloc(names, cap * sizeof *v);
      if (!v) {
        st = vt_error_set(err, VT_ENOMEM, dir, "out of memory listing directory");
        break;
      }
      names = v;
    }
    size_t l = strlen(e->d_name);
    names[n] = malloc(l + 1);
    if (!names[n]) {
      st = vt_error_set(err, VT_ENOMEM, dir, "out of memory listing directory");
      break;
    }
    memcpy(names[n++], e->d_name, l + 1);
  }
  closedir(d);
  if (!st && n) qsort(names, n, sizeof *names, name_cmp);
  vt_buf path, name;
  vt__buf_init(&path, 8192);
  vt__buf_init(&name, 8192);
  for (size_t i = 0; i < n && !st; i++) {
    vt__buf_reset(&path);
    vt__buf_reset(&name);
    if (vt__buf_printf(&path, "%s/%s", dir, names[i]) ||
        vt__buf_printf(&name, "%s%s%s", rel, *rel ? "/" : "", names[i])) {
      st = vt_error_set(err, VT_ELIMIT, dir, "path too long");
      break;
    }
    struct stat sb;
    if (stat(path.data, &sb) != 0) continue; /* a dangling link: nothing to read */
    if (S_ISDIR(sb.st_mode)) st = walk(in, path.data, name.data, depth + 1, err);
    else if (S_ISREG(sb.st_mode)) st = add_entry(in, path.data, name.data, err);
  }
  vt__buf_free(&path);
  vt__buf_free(&name);
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return st;
}

vt_status vt__doc_input_open(const char *const *inputs, size_t ninputs,
                             const vt__doc_input_options *opts, vt__doc_input **out,
                             vt_error *err) {
  if (!inputs || !ninputs) return vt_error_set(err, VT_EINVAL, NULL, "no inputs given");
  vt__doc_input *in = calloc(1, sizeof *in);
  if (!in) return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  if (opts) in->o = *opts;
  if (!in->o.max_doc || in->o.max_doc > VT_TEXT_MAX_DOC) in->o.max_doc = VT_TEXT_MAX_DOC;
  if (!in->o.max_files) in->o.max_files = 10000000;
  if (!in->o.id_col) in->o.id_col = "id";
  if (!in->o.text_col) in->o.text_col = "text";
  /* a JSONL line holds the text escaped: allow room for quotes, id and escapes */
  vt__buf_init(&in->lb, in->o.max_doc + in->o.max_doc / 8 + 65536);
  vt_status st = VT_OK;
  for (size_t i = 0; i < ninputs && !st; i++) {
    const char *p = inputs[i];
    struct stat sb;
    if (strcmp(p, "-") == 0) {
      st = add_entry(in, "-", "stdin", err);
    } else if (stat(p, &sb) != 0) {
      st = vt_error_set(err, VT_EIO, p, "cannot open: %s", strerror(errno));
    } else if (S_ISDIR(sb.st_mode)) {
      st = walk(in, p, "", 0, err);
    } else {
      const char *base = strrchr(p, '/');
      st = add_entry(in, p, base && base[1] ? base + 1 : p, err);
    }
  }
  if (st) {
    vt__doc_input_free(in);
    return st;
  }
  *out = in;
  return VT_OK;
}

static void close_source(vt__doc_input *in) {
  if (in->fp && in->fp != stdin) fclose(in->fp);
  in->fp = NULL;
  vt__csv_free(in->csv);
  in->csv = NULL;
  in->kind = SRC_NONE;
  in->clen = in->cpos = 0;
  in->eof = 0;
  in->line = 0;
}

void vt__doc_input_free(vt__doc_input *in) {
  if (!in) return;
  close_source(in);
  for (size_t i = 0; i < in->n; i++) {
    free(in->v[i].path);
    free(in->v[i].name);
  }
  free(in->v);
  vt__buf_free(&in->lb);
  json_decref(in->root);
  free(in->text);
  free(in);
}

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  if (a < b) return 0;
  for (size_t i = 0; i < b; i++) {
    char c = s[a - b + i];
    if (c >= 'A' && c <= 'Z') c = (char)(c | 0x20);
    if (c != suf[i]) return 0;
  }
  return 1;
}

static vt__doc_format format_of(const vt__doc_input *in, const entry *e) {
  if (in->o.format != VT_DOC_AUTO) return in->o.format;
  if (strcmp(e->path, "-") == 0) return VT_DOC_TEXT;
  if (ends_with(e->path, ".jsonl") || ends_with(e->path, ".ndjson")) return VT_DOC_JSONL;
  if (ends_with(e->path, ".csv")) return VT_DOC_CSV;
  if (ends_with(e->path, ".tsv")) return VT_DOC_TSV;
  return VT_DOC_TEXT;
}

/* Fills the item as an error of the current source; returns it. */
static const vt__doc_item *fail_item(vt__doc_input *in, vt_status st) {
  in->item.status = st;
  in->item.text = "";
  in->item.len = 0;
  in->item.id = in->id;
  in->item.source = in->source;
  return &in->item;
}

static const vt__doc_item *doc_item(vt__doc_input *in, const char *text, size_t len) {
  vt_error_clear(&in->item.error);
  in->item.status = VT_OK;
  in->item.id = in->id;
  in->item.text = text;
  in->item.len = len;
  in->item.source = in->source;
  return &in->item;
}

static void set_id(vt__doc_input *in, const char *id, size_t len) {
  if (len >= MAX_ID) len = MAX_ID - 1;
  memcpy(in->id, id, len);
  in->id[len] = '\0';
}

/* A whole file (or stdin) as one document, read with the size limit. */
static const vt__doc_item *read_text(vt__doc_input *in, FILE *f, const entry *e) {
  vt_buf b;
  vt__buf_init(&b, in->o.max_doc);
  vt_status st = VT_OK;
  size_t n;
  while ((n = fread(in->chunk, 1, sizeof in->chunk, f)) > 0) {
    st = vt__buf_append(&b, in->chunk, n);
    if (st) break;
  }
  int rerr = ferror(f);
  if (f != stdin) fclose(f);
  set_id(in, e->name, strlen(e->name));
  snprintf(in->source, sizeof in->source, "%s", strcmp(e->path, "-") ? e->path : "<stdin>");
  if (st || rerr) {
    vt__buf_free(&b);
    if (st == VT_ELIMIT)
      vt_error_set(&in->item.error, st, in->source, "document over the limit of %zu bytes",
                   in->o.max_doc);
    else if (st)
      vt_error_set(&in->item.error, st, in->source, "out of memory");
    else
      vt_error_set(&in->item.error, VT_EIO, in->source, "read error");
    return fail_item(in, st ? st : VT_EIO);
  }
  size_t len = 0;
  in->text = vt__buf_take(&b, &len);
  if (!in->text) { /* an empty file: a valid, empty document */
    in->text = calloc(1, 1);
    if (!in->text) return NULL;
  }
  return doc_item(in, in->text, len);
}

/* Reads the next line of the JSONL source into in->lb. Returns 1 with a line,
 * 0 at the end, -1 for a line over the limit (skipped to its end), -2 on a
 * read error. */
static int next_line(vt__doc_input *in) {
  vt__buf_reset(&in->lb);
  int over = 0, any = 0;
  for (;;) {
    if (in->cpos == in->clen) {
      if (in->eof) break;
      in->clen = fread(in->chunk, 1, sizeof in->chunk, in->fp);
      in->cpos = 0;
      if (in->clen == 0) {
        in->eof = 1;
        if (ferror(in->fp)) return -2;
        break;
      }
    }
    any = 1;
    const char *p = in->chunk + in->cpos;
    size_t avail = in->clen - in->cpos;
    const char *nl = memchr(p, '\n', avail);
    size_t take = nl ? (size_t)(nl - p) : avail;
    if (!over && vt__buf_append(&in->lb, p, take)) over = 1;
    in->cpos += take + (nl != NULL);
    if (nl) break;
  }
  if (!any) return 0;
  in->line++;
  return over ? -1 : 1;
}

static const vt__doc_item *next_jsonl(vt__doc_input *in) {
  for (;;) {
    int r = next_line(in);
    if (r == 0) return NULL;
    snprintf(in->source, sizeof in->source, "%s: line %zu",
             strcmp(in->cur->path, "-") ? in->cur->path : "<stdin>", in->line);
    in->id[0] = '\0';
    if (r == -2) {
      vt_error_set(&in->item.error, VT_EIO, in->source, "read error");
      in->eof = 1;
      return fail_item(in, VT_EIO);
    }
    if (r == -1) {
      vt_error_set(&in->item.error, VT_ELIMIT, in->source, "line longer than %zu bytes",
                   in->lb.max);
      return fail_item(in, VT_ELIMIT);
    }
    size_t len = in->lb.len;
    const char *s = in->lb.data ? in->lb.data : "";
    while (len && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    size_t k = 0;
    while (k < len && (s[k] == ' ' || s[k] == '\t')) k++;
    if (k == len) continue; /* blank line */
    json_error_t jerr;
    json_decref(in->root);
    in->root = json_loadb(s, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
    if (!in->root) {
      vt_error_set(&in->item.error, VT_EFORMAT, in->source, "invalid JSON at column %d: %s",
                   jerr.column, jerr.text);
      return fail_item(in, VT_EFORMAT);
    }
    json_t *id = json_object_get(in->root, "id");
    json_t *text = json_object_get(in->root, "text");
    if (json_is_string(id)) {
      set_id(in, json_string_value(id), json_string_length(id));
    } else if (json_is_integer(id)) {
      snprintf(in->id, sizeof in->id, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
    } else if (id && !json_is_null(id)) {
      vt_error_set(&in->item.error, VT_EFORMAT, in->source, "\"id\" must be a string or integer");
      return fail_item(in, VT_EFORMAT);
    } else {
      snprintf(in->id, sizeof in->id, "%s:%zu", in->cur->name, in->line);
    }
    if (!json_is_string(text)) {
      vt_error_set(&in->item.error, VT_EFORMAT, in->source,
                   "expected an object with a string \"text\"");
      return fail_item(in, VT_EFORMAT);
    }
    if (json_string_length(text) > in->o.max_doc) {
      vt_error_set(&in->item.error, VT_ELIMIT, in->source,
                   "document of %zu bytes over the limit of %zu", json_string_length(text),
                   in->o.max_doc);
      return fail_item(in, VT_ELIMIT);
    }
    return doc_item(in, json_string_value(text), json_string_length(text));
  }
}

/* Opens a CSV/TSV source and finds its columns; an error item if it cannot. */
static const vt__doc_item *open_csv(vt__doc_input *in, vt__doc_format fmt) {
  vt__csv_options co = {0};
  co.delimiter = fmt == VT_DOC_TSV ? '\t' : ',';
  co.quoting = fmt == VT_DOC_TSV ? -1 : 1;
  co.max_field = in->o.max_doc;
  co.max_record = in->o.max_doc + 1024 * 1024;
  vt_error *e = &in->item.error;
  snprintf(in->source, sizeof in->source, "%s",
           strcmp(in->cur->path, "-") ? in->cur->path : "<stdin>");
  in->id[0] = '\0';
  vt_status st = vt__csv_open_file(in->cur->path, &co, &in->csv, e);
  size_t nf = 0;
  if (!st) st = vt__csv_next(in->csv, &nf, e);
  if (!st && nf == 0) st = vt_error_set(e, VT_EFORMAT, in->source, "empty file: no header row");
  if (st) {
    close_source(in);
    return fail_item(in, st);
  }
  int fid = -1, ftext = -1;
  for (size_t i = 0; i < nf; i++) {
    const char *f = vt__csv_field(in->csv, i, NULL);
    if (fid < 0 && strcmp(f, in->o.id_col) == 0) fid = (int)i;
    if (ftext < 0 && strcmp(f, in->o.text_col) == 0) ftext = (int)i;
  }
  if (fid < 0 || ftext < 0) {
    vt_error_set(e, VT_ENOTFOUND, in->source, "no column named \"%s\" in the header (line 1)",
                 fid < 0 ? in->o.id_col : in->o.text_col);
    close_source(in);
    return fail_item(in, VT_ENOTFOUND);
  }
  in->id_ix = (size_t)fid;
  in->text_ix = (size_t)ftext;
  in->kind = SRC_CSV;
  return NULL;
}

static const vt__doc_item *next_csv(vt__doc_input *in) {
  vt_error *e = &in->item.error;
  size_t nf = 0, idlen = 0, tlen = 0;
  for (;;) {
    vt_status st = vt__csv_next(in->csv, &nf, e);
    if (st) {
      /* the reader cannot resynchronise after a broken quote or an oversized
       * field: report it and give up the rest of this file */
      snprintf(in->source, sizeof in->source, "%s", e->where);
      in->id[0] = '\0';
      close_source(in);
      return fail_item(in, st);
    }
    if (nf == 0) return NULL;
    if (nf == 1 && vt__csv_field(in->csv, 0, &idlen) && idlen == 0) continue; /* blank line */
    break;
  }
  snprintf(in->source, sizeof in->source, "%s: line %zu",
           strcmp(in->cur->path, "-") ? in->cur->path : "<stdin>", vt__csv_line(in->csv));
  if (in->id_ix >= nf || in->text_ix >= nf) {
    in->id[0] = '\0';
    vt_error_set(e, VT_EFORMAT, in->source, "record has %zu fields; column \"%s\" is missing", nf,
                 in->id_ix >= nf ? in->o.id_col : in->o.text_col);
    return fail_item(in, VT_EFORMAT);
  }
  const char *id = vt__csv_field(in->csv, in->id_ix, &idlen);
  set_id(in, id, idlen);
  const char *text = vt__csv_field(in->csv, in->text_ix, &tlen);
  return doc_item(in, text, tlen);
}

vt_status vt__doc_input_next(vt__doc_input *in, const vt__doc_item **item, vt_error *err) {
  json_decref(in->root);
  in->root = NULL;
  free(in->text);
  in->text = NULL;
  for (;;) {
    const vt__doc_item *it = NULL;
    if (in->kind == SRC_JSONL) {
      it = next_jsonl(in);
      if (!it) close_source(in);
    } else if (in->kind == SRC_CSV) {
      it = next_csv(in);
      if (!it && in->kind == SRC_CSV) close_source(in);
    } else {
      if (in->next == in->n) {
        *item = NULL;
        return VT_OK;
      }
      in->cur = &in->v[in->next++];
      vt__doc_format fmt = format_of(in, in->cur);
      int is_stdin = strcmp(in->cur->path, "-") == 0;
      if (fmt == VT_DOC_CSV || fmt == VT_DOC_TSV) {
        it = open_csv(in, fmt);
        if (!it) continue;
      } else {
        FILE *f = is_stdin ? stdin : fopen(in->cur->path, "rb");
        if (!f) {
          snprintf(in->source, sizeof in->source, "%s", in->cur->path);
          set_id(in, in->cur->name, strlen(in->cur->name));
          vt_error_set(&in->item.error, VT_EIO, in->source, "cannot open: %s", strerror(errno));
          it = fail_item(in, VT_EIO);
        } else if (fmt == VT_DOC_JSONL) {
          in->fp = f;
          in->kind = SRC_JSONL;
          continue;
        } else {
          struct stat sb;
          if (!is_stdin && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
              (unsigned long long)sb.st_size > in->o.max_doc) {
            fclose(f); /* refuse before reading a huge file */
            snprintf(in->source, sizeof in->source, "%s", in->cur->path);
            set_id(in, in->cur->name, strlen(in->cur->name));
            vt_error_set(&in->item.error, VT_ELIMIT, in->source,
                         "file of %llu bytes over the document limit of %zu",
                         (unsigned long long)sb.st_size, in->o.max_doc);
            it = fail_item(in, VT_ELIMIT);
          } else {
            it = read_text(in, f, in->cur);
            if (!it) return vt_error_set(err, VT_ENOMEM, in->cur->path, "out of memory");
          }
        }
      }
    }
    if (it) {
      *item = it;
      return VT_OK;
    }
  }
}
