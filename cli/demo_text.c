/* demo_text.c — the text part of `vertebra demo`: seven spine reports written
 * for this project (not taken from any source), run through the text engine
 * and written as JSONL, a FHIR Bundle and OMOP NOTE_NLP rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/atomic_file.h"
#include "vertebra/text.h"
#include "vertebra/text_output.h"

typedef struct demo_report {
  const char *id;
  const char *text;
} demo_report;

/* Invented reports covering the engine's cases: levels in several spellings,
 * severity, side, negation, history, uncertainty, other experiencer, section
 * headers with and without colons, CRLF, and an all-capitals old report. */
static const demo_report reports[] = {
    {"mri-lumbar-001",
     "EXAM: MRI LUMBAR SPINE WITHOUT CONTRAST\n"
     "HISTORY: Low back pain radiating to the left leg for 3 months.\n"
     "TECHNIQUE: Sagittal and axial T1 and T2 weighted images.\n"
     "COMPARISON: None.\n\n"
     "FINDINGS:\n"
     "Vertebral body heights are maintained. No fracture. Alignment is normal.\n"
     "L3-4: Mild disc bulge without significant stenosis.\n"
     "L4-5: Disc desiccation with loss of disc height. A 4 mm left paracentral disc protrusion "
     "contacts the traversing left L5 nerve root. Moderate left foraminal stenosis.\n"
     "L5-S1: Mild facet arthropathy. No disc herniation.\n\n"
     "IMPRESSION:\n"
     "1. Left paracentral disc protrusion at L4-L5 with moderate left foraminal stenosis.\n"
     "2. Mild degenerative disc disease at L3-4 and L4-5.\n"},
    {"ct-thoracolumbar-002",
     "CT THORACOLUMBAR SPINE\r\n"
     "Indication: Fall from ladder. Back pain.\r\n"
     "Findings: There is an acute compression fracture of the L1 vertebral body with 30% loss "
     "of anterior height. No retropulsion. The T12 vertebra is intact. Diffuse osteopenia. "
     "Possible small Schmorl's node at T11.\r\n"
     "Impression: Acute L1 compression fracture. No burst fracture.\r\n"},
    {"mri-cervical-003",
     "MRI CERVICAL SPINE\n"
     "Clinical history: Hand numbness, gait instability. Rule out myelopathy.\n"
     "Findings\n"
     "C5-C6: Broad-based disc osteophyte complex with severe central canal stenosis and spinal "
     "cord compression. T2 signal change in the cord at this level.\n"
     "C6-7: Moderate bilateral foraminal narrowing.\n"
     "Impression\n"
     "Severe central stenosis at C5-6 with cord compression and cord signal change, "
     "consistent with myelopathy.\n"},
    {"postop-fusion-004",
     "PREOPERATIVE DIAGNOSIS: Grade 2 spondylolisthesis at L4-L5 with severe stenosis.\n"
     "POSTOPERATIVE DIAGNOSIS: Same.\n"
     "PROCEDURE: L4-L5 posterior lumbar interbody fusion with pedicle screw fixation.\n"
     "FINDINGS: Postoperative changes of L4-L5 fusion. Hardware is intact without evidence of "
     "loosening. No residual central stenosis.\n"},
    {"mri-lumbar-005",
     "MRI LUMBAR SPINE\n"
     "History: History of L2 compression fracture treated with kyphoplasty. Mother had "
     "scoliosis. Assess for metastasis.\n"
     "Findings: Stable appearance of the treated L2 fracture. No new fracture. No evidence of "
     "metastatic disease. Questionable annular fissure at L5-S1. Small hemangioma in the L3 "
     "vertebral body. If symptoms persist, consider evaluation for spondylolysis.\n"
     "Impression: No acute findings. Possible L5-S1 annular fissure.\n"},
    {"old-report-006",
     "MYELOGRAM AND POST MYELOGRAM CT OF THE LUMBAR SPINE\n"
     "FINDINGS: AT L3 4 THERE IS A MODERATE DIFFUSE DISC BULGE. AT L4 5 THERE IS A LARGE "
     "RIGHT SIDED DISC EXTRUSION COMPRESSING THE RIGHT L5 NERVE ROOT WITH SEVERE RIGHT LATERAL "
     "RECESS STENOSIS. AT L5 S1 GRADE 1 ANTEROLISTHESIS WITH BILATERAL SPONDYLOLYSIS.\n"
     "IMPRESSION: LARGE RIGHT L4 5 DISC EXTRUSION. GRADE 1 L5 S1 SPONDYLOLISTHESIS.\n"},
    {"ct-lumbar-007",
     "CT LUMBAR SPINE WITHOUT CONTRAST\n"
     "Findings: Mild levoscoliosis. Multilevel spondylosis with anterior osteophytes from L1 "
     "through L4. Modic type 2 endplate changes at L4-5. Lytic lesion in the L5 vertebral "
     "body, concerning for metastasis. Mild to moderate central stenosis at L3-L4.\n"
     "Impression: Lytic L5 lesion, likely metastasis. Degenerative changes as above.\n"},
};

