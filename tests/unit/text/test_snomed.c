/* test_snomed.c — every SNOMED CT code embedded in the built-in lexicon must
 * appear in ../shared/data/terminology/spine_snomed.tsv as a `finding` row with
 * the name it was verified as, so an invented or mistyped code fails here; and
 * every finding id must be listed in docs/findings.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "text/lexicon.h"
#include "vt_test.h"

/* Is there a line "finding\t<name>\t<code>\t..." in tsv? */
static int tsv_has(const char *tsv, const char *name, const char *code) {
  char want[256];
  snprintf(want, sizeof want, "finding\t%s\t%s\t", name, code);
  for (const char *line = tsv; line && *line;) {
    if (!strncmp(line, want, strlen(want))) return 1;
    line = strchr(line, '\n');
    if (line) line++;
  }
  return 0;
}

int main(void) {
  vt_error err;
  char *tsv = NULL, *doc = NULL;
  size_t len, n;
  CHECK_INT(vt__read_file(VT_SHARED_DATA "/terminology/spine_snomed.tsv", 1 << 20, &tsv, &len,
                          &err),
            VT_OK);
  CHECK_INT(vt__read_file(VT_SOURCE_DIR "/docs/findings.md", 1 << 20, &doc, &len, &err), VT_OK);
  if (!tsv || !doc) return VT_TEST_END();
  CHECK(strncmp(tsv, "kind\tname\tsnomed_ct\t", 20) == 0);
  const vt__lex_entry *lex = vt__lexicon(&n);
  int coded = 0;
  for (size_t i = 0; i < n; i++) {
    char id[96];
    if (lex[i].id[0] == '_') continue; /* stop phrases: no finding */
    snprintf(id, sizeof id, "`%s`", lex[i].id);
    CHECK_MSG(strstr(doc, id) != NULL, "%s missing from docs/findings.md", lex[i].id);
    if (lex[i].snomed) {
      CHECK_MSG(lex[i].snomed_name && tsv_has(tsv, lex[i].snomed_name, lex[i].snomed),
                "%s: code %s not verified in spine_snomed.tsv", lex[i].id, lex[i].snomed);
      snprintf(id, sizeof id, "| %s |", lex[i].snomed);
      CHECK_MSG(strstr(doc, id) != NULL, "%s: code not in docs/findings.md", lex[i].id);
      coded++;
    } else {
      CHECK(lex[i].snomed_name == NULL);
    }
    for (size_t j = 0; j < i; j++) CHECK_MSG(strcmp(lex[i].id, lex[j].id), "duplicate %s", lex[i].id);
  }
  CHECK(coded >= 5);
  CHECK(n >= 43);
  /* the check itself can fail: a code the file does not hold for that name */
  CHECK(!tsv_has(tsv, "disc herniation", "73589002"));
  CHECK(!tsv_has(tsv, "scoliosis", "73589001"));
  free(tsv);
  free(doc);
  return VT_TEST_END();
}
