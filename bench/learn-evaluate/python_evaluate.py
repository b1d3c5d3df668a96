#!/usr/bin/python3
"""python_evaluate.py — what `vertebra learn evaluate` computes, written the way a
Python user would today: scikit-learn (AUC, Brier, calibration curve, 1,000
stratified bootstrap AUCs with roc_auc_score), a vectorised DeLong (Sun & Xu
midranks with scipy.stats.rankdata), statsmodels (calibration intercept and
slope), Wilson CIs (statsmodels) and numpy net benefit. Prints the key numbers
so the two can be compared.

usage: python_evaluate.py SCORES.csv [B]
"""
import sys

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm, rankdata
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score
from statsmodels.stats.proportion import proportion_confint


def delong(p, y):
    x, z = p[y == 1], p[y == 0]
    m, n = len(x), len(z)
    tz = rankdata(np.concatenate([x, z]))
    tx, ty = rankdata(x), rankdata(z)
    auc = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (tz[:m] - tx) / n
    v01 = 1 - (tz[m:] - ty) / m
    return auc, v10.var(ddof=1) / m + v01.var(ddof=1) / n


def main():
    df = pd.read_csv(sys.argv[1])
    B = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    y = df["y"].to_numpy()
    p = df["p"].to_numpy()
    auc, var = delong(p, y)
    se = np.sqrt(var)
    l, h = np.log(auc / (1 - auc)), norm.ppf(0.975) * se / (auc * (1 - auc))
    ci = 1 / (1 + np.exp(-(l - h))), 1 / (1 + np.exp(-(l + h)))
    rng = np.random.default_rng(1)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    boots = []
    for _ in range(B):
        idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        boots.append(roc_auc_score(y[idx], p[idx]))
    blo, bhi = np.percentile(boots, [2.5, 97.5])
    brier = brier_score_loss(y, p)
    lp = np.log(p / (1 - p))
    a = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=lp).fit()
    b = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit()
    curve = calibration_curve(y, p, n_bins=10, strategy="quantile")
    for t in (0.1, 0.2, 0.3, 0.5):
        pr = p >= t
        tp, fn = (pr & (y == 1)).sum(), (~pr & (y == 1)).sum()
        proportion_confint(tp, tp + fn, method="wilson")
    nb = [((p >= t) & (y == 1)).sum() / len(y) - ((p >= t) & (y == 0)).sum() / len(y) * t / (1 - t)
          for t in np.arange(1, 100) / 100]
    print(f"n {len(y)} AUC {auc:.6f} ({ci[0]:.6f}-{ci[1]:.6f}; bootstrap {blo:.4f}-{bhi:.4f}) "
          f"Brier {brier:.6f} intercept {a.params[0]:.6f} slope {b.params[1]:.6f} "
          f"bins {len(curve[0])} nb(0.2) {nb[19]:.6f}")


if __name__ == "__main__":
    main()
