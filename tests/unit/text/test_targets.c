/* test_targets.c — finding matching: ids, exact spans, synonyms, plurals,
 * all-capitals text, discontinuous phrasing, sentence limits and user rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/stages.h"
#include "text_fixture.h"
#include "vt_test.h"

static vt__targets *T;

/* Runs matching on text; returns the mentions (caller frees). */
static vt__findings run(const char *text) {
  vt__doc doc;
  fx_doc(&doc, text);
  vt__findings out = {0};
  vt_error err;
  CHECK_INT(vt__targets_match(T, &doc, &out, &err), VT_OK);
  fx_free(&doc);
  return out;
}

/* Checks that mention i is `id` over the exact words `words`. */
static void expect(const char *text, const vt__findings *l, size_t i, const char *id,
                   const char *words) {
  CHECK_MSG(i < l->n, "%s: only %zu mentions", text, l->n);
  if (i >= l->n) return;
  CHECK_STR(l->v[i].finding, id);
  const char *at = strstr(text, words);
  CHECK_MSG(at != NULL, "'%s' not in text", words);
  if (!at) return;
  CHECK_INT(l->v[i].span.start, at - text);
  CHECK_INT(l->v[i].span.end, at - text + (long)strlen(words));
}

static void one(const char *text, const char *id, const char *words) {
  vt__findings l = run(text);
  CHECK_MSG(l.n == 1, "%s: %zu mentions", text, l.n);
  expect(text, &l, 0, id, words);
  vt__findings_free(&l);
}

static void none(const char *text) {
  vt__findings l = run(text);
  CHECK_MSG(l.n == 0, "%s: %zu mentions, first %s", text, l.n, l.n ? l.v[0].finding : "");
  vt__findings_free(&l);
}

static void synonyms(void) {
  one("Mild broad-based disc bulge.", "disc_bulge", "broad-based disc bulge");
  one("There is a protruding disk at this level.", "disc_protrusion", "protruding disk");
  one("HERNIATED NUCLEUS PULPOSUS AT L4-5.", "disc_herniation", "HERNIATED NUCLEUS PULPOSUS");
  one("Prior HNP.", "disc_herniation", "HNP");
  one("Moderate left neuroforaminal narrowing.", "foraminal_stenosis", "neuroforaminal narrowing");
  one("Mild foraminal encroachment bilaterally.", "foraminal_stenosis", "foraminal encroachment");
  one("Severe canal stenosis.", "central_stenosis", "canal stenosis");
  one("There is narrowing of the spinal canal.", "central_stenosis",
      "narrowing of the spinal canal");
  one("Grade 1 anterolisthesis of L4 on L5.", "spondylolisthesis", "anterolisthesis");
  one("Mild retrolisthesis of L2.", "spondylolisthesis", "retrolisthesis");
  one("Old compression deformity of T12.", "compression_fracture", "compression deformity");
  one("Mild anterior wedging of T11.", "compression_fracture", "anterior wedging");
  one("Multilevel DDD.", "disc_degeneration", "DDD");
  one("MULTILEVEL SCHMORL'S NODES.", "schmorl_node", "SCHMORL'S NODES");
  one("Post-operative changes.", "postoperative_change", "Post-operative changes");
  one("Bilateral pars defects at L5.", "spondylolysis", "pars defects");
  one("Modic type 1 endplate changes.", "endplate_edema", "Modic type 1 endplate changes");
  one("Type II Modic changes at L5-S1.", "modic_type_2", "Type II Modic changes");
  one("Small anterior osteophytes.", "anterior_osteophyte", "anterior osteophytes");
  one("Facet hypertrophy.", "facet_degeneration", "Facet hypertrophy");
  one("Degenerative facets.", "facet_degeneration", "Degenerative facets");
  one("Pedicle screws are intact.", "hardware", "Pedicle screws");
  one("Solid arthrodesis.", "fusion", "arthrodesis");
  one("Right synovial cysts.", "synovial_cyst", "synovial cysts");
  one("Diffuse osteopenia.", "osteopenia", "Diffuse osteopenia");
  one("Vertebral body hemangiomas.", "hemangioma", "Vertebral body hemangiomas");
  one("Annular fissure.", "annular_fissure", "Annular fissure");
  one("Sclerotic lesion in L3.", "blastic_lesion", "Sclerotic lesion");
}

