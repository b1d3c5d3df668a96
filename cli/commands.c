/* commands.c — the table of `vertebra` subcommands; add a line per domain. */
#include <stddef.h>

#include "cli.h"

const vt_cli_command vt_cli_commands[] = {
    {"demo", "run every engine on built-in inputs and write the results to a folder",
     vt_cli_demo},
    {NULL, NULL, NULL},
};
