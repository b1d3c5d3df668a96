#!/usr/bin/python3
"""negex_py.py - a plain-Python NegEx (Chapman et al., J Biomed Inform 2001),
written for this benchmark from the published algorithm, the way the public
negex.py (Kang 2009) applies it: every trigger of the NegEx trigger file is a
case-insensitive regular expression; triggers are substituted into the
sentence longest first as tags; the target phrase is tagged; then the tagged
tokens are scanned: a pre-negation trigger ([PREN], or [PREP] for "possible")
negates the target when it follows within the sentence with no other trigger,
pseudo-trigger or conjunction ([CONJ]) in between; post-triggers ([POST],
[POSP]) likewise backwards.

Usage: negex_py.py TRIGGERS KIT.tsv [--rounds N] [--score]
  KIT.tsv: the NegEx/ConText test kit (header; id, condition, sentence,
  negation...). Prints sentences/s on one core; --score also prints precision
  and recall of "Negated" against the kit's gold column 4.
"""
import re
import sys
import time

TAGS = ("[PREN]", "[POST]", "[PREP]", "[POSP]", "[PSEU]", "[CONJ]")


def load_triggers(path):
    rules = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip("\r\n")
            if not line.strip():
                continue
            phrase, _, tag = line.rpartition("\t")
            phrase, tag = phrase.strip(), tag.strip()
            if tag not in TAGS or not phrase:
                continue
            words = [re.escape(w) for w in phrase.split()]
            pattern = re.compile(r"\b(" + r"\s+".join(words) + r")\b", re.IGNORECASE)
            rules.append((len(phrase), phrase, tag, pattern))
    rules.sort(key=lambda r: -r[0])  # longest first, as NegEx requires
    return rules


def tag_sentence(sentence, target, rules):
    """Returns the tokens of the sentence with triggers and the target tagged."""
    # The target first, so triggers inside it are not tagged.
    words = [re.escape(w) for w in target.split()]
    if not words:
        return None
    m = re.search(r"\b" + r"\W+".join(words) + r"\b", sentence, re.IGNORECASE)
    if not m:
        return None
    glued = "_".join(m.group(0).split())
    sentence = sentence[: m.start()] + " [PHRASE]" + glued + "[PHRASE] " + sentence[m.end():]
    for _, _, tag, pattern in rules:
        # "no evidence of" -> " [PREN]no_evidence_of[PREN] ": one token, so
        # shorter triggers inside it no longer match.
        sentence = pattern.sub(lambda mm: " " + tag + "_".join(mm.group(1).split()) + tag + " ",
                               sentence)
    return sentence.split()


def decide(tokens):
    """'negated', 'possible' or 'affirmed' for the [PHRASE] token."""
    try:
        t = next(i for i, tok in enumerate(tokens) if tok.startswith("[PHRASE]"))
    except StopIteration:
        return "affirmed"

    def kind(tok):
        return tok[:6] if tok[:6] in TAGS else None

    # forward triggers before the target
    for i in range(t - 1, -1, -1):
        k = kind(tokens[i])
        if k is None:
            continue
        if k == "[PREN]":
            return "negated"
        if k == "[PREP]":
            return "possible"
        break  # any other tag stands between an earlier trigger and the target
    # backward triggers after the target
    for i in range(t + 1, len(tokens)):
        k = kind(tokens[i])
        if k is None:
            continue
        if k == "[POST]":
            return "negated"
        if k == "[POSP]":
            return "possible"
        break
    return "affirmed"


def read_kit(path):
    rows = []
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        for n, line in enumerate(f):
            if n == 0:
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) >= 4:
                rows.append((fields[1], fields[2], fields[3]))
    return rows


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 64
    rounds = 1
    if "--rounds" in argv:
        rounds = int(argv[argv.index("--rounds") + 1])
    rules = load_triggers(argv[1])
    rows = read_kit(argv[2])
    results = []
    t0 = time.perf_counter()
    for _ in range(rounds):
        results = [decide(tag_sentence(s, c, rules) or []) for c, s, _ in rows]
    dt = time.perf_counter() - t0
    n = len(rows) * rounds
    print("python_negex_sentences_per_s %.1f" % (n / dt))
    if "--score" in argv:
        tp = sum(1 for r, (_, _, g) in zip(results, rows) if r == "negated" and g == "Negated")
        fp = sum(1 for r, (_, _, g) in zip(results, rows) if r == "negated" and g != "Negated")
        fn = sum(1 for r, (_, _, g) in zip(results, rows) if r != "negated" and g == "Negated")
        print("python_negex_negation TP %d FP %d FN %d P %.3f R %.3f" %
              (tp, fp, fn, tp / max(1, tp + fp), tp / max(1, tp + fn)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
