/* test_doc_input.c — the document stream: directories (sorted, recursive,
 * hidden files skipped), JSONL with bad lines, CSV with quoted newlines and
 * broken quotes, stdin, and hostile input (binary, empty, 100 MB line, 10^6
 * documents), each document or error naming its place. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vt_test.h"
#include "io/doc_input.h"
#include "text/stages.h"

static char dir[] = "/tmp/vt_test_doc_input_XXXXXX";

static void put(const char *name, const char *data, size_t len) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "wb");
  if (!f) return;
  fwrite(data, 1, len, f);
  fclose(f);
}

static void puts_file(const char *name, const char *data) { put(name, data, strlen(data)); }

static const char *path_of(const char *name) {
  static char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return p;
}

/* Opens one input and returns "id=text" or "!source: message" items, '|'-joined. */
static const char *stream(const char *input, vt__doc_format fmt) {
  static char buf[4096];
  vt__doc_input_options o = {0};
  o.format = fmt;
  vt__doc_input *in = NULL;
  vt_error err;
  buf[0] = '\0';
  if (vt__doc_input_open(&input, 1, &o, &in, &err)) {
    snprintf(buf, sizeof buf, "OPEN %s: %s", err.where, err.message);
    return buf;
  }
  size_t p = 0;
  const vt__doc_item *it;
  while (vt__doc_input_next(in, &it, &err) == VT_OK && it && p + 300 < sizeof buf) {
    if (it->status)
      p += (size_t)snprintf(buf + p, sizeof buf - p, "%s!%s", p ? "|" : "", it->error.where);
    else
      p += (size_t)snprintf(buf + p, sizeof buf - p, "%s%s=%.*s", p ? "|" : "", it->id,
                            (int)it->len, it->text);
  }
  vt__doc_input_free(in);
  return buf;
}

