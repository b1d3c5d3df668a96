#!/bin/sh
# note_nlp_postgres.sh — loads our NOTE_NLP CSV into a real PostgreSQL 15 table
# made with the official OMOP CDM v5.4 DDL (tests/text/omop_note_nlp_v54.sql),
# with \copy ... CSV HEADER, then checks what PostgreSQL holds: row count, the
# CDM values, and that "offset" is a character offset of lexical_variant in the
# note text. A throwaway cluster in a temporary folder, unix socket only.
# PostgreSQL missing or not starting is a FAILURE, never a skip.
# usage: note_nlp_postgres.sh VERTEBRA DDL_SQL
set -eu
CLI=$1
DDL=$2
PGBIN=/usr/lib/postgresql/15/bin

fail() { echo "FAIL: $*" >&2; exit 1; }

if [ ! -x "$PGBIN/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "PostgreSQL 15 missing: installing postgresql-15 from Debian" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15 >&2 ||
      fail "cannot install postgresql-15 (scripts/install-deps.sh installs it)"
  fi
  [ -x "$PGBIN/initdb" ] || fail "PostgreSQL 15 is not installed ($PGBIN/initdb); run scripts/install-deps.sh"
fi

TMP=$(mktemp -d /tmp/vt-notenlp.XXXXXX)
# PostgreSQL refuses to run as root: as root, the cluster belongs to 'postgres'.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || fail "running as root but there is no 'postgres' user"
  AS="runuser -u postgres --"
  chown postgres "$TMP"
else
  AS=""
fi
chmod 755 "$TMP"
cleanup() {
  $AS "$PGBIN/pg_ctl" -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# --- our CSV: the demo's reports and a few documents with non-ASCII text ---
mkdir "$TMP/in"
printf 'IMPRESSION: Sévère — severe central stenosis at L4-L5. No fracture.\n' > "$TMP/in/a.txt"
printf 'Findings: “Mild” disc bulge at L3-4; moderate left foraminal stenosis at L4-5.\nNo spondylolisthesis. History of L1 compression fracture.\n' > "$TMP/in/b.txt"
printf 'Impression: Possible grade 1 anterolisthesis of L5 on S1, "quoted", with a comma.\n' > "$TMP/in/c.txt"
"$CLI" demo -o "$TMP/demo" >/dev/null || fail "vertebra demo failed"
"$CLI" text extract --format note-nlp --note-id-map "$TMP/map.csv" -o "$TMP/odd.csv" \
  "$TMP/in/a.txt" "$TMP/in/b.txt" "$TMP/in/c.txt" || fail "vertebra text extract --format note-nlp failed"
chmod -R a+rX "$TMP"

# --- a throwaway cluster ---
$AS "$PGBIN/initdb" -D "$TMP/data" -A trust -U vt -E UTF8 --locale=C.UTF-8 >"$TMP/initdb.log" 2>&1 ||
  { cat "$TMP/initdb.log" >&2; fail "initdb failed"; }
$AS "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/pg.log" -w -t 60 \
  -o "-c listen_addresses='' -k $TMP -p 54329" start >/dev/null ||
  { cat "$TMP/pg.log" >&2; fail "PostgreSQL did not start"; }
PSQL="$AS $PGBIN/../bin/psql"
[ -x "$PGBIN/psql" ] || PSQL="$AS psql"
psql_run() { $PSQL -h "$TMP" -p 54329 -U vt -d postgres -v ON_ERROR_STOP=1 -q -X "$@"; }

psql_run -c "CREATE SCHEMA cdm;"
sed 's/@cdmDatabaseSchema/cdm/g' "$DDL" > "$TMP/ddl.sql"
psql_run -f "$TMP/ddl.sql"
psql_run -c "\\copy cdm.note_nlp FROM '$TMP/demo/text/note_nlp.csv' WITH (FORMAT csv, HEADER true)" ||
  fail "COPY of the demo's note_nlp.csv was refused"
psql_run -c "CREATE TABLE cdm.odd (LIKE cdm.note_nlp);"
psql_run -c "\\copy cdm.odd FROM '$TMP/odd.csv' WITH (FORMAT csv, HEADER true)" ||
  fail "COPY of the non-ASCII note_nlp CSV was refused"

# --- what PostgreSQL holds, checked against the CSV (Python's csv module) ---
psql_run -A -F '|' -t -c "SELECT count(*), count(DISTINCT note_nlp_id), count(DISTINCT note_id),
    sum((term_exists = 'N')::int), sum((term_temporal = 'past')::int),
    min(nlp_date)::text, bool_and(term_modifiers LIKE 'finding=%negated=%') FROM cdm.note_nlp" > "$TMP/demo_stats.txt"
psql_run -A -F '	' -t -c "SELECT note_id, \"offset\", lexical_variant, term_exists, term_modifiers
    FROM cdm.odd ORDER BY note_nlp_id" > "$TMP/odd_rows.tsv"
/usr/bin/python3 - "$TMP" <<'PY'
import csv, sys, os
tmp = sys.argv[1]
def fail(msg):
    print("FAIL:", msg); sys.exit(1)
with open(os.path.join(tmp, "demo/text/note_nlp.csv"), newline="") as f:
    rows = list(csv.DictReader(f))
stats = open(os.path.join(tmp, "demo_stats.txt")).read().strip().split("|")
n, ndistinct, nnotes, nneg, npast, date, mods = stats
if int(n) != len(rows) or len(rows) == 0: fail("PostgreSQL holds %s rows, the CSV %d" % (n, len(rows)))
if int(ndistinct) != len(rows): fail("note_nlp_id not unique")
if int(nnotes) != len({r["note_id"] for r in rows}): fail("note_id count differs")
if int(nneg) != sum(r["term_exists"] == "N" for r in rows) or int(nneg) == 0:
    fail("term_exists 'N' rows: %s in PostgreSQL" % nneg)
if mods != "t": fail("term_modifiers not in key=value form")
print("demo: %s rows loaded, %s notes, %s with term_exists N, %s past" % (n, nnotes, nneg, npast))
# "offset" is a character offset: the note text at it spells lexical_variant.
ids = {}
with open(os.path.join(tmp, "map.csv"), newline="") as f:
    for r in csv.DictReader(f):
        ids[r["note_id"]] = r["document_id"]
checked = 0
for line in open(os.path.join(tmp, "odd_rows.tsv"), encoding="utf-8"):
    if not line.strip(): continue
    note_id, off, lex, exists, mods = line.rstrip("\n").split("\t")
    text = open(ids[note_id], encoding="utf-8").read()
    o = int(off)
    if text[o:o + len(lex)] != lex:
        fail("note %s offset %s: text has %r, lexical_variant %r" % (note_id, off, text[o:o + len(lex)], lex))
    if ("negated=true" in mods) and exists != "N": fail("negated mention with term_exists %s" % exists)
    checked += 1
if checked == 0: fail("no rows for the non-ASCII documents")
print("non-ASCII documents: %d rows, every offset is a character offset of lexical_variant" % checked)
PY
echo "NOTE_NLP loads into PostgreSQL 15 with the official OMOP CDM v5.4 DDL"
