#!/usr/bin/python3
"""evaluate_cli.py — `vertebra learn evaluate` on bad and unusual input: each
bad file gives the documented exit code and a message naming the column or
line, and leaves no output file; BOM, CRLF, --logit and --json - work.
The AUC of the good cases is checked against scikit-learn.

usage: evaluate_cli.py --cli PATH/vertebra --work DIR
"""
import argparse
import json
import os
import subprocess
import sys

from sklearn.metrics import roc_auc_score

failures = []


def run(cli, args):
    return subprocess.run([cli, "learn", "evaluate"] + args, capture_output=True, text=True)


def expect_fail(cli, work, name, text, code, needles, extra=()):
    path = os.path.join(work, name + ".csv")
    with open(path, "w", newline="") as f:
        f.write(text)
    out = os.path.join(work, name + ".json")
    if os.path.exists(out):
        os.remove(out)
    r = run(cli, ["--scores", path, "--label", "y", "--score", "p", "--json", out,
                  "--bootstrap", "0", *extra])
    ok = r.returncode == code and all(n in r.stderr for n in needles) and not os.path.exists(out)
    leftovers = [f for f in os.listdir(work) if f.startswith(name + ".json")]
    if not ok or leftovers:
        failures.append(f"{name}: exit {r.returncode} (want {code}), stderr {r.stderr.strip()!r}"
                        f", want {needles}; leftovers {leftovers}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    cli, w = a.cli, a.work

    expect_fail(cli, w, "missing_column", "outcome,p\n1,0.3\n0,0.2\n", 66,
                ["no column 'y'", "label column", "'outcome'"])
    expect_fail(cli, w, "non_numeric", "y,p\n1,0.3\n0,abc\n", 65,
                ["line 3", "'abc' is not a number", "column 'p'"])
    expect_fail(cli, w, "empty_score", "y,p\n1,0.3\n0,\n", 65, ["line 3", "score is empty"])
    expect_fail(cli, w, "out_of_range", "y,p\n1,0.3\n0,1.5\n", 65,
                ["line 3", "outside [0, 1]", "--logit"])
    expect_fail(cli, w, "non_binary", "y,p\n1,0.3\n2,0.2\n0,0.1\n", 65,
                ["line 3", "label '2' is not 0 or 1", "--positive"])
    expect_fail(cli, w, "third_level", "y,p\nyes,0.3\nno,0.2\nmaybe,0.1\n", 65,
                ["line 4", "third level 'maybe'"], ["--positive", "yes"])
    expect_fail(cli, w, "one_class", "y,p\n0,0.3\n0,0.2\n0,0.1\n", 65,
                ["all 3 rows are 0", "both outcomes"])
    expect_fail(cli, w, "ragged", "y,p\n1,0.3\n0,0.2,9\n", 65, ["line 3", "3 fields"])
    expect_fail(cli, w, "empty", "", 65, ["empty"])
    expect_fail(cli, w, "header_only", "y,p\n", 65, ["no data rows"])
    expect_fail(cli, w, "unterminated_quote", "y,p\n1,\"0.3\n0,0.2\n", 65, ["line"])

    path = os.path.join(w, "bad_utf8.csv")
    with open(path, "wb") as f:
        f.write(b"y,p,g\n1,0.3,A\n0,0.2,\xff\xfe\n")
    r = run(cli, ["--scores", path, "--label", "y", "--score", "p", "--subgroup", "g"])
    if r.returncode != 65 or "line 3" not in r.stderr or "UTF-8" not in r.stderr:
        failures.append(f"bad_utf8: exit {r.returncode} {r.stderr!r}")

    path = os.path.join(w, "many_levels.csv")
    with open(path, "w") as f:
        f.write("y,p,id\n")
        for i in range(150):
            f.write(f"{i % 2},{(i % 10) / 10},patient{i}\n")
    r = run(cli, ["--scores", path, "--label", "y", "--score", "p", "--subgroup", "id",
                  "--bootstrap", "0"])
    if r.returncode != 65 or "150 levels" not in r.stderr:
        failures.append(f"many_levels: exit {r.returncode} {r.stderr!r}")

    # usage errors
    r = run(cli, ["--scores", "x.csv", "--label", "y"])
    if r.returncode != 64 or "--score" not in r.stderr:
        failures.append(f"missing --score: exit {r.returncode} {r.stderr!r}")
    r = run(cli, ["--bogus"])
    if r.returncode != 64:
        failures.append(f"unknown option: exit {r.returncode}")
    r = run(cli, ["--help"])
    if r.returncode != 0 or "--scores" not in r.stdout:
        failures.append(f"--help: exit {r.returncode}")
    r = run(cli, ["--scores", "x", "--label", "y", "--score", "p", "--thresholds", "0.2,1.5"])
    if r.returncode != 64:
        failures.append(f"bad thresholds: exit {r.returncode}")

    # good input: BOM + CRLF + two-level labels, and log-odds scores
    ys = [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0]
    ps = [0.9, 0.1, 0.35, 0.8, 0.4, 0.2, 0.6, 0.3, 0.3, 0.55, 0.05, 0.7]
    path = os.path.join(w, "bom_crlf.csv")
    with open(path, "w", newline="") as f:
        f.write("\ufeffy,p,site\r\n")
        for y, p in zip(ys, ps):
            f.write(f"{'dead' if y else 'alive'},{p},{'A' if p > 0.3 else 'B'}\r\n")
    r = run(cli, ["--scores", path, "--label", "y", "--score", "p", "--positive", "dead",
                  "--subgroup", "site", "--json", "-", "--bootstrap", "50"])
    try:
        m = json.loads(r.stdout)
        if abs(m["auc"]["value"] - roc_auc_score(ys, ps)) > 1e-12 or m["n"] != 12:
            failures.append(f"bom_crlf: AUC {m['auc']['value']} vs {roc_auc_score(ys, ps)}")
        if set(m["subgroups"]) != {"A", "B"} or not m["warnings"]:
            failures.append("bom_crlf: subgroups or small-subgroup warnings missing")
    except (ValueError, KeyError) as e:
        failures.append(f"bom_crlf: exit {r.returncode}, {e}, stderr {r.stderr!r}")

    path = os.path.join(w, "logodds.csv")
    import math
    with open(path, "w") as f:
        f.write("y,lp\n")
        for y, p in zip(ys, ps):
            f.write(f"{y},{math.log(p / (1 - p))!r}\n")
    out = os.path.join(w, "logodds.json")
    rep = os.path.join(w, "logodds.html")
    r = run(cli, ["--scores", path, "--label", "y", "--score", "lp", "--logit", "--json", out,
                  "--report", rep, "--bootstrap", "100"])
    try:
        with open(out) as f:
            m = json.load(f)
        if abs(m["auc"]["value"] - roc_auc_score(ys, ps)) > 1e-12:
            failures.append("logit: AUC differs from sklearn")
        if abs(m["brier"] - sum((p - y) ** 2 for y, p in zip(ys, ps)) / 12) > 1e-12:
            failures.append("logit: Brier of converted scores differs")
        with open(rep) as f:
            html = f.read()
        with open(rep + ".json") as f:
            rj = json.load(f)
        if "<svg" not in html or "TRIPOD" not in html or "</html>" not in html:
            failures.append("report: HTML incomplete")
        if abs(rj["metrics"][0]["auc"]["value"] - m["auc"]["value"]) > 0:
            failures.append("report JSON and metrics JSON differ")
        if "http://" in html.replace("http://www.w3.org/2000/svg", "") or "<script" in html:
            failures.append("report is not self-contained")
    except (OSError, ValueError, KeyError) as e:
        failures.append(f"logit: exit {r.returncode}, {e}, stderr {r.stderr!r}")

    if failures:
        for f in failures:
            print("FAIL " + f, file=sys.stderr)
        return 1
    print("all evaluate CLI cases behave as documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
