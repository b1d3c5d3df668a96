#!/usr/bin/env bash
# assert_cli.sh VERTEBRA SHARED_DATA — `vertebra text assert` end to end: the
# NegEx/ConText kit through the CLI scored against its gold columns (negation
# P and R >= 0.95), header detection, per-line errors with their line number
# and the exit code, rule files, usage errors, --help.
set -u
cli=$1
data=$2
kit=$data/negex/chapman_negex/rsAnnotations-1-120-random.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then :; else echo "FAIL: $1" >&2; fail=1; fi; }

# 1. the kit: 11 rows name a target absent from their sentence -> exit 11
"$cli" text assert "$kit" > "$tmp/out.tsv" 2> "$tmp/err.txt"
rc=$?
check "kit exit code 11 (rows whose target is missing), got $rc" '[ $rc -eq 11 ]'
check "errors name their line" 'grep -q "rsAnnotations-1-120-random.txt: line 3: " "$tmp/err.txt"'
check "header written" '[ "$(head -1 "$tmp/out.tsv")" = "$(printf "id\tnegation\ttemporality\texperiencer")" ]'
check "2365 result rows" '[ $(($(wc -l < "$tmp/out.tsv") - 1)) -eq 2365 ]'
# score negation against the gold column, joined on the id
awk -F'\t' 'NR==FNR { if (FNR > 1) gold[$1] = $4; next }
  FNR > 1 { p = ($2 == "Negated"); g = (gold[$1] == "Negated");
            tp += p && g; fp += p && !g; fn += !p && g }
  END { P = tp / (tp + fp); R = tp / (tp + fn);
        printf "CLI negation: TP %d FP %d FN %d P %.3f R %.3f\n", tp, fp, fn, P, R;
        exit !(P >= 0.95 && R >= 0.95) }' <(tr -d '\r' < "$kit") "$tmp/out.tsv"
check "CLI negation P and R >= 0.95" '[ $? -eq 0 ]'
check "temporality words" 'cut -f3 "$tmp/out.tsv" | tail -n +2 | sort -u | tr "\n" "," | grep -qx "Historical,Not particular,Recent,"'

# the kit's other file: CSV-style quoted fields, CRLF
"$cli" text assert --quotes "$data/negex/chapman_negex/Annotations-1-120.txt" > "$tmp/ann.tsv" 2> /dev/null
rc=$?
check "Annotations-1-120.txt with --quotes: exit 11, got $rc" '[ $rc -eq 11 ]'
check "Annotations-1-120.txt: 2365 rows" '[ $(($(wc -l < "$tmp/ann.tsv") - 1)) -eq 2365 ]'

# 2. stdin, no header, a bad row in the middle, tabs in ids kept out
printf 'a\tfracture\tNo fracture.\nb\tstenosis\tMild fracture.\nc\tbulge\tPossible disc bulge.\nd\tonly two\n' \
  | "$cli" text assert > "$tmp/o2.tsv" 2> "$tmp/e2.txt"
rc=$?
check "two bad rows -> exit 2, got $rc" '[ $rc -eq 2 ]'
check "line 2 reported" 'grep -q "stdin: line 2: " "$tmp/e2.txt"'
check "line 4 reported" 'grep -q "stdin: line 4: expected id, target and sentence" "$tmp/e2.txt"'
check "rows a and c" '[ "$(cat "$tmp/o2.tsv")" = "$(printf "a\tNegated\tRecent\tPatient\nc\tPossible\tRecent\tPatient")" ]'

# 3. rules: a Vertebra JSON file adds a trigger; a bad file is a data error (65)
printf '{"format": "vertebra-context", "rules": [{"phrase": "nope", "category": "negated", "direction": "forward"}]}' > "$tmp/r.json"
out=$(printf 'x\tfracture\tnope fracture\n' | "$cli" text assert --no-header --rules "$tmp/r.json")
check "rule file applied" '[ "$out" = "$(printf "x\tNegated\tRecent\tPatient")" ]'
printf 'no\t\t[NOPE]\n' > "$tmp/bad.txt"
"$cli" text assert --rules "$tmp/bad.txt" < /dev/null > /dev/null 2> "$tmp/e3.txt"
rc=$?
check "bad rules -> 65, got $rc" '[ $rc -eq 65 ]'
check "bad rules error names the line" 'grep -q "bad.txt: line 1: unknown tag" "$tmp/e3.txt"'
out=$(printf 'x\tgout\tHistory of gout.\n' | "$cli" text assert --no-header \
  --rules "historical=$data/negex/chapman_negex/genConText_triggers/history_triggers.txt")
check "genConText file with category prefix" '[ "$out" = "$(printf "x\tAffirmed\tHistorical\tPatient")" ]'

# 4. output file: all or nothing
"$cli" text assert -o "$tmp/o4.tsv" "$kit" 2> /dev/null
check "-o writes the file" '[ -s "$tmp/o4.tsv" ]'
"$cli" text assert -o "$tmp/o5.tsv" "$tmp/missing.tsv" 2> /dev/null
check "missing input leaves no output" '[ ! -e "$tmp/o5.tsv" ]'

# 5. usage
"$cli" text assert --bogus < /dev/null > /dev/null 2>&1
rc=$?
check "unknown option -> 64, got $rc" '[ $rc -eq 64 ]'
"$cli" text assert --help | grep -q "usage: vertebra text assert"
check "--help" '[ $? -eq 0 ]'
exit $fail
