/* main.c — the `vertebra` command: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vertebra/vertebra.h"

extern const vt_cli_command vt_cli_commands[];

static void usage(FILE *out) {
  fprintf(out,
          "usage: vertebra [--version] [-h|--help] COMMAND [ARGS...]\n\n"
          "Vertebra turns a spine patient's record (CT images, reports, structured data)\n"
          "into measured, explained, auditable findings and risk estimates.\n\n"
          "Commands:\n");
  for (const vt_cli_command *c = vt_cli_commands; c->name; c++)
    fprintf(out, "  %-8s %s\n", c->name, c->summary);
  fprintf(out, "\nRun 'vertebra COMMAND --help' for a command's options.\n"
               "Exit codes are listed in docs/ERRORS.md.\n");
}

int main(int argc, char **argv) {
  vt_cli_set_verbosity(0);
  if (argc < 2) {
    usage(stderr);
    return VT_EXIT_USAGE;
  }
  if (vt_cli_is_help(argv[1])) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("vertebra %s\n", vt_version());
    return 0;
  }
  for (const vt_cli_command *c = vt_cli_commands; c->name; c++)
    if (!strcmp(argv[1], c->name)) return c->run(argc - 1, argv + 1);
  fprintf(stderr, "vertebra: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return VT_EXIT_USAGE;
}