int main(void) {
  CHECK(mkdtemp(dir) != NULL);
  char sub[600];
  snprintf(sub, sizeof sub, "%s/sub", dir);
  mkdir(sub, 0700);
  put("a.txt", "Disc bulge.", 11);
  put("sub/b.txt", "L4-5 stenosis\r\n", 15);
  put(".hidden.txt", "skip me", 7);
  put("empty.txt", "", 0);
  put("bin.dat", "\x7F" "ELF\0\x01\xFF", 7);
  puts_file("docs.jsonl",
      "{\"id\":\"r1\",\"text\":\"x\"}\n\n{not json\n{\"id\":2,\"text\":\"y\"}\r\n"
      "{\"text\":\"z\"}\n{\"id\":\"a\"}\n{\"id\":\"n\",\"text\":\"a\\u0000b\"}");
  puts_file("reports.csv", "id,text\n1,\"multi\nline \"\"q\"\"\"\n\n2,plain\n3\n");
  puts_file("bad.csv", "id,text\n1,ok\n2,\"unterminated\n3,x\n");
  puts_file("nocol.csv", "id,body\n1,x\n");

  /* JSONL: bad lines are errors naming file:line, the rest goes on */
  char expect[2048];
  const char *j = path_of("docs.jsonl");
  snprintf(expect, sizeof expect,
           "r1=x|!%s: line 3|2=y|docs.jsonl:5=z|!%s: line 6|n=a", j, j);
  const char *got = stream(j, VT_DOC_AUTO);
  CHECK_MSG(strncmp(got, expect, strlen(expect)) == 0, "%s", got); /* "a\0b" printed up to the NUL */
  /* CSV: quoted newline and doubled quote; a short record is an error */
  const char *c = path_of("reports.csv");
  snprintf(expect, sizeof expect, "1=multi\nline \"q\"|2=plain|!%s: line 6", c);
  CHECK_STR(stream(c, VT_DOC_AUTO), expect);
  /* an unterminated quote names the line where the record starts */
  got = stream(path_of("bad.csv"), VT_DOC_AUTO);
  CHECK_MSG(strstr(got, "1=ok|!") == got && strstr(got, "line 3") != NULL, "%s", got);
  got = stream(path_of("nocol.csv"), VT_DOC_AUTO);
  CHECK_MSG(strstr(got, "nocol.csv") != NULL && got[0] == '!', "%s", got);
  /* text forced: the CSV is one document */
  snprintf(expect, sizeof expect, "nocol.csv=id,body\n1,x\n");
  CHECK_STR(stream(path_of("nocol.csv"), VT_DOC_TEXT), expect);

  /* a directory: sorted, recursive, hidden skipped, each file by format */
  vt__doc_input *in = NULL;
  vt_error err;
  const char *inputs[] = {dir};
  CHECK_INT(vt__doc_input_open(inputs, 1, NULL, &in, &err), VT_OK);
  const vt__doc_item *it;
  const char *ids[] = {"a.txt", "1", "", "bin.dat", "r1", "", "2", "docs.jsonl:5", "a", "n",
                       "empty.txt", "", "1", "2", "", "sub/b.txt"};
  size_t k = 0, nok = 0;
  while (vt__doc_input_next(in, &it, &err) == VT_OK && it) {
    if (k < sizeof ids / sizeof *ids) CHECK_STR(it->id, ids[k]);
    if (it->status == VT_OK) nok++;
    if (strcmp(it->id, "bin.dat") == 0) {
      /* binary: delivered as is, the pipeline rejects it with the offset */
      CHECK_INT(it->len, 7);
      vt__doc d;
      CHECK_INT(vt__doc_init(&d, it->text, it->len, &err), VT_EFORMAT);
      CHECK_STR(err.where, "byte offset 4");
    }
    if (strcmp(it->id, "empty.txt") == 0) CHECK_INT(it->len, 0);
    if (strcmp(it->id, "sub/b.txt") == 0) CHECK_INT(it->len, 15);
    k++;
  }
  CHECK_INT(k, sizeof ids / sizeof *ids);
  CHECK_INT(nok, 11);
  vt__doc_input_free(in);

  /* missing input: an error at open */
  const char *missing[] = {"/nonexistent/dir/x.txt"};
  CHECK_INT(vt__doc_input_open(missing, 1, NULL, &in, &err), VT_EIO);
  CHECK_STR(err.where, "/nonexistent/dir/x.txt");

  /* stdin as JSONL */
  CHECK(freopen(path_of("docs.jsonl"), "rb", stdin) != NULL);
  const char *dash[] = {"-"};
  vt__doc_input_options o = {0};
  o.format = VT_DOC_JSONL;
  CHECK_INT(vt__doc_input_open(dash, 1, &o, &in, &err), VT_OK);
  CHECK_INT(vt__doc_input_next(in, &it, &err), VT_OK);
  CHECK_MSG(it && it->status == VT_OK && strcmp(it->id, "r1") == 0, "%s %s",
            it ? it->id : "(end)", it ? it->error.message : "");
  CHECK_INT(vt__doc_input_next(in, &it, &err), VT_OK);
  CHECK(it && it->status == VT_EFORMAT && strcmp(it->error.where, "<stdin>: line 3") == 0);
  vt__doc_input_free(in);

  /* a 100 MB single line: as text over the limit, as JSONL skipped; the next
   * line still comes */
  const char *big = path_of("big.jsonl");
  FILE *f = fopen(big, "wb");
  CHECK(f != NULL);
  if (f) {
    char *chunk = malloc(1 << 20);
    memset(chunk, 'a', 1 << 20);
    fputs("{\"id\":\"big\",\"text\":\"", f);
    for (int i = 0; i < 100; i++) fwrite(chunk, 1, 1 << 20, f);
    fputs("\"}\n{\"id\":\"after\",\"text\":\"ok\"}\n", f);
    fclose(f);
    free(chunk);
    snprintf(expect, sizeof expect, "!%s: line 1|after=ok", big);
    CHECK_STR(stream(big, VT_DOC_AUTO), expect);
    got = stream(big, VT_DOC_TEXT);
    CHECK_MSG(got[0] == '!' && strstr(got, "big.jsonl") != NULL, "%s", got);
    /* the same as a CSV field: an error naming the line, no crash */
    got = stream(big, VT_DOC_CSV);
    CHECK_MSG(got[0] == '!', "%s", got);
    remove(big);
  }

  /* 10^6 tiny documents, streamed */
  const char *many = path_of("many.jsonl");
  f = fopen(many, "wb");
  if (f) {
    for (int i = 0; i < 1000000; i++) fprintf(f, "{\"id\":\"d%d\",\"text\":\"L%d\"}\n", i, i % 5);
    fclose(f);
    const char *m[] = {many};
    CHECK_INT(vt__doc_input_open(m, 1, NULL, &in, &err), VT_OK);
    size_t count = 0, bad = 0;
    while (vt__doc_input_next(in, &it, &err) == VT_OK && it) {
      count++;
      if (it->status || it->len != 2) bad++;
    }
    CHECK_INT(count, 1000000);
    CHECK_INT(bad, 0);
    vt__doc_input_free(in);
    remove(many);
  }

  const char *names[] = {"a.txt", "sub/b.txt", ".hidden.txt", "empty.txt", "bin.dat",
                         "docs.jsonl", "reports.csv", "bad.csv", "nocol.csv"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) remove(path_of(names[i]));
  rmdir(sub);
  rmdir(dir);
  return VT_TEST_END();
}
