#!/usr/bin/python3
"""make_reports.py — long spine reports for the text benchmark: the MTSamples
spine transcriptions (shared/data/reports/mtsamples_spine.csv, rows with
spine_core_mentions >= 3, distinct texts), concatenated in a fixed order and cut
into reports of about WORDS words. Read from ../shared at bench time, never
copied into the repository.
usage: make_reports.py CSV OUT N [WORDS]
OUT ending in .jsonl: one {"id","text"} line per report; else a folder of
report files NNNNN.txt."""
import csv, json, os, sys

src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
words_per = int(sys.argv[4]) if len(sys.argv) > 4 else 1500
csv.field_size_limit(1 << 26)
texts, seen = [], set()
with open(src, newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        t = row["transcription"].strip()
        if int(row["spine_core_mentions"] or 0) >= 3 and t and t not in seen:
            seen.add(t)
            texts.append(t)
words = " \n".join(texts).split(" ")
reports, i = [], 0
while len(reports) < n:
    chunk = words[i:i + words_per]
    if len(chunk) < words_per:  # wrap around the corpus
        chunk += words[:words_per - len(chunk)]
    reports.append(" ".join(chunk))
    i = (i + words_per) % len(words)
if out.endswith(".jsonl"):
    with open(out, "w", encoding="utf-8") as f:
        for k, r in enumerate(reports):
            f.write(json.dumps({"id": str(k + 1), "text": r}) + "\n")
else:
    os.makedirs(out, exist_ok=True)
    for k, r in enumerate(reports):
        with open(os.path.join(out, "%05d.txt" % (k + 1)), "w", encoding="utf-8") as f:
            f.write(r)
total = sum(len(r.encode()) for r in reports)
print("%d reports, %d words each, %.1f MB, from %d distinct transcriptions"
      % (n, words_per, total / 1e6, len(texts)), file=sys.stderr)
