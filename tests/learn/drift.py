#!/usr/bin/python3
"""drift.py VERTEBRA KYPHOSIS.csv WORKDIR — `vertebra learn validate` drift
statistics against SciPy: train on the odd rows of rpart's kyphosis data
(Number forced categorical), validate on the even rows; the chi-square
statistic and p-value of Number must equal scipy.stats.chi2_contingency
(no continuity correction) to 1e-9, and the KS statistic of Age must be within
0.011 of scipy.stats.ks_2samp (the training CDF is stored as 101 percentiles).
Also checks calibration intercept/slope against statsmodels-style Newton fits
done here with scipy.optimize."""
import json
import subprocess
import sys

import numpy as np
import pandas as pd
from scipy import optimize, stats

vt, path, work = sys.argv[1:4]
df = pd.read_csv(path)
a, b = df.iloc[::2], df.iloc[1::2]
a.to_csv(f"{work}/a.csv", index=False)
b.to_csv(f"{work}/b.csv", index=False)
subprocess.run([vt, "learn", "train", "--data", f"{work}/a.csv", "--outcome", "Kyphosis",
                "--exclude", "rownames", "--categorical", "Number", "--model", "logistic",
                "--folds", "3", "--out", f"{work}/m.json", "--json", f"{work}/mm.json"], check=True)
subprocess.run([vt, "learn", "validate", "--model", f"{work}/m.json", "--data", f"{work}/b.csv",
                "--json", f"{work}/v.json"], check=True)
rep = json.load(open(f"{work}/v.json"))
drift = {d["column"]: d for d in rep["run"]["drift"]}
fail = 0


def check(name, got, want, tol):
    global fail
    ok = abs(got - want) <= tol
    fail += not ok
    print(f"{name}: vertebra {got:.10g} scipy {want:.10g} {'ok' if ok else 'FAIL'}")


levels = sorted(set(a["Number"].astype(str)) | set(b["Number"].astype(str)))
tab = np.array([[sum(a["Number"].astype(str) == l) for l in levels],
                [sum(b["Number"].astype(str) == l) for l in levels]])
tab = tab[:, tab.sum(axis=0) > 0]
chi2, p, dof, _ = stats.chi2_contingency(tab, correction=False)
check("chi-square Number", drift["Number"]["test"]["statistic"], chi2, 1e-9)
check("chi-square p Number", drift["Number"]["test"]["p_value"], p, 1e-9)
ks = stats.ks_2samp(a["Age"], b["Age"])
check("KS D Age", drift["Age"]["test"]["statistic"], ks.statistic, 0.011)
# calibration: intercept with the linear predictor as offset; slope jointly
model = json.load(open(f"{work}/m.json"))
sub = subprocess.run([vt, "learn", "predict", "--model", f"{work}/m.json", "--data", f"{work}/b.csv",
                      "--format", "json"], check=True, capture_output=True, text=True)
lp = np.array([r["log_odds"] for r in json.loads(sub.stdout)["rows"]])
y = (b["Kyphosis"] == "present").to_numpy(float)


def nll(w, slope_free):
    eta = w[0] + (w[1] if slope_free else 1.0) * lp
    return np.sum(np.logaddexp(0, eta) - y * eta)


ci = optimize.minimize(lambda w: nll([w[0], 1], False), [0.0], method="BFGS", options={"gtol": 1e-10}).x[0]
cs = optimize.minimize(lambda w: nll(w, True), [0.0, 1.0], method="BFGS", options={"gtol": 1e-10}).x[1]
check("calibration intercept", rep["calibration"]["intercept"], ci, 1e-5)
check("calibration slope", rep["calibration"]["slope"], cs, 1e-5)
sys.exit(1 if fail else 0)
