#!/usr/bin/env python3
"""What users run today: one Python `re` alternation of every lexicon phrase
(word-bounded, longest first, case-insensitive) over the same ~1,500-word
slices. Finds phrases only (no levels/side/severity), so it is a lower bound
on the cost of the hand-written regex scripts the issue mentions."""
import re, sys, time, ast
src = open("src/text/lexicon.c").read()
phr = set()
for m in re.finditer(r'"([a-z0-9 \'|-]+)"', src[src.index("LEX[] = {"):]):
    if "|" in m.group(1) or " " in m.group(1):
        phr.update(p for p in m.group(1).split("|") if p)
pats = sorted(phr, key=len, reverse=True)
rx = re.compile(r"\b(?:" + "|".join(re.escape(p) + "s?" for p in pats) + r")\b", re.I)
data = open(sys.argv[1], encoding="utf-8").read()
off = len(data) // 3
docs = []
for _ in range(16):
    start, words = off, 0
    while off < len(data) and words < 1500:
        if data[off] == " ":
            words += 1
        off += 1
    docs.append(data[start:off])
n, t0 = 0, time.perf_counter()
reps = 200
for r in range(reps):
    n += len(rx.findall(docs[r % 16]))
s = time.perf_counter() - t0
print(f"python re alternation ({len(pats)} phrases): {reps / s:.0f} reports/s, {n / reps:.1f} matches/report")
