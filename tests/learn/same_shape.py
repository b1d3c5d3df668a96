#!/usr/bin/python3
"""One metrics document for `learn train`, `learn validate` and `learn evaluate`
(issue 3): the same top-level metric keys, each AUC point estimate inside its
DeLong and bootstrap CIs, `evaluate` on validate's predictions agreeing with
validate, and the train report's HTML written with its performance section. Data: the UCI
vertebral column cohort (shared/data/tabular), split in two halves.

usage: same_shape.py VERTEBRA UCI_CSV WORKDIR"""
import csv
import json
import os
import subprocess
import sys

vt, path, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
fails = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)


rows = list(csv.reader(open(path)))
head, body = rows[0], rows[1:]
a, b = os.path.join(work, "a.csv"), os.path.join(work, "b.csv")
for name, part in ((a, body[0::2]), (b, body[1::2])):
    with open(name, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(part)
outcome = head[-1]
positive = "Abnormal" if any(r[-1] == "Abnormal" for r in body) else body[0][-1]
model, tj, vj = (os.path.join(work, n) for n in ("m.json", "train.json", "validate.json"))
html = os.path.join(work, "r.html")
r = subprocess.run([vt, "learn", "train", "--data", a, "--outcome", outcome, "--positive", positive,
                    "--model", "logistic", "--folds", "5", "--optimism", "20", "--bootstrap", "200",
                    "--out", model, "--json", tj, "--report", html], capture_output=True, text=True)
check(r.returncode == 0, "train: %s" % r.stderr.strip()[-300:])
r = subprocess.run([vt, "learn", "validate", "--model", model, "--data", b, "--bootstrap", "200",
                    "--json", vj], capture_output=True, text=True)
check(r.returncode == 0, "validate: %s" % r.stderr.strip()[-300:])
T, V = json.load(open(tj)), json.load(open(vj))
# evaluate on validate's predictions: score the second half with predict first
pred = os.path.join(work, "pred.csv")
r = subprocess.run([vt, "learn", "predict", "--model", model, "--data", b, "--out", pred],
                   capture_output=True, text=True)
check(r.returncode == 0, "predict: %s" % r.stderr.strip()[-300:])
if r.returncode == 0:
    probs = [row[-1] for row in list(csv.reader(open(pred)))[1:]]
    labels = [row[-1] for row in list(csv.reader(open(b)))[1:]]
    check(len(probs) == len(labels), "one prediction per row")
    scores = os.path.join(work, "scores.csv")
    with open(scores, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["label", "score"])
        w.writerows(zip(labels, probs))
    ej = os.path.join(work, "evaluate.json")
    r = subprocess.run([vt, "learn", "evaluate", "--scores", scores, "--label", "label", "--score", "score",
                        "--positive", positive, "--bootstrap", "200", "--json", ej],
                       capture_output=True, text=True)
    check(r.returncode == 0, "evaluate: %s" % r.stderr.strip()[-300:])
    if r.returncode == 0:
        E = json.load(open(ej))
        check(set(E) - {"run"} == set(T) - {"run"},
              "evaluate and train share the metric keys: %s" % sorted(set(E) ^ set(T)))
        check(abs(E["auc"]["value"] - V["auc"]["value"]) < 1e-9,
              "evaluate on validate's predictions gives validate's AUC")
metric_keys = set(T) - {"run"}
check(len(metric_keys) >= 5, "train's document holds metrics: %s" % sorted(metric_keys))
check(metric_keys == set(V) - {"run"}, "validate and train share the metric keys: %s" % sorted(metric_keys ^ (set(V) - {"run"})))
check("run" in T and "run" in V, "each document has its run section")


for name, doc in (("train", T), ("validate", V)):
    auc = doc.get("auc", {})
    est = auc.get("value")
    for ci in ("ci95", "bootstrap_ci95"):
        lo, hi = auc.get(ci, [None, None])
        check(est is not None and lo is not None and lo <= est <= hi,
              "%s: AUC %s inside its %s %s" % (name, est, ci, auc.get(ci)))
check("cross_validation" in T["run"] and "optimism" in T["run"], "train run: cross_validation and optimism")
check("drift" in V["run"], "validate run: drift")
text = open(html).read() if os.path.exists(html) else ""
check(text.startswith("<!DOCTYPE html") or text.lstrip().lower().startswith("<!doctype html"), "report is HTML")
check("Performance with confidence intervals" in text and "alibration" in text and "AUC" in text,
      "report has the performance section with AUC and calibration")
check(not [n for n in os.listdir(work) if ".tmp" in n], "no temporary files left")
print("%d failed" % len(fails))
sys.exit(1 if fails else 0)