static void longest_and_discontinuous(void) {
  /* the longest phrase wins: one mention, not stenosis + foraminal */
  one("Mild neural foraminal stenosis.", "foraminal_stenosis", "neural foraminal stenosis");
  one("Stenosis of the neural foramina.", "foraminal_stenosis",
      "Stenosis of the neural foramina");
  one("The disc at L3-4 is desiccated.", "disc_desiccation", "disc at L3-4 is desiccated");
  one("The neural foramina are mildly narrowed.", "foraminal_stenosis",
      "foramina are mildly narrowed");
  one("The spinal canal is severely narrowed.", "central_stenosis", "canal is severely narrowed");
  one("It displaces the traversing left L5 nerve root.", "nerve_root_compression",
      "displaces the traversing left L5 nerve root");
  one("Minimal curvature of the lumbar spine convex to the left.", "scoliosis", "curvature");
  one("Disc material may mildly indent the cord contour.", "cord_compression",
      "indent the cord contour");
  one("Mild deformity of the anterior aspect of the cord.", "cord_compression",
      "deformity of the anterior aspect of the cord");
  /* a pair rule never swallows another finding between its words */
  const char *t = "Disc bulge with protrusion.";
  vt__findings l = run(t);
  CHECK_INT(l.n, 2);
  expect(t, &l, 0, "disc_bulge", "Disc bulge");
  expect(t, &l, 1, "disc_protrusion", "protrusion");
  vt__findings_free(&l);
  t = "MILD DISC BULGE AT L4-5 WITH MODERATE LEFT NEURAL FORAMINAL NARROWING.";
  l = run(t);
  CHECK_INT(l.n, 2);
  expect(t, &l, 0, "disc_bulge", "DISC BULGE");
  expect(t, &l, 1, "foraminal_stenosis", "NEURAL FORAMINAL NARROWING");
  vt__findings_free(&l);
}

/* Coordination, procedures and other bones (docs/text-gold-guideline.md). */
static void gold_target_rules(void) {
  const char *t = "No cord or radicular impingement.";
  vt__findings l = run(t);
  CHECK_INT(l.n, 2);
  expect(t, &l, 0, "cord_compression", "cord");
  expect(t, &l, 1, "nerve_root_compression", "radicular impingement");
  vt__findings_free(&l);
  t = "Anterior and posterior osteophyte formation is seen at C5-C6.";
  l = run(t);
  CHECK_INT(l.n, 2);
  expect(t, &l, 0, "anterior_osteophyte", "Anterior and posterior osteophyte");
  expect(t, &l, 1, "osteophyte", "posterior osteophyte formation");
  vt__findings_free(&l);
  one("There is no wedge/compression deformity.", "compression_fracture",
      "wedge/compression deformity");
  none("The patient subsequently underwent C5-6 laminectomy.");
  none("He has a history of L4-L5 discectomy.");
  one("There is a left L5 hemilaminectomy defect.", "postoperative_change", "hemilaminectomy defect");
  none("There is no calvarial fracture.");
  one("No spinal compression is noted.", "cord_compression", "spinal compression");
  one("Degenerative joint disease at C5-C6.", "degeneration", "Degenerative joint disease");
  one("Enhancement suggestive of subarachnoid seeding of tumor.", "metastasis",
      "subarachnoid seeding");
  t = "The disc compromised the right neural foramen, and narrowed the spinal canal.";
  l = run(t);
  CHECK_INT(l.n, 2);
  expect(t, &l, 0, "foraminal_stenosis", "compromised the right neural foramen");
  expect(t, &l, 1, "central_stenosis", "narrowed the spinal canal");
  vt__findings_free(&l);
  one("There is impingement of the transversing nerve root.", "nerve_root_compression",
      "impingement of the transversing nerve root");
}

