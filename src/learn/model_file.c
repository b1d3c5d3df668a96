/* model_file.c — the versioned, self-describing model file (JSON): save
 * atomically, load with format/version/field checks, and score a cohort with
 * per-row contributions as CSV, JSON or a FHIR R4 RiskAssessment Bundle. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/buf.h"
#include "learn/learn_internal.h"
#include "vertebra/learn.h"
#include "vertebra/vertebra.h"

#define MODEL_FILE_MAX ((size_t)1 << 30)

void vt_learn_model_free(vt_learn_model *m) {
  if (!m) return;
  vt__schema_free(m->schema);
  vt__model_clear(&m->model);
  json_decref(m->meta);
  vt__train_eval_free(m->eval);
  free(m);
}

static json_t *document(const vt_learn_model *m, vt_error *err) {
  json_t *model = vt__model_to_json(&m->model, m->schema, err);
  if (!model) return NULL;
  json_t *doc = json_pack("{s:s, s:i, s:{s:s, s:s}, s:o, s:o}", "format", VT_LEARN_FORMAT,
                          "schema_version", VT_LEARN_SCHEMA_VERSION, "software", "name",
                          "vertebra", "version", vt_version(), "schema",
                          vt__schema_to_json(m->schema), "model", model);
  if (doc) json_object_update(doc, m->meta);
  return doc;
}

char *vt_learn_model_json(const vt_learn_model *m, const char *part) {
  if (part) {
    json_t *j = json_object_get(m->meta, part);
    return j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) : NULL;
  }
  vt_error err;
  json_t *doc = document(m, &err);
  char *s = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(17)) : NULL;
  json_decref(doc);
  return s;
}

vt_status vt_learn_model_save(const vt_learn_model *m, const char *path, vt_error *err) {
  json_t *doc = document(m, err);
  if (!doc) return err->status ? err->status : VT_ENOMEM;
  char *s = json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
  json_decref(doc);
  if (!s) return vt_error_set(err, VT_ENOMEM, path, "out of memory");
  vt_status st = vt__atomic_write(path, s, strlen(s), err);
  free(s);
  return st;
}

vt_status vt_learn_model_load(const char *path, vt_learn_model **out, vt_error *err) {
  char *data = NULL;
  size_t len = 0;
  vt_status st = vt__read_file(path, MODEL_FILE_MAX, &data, &len, err);
  if (st) return st;
  json_error_t je;
  json_t *doc = json_loadb(data, len, 0, &je);
  free(data);
  if (!doc) {
    char where[600];
    snprintf(where, sizeof where, "%s: line %d, column %d", path, je.line, je.column);
    return vt_error_set(err, VT_EFORMAT, where, "not a complete model file (truncated or "
                        "corrupt JSON): %s", je.text);
  }
  const char *fmt = json_string_value(json_object_get(doc, "format"));
  json_t *ver = json_object_get(doc, "schema_version");
  if (!fmt || strcmp(fmt, VT_LEARN_FORMAT)) {
    json_decref(doc);
    return vt_error_set(err, VT_EFORMAT, path, "field 'format' is not '%s'", VT_LEARN_FORMAT);
  }
  if (!json_is_integer(ver) || json_integer_value(ver) != VT_LEARN_SCHEMA_VERSION) {
    long long v = json_is_integer(ver) ? (long long)json_integer_value(ver) : -1;
    json_decref(doc);
    if (v < 0)
      return vt_error_set(err, VT_EFORMAT, path, "field 'schema_version' is missing");
    return vt_error_set(err, VT_EFORMAT, path,
                        "field 'schema_version' is %lld; this vertebra reads version %d only", v,
                        VT_LEARN_SCHEMA_VERSION);
  }
  vt_learn_model *m = calloc(1, sizeof *m);
  if (!m) { json_decref(doc); return vt_error_set(err, VT_ENOMEM, NULL, "out of memory"); }
  if ((st = vt__schema_from_json(json_object_get(doc, "schema"), &m->schema, err)) ||
      (st = vt__model_from_json(json_object_get(doc, "model"), m->schema->ndesign, &m->model,
                                err))) {
    vt_error_wrap(err, path);
    json_decref(doc);
    vt_learn_model_free(m);
    return st;
  }
  m->meta = json_object();
  const char *keep[] = {"created", "training_data", "metrics", "quality", "importance", "lineage",
                        "validation"};
  for (size_t i = 0; i < 7; i++) {
    json_t *v = json_object_get(doc, keep[i]);
    if (v) json_object_set(m->meta, keep[i], v);
  }
  json_decref(doc);
  *out = m;
  return VT_OK;
}

typedef struct { double v; size_t j; } cj;
static int cmp_abs(const void *a, const void *b) {
  double x = fabs(((const cj *)a)->v), y = fabs(((const cj *)b)->v);
  return (x < y) - (x > y);
}

/* Contributions of one row's design columns, summed per feature. */
static void feature_contrib(const vt__schema *s, const double *row, cj *out) {
  for (size_t f = 0; f < s->nfeat; f++) {
    double c = 0;
    for (size_t k = 0; k < s->feat[f].ndesign; k++) c += row[s->feat[f].design0 + k];
    out[f] = (cj){c, f};
  }
}

