/* terminology.c — the SNOMED CT codes the outputs attach to levels, severities
 * and presence, each verified in shared/data/terminology/spine_snomed.tsv (a
 * unit test re-reads that table and checks every code and display here).
 * Levels without a verified code (cervical, thoracic above T12) stay text. */
#include <string.h>

#include "text/output.h"

/* One table; levels, severities and qualifiers are consecutive runs of it. */
static const vt__snomed all[] = {
    {"T12", "23215003", "T12 vertebra"},
    {"L1", "66794005", "L1 vertebra"},
    {"L2", "14293000", "L2 vertebra"},
    {"L3", "36470004", "L3 vertebra"},
    {"L4", "11994002", "L4 vertebra"},
    {"L5", "49668003", "L5 vertebra"},
    {"S1", "65985001", "Structure of first sacral vertebra"},
    {"T12-L1", "76206002", "T12/L1 disc"},
    {"L1-L2", "80064006", "Intervertebral disc structure of first lumbar vertebra"},
    {"L2-L3", "67459009", "Intervertebral disc structure of second lumbar vertebra"},
    {"L3-L4", "62551000", "Intervertebral disc structure of third lumbar vertebra"},
    {"L4-L5", "84020006", "Intervertebral disc structure of fourth lumbar vertebra"},
    {"L5-S1", "715056000", "Structure of intervertebral disc of L5 and S1"},
    {"mild", "255604002", "Mild"},
    {"moderate", "6736007", "Moderate"},
    {"severe", "24484000", "Severe"},
    {"present", "52101004", "Present"},
    {"absent", "2667000", "Absent"},
};

enum { LEVELS = 0, N_LEVELS = 13, SEVERITIES = 13, N_SEVERITIES = 3, PRESENT = 16, ABSENT = 17 };

static const vt__snomed *find(size_t first, size_t n, const char *key) {
  if (!key) return NULL;
  for (size_t i = first; i < first + n; i++)
    if (!strcmp(all[i].key, key)) return &all[i];
  return NULL;
}

const vt__snomed *vt__snomed_level(const char *level) {
  return find(LEVELS, N_LEVELS, level);
}

const vt__snomed *vt__snomed_severity(const char *severity) {
  return find(SEVERITIES, N_SEVERITIES, severity);
}

const vt__snomed *vt__snomed_qualifier(int present) {
  return &all[present ? PRESENT : ABSENT];
}

const vt__snomed *vt__snomed_all(size_t *n) {
  *n = sizeof all / sizeof all[0];
  return all;
}
