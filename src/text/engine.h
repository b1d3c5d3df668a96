/* engine.h — what a vt_text_engine holds: the compiled rule sets of each stage. */
#ifndef VT_TEXT_ENGINE_H
#define VT_TEXT_ENGINE_H
#include "text/stages.h"

struct vt_text_engine {
  vt__section_rules *sections;
  vt__targets *targets;
  vt__context *context;
};
#endif
