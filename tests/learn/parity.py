#!/usr/bin/python3
"""parity.py — model parity against scikit-learn and xgboost-python on
identical folds: writes the folds, computes the reference mean fold AUCs with
StandardScaler+LogisticRegression and XGBClassifier (same hyper-parameters),
runs `vertebra learn train --folds-file` and compares within 0.005.

usage: parity.py VERTEBRA DATA.csv OUTCOME POSITIVE EXCLUDE WORKDIR
"""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

vt, path, outcome, positive, exclude, work = sys.argv[1:7]
df = pd.read_csv(path)
y = (df[outcome].astype(str) == positive).astype(int).to_numpy()
drop = [outcome] + [c for c in exclude.split(",") if c]
X = df.drop(columns=drop).to_numpy(dtype=float)
folds = np.zeros(len(y), dtype=int)
for k, (_, te) in enumerate(StratifiedKFold(5, shuffle=True, random_state=7).split(X, y)):
    folds[te] = k
ff = f"{work}/folds.csv"
with open(ff, "w") as f:
    f.write("row,fold\n")
    for i, k in enumerate(folds):
        f.write(f"{i + 1},{k}\n")


def cv(make):
    aucs = []
    for k in range(5):
        tr, te = folds != k, folds == k
        m = make().fit(X[tr], y[tr])
        aucs.append(roc_auc_score(y[te], m.predict_proba(X[te])[:, 1]))
    return float(np.mean(aucs))


ref = {
    "logistic": cv(lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=10000, tol=1e-10))),
    "enet": cv(lambda: make_pipeline(StandardScaler(), LogisticRegression(
        penalty="elasticnet", solver="saga", l1_ratio=0.5, C=0.5, max_iter=200000, tol=1e-10, random_state=0))),
    "gbdt": cv(lambda: xgb.XGBClassifier(max_depth=3, n_estimators=100, learning_rate=0.1, subsample=1.0,
                                         colsample_bytree=1.0, min_child_weight=1.0, reg_lambda=1.0,
                                         tree_method="exact", base_score=0.5, random_state=42, n_jobs=1)),
}
fail = 0
for model, want in ref.items():
    out = f"{work}/metrics_{model}.json"
    cmd = [vt, "learn", "train", "--data", path, "--outcome", outcome, "--positive", positive,
           "--model", "logistic" if model == "enet" else model, "--folds-file", ff, "--out", f"{work}/model_{model}.json", "--json", out]
    if model == "enet":
        cmd += ["--C", "0.5", "--l1-ratio", "0.5"]
    if model == "gbdt":
        cmd += ["--tree-method", "exact"]  # the reference's; our default is hist
    if exclude:
        cmd += ["--exclude", exclude]
    subprocess.run(cmd, check=True)
    got = json.load(open(out))["run"]["cross_validation"]["mean_fold_auc"]
    ok = abs(got - want) <= 0.005
    fail += not ok
    print(f"{path}: {model}: vertebra {got:.6f} reference {want:.6f} diff {got - want:+.2e} {'ok' if ok else 'FAIL'}")
sys.exit(1 if fail else 0)
