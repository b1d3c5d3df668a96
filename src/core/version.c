/* version.c — the library version string, set by the build. */
#include "vertebra/vertebra.h"

const char *vt_version(void) { return VT_VERSION_STRING; }
