#!/usr/bin/env python3
"""Writes docs/findings.md from the built-in lexicon in src/text/lexicon.c
(the table of finding ids, labels, verified SNOMED CT codes and synonyms).
Run from the repository root after editing the lexicon:
    /usr/bin/python3 scripts/gen-findings-doc.py > docs/findings.md
tests/unit/text/test_snomed.c checks that every id and code is listed."""
import ast
import re
import sys

src = open("src/text/lexicon.c", encoding="utf-8").read()
body = src[src.index("LEX[] = {") + 9 : src.index("};\n\nconst vt__lex_entry")]
entries = re.findall(r"\{((?:\"(?:[^\"\\]|\\.)*\"\s*|NULL\s*|,\s*)+)\}", body)
out = sys.stdout
out.write(
    "# Findings\n\n"
    "The built-in finding lexicon of the text engine, generated from\n"
    "`src/text/lexicon.c` by `scripts/gen-findings-doc.py` (do not edit by hand).\n"
    "Ids are the `finding` values of every output. SNOMED CT codes are attached\n"
    "only where verified in `../shared/data/terminology/spine_snomed.tsv`\n"
    "(checked by `tests/unit/text/test_snomed.c`); every other finding is\n"
    "**uncoded** (`\"snomed\": null`) — no code is invented. Matching is on the\n"
    "lower-cased text; a token may also match without a final `s` (plurals), and\n"
    "hyphens in the text are skipped (`post-operative` = `post operative`).\n"
    "Discontinuous phrasings are listed in `docs/text-targets.md`.\n\n"
    "| id | label | SNOMED CT | synonyms |\n|---|---|---|---|\n"
)
n = 0
stops = []
for e in entries:
    parts, cur = [], None
    for tok in re.findall(r"\"(?:[^\"\\]|\\.)*\"|NULL|,", e):
        if tok == ",":
            parts.append(cur)
            cur = None
        elif tok == "NULL":
            cur = None
        else:
            cur = (cur or "") + ast.literal_eval(tok)
    parts.append(cur)
    fid, label, code, _name, phrases = parts
    if fid.startswith("_"):
        stops = phrases.split("|")
        continue
    syn = ", ".join(p.replace("|", "\\|") for p in phrases.split("|"))
    out.write(f"| `{fid}` | {label} | {code if code else 'uncoded'} | {syn} |\n")
    n += 1
out.write(f"\n{n} findings.\n\nStop phrases (matched so that no finding is read inside them, never reported): "
          + ", ".join(stops) + ".\n")
