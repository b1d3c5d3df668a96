#!/usr/bin/python3
"""hostile.py — `vertebra text extract` on hostile input: invalid UTF-8, NUL
bytes, a 100 MB single line, an empty file, a binary file, unterminated CSV
quotes, and (with --many) 10^6 tiny documents. Each must give a clear error
naming the document, or a correct result; never a crash (exit >= 64 or a
signal), never a partial output file. Under the sanitizer build the same run
also proves there is no leak or memory error (ASan aborts the CLI otherwise).
usage: hostile.py VERTEBRA [--many]"""
import json
import os
import subprocess
import sys
import tempfile

CLI = sys.argv[1]
MANY = "--many" in sys.argv[2:]
problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)
        print("FAIL:", msg)


def run(args, stdin=None):
    r = subprocess.run([CLI, "text", "extract"] + args, input=stdin, capture_output=True)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def no_crash(rc, err, what):
    check(0 <= rc < 64, "%s: exit %d (crash or fatal): %s" % (what, rc, err[-500:]))
    check("AddressSanitizer" not in err and "runtime error" not in err, "%s: sanitizer report" % what)


def lines(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


with tempfile.TemporaryDirectory() as tmp:
    def put(name, data):
        p = os.path.join(tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    good = put("good.txt", b"IMPRESSION: Severe central stenosis at L4-L5. No fracture.\n")
    bad_utf8 = put("bad_utf8.txt", b"Mild disc bulge \xc3\x28 at L4-5 \xff\xfe.\n")
    overlong = put("overlong.txt", b"stenosis \xc0\xaf here\n")
    nul = put("nul.txt", b"Disc protrusion at L5-S1.\x00 hidden\n")
    empty = put("empty.txt", b"")
    binary = put("binary.bin", bytes(range(256)) * 64)

    # Each bad file fails alone, named, with a place; the good ones still come out.
    out_path = os.path.join(tmp, "out.jsonl")
    rc, out, err = run(["-o", out_path, good, bad_utf8, overlong, nul, empty, binary])
    no_crash(rc, err, "mixed batch")
    check(rc == 4, "mixed batch: exit %d, expected 4 failed documents" % rc)
    for p in (bad_utf8, overlong, nul, binary):
        named = [l for l in err.splitlines() if p in l]
        check(len(named) == 1, "no single error line naming %s: %s" % (p, err))
        check(any("offset" in l or "byte" in l for l in named), "error for %s gives no place: %s" % (p, named))
    check("4 failed" in err and "6 documents" in err, "summary line missing: %s" % err)
    got = lines(open(out_path, encoding="utf-8").read())
    check([d["id"] for d in got] == [good, empty], "output ids: %s" % [d["id"] for d in got])
    if got:
        check(len(got[0]["findings"]) >= 1, "the good document lost its findings")
        check(got[-1]["findings"] == [] and got[-1]["summary"]["any_stenosis"] is False,
              "the empty document is not an empty result")

    # 100 MB on one line: over the 64 MiB document limit -> a clear error, no output lost.
    big = os.path.join(tmp, "big.txt")
    with open(big, "wb") as f:
        chunk = b"mild disc bulge at L4-5 without stenosis " * 1000
        while f.tell() < 100 * 1000 * 1000:
            f.write(chunk)
    rc, out, err = run([good, big])
    no_crash(rc, err, "100 MB line")
    check(rc == 1 and big in err and ("limit" in err or "exceeds" in err),
          "100 MB line: exit %d, stderr %s" % (rc, err[-300:]))
    check(len(lines(out)) == 1, "100 MB line: the good document is missing")
    os.remove(big)

    # Failing output: nothing partial is left behind.
    rc, out, err = run(["-o", os.path.join(tmp, "no", "such", "dir", "out.jsonl"), good])
    check(rc >= 64 and "out.jsonl" in err, "unwritable output: exit %d %s" % (rc, err))
    leftovers = [f for f in os.listdir(tmp) if f.startswith("out.jsonl.")]
    check(not leftovers, "temporary output left behind: %s" % leftovers)

    # CSV with an unterminated quote: a clear error naming file and line.
    csv_path = put("reports.csv", b'id,text\n1,"Mild stenosis at L4-5."\n2,"never closed\n3,ok\n')
    rc, out, err = run(["--input-format", "csv", "--id-col", "id", "--text-col", "text", csv_path])
    no_crash(rc, err, "unterminated CSV")
    check(rc != 0 and "reports.csv" in err and "line" in err,
          "unterminated CSV quote: exit %d, %s" % (rc, err[-300:]))
    check(any(d["id"] == "1" for d in lines(out)), "unterminated CSV: the record before it is lost")

    # Stable order with more threads than cores, mixed sizes and failures.
    mixed = os.path.join(tmp, "mixed.jsonl")
    with open(mixed, "w") as f:
        for i in range(3000):
            text = "No stenosis at L4-5. " * (1 + (i * 7919) % 200) if i % 97 else "bad \udcff"
            f.write(json.dumps({"id": "d%d" % i, "text": text}) + "\n")
    rc, out, err = run(["--jobs", "8", mixed])
    no_crash(rc, err, "ordering")
    ids = [d["id"] for d in lines(out)]
    want = ["d%d" % i for i in range(3000) if i % 97]
    check(ids == want, "--jobs 8: output not in input order (or records lost)")
    check(rc == 31 and "31 failed" in err, "--jobs 8: exit %d, expected 31 failures: %s" % (rc, err[-200:]))

    if MANY:
        # 10^6 tiny documents as JSONL: every one comes out, in order.
        n = 1000000
        many = os.path.join(tmp, "many.jsonl")
        with open(many, "w") as f:
            for i in range(n):
                f.write('{"id":"%d","text":"No stenosis at L%d."}\n' % (i, i % 5 + 1))
        # Streamed through a pipe (about 1 GB of JSONL): checked line by line.
        proc = subprocess.Popen([CLI, "text", "extract", "--input-format", "jsonl", "--jobs", "2", many],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        count, in_order = 0, True
        for i, line in enumerate(proc.stdout):
            if in_order and not line.startswith(b'{"id":"%d","findings":[{' % i):
                in_order = False
            count += 1
        err = proc.stderr.read().decode("utf-8", "replace")
        rc = proc.wait()
        no_crash(rc, err, "10^6 documents")
        check(rc == 0, "10^6 documents: exit %d %s" % (rc, err[-300:]))
        check(count == n and in_order, "10^6 documents: %d lines, in order %s" % (count, in_order))
        print(err.strip().splitlines()[-1] if err.strip() else "")

print("%d problems" % len(problems))
sys.exit(1 if problems else 0)
