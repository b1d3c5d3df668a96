/* lexicon.h — the built-in finding lexicon (ids, labels, verified SNOMED CT
 * codes, synonyms), shared by the matcher and the docs/SNOMED tests. */
#ifndef VT_TEXT_LEXICON_H
#define VT_TEXT_LEXICON_H
#include <stddef.h>

typedef struct vt__lex_entry {
  const char *id;          /* snake_case finding id; "_stop" = stop phrases, never reported */
  const char *label;       /* human label */
  const char *snomed;      /* verified code or NULL ("uncoded") */
  const char *snomed_name; /* the `name` column of spine_snomed.tsv it was verified as */
  const char *phrases;     /* synonyms separated by '|', lower case */
} vt__lex_entry;

/* The built-in lexicon; *n receives its length. */
const vt__lex_entry *vt__lexicon(size_t *n);
#endif
