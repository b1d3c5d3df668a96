/* summary.c — the report-level label of one document: each of the 26 LIRE
 * findings (Tan et al., Acad Radiol 2018;25:1422-32, "Comparison of natural
 * language processing rules-based and machine-learning systems to identify
 * lumbar spine imaging findings related to low back pain") as present/absent
 * anywhere in the report, then every other finding the report mentions. */
#include <stdlib.h>
#include <string.h>

#include "text/output.h"
#include "text/result.h"

int vt__finding_present(const vt_finding *f) {
  return !f->negated && !f->uncertain && !f->historical && !f->hypothetical &&
         f->experiencer == VT_EXPERIENCER_PATIENT;
}

/* How a label is read off the mentions: the finding id equals one of `ids`,
 * or contains one of `parts`; `listhesis` 1 = grade 1 (or ungraded, see
 * docs/text-output.md), 2 = grade 2 or more. Several ids per label because
 * the lexicon (docs/findings.md) and user rules may split a LIRE finding. */
typedef struct label_rule {
  const char *label;
  const char *ids[6];
  const char *parts[10];
  int listhesis;
} label_rule;

static const label_rule lire[] = {
    {"listhesis_grade_1", {0}, {"listhesis"}, 1},
    {"listhesis_grade_2_plus", {0}, {"listhesis"}, 2},
    {"scoliosis", {"scoliosis"}, {0}, 0},
    {"fracture", {0}, {"fracture"}, 0},
    {"spondylosis", {"spondylosis"}, {0}, 0},
    {"annular_fissure", {"annular_fissure", "annular_tear"}, {0}, 0},
    {"disc_bulge", {"disc_bulge"}, {0}, 0},
    {"disc_degeneration", {"disc_degeneration"}, {0}, 0},
    {"disc_desiccation", {"disc_desiccation"}, {0}, 0},
    {"disc_extrusion", {"disc_extrusion"}, {0}, 0},
    {"disc_height_loss", {"disc_height_loss"}, {0}, 0},
    {"disc_herniation", {"disc_herniation"}, {0}, 0},
    {"disc_protrusion", {"disc_protrusion"}, {0}, 0},
    {"endplate_edema", {"endplate_edema", "modic_type_1", "modic_1"}, {0}, 0},
    {"anterior_column_osteophyte", {"anterior_column_osteophyte", "anterior_osteophyte"}, {0}, 0},
    {"any_stenosis", {0}, {"stenosis"}, 0},
    {"facet_degeneration",
     {"facet_degeneration", "facet_arthropathy", "facet_hypertrophy", "facet_arthrosis"},
     {0},
     0},
    {"central_stenosis", {"central_stenosis", "central_canal_stenosis"}, {0}, 0},
    {"foraminal_stenosis", {"foraminal_stenosis", "neuroforaminal_stenosis"}, {0}, 0},
    {"lateral_recess_stenosis", {"lateral_recess_stenosis"}, {0}, 0},
    {"nerve_root_contact", {"nerve_root_contact"}, {0}, 0},
    {"nerve_root_compression",
     {"nerve_root_compression", "nerve_root_displacement", "nerve_root_displaced",
      "nerve_root_compressed", "nerve_root_impingement"},
     {0},
     0},
    /* Any degenerative finding of the LIRE set (Tan 2018 groups them so). */
    {"any_degeneration",
     {0},
     {"degenerat", "spondylosis", "desiccation", "disc_height_loss", "facet_", "osteophyte",
      "annular_", "disc_bulge", "modic", "endplate_"},
     0},
    {"hemangioma", {"hemangioma"}, {0}, 0},
    {"spondylolysis", {"spondylolysis", "pars_defect"}, {0}, 0},
    {"any_osteophyte", {0}, {"osteophyte"}, 0},
};

static int rule_matches(const label_rule *r, const vt_finding *f) {
  const char *id = f->finding;
  if (!id) return 0;
  int hit = 0;
  for (size_t i = 0; i < sizeof r->ids / sizeof r->ids[0] && r->ids[i] && !hit; i++)
    hit = !strcmp(id, r->ids[i]);
  for (size_t i = 0; i < sizeof r->parts / sizeof r->parts[0] && r->parts[i] && !hit; i++)
    hit = strstr(id, r->parts[i]) != NULL;
  if (!hit) return 0;
  if (r->listhesis == 1) return f->listhesis_grade <= 1;
  if (r->listhesis == 2) return f->listhesis_grade >= 2;
  return 1;
}

static int is_lire_label(const char *id) {
  for (size_t i = 0; i < sizeof lire / sizeof lire[0]; i++)
    if (!strcmp(id, lire[i].label)) return 1;
  return 0;
}

vt_status vt__summary_json(vt_buf *b, const vt_text_result *res) {
  const vt__findings *l = &res->list;
  vt_status st = vt__buf_putc(b, '{');
  for (size_t i = 0; i < sizeof lire / sizeof lire[0] && !st; i++) {
    int present = 0;
    for (size_t j = 0; j < l->n && !present; j++)
      present = vt__finding_present(&l->v[j]) && rule_matches(&lire[i], &l->v[j]);
    st = vt__buf_printf(b, "%s\"%s\":%s", i ? "," : "", lire[i].label, present ? "true" : "false");
  }
  /* Then each other finding id once, in order of first mention. The distinct
   * ids are few (the lexicon's), so a linear list keeps this O(mentions). */
  typedef struct seen_id {
    const char *id;
    int present;
  } seen_id;
  seen_id *seen = NULL;
  size_t nseen = 0, cap = 0;
  for (size_t j = 0; j < l->n && !st; j++) {
    const char *id = l->v[j].finding;
    if (!id || is_lire_label(id)) continue;
    size_t k = 0;
    while (k < nseen && seen[k].id != id && strcmp(seen[k].id, id)) k++;
    if (k == nseen) {
      if (nseen == cap) {
        size_t ncap = cap ? cap * 2 : 32;
        seen_id *v = realloc(seen, ncap * sizeof *v);
        if (!v) {
          st = VT_ENOMEM;
          break;
        }
        seen = v;
        cap = ncap;
      }
      seen[nseen].id = id;
      seen[nseen++].present = 0;
    }
    if (vt__finding_present(&l->v[j])) seen[k].present = 1;
  }
  for (size_t k = 0; k < nseen && !st; k++) {
    st = vt__buf_puts(b, ",\"");
    if (!st) st = vt__json_str_utf8(b, seen[k].id, strlen(seen[k].id));
    if (!st) st = vt__buf_printf(b, "\":%s", seen[k].present ? "true" : "false");
  }
  free(seen);
  if (!st) st = vt__buf_putc(b, '}');
  return st;
}