vt_status vt_learn_predict(const vt_learn_model *m, const char *data, int explain_k,
                           const char *format, const char *out_path, size_t *unseen,
                           vt_error *err) {
  int fmt = !format || !strcmp(format, "csv") ? 0 : !strcmp(format, "json") ? 1
            : !strcmp(format, "fhir") ? 2 : -1;
  if (fmt < 0) return vt_error_set(err, VT_EINVAL, "--format", "'%s' is not csv, json or fhir", format);
  vt__table *t = NULL;
  vt__design d = {0};
  vt_status st = vt__table_read(data, &t, err);
  if (st) return st;
  if ((st = vt__design_build(m->schema, t, 0, &d, err))) { vt__table_free(t); return st; }
  const vt__schema *s = m->schema;
  size_t q = d.p + 1;
  double *lp = malloc((d.n + 1) * sizeof *lp), *con = malloc((d.n * q + 1) * sizeof *con);
  cj *fc = malloc((s->nfeat + 1) * sizeof *fc);
  vt_buf b;
  vt__buf_init(&b, 0);
  if (!lp || !con || !fc) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  if (!st) st = vt__model_logit(&m->model, d.x, d.n, lp, err);
  if (!st) st = vt__model_contrib(&m->model, d.x, d.n, con, err);
  size_t k = explain_k < 0 ? 0 : (size_t)explain_k;
  if (k > s->nfeat) k = s->nfeat;
  const char *method = m->model.kind == VT_MODEL_GBDT ? "gradient-boosted trees (XGBoost), TreeSHAP contributions"
                                                       : "penalised logistic regression, coefficient x standardised value";
  if (!st && fmt == 0) {
    vt__buf_puts(&b, "id,probability");
    for (size_t r = 0; r < k; r++) vt__buf_printf(&b, ",feature_%zu,contribution_%zu", r + 1, r + 1);
    if (k) vt__buf_puts(&b, ",base");
    vt__buf_putc(&b, '\n');
  } else if (!st && fmt == 1) {
    vt__buf_printf(&b, "{\"model\":\"%s\",\"unseen_levels\":%zu,\"rows\":[", m->model.kind == VT_MODEL_GBDT ? "gbdt" : "logistic", d.unseen);
  } else if (!st) {
    vt__buf_puts(&b, "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[");
  }
  for (size_t i = 0; !st && i < d.n; i++) {
    double prob = 1.0 / (1.0 + exp(-lp[i]));
    feature_contrib(s, con + i * q, fc);
    qsort(fc, s->nfeat, sizeof *fc, cmp_abs);
    const char *id = d.ids[i];
    if (fmt == 0) {
      vt__buf_csv_field(&b, id, strlen(id));
      vt__buf_printf(&b, ",%.10g", prob);
      for (size_t r = 0; r < k; r++) {
        vt__buf_putc(&b, ',');
        vt__buf_csv_field(&b, s->feat[fc[r].j].name, strlen(s->feat[fc[r].j].name));
        vt__buf_printf(&b, ",%.10g", fc[r].v);
      }
      if (k) vt__buf_printf(&b, ",%.10g", con[i * q + d.p]);
      st = vt__buf_putc(&b, '\n');
    } else if (fmt == 1) {
      vt__buf_printf(&b, "%s{\"id\":\"", i ? "," : "");
      vt__buf_json_escape(&b, id, strlen(id));
      vt__buf_printf(&b, "\",\"probability\":%.10g,\"log_odds\":%.10g,\"base\":%.10g,\"contributions\":[", prob, lp[i], con[i * q + d.p]);
      for (size_t r = 0; r < k; r++) {
        vt__buf_printf(&b, "%s{\"feature\":\"", r ? "," : "");
        vt__buf_json_escape(&b, s->feat[fc[r].j].name, strlen(s->feat[fc[r].j].name));
        vt__buf_printf(&b, "\",\"value\":%.10g}", fc[r].v);
      }
      st = vt__buf_puts(&b, "]}");
    } else {
      vt__buf_printf(&b, "%s{\"resource\":{\"resourceType\":\"RiskAssessment\",\"status\":\"final\",\"subject\":{\"reference\":\"Patient/", i ? "," : "");
      vt__buf_json_escape(&b, id, strlen(id));
      vt__buf_puts(&b, "\"},\"method\":{\"text\":\"");
      vt__buf_puts(&b, method);
      vt__buf_puts(&b, "\"},\"basis\":[");
      for (size_t f = 0; f < s->nfeat; f++) {
        vt__buf_printf(&b, "%s{\"display\":\"", f ? "," : "");
        vt__buf_json_escape(&b, s->feat[f].name, strlen(s->feat[f].name));
        vt__buf_puts(&b, "\"}");
      }
      vt__buf_puts(&b, "],\"prediction\":[{\"outcome\":{\"text\":\"");
      vt__buf_json_escape(&b, s->outcome, strlen(s->outcome));
      vt__buf_puts(&b, " = ");
      vt__buf_json_escape(&b, s->positive, strlen(s->positive));
      st = vt__buf_printf(&b, "\"},\"probabilityDecimal\":%.10g}]}}", prob);
    }
  }
  if (!st && fmt) st = vt__buf_puts(&b, "]}\n");
  if (st && !err->status) vt_error_set(err, st, out_path, "output too large or out of memory");
  if (!st) st = vt__atomic_write(out_path, b.data, b.len, err);
  if (!st && unseen) *unseen = d.unseen;
  vt__buf_free(&b);
  free(lp);
  free(con);
  free(fc);
  vt__design_free(&d);
  vt__table_free(t);
  return st;
}
