#!/usr/bin/python3
"""sklearn_job.py DATA.csv OUTCOME POSITIVE EXCLUDE [--full] --tree-method hist|exact
    [--jobs N] [--folds-file F | --write-folds F] — the same job as
`vertebra learn train --model auto` written with scikit-learn and
xgboost-python: median imputation, stratified 5-fold CV of
StandardScaler+LogisticRegression(C=1, solver newton-cholesky: Newton's
method, as ours; lbfgs at its default tol stops ~1e-6 short of the optimum in
CV AUC) and XGBClassifier(depth 3, 100 trees, eta 0.1, --tree-method, n_jobs
--jobs), the better by mean fold AUC refitted on all rows. --full adds what
learn-eval's side of the job does: 1,000 bootstrap AUC CIs of the
out-of-fold predictions, calibration intercept/slope and a decision curve.
--write-folds writes StratifiedKFold's folds (`row,fold`, 1-based rows,
vertebra's --folds-file format) and exits; --folds-file reads them, so both
jobs fit the same folds and their CV AUCs can be compared."""
import argparse
import json

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ap = argparse.ArgumentParser()
for a in ("path", "outcome", "positive", "exclude"):
    ap.add_argument(a)
ap.add_argument("--full", action="store_true")
ap.add_argument("--tree-method", choices=("hist", "exact"), required=True)
ap.add_argument("--jobs", type=int, default=1)
ap.add_argument("--folds-file")
ap.add_argument("--write-folds")
args = ap.parse_args()
path, outcome, positive, exclude, full = args.path, args.outcome, args.positive, args.exclude, args.full
df = pd.read_csv(path)
y = (df[outcome].astype(str) == positive).astype(int).to_numpy()
X = df.drop(columns=[outcome] + [c for c in exclude.split(",") if c])
X = X.fillna(X.median(numeric_only=True)).to_numpy(dtype=float)
makers = {
    "logistic": lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=1000)),
    "gbdt": lambda: xgb.XGBClassifier(max_depth=3, n_estimators=100, learning_rate=0.1,
                                      tree_method=args.tree_method, n_jobs=args.jobs, random_state=42),
}
if args.folds_file:
    f = pd.read_csv(args.folds_file)
    fold = np.empty(len(y), dtype=int)
    fold[f["row"].to_numpy() - 1] = f["fold"].to_numpy()
    splits = [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(fold.max() + 1)]
else:
    splits = list(StratifiedKFold(5, shuffle=True, random_state=42).split(X, y))
if args.write_folds:
    fold = np.empty(len(y), dtype=int)
    for k, (_, te) in enumerate(splits):
        fold[te] = k
    pd.DataFrame({"row": np.arange(1, len(y) + 1), "fold": fold}).to_csv(args.write_folds, index=False)
    raise SystemExit(0)
res, oof = {}, {}
for name, make in makers.items():
    aucs, o = [], np.zeros(len(y))
    for tr, te in splits:
        m = make().fit(X[tr], y[tr])
        o[te] = m.predict_proba(X[te])[:, 1]
        aucs.append(roc_auc_score(y[te], o[te]))
    res[name], oof[name] = float(np.mean(aucs)), o
best = max(res, key=res.get)
makers[best]().fit(X, y)
out = {"cv_auc": res, "chosen": best}
if full:
    p = oof[best]
    rng = np.random.default_rng(42)
    boots = []
    for _ in range(1000):
        idx = rng.integers(0, len(y), len(y))
        if y[idx].min() != y[idx].max():
            boots.append(roc_auc_score(y[idx], p[idx]))
    lp = np.log(np.clip(p, 1e-12, 1 - 1e-12) / np.clip(1 - p, 1e-12, 1))
    cal = LogisticRegression(penalty=None).fit(lp.reshape(-1, 1), y)
    nb = [float(((p >= t) & (y == 1)).mean() - ((p >= t) & (y == 0)).mean() * t / (1 - t))
          for t in np.arange(0.01, 0.99, 0.01)]
    out.update(auc_ci=[float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))],
               calibration_slope=float(cal.coef_[0][0]), net_benefit_points=len(nb))
print(json.dumps(out))
