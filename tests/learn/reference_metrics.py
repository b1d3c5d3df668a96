#!/usr/bin/python3
"""reference_metrics.py — checks `vertebra learn evaluate --json` against
implementations nobody here wrote: scikit-learn 1.2 (roc_auc_score,
brier_score_loss, calibration_curve), statsmodels (GLM binomial for the
calibration intercept with offset and the calibration slope, with Wald CIs;
proportion_confint 'wilson'; lowess with it=0 for the smoothed calibration
curve), and DeLong's variance by its published O(n^2)
structural components (DeLong, DeLong & Clarke-Pearson, Biometrics 1988,
eqs. 4-5), written here from the paper, not from our C code.

Data: UCI vertebral column (abnormal vs normal) and rpart's kyphosis data,
read in place. Scores are out-of-fold probabilities of a scikit-learn
logistic regression (5-fold, seed 0), so calibration is not trivially
perfect. Every compared number must agree to 1e-6 (absolute).

usage: reference_metrics.py --cli PATH/vertebra --data SHARED_DATA --work DIR
"""
import argparse
import json
import math
import os
import subprocess
import sys

import numpy as np
from scipy.stats import norm
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import statsmodels.api as sm
from statsmodels.nonparametric.smoothers_lowess import lowess
from statsmodels.stats.proportion import proportion_confint

TOL = 1e-6
failures = []
checked = [0]


def check(name, ours, ref, tol=TOL):
    checked[0] += 1
    if ours is None or ref is None or not math.isfinite(ref) or abs(ours - ref) > tol:
        failures.append(f"{name}: vertebra {ours!r} vs reference {ref!r}")
        return False
    return True


def delong_variance(scores, y):
    """DeLong et al. (1988): psi(X, Y) = 1, 1/2, 0; V10(X_i) = mean_j psi(X_i, Y_j),
    V01(Y_j) = mean_i psi(X_i, Y_j); S10, S01 their sample variances (m-1, n-1);
    var(AUC) = S10/m + S01/n. O(m n) on purpose: the paper's definition."""
    x = scores[y == 1]
    z = scores[y == 0]
    psi = (x[:, None] > z[None, :]).astype(float) + 0.5 * (x[:, None] == z[None, :])
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    auc = psi.mean()
    s10 = ((v10 - auc) ** 2).sum() / (len(x) - 1)
    s01 = ((v01 - auc) ** 2).sum() / (len(z) - 1)
    return auc, s10 / len(x) + s01 / len(z)


def calibration_reference(p, y):
    lp = np.log(np.clip(p, 1e-15, 1 - 1e-15) / (1 - np.clip(p, 1e-15, 1 - 1e-15)))
    ones = np.ones((len(y), 1))
    cil = sm.GLM(y, ones, family=sm.families.Binomial(), offset=lp).fit(tol=1e-14, maxiter=200)
    slope = sm.GLM(y, sm.add_constant(lp), family=sm.families.Binomial()).fit(tol=1e-14, maxiter=200)
    ci_a = cil.conf_int(alpha=0.05)[0]
    ci_b = slope.conf_int(alpha=0.05)[1]
    return {"intercept": cil.params[0], "intercept_ci": ci_a,
            "slope": slope.params[1], "slope_ci": ci_b}


