"""baseline.py — the usual Python alternative for the same front stages: a
regex tokenizer plus a regex sentence splitter and a regex header finder, on
the same ~1,500-word reports as bench_front.c. Usage: baseline.py CSV [seconds]."""
import csv
import re
import sys
import time

TOK = re.compile(r"\w+(?:\.\d+)?|[^\w\s]")
SENT = re.compile(r"(?<!\b(?:Dr|vs|Mr|No))(?<=[.?!])\s+(?=[A-Z0-9])|\n\s*\n")
HEAD = re.compile(r"(?m)(?:^|(?<=[.,;:]))\s*([A-Z][A-Z /]{2,40}):")


def main():
    path = sys.argv[1]
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    csv.field_size_limit(1 << 30)
    reps, cur, words = [], [], 0
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            t = row["transcription"]
            cur.append(t)
            words += len(t.split())
            if words >= 1500:
                reps.append("\n\n".join(cur))
                cur, words = [], 0
            if len(reps) >= 4096:
                break
    n = nbytes = 0
    t0 = time.perf_counter()
    while True:
        for r in reps:
            toks = TOK.findall(r)
            heads = HEAD.findall(r)
            sents = SENT.split(r)
            n += 1
            nbytes += len(r.encode())
        t1 = time.perf_counter()
        if t1 - t0 >= secs:
            break
    dt = t1 - t0
    print(f"python regex baseline: {n / dt:.0f} reports/s, {nbytes / dt / 1e6:.1f} MB/s "
          f"({len(toks)} tokens, {len(heads)} headers, {len(sents)} sentences in the last)")


main()
