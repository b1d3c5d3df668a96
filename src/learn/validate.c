/* validate.c — external validation of a saved model on another cohort:
 * the shared metrics (metrics.h) on the new data, drift of every input (PSI
 * with the usual 0.1/0.25 bands; Kolmogorov-Smirnov for numeric and
 * chi-square for categorical inputs, with p-values) and logistic
 * recalibration of the linear predictor into a new model version.
 *
 * The p-value functions are written here (Numerical Recipes' incomplete gamma
 * and the Kolmogorov series with Stephens' small-sample correction, 1970)
 * because no Debian C library already linked provides them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "core/sort.h"
#include "learn/learn_internal.h"
#include "vertebra/vertebra.h"

/* Upper regularised incomplete gamma Q(a, x). */
static double gammq(double a, double x) {
  if (x <= 0) return 1.0;
  double gln = lgamma(a);
  if (x < a + 1) { /* series for P */
    double ap = a, sum = 1.0 / a, del = sum;
    for (int n = 0; n < 1000; n++) {
      del *= x / ++ap;
      sum += del;
      if (fabs(del) < fabs(sum) * 1e-15) break;
    }
    return 1.0 - sum * exp(-x + a * log(x) - gln);
  }
  double b = x + 1 - a, c = 1e300, d = 1 / b, h = d; /* Lentz continued fraction */
  for (int i = 1; i < 1000; i++) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (fabs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (fabs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (fabs(del - 1) < 1e-15) break;
  }
  return exp(-x + a * log(x) - gln) * h;
}

/* P(D > d) for the Kolmogorov distribution with effective size ne. */
static double ks_p(double d, double ne) {
  double sq = sqrt(ne), lam = (sq + 0.12 + 0.11 / sq) * d;
  if (lam < 0.2) return 1.0;
  double s = 0, sign = 1;
  for (int k = 1; k <= 100; k++) {
    double t = sign * exp(-2.0 * k * k * lam * lam);
    s += t;
    if (fabs(t) < 1e-12) break;
    sign = -sign;
  }
  s *= 2;
  return s < 0 ? 0 : s > 1 ? 1 : s;
}

static double psi_term(double e, double a) {
  if (e < 1e-4) e = 1e-4;
  if (a < 1e-4) a = 1e-4;
  return (a - e) * log(a / e);
}

static const char *psi_band(double psi) {
  return psi < 0.1 ? "stable" : psi < 0.25 ? "moderate shift" : "major shift";
}

/* Training CDF from the stored percentiles as a step function (right- and
 * left-limits), exact to 1 % and correct for discrete inputs with ties. */
static double train_cdf_le(const vt__feature *f, double v) {
  if (v < f->quant[0]) return 0;
  int q = 100;
  while (q > 0 && f->quant[q] > v) q--;
  return q / 100.0;
}
static double train_cdf_lt(const vt__feature *f, double v) {
  int q = 0;
  while (q <= 100 && f->quant[q] < v) q++;
  return q > 100 ? 1.0 : q / 100.0;
}

static json_t *drift(const vt__feature *f, const vt__table *t, size_t col) {
  size_t n = 0;
  if (!f->categorical) {
    double *v = malloc((t->nrows + 1) * sizeof *v), share[10] = {0};
    if (!v) return json_null();
    for (size_t i = 0; i < t->nrows; i++)
      if (vt__parse_num(t->cells[i * t->ncols + col], &v[n])) n++;
    if (n == 0) { free(v); return json_pack("{s:s, s:s}", "column", f->name, "note", "no values"); }
    for (size_t i = 0; i < n; i++) share[vt__psi_bin(f, v[i])] += 1.0 / (double)n;
    double psi = 0;
    for (int b = 0; b < 10; b++) psi += psi_term(f->bin_frac[b], share[b]);
    if (vt__sort_doubles(v, n, NULL)) {
      free(v);
      return json_null();
    }
    double dmax = 0;
    for (size_t i = 0; i < n;) { /* at each distinct value: both one-sided limits */
      size_t j = i;
      while (j < n && v[j] == v[i]) j++;
      dmax = fmax(dmax, fabs((double)j / (double)n - train_cdf_le(f, v[i])));
      dmax = fmax(dmax, fabs((double)i / (double)n - train_cdf_lt(f, v[i])));
      i = j;
    }
    free(v);
    double ne = f->nobs ? (double)n * (double)f->nobs / ((double)n + (double)f->nobs) : (double)n;
    return json_pack("{s:s, s:s, s:I, s:f, s:s, s:{s:s, s:f, s:f, s:s}}", "column", f->name,
                     "type", "numeric", "n", (json_int_t)n, "psi", psi, "psi_band", psi_band(psi),
                     "test", "name", "kolmogorov-smirnov", "statistic", dmax, "p_value",
                     ks_p(dmax, ne), "note",
                     "two-sample KS against the training CDF stored as 101 percentiles (D exact to 0.01)");
  }
  double *cnt = calloc(f->nlevels + 2, sizeof *cnt);
  if (!cnt) return json_null();
  for (size_t i = 0; i < t->nrows; i++) {
    const char *v = t->cells[i * t->ncols + col];
    if (vt__is_missing(v)) continue;
    size_t l = 0;
    while (l < f->nlevels && strcmp(f->levels[l], v)) l++;
    cnt[l] += 1; /* l == nlevels: unseen */
    n++;
  }
  double psi = 0, chi = 0;
  int df = -1;
  double nt = (double)f->nobs;
  for (size_t l = 0; l <= f->nlevels && n; l++) {
    double e = l < f->nlevels ? f->level_frac[l] : 0, a = cnt[l] / (double)n;
    psi += psi_term(e, a);
    double o1 = e * nt, o2 = cnt[l], tot = o1 + o2;
    if (tot <= 0) continue;
    df++;
    double e1 = tot * nt / (nt + (double)n), e2 = tot * (double)n / (nt + (double)n);
    chi += (o1 - e1) * (o1 - e1) / e1 + (o2 - e2) * (o2 - e2) / e2;
  }
  free(cnt);
  double p = df > 0 ? gammq(df / 2.0, chi / 2.0) : 1.0;
  return json_pack("{s:s, s:s, s:I, s:f, s:s, s:{s:s, s:f, s:i, s:f}}", "column", f->name,
                   "type", "categorical", "n", (json_int_t)n, "psi", psi, "psi_band",
                   psi_band(psi), "test", "name", "chi-square (2 x levels)", "statistic", chi,
                   "df", df > 0 ? df : 0, "p_value", p);
}

static vt_status file_sha256(const char *path, char hex[65], vt_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return vt_error_set(err, VT_EIO, path, "cannot open for hashing");
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned char buf[65536], md[32];
  unsigned int len = 0;
  size_t k;
  EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  while ((k = fread(buf, 1, sizeof buf, f)) > 0) EVP_DigestUpdate(ctx, buf, k);
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  fclose(f);
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
  return VT_OK;
}

void vt__validate_opts_init(vt__validate_opts *o) {
  memset(o, 0, sizeof *o);
  o->bootstrap = 1000;
  o->seed = 42;
  o->jobs = 1;
}

static vt_status write_report(const vt_learn_model *m, const vt__validate_opts *o,
                              const vt__metrics *met, json_t *rep, vt_error *err) {
  json_t *dr = json_object_get(json_object_get(rep, "run"), "drift");
  size_t nd = json_array_size(dr), nq = 0;
  char (*q)[200] = calloc(nd + 2, sizeof *q);
  const char **qp = calloc(nd + 2, sizeof *qp);
  if (!q || !qp) {
    free(q);
    free(qp);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  size_t i;
  json_t *e;
  json_array_foreach(dr, i, e) {
    const char *band = json_string_value(json_object_get(e, "psi_band"));
    if (!band) continue;
    json_t *test = json_object_get(e, "test");
    snprintf(q[nq], 200, "drift %s: PSI %.3f (%s); %s p = %.3g",
             json_string_value(json_object_get(e, "column")),
             json_real_value(json_object_get(e, "psi")), band,
             json_string_value(json_object_get(test, "name")),
             json_real_value(json_object_get(test, "p_value")));
    qp[nq] = q[nq];
    nq++;
  }
  long long unseen = json_integer_value(json_object_get(json_object_get(rep, "run"), "unseen_levels"));
  if (unseen) {
    snprintf(q[nq], 200, "%lld categorical values not seen in training (scored as all-zero one-hot)",
             unseen);
    qp[nq] = q[nq];
    nq++;
  }
  const vt__schema *s = m->schema;
  json_t *td = json_object_get(m->meta, "training_data");
  char src[1200], model[600], outc[300], val[600], title[300], sw[64];
  snprintf(src, sizeof src, "Validation cohort %s; model file %s, trained on %s (%lld rows).",
           o->data, o->model_path ? o->model_path : "(in memory)",
           td ? json_string_value(json_object_get(td, "file")) : "unknown data",
           td ? (long long)json_integer_value(json_object_get(td, "n")) : 0LL);
  snprintf(model, sizeof model, "%s model as stored in the model file (not refitted); "
           "recalibration %.4g + %.4g x lp already applied.",
           m->model.kind == VT_MODEL_GBDT ? "Gradient-boosted trees (XGBoost)"
                                          : "Penalised logistic regression",
           m->model.recal_a, m->model.recal_b);
  snprintf(outc, sizeof outc, "%s = '%s' is the event.", s->outcome, s->positive);
  snprintf(val, sizeof val, "External (or temporal) validation: the stored model scores every "
           "row of the new cohort once. AUC with DeLong 95 %% CI (logit scale) and a stratified "
           "percentile bootstrap CI (%zu replicates, seed %llu); Wald CIs for calibration; "
           "Wilson CIs for rates. Drift per input: PSI and KS / chi-square against the stored "
           "training distribution.", o->bootstrap, (unsigned long long)o->seed);
  snprintf(title, sizeof title, "External validation of the %s model on %s", s->outcome, o->data);
  snprintf(sw, sizeof sw, "vertebra %s", vt_version());
  const char *lim[] = {
      "Drift KS statistics are exact to 0.01 only (the training distribution is stored as 101 "
      "percentiles).",
      "Performance on this cohort says nothing about other sites or periods; small validation "
      "cohorts give wide intervals (see the CIs and warnings)."};
  vt__report_metrics set = {"External validation cohort", met};
  vt__report r = {0};
  r.title = title;
  r.software = sw;
  r.data_source = src;
  r.participants = "Every row of the validation file (a missing outcome is an error).";
  r.outcome = outc;
  r.quality = qp;
  r.nquality = nq;
  r.model = model;
  r.validation = val;
  r.sets = &set;
  r.nsets = 1;
  r.limitations = lim;
  r.nlimitations = 2;
  r.extra = json_object_get(rep, "run");
  vt_status st = vt__report_write(&r, o->report_html, o->report_json, err);
  free(q);
  free(qp);
  return st;
}

vt_status vt__validate(const vt_learn_model *m, const vt__validate_opts *o, json_t **report,
                       vt_error *err) {
  vt__table *t = NULL;
  vt__design d;
  const char *data = o->data;
  if (o->recal_out && !o->model_path)
    return vt_error_set(err, VT_EINVAL, NULL, "recalibration needs the model file's path");
  vt_status st = vt__table_read(data, &t, err);
  if (st) return st;
  if ((st = vt__design_build(m->schema, t, 1, &d, err))) { vt__table_free(t); return st; }
  double *p = malloc((d.n + 1) * sizeof *p);
  unsigned char *y = malloc(d.n + 1);
  const char **grp = NULL;
  vt__metrics *met = NULL;
  json_t *rep = NULL;
  if (!p || !y) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  if (!st) st = vt__model_logit(&m->model, d.x, d.n, p, err);
  if (!st && o->subgroup) st = vt__subgroup_labels(t, o->subgroup, NULL, d.n, &grp, err);
  if (!st) {
    for (size_t i = 0; i < d.n; i++) {
      p[i] = 1 / (1 + exp(-p[i]));
      y[i] = d.y[i] > 0.5;
    }
    vt__metrics_options mo;
    vt__metrics_options_init(&mo);
    mo.bootstrap = o->bootstrap;
    mo.seed = o->seed;
    mo.jobs = o->jobs;
    mo.progress = o->progress;
    mo.thresholds = o->thresholds;
    mo.nthresholds = o->nthresholds;
    if ((st = vt__metrics_compute(p, y, d.n, grp, &mo, &met, err))) vt_error_wrap(err, data);
  }
  if (!st) {
    json_t *dr = json_array();
    for (size_t f = 0; f < m->schema->nfeat; f++)
      json_array_append_new(dr, drift(&m->schema->feat[f], t,
                                      vt__table_col(t, m->schema->feat[f].name)));
    json_t *run = json_pack("{s:s, s:s, s:s?, s:o, s:I, s:n}", "command", "validate", "data",
                            data, "model", o->model_path, "drift", dr, "unseen_levels",
                            (json_int_t)d.unseen, "recalibration");
    rep = vt__metrics_document(met, run);
    if (!rep) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  free(p);
  free(y);
  free(grp);
  vt__design_free(&d);
  vt__table_free(t);
  /* a new version: lp' = a' + b * lp (lp already includes any earlier
   * recalibration), a' and b from the calibration-slope fit */
  const vt__calibration_fit *cf = met ? vt__metrics_calibration(met) : NULL;
  if (!st && o->recal_out && !(cf->converged && isfinite(cf->slope)))
    st = vt_error_set(err, VT_EINVAL, "--recalibrate", "the calibration fit on %s did not "
                      "converge (separation?): no recalibrated model written", data);
  if (!st && o->recal_out) {
    double a0 = cf->slope_intercept, b1 = cf->slope;
    char hex[65];
    vt_learn_model *copy = NULL;
    /* reload the parent to get an independent copy of schema and model */
    if (!(st = file_sha256(o->model_path, hex, err)) &&
        !(st = vt_learn_model_load(o->model_path, &copy, err))) {
      copy->model.recal_a = a0 + b1 * copy->model.recal_a;
      copy->model.recal_b = b1 * copy->model.recal_b;
      json_t *old = json_object_get(copy->meta, "lineage");
      json_t *chain = json_array();
      json_t *prevchain = old ? json_object_get(old, "ancestors") : NULL;
      if (json_is_array(prevchain)) json_array_extend(chain, prevchain);
      json_array_append_new(chain, json_string(hex));
      char created[32];
      time_t now = time(NULL);
      struct tm tmv;
      gmtime_r(&now, &tmv);
      strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
      json_t *lin = json_pack("{s:s, s:o, s:s, s:s, s:f, s:f}", "parent_sha256", hex,
                              "ancestors", chain, "change", "logistic recalibration",
                              "recalibration_data", data, "intercept", a0, "slope", b1);
      json_object_set_new(json_object_get(rep, "run"), "recalibration",
                      json_pack("{s:s, s:f, s:f, s:s}", "written", o->recal_out, "intercept", a0,
                                "slope", b1, "parent_sha256", hex));
      json_object_set_new(copy->meta, "lineage", lin);
      json_object_set_new(copy->meta, "created", json_string(created));
      json_object_set(copy->meta, "validation", rep);
      st = vt_learn_model_save(copy, o->recal_out, err);
      vt_learn_model_free(copy);
    }
  }
  if (!st && o->report_html) st = write_report(m, o, met, rep, err);
  vt__metrics_free(met);
  if (st) {
    json_decref(rep);
    return st;
  }
  *report = rep;
  return VT_OK;
}