def reference(p, y, thresholds):
    ref = {"y": y.astype(float), "p": p}
    ref["n"] = len(y)
    ref["events"] = int(y.sum())
    ref["auc"] = roc_auc_score(y, p)
    auc_dl, var = delong_variance(p, y)
    assert abs(auc_dl - ref["auc"]) < 1e-12
    ref["var"] = var
    se = math.sqrt(var)
    a = ref["auc"]
    h = norm.ppf(0.975) * se / (a * (1 - a))
    l = math.log(a / (1 - a))
    ref["ci"] = (1 / (1 + math.exp(-(l - h))), 1 / (1 + math.exp(-(l + h))))
    ref["wald"] = (max(0.0, a - norm.ppf(0.975) * se), min(1.0, a + norm.ppf(0.975) * se))
    ref["brier"] = brier_score_loss(y, p)
    prev = y.mean()
    ref["scaled_brier"] = 1 - ref["brier"] / (prev * (1 - prev))
    ref.update(calibration_reference(p, y))
    ref["curve_q"] = calibration_curve(y, p, n_bins=10, strategy="quantile")
    ref["curve_u"] = calibration_curve(y, p, n_bins=10, strategy="uniform")
    ref["thresholds"] = []
    for t in thresholds:
        pos = p >= t
        tp = int((pos & (y == 1)).sum()); fp = int((pos & (y == 0)).sum())
        fn = int((~pos & (y == 1)).sum()); tn = int((~pos & (y == 0)).sum())
        ref["thresholds"].append({
            "tp": tp, "fp": fp, "tn": tn, "fn": fn,
            "sensitivity": (tp / (tp + fn), proportion_confint(tp, tp + fn, method="wilson")),
            "specificity": (tn / (tn + fp), proportion_confint(tn, tn + fp, method="wilson")),
        })
    ref["nb"] = {}
    for t in (0.05, 0.1, 0.2, 0.3, 0.5, 0.8):
        pos = p >= t
        tp = (pos & (y == 1)).sum(); fp = (pos & (y == 0)).sum()
        ref["nb"][t] = (tp / len(y) - fp / len(y) * t / (1 - t), prev - (1 - prev) * t / (1 - t))
    return ref


def compare(tag, m, ref, full=True):
    check(f"{tag} n", m["n"], ref["n"], 0)
    check(f"{tag} events", m["events"], ref["events"], 0)
    check(f"{tag} auc", m["auc"]["value"], ref["auc"])
    check(f"{tag} DeLong variance", m["auc"]["variance"], ref["var"], 1e-9)
    check(f"{tag} DeLong ci95 lo", m["auc"]["ci95"][0], ref["ci"][0])
    check(f"{tag} DeLong ci95 hi", m["auc"]["ci95"][1], ref["ci"][1])
    check(f"{tag} Wald ci95 lo", m["auc"]["wald_ci95"][0], ref["wald"][0])
    check(f"{tag} Wald ci95 hi", m["auc"]["wald_ci95"][1], ref["wald"][1])
    check(f"{tag} brier", m["brier"], ref["brier"])
    check(f"{tag} scaled brier", m["scaled_brier"], ref["scaled_brier"])
    c = m["calibration"]
    check(f"{tag} calibration intercept", c["intercept"], ref["intercept"])
    check(f"{tag} calibration slope", c["slope"], ref["slope"])
    check(f"{tag} intercept ci lo", c["intercept_ci95"][0], ref["intercept_ci"][0])
    check(f"{tag} intercept ci hi", c["intercept_ci95"][1], ref["intercept_ci"][1])
    check(f"{tag} slope ci lo", c["slope_ci95"][0], ref["slope_ci"][0])
    check(f"{tag} slope ci hi", c["slope_ci95"][1], ref["slope_ci"][1])
    if not full:
        return
    sm_fit = lowess(ref["y"], ref["p"], frac=c["smooth"]["span"], it=0,
                    xvals=np.array(c["smooth"]["x"]))
    for i, (ours, theirs) in enumerate(zip(c["smooth"]["fitted"], sm_fit)):
        check(f"{tag} lowess[{i}]", ours, theirs)
    for key, (pt, pp) in (("curve", ref["curve_q"]), ("curve_uniform", ref["curve_u"])):
        ours = c[key]
        if len(ours) != len(pt):
            failures.append(f"{tag} {key}: {len(ours)} bins vs sklearn {len(pt)}")
            continue
        for i, b in enumerate(ours):
            check(f"{tag} {key}[{i}] observed", b["observed"], pt[i])
            check(f"{tag} {key}[{i}] mean_predicted", b["mean_predicted"], pp[i])
    for i, t in enumerate(ref["thresholds"]):
        o = m["thresholds"][i]
        for k in ("tp", "fp", "tn", "fn"):
            check(f"{tag} threshold[{i}] {k}", o[k], t[k], 0)
        for k in ("sensitivity", "specificity"):
            check(f"{tag} threshold[{i}] {k}", o[k]["value"], t[k][0])
            check(f"{tag} threshold[{i}] {k} wilson lo", o[k]["ci95"][0], t[k][1][0])
            check(f"{tag} threshold[{i}] {k} wilson hi", o[k]["ci95"][1], t[k][1][1])
    dc = {round(d["threshold"], 6): d for d in m["decision_curve"]}
    for t, (nb, all_) in ref["nb"].items():
        d = dc.get(round(t, 6))
        if d is None:
            failures.append(f"{tag} decision curve lacks threshold {t}")
            continue
        check(f"{tag} net benefit at {t}", d["net_benefit"], nb)
        check(f"{tag} treat-all at {t}", d["treat_all"], all_)


