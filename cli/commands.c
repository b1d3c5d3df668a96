/* commands.c — the table of `vertebra` commands and of each group's subcommands. */
#include <stddef.h>

#include "cli.h"

const vt_cli_command vt_cli_commands[] = {
    {"demo", "run every engine on built-in inputs and write the results to a folder",
     vt_cli_demo},
    {"text", "spine-report NLP: findings with level, severity and assertion", vt_cli_text},
    {"learn", "clinical risk models: train, validate, calibrate, explain", vt_cli_learn},
    {"ct", "CT spine analysis: read DICOM/NIfTI, label vertebrae, measure", vt_cli_ct},
    {NULL, NULL, NULL},
};

int vt_cli_text(int argc, char **argv) {
  static const vt_cli_command subs[] = {
      {"extract", "findings from reports as JSONL, FHIR or OMOP NOTE_NLP", vt_cli_text_extract},
      {"assert", "NegEx/ConText test-kit mode: TSV (id, phrase, sentence) in, assertion out",
       vt_cli_text_assert},
      {NULL, NULL, NULL},
  };
  return vt_cli_group("text", "Spine-report NLP.", subs, argc, argv);
}

int vt_cli_learn(int argc, char **argv) {
  static const vt_cli_command subs[] = {
      {"train", "train and validate a risk model on a cohort CSV", vt_cli_learn_train},
      {"predict", "probabilities with explanations for new patients", vt_cli_learn_predict},
      {"validate", "external validation, drift and recalibration", vt_cli_learn_validate},
      {"evaluate", "discrimination, calibration and net benefit of any scores",
       vt_cli_learn_evaluate},
      {NULL, NULL, NULL},
  };
  return vt_cli_group("learn", "Clinical risk models.", subs, argc, argv);
}

int vt_cli_ct(int argc, char **argv) {
  static const vt_cli_command subs[] = {
      {"convert", "DICOM series to NIfTI (HU, RAS affine)", vt_cli_ct_convert},
      {"analyze", "find, label and measure every vertebra", vt_cli_ct_analyze},
      {"morphometry", "heights, Genant grade and centroids from a vertebra mask",
       vt_cli_ct_morphometry},
      {"phantom", "write a digital spine phantom with known truth", vt_cli_ct_phantom},
      {NULL, NULL, NULL},
  };
  return vt_cli_group("ct", "CT spine analysis.", subs, argc, argv);
}