#define NREPORTS (sizeof reports / sizeof reports[0])

static int write_all(const char *dir, const vt_text_result *const *res, vt_text_format fmt,
                     const char *name, const char *map_name, vt_error *err) {
  char path[4096], map_path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  vt_atomic_file af, mf;
  memset(&mf, 0, sizeof mf);
  if (vt__atomic_open(&af, path, err)) return 1;
  if (map_name) {
    snprintf(map_path, sizeof map_path, "%s/%s", dir, map_name);
    if (vt__atomic_open(&mf, map_path, err)) {
      vt__atomic_abort(&af);
      return 1;
    }
    fputs("note_id,document_id\n", mf.fp);
  }
  vt_text_output_options opt;
  memset(&opt, 0, sizeof opt);
  opt.format = fmt;
  opt.assign_note_ids = map_name != NULL; /* the demo's ids are names, not integers */
  vt_text_output *w = NULL;
  vt_status st = vt_text_output_new(&w, af.fp, &opt, err);
  for (size_t i = 0; i < NREPORTS && !st; i++) {
    st = vt_text_output_document(w, reports[i].id, reports[i].text, strlen(reports[i].text),
                                 res[i], err);
    if (!st && map_name)
      fprintf(mf.fp, "%ld,%s\n", vt_text_output_last_note_id(w), reports[i].id);
  }
  if (!st) st = vt_text_output_finish(w, err);
  vt_text_output_free(w);
  if (!st && map_name) st = vt__atomic_commit(&mf, err);
  if (!st) st = vt__atomic_commit(&af, err);
  if (st) {
    vt__atomic_abort(&af);
    if (map_name) vt__atomic_abort(&mf);
    return 1;
  }
  return 0;
}

int vt_cli_demo_text(const char *dir, FILE *out) {
  vt_error err;
  vt_error_clear(&err);
  vt_text_engine *eng = NULL;
  if (vt_text_engine_new(&eng, &err)) return vt_cli_fail(&err);
  vt_text_result *res[NREPORTS] = {0};
  int rc = 0;
  size_t total = 0;
  for (size_t i = 0; i < NREPORTS && !rc; i++) {
    if (vt_text_extract(eng, reports[i].text, strlen(reports[i].text), &res[i], &err)) {
      vt_error_wrap(&err, reports[i].id);
      rc = vt_cli_fail(&err);
      break;
    }
    size_t n = vt_text_result_count(res[i]), neg = 0, hist = 0, unc = 0;
    for (size_t k = 0; k < n; k++) {
      const vt_finding *f = vt_text_result_get(res[i], k);
      neg += f->negated != 0;
      hist += f->historical != 0;
      unc += f->uncertain != 0;
    }
    total += n;
    fprintf(out, "  %-22s %2zu findings (%zu negated, %zu historical, %zu uncertain)\n",
            reports[i].id, n, neg, hist, unc);
  }
  if (!rc) {
    const vt_text_result *const *r = (const vt_text_result *const *)res;
    if (write_all(dir, r, VT_TEXT_FORMAT_JSONL, "findings.jsonl", NULL, &err) ||
        write_all(dir, r, VT_TEXT_FORMAT_FHIR, "findings.fhir.json", NULL, &err) ||
        write_all(dir, r, VT_TEXT_FORMAT_NOTE_NLP, "note_nlp.csv", "note_id_map.csv", &err))
      rc = vt_cli_fail(&err);
  }
  if (!rc)
    fprintf(out,
            "  %zu reports, %zu findings -> findings.jsonl, findings.fhir.json (FHIR R4 Bundle), "
            "note_nlp.csv (OMOP NOTE_NLP) + note_id_map.csv\n",
            NREPORTS, total);
  for (size_t i = 0; i < NREPORTS; i++) vt_text_result_free(res[i]);
  vt_text_engine_free(eng);
  return rc;
}
