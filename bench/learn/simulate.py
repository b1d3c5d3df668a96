#!/usr/bin/python3
"""simulate.py N OUT.csv — a simulated spine-surgery SSI cohort for the
benchmark, with the same columns and risk structure as src/learn/simulate.c
(hospital A); numpy's generator, so rows differ from the C demo's."""
import sys

import numpy as np

n, out = int(sys.argv[1]), sys.argv[2]
r = np.random.default_rng(2026)
age = np.clip(np.round(58 + 13 * r.standard_normal(n)), 18, 95)
male = (r.random(n) < 0.48).astype(int)
bmi = np.clip(28.5 + 5.5 * r.standard_normal(n), 16, 60)
dm = (r.random(n) < 0.18 + 0.08 * (bmi > 32)).astype(int)
smoker = (r.random(n) < 0.2).astype(int)
asa = np.clip(np.round(2.2 + 0.02 * (age - 58) + 0.4 * dm + 0.7 * r.standard_normal(n)), 1, 4)
levels = np.clip(np.round(1 + np.abs(2.2 * r.standard_normal(n))), 1, 12)
op = np.clip(np.round(90 + 28 * levels + 35 * r.standard_normal(n)), 40, 720)
alb = np.clip(4.1 - 0.25 * dm - 0.004 * (age - 58) + 0.35 * r.standard_normal(n), 2.0, 5.2)
lp = (-5.6 + 0.02 * age + 0.2 * male + 0.07 * bmi + 0.65 * dm + 0.45 * smoker + 0.35 * asa
      + 0.12 * levels + 0.005 * op - 0.6 * alb)
ssi = (r.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
with open(out, "w") as f:
    f.write("id,age,male,bmi,diabetes,smoker,asa,levels_fused,op_time_min,albumin,ssi\n")
    for i in range(n):
        f.write(f"A{i + 1:05d},{age[i]:.0f},{male[i]},{bmi[i]:.1f},{dm[i]},{smoker[i]},{asa[i]:.0f},"
                f"{levels[i]:.0f},{op[i]:.0f},{alb[i]:.2f},{ssi[i]}\n")