static void limits(void) {
  /* "herniated nucleus pulposus" would cross the sentence */
  one("Herniated.\nNucleus pulposus.", "disc_herniation", "Herniated");
  none("");
  none("The vertebral body heights are maintained. Alignment is normal.");
  none("- - - . / ' s");
  one("Disc bulge", "disc_bulge", "Disc bulge"); /* at the very end */
  /* a sentence with only punctuation and a pair-word at the end */
  none("foramina");
  /* a stop phrase hides the surgery word inside it */
  one("Pedicle screws in good postsurgical position.", "hardware", "Pedicle screws");
}

static const char *write_tmp(const char *name, const char *body) {
  static char path[256];
  snprintf(path, sizeof path, "%s/%s", "vt_test_targets_tmp", name);
  FILE *f = fopen(path, "wb");
  if (!f) return NULL;
  fputs(body, f);
  fclose(f);
  return path;
}

static void user_rules(void) {
  system("mkdir -p vt_test_targets_tmp");
  vt_error err;
  const char *p = write_tmp(
      "ok.json", "{\"targets\":[{\"finding\":\"tarlov_cyst\",\"snomed\":null,\"phrases\":"
                 "[\"tarlov cyst\",\"perineural cyst\"]},{\"finding\":\"disc_bulge\","
                 "\"phrases\":[\"disc bulge-like\"]}]}");
  CHECK(p != NULL);
  CHECK_INT(vt__targets_load_json(T, p, &err), VT_OK);
  one("Incidental Tarlov cysts at S2.", "tarlov_cyst", "Tarlov cysts");
  one("Perineural cyst.", "tarlov_cyst", "Perineural cyst");
  p = write_tmp("bad.json", "{\"targets\":[{\"finding\":\"x1\",\"phrases\":[\"a\"]},"
                            "{\"finding\":\"x2\",\"phrases\":[\"b\", 3]}]}");
  CHECK_INT(vt__targets_load_json(T, p, &err), VT_EFORMAT);
  CHECK(strstr(err.where, "bad.json") != NULL);
  CHECK(strstr(err.where, "targets[1].phrases[1]") != NULL);
  none("x1 a"); /* a bad file changes nothing */
  p = write_tmp("bad2.json", "{\"targets\":[{\"finding\":\"Bad Id\",\"phrases\":[\"a\"]}]}");
  CHECK_INT(vt__targets_load_json(T, p, &err), VT_EFORMAT);
  CHECK(strstr(err.where, "targets[0].finding") != NULL);
  p = write_tmp("bad3.json", "{\"targets\":[{\"finding\":\"scoliosis\",\"snomed\":\"123456\","
                             "\"phrases\":[\"a\"]}]}");
  CHECK_INT(vt__targets_load_json(T, p, &err), VT_EFORMAT);
  CHECK(strstr(err.where, "targets[0].snomed") != NULL);
  p = write_tmp("bad4.json", "{\"targets\": [ {\"finding\": ");
  CHECK_INT(vt__targets_load_json(T, p, &err), VT_EFORMAT);
  CHECK(strstr(err.where, "line 1") != NULL);
  CHECK_INT(vt__targets_load_json(T, "vt_test_targets_tmp/missing.json", &err), VT_EIO);
  system("rm -rf vt_test_targets_tmp");
}

int main(void) {
  vt_error err;
  CHECK_INT(vt__targets_builtin(&T, &err), VT_OK);
  synonyms();
  longest_and_discontinuous();
  gold_target_rules();
  limits();
  /* codes: only verified ones */
  vt__findings l = run("Scoliosis and disc protrusion.");
  CHECK_INT(l.n, 2);
  if (l.n == 2) {
    CHECK_STR(l.v[0].snomed, "298382003");
    CHECK(l.v[1].snomed == NULL);
  }
  vt__findings_free(&l);
  user_rules();
  vt__targets_free(T);
  return VT_TEST_END();
}