def scores_of(X, y):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    return cross_val_predict(model, X, y, cv=cv, method="predict_proba")[:, 1]


def run_case(name, cli, work, X, y, labels, positive, groups, label_col):
    p = scores_of(X, y)
    path = os.path.join(work, f"{name}_scores.csv")
    with open(path, "w") as f:
        f.write(f"{label_col},probability,group\n")
        for lab, s, g in zip(labels, p, groups):
            f.write(f"{lab},{repr(float(s))},{g}\n")
    out = os.path.join(work, f"{name}_metrics.json")
    thresholds = [0.1, 0.25, 0.5, 0.7]
    cmd = [cli, "learn", "evaluate", "--scores", path, "--label", label_col, "--score",
           "probability", "--positive", positive, "--subgroup", "group", "--thresholds",
           ",".join(map(str, thresholds)), "--bootstrap", "200", "--seed", "7", "--json", out]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        failures.append(f"{name}: vertebra exited {r.returncode}: {r.stderr.strip()}")
        return
    with open(out) as f:
        m = json.load(f)
    ref = reference(p, y, thresholds)
    compare(name, m, ref)
    groups = np.asarray(groups)
    for g in sorted(set(groups)):
        sel = groups == g
        if y[sel].min() == y[sel].max():
            continue
        sub = m["subgroups"].get(g)
        if sub is None:
            failures.append(f"{name}: subgroup {g} missing")
            continue
        compare(f"{name}[{g}]", sub, reference(p[sel], y[sel], thresholds), full=False)
    print(f"{name}: n={ref['n']} events={ref['events']} AUC={ref['auc']:.6f} "
          f"(DeLong var {ref['var']:.3e}) Brier={ref['brier']:.6f} "
          f"intercept={ref['intercept']:.6f} slope={ref['slope']:.6f}; "
          f"vertebra AUC={m['auc']['value']:.6f} slope={m['calibration']['slope']:.6f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)

    import csv
    with open(os.path.join(a.data, "tabular/uci_vertebral_column/column_2C_weka.csv")) as f:
        rows = list(csv.reader(f))
    X = np.array([[float(v) for v in r[:6]] for r in rows[1:]])
    labels = [r[6] for r in rows[1:]]
    y = np.array([1 if s == "Abnormal" else 0 for s in labels])
    med = np.median(X[:, 0])
    groups = ["PI_high" if v > med else "PI_low" for v in X[:, 0]]
    run_case("vertebral", a.cli, a.work, X, y, labels, "Abnormal", groups, "status")

    with open(os.path.join(a.data, "tabular/rpart_kyphosis/kyphosis.csv")) as f:
        rows = list(csv.reader(f))
    X = np.array([[float(v) for v in r[2:5]] for r in rows[1:]])
    labels = [r[1] for r in rows[1:]]
    y = np.array([1 if s == "present" else 0 for s in labels])
    groups = ["age_lt_60m" if v < 60 else "age_ge_60m" for v in X[:, 0]]
    run_case("kyphosis", a.cli, a.work, X, y, labels, "present", groups, "Kyphosis")

    if failures:
        print(f"{len(failures)} mismatches:", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    print(f"all {checked[0]} compared values agree with the references to 1e-6")
    return 0


if __name__ == "__main__":
    sys.exit(main())
