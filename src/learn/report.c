/* report.c — the validation report as one self-contained HTML file with
 * inline SVG plots, organised along TRIPOD+AI (Collins et al., BMJ 2024), and
 * the same numbers as JSON. Plots are drawn here rather than with a plotting
 * library because none in Debian writes dependency-free inline SVG from C. */
#include "learn/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/atomic_file.h"
#include "core/buf.h"

#define REPORT_MAX (64u << 20) /* 64 MiB of HTML is already unreadable */
#define SHAP_TOP 15
#define SHAP_MAX_ROWS 2000

/* ------------------------------------------------------------ JSON files */

vt_status vt__json_write(const char *path, const json_t *j, vt_error *err) {
  char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
  if (!s) return vt_error_set(err, VT_ENOMEM, path, "out of memory serialising JSON");
  size_t len = strlen(s);
  vt_status st;
  if (!strcmp(path, "-")) {
    st = fwrite(s, 1, len, stdout) == len && fputc('\n', stdout) != EOF && !fflush(stdout)
             ? VT_OK
             : vt_error_set(err, VT_EIO, "stdout", "write failed");
  } else {
    s[len] = '\n'; /* json_dumps leaves room for the NUL we replace */
    st = vt__atomic_write(path, s, len + 1, err);
  }
  free(s);
  return st;
}

/* ------------------------------------------------------------- helpers */

typedef struct out {
  vt_buf b;
  vt_status st;
} out;

static void put(out *o, const char *s) {
  if (!o->st) o->st = vt__buf_puts(&o->b, s);
}

static void putf(out *o, const char *fmt, ...) VT_PRINTF(2, 3);
static void putf(out *o, const char *fmt, ...) {
  if (o->st) return;
  char tmp[2048];
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k < 0) return;
  o->st = vt__buf_append(&o->b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

/* Text into HTML (element content and attribute values). */
static void esc(out *o, const char *s) {
  if (!s) return;
  for (; *s && !o->st; s++) {
    switch (*s) {
    case '&': put(o, "&amp;"); break;
    case '<': put(o, "&lt;"); break;
    case '>': put(o, "&gt;"); break;
    case '"': put(o, "&quot;"); break;
    case '\'': put(o, "&#39;"); break;
    default: o->st = vt__buf_putc(&o->b, *s);
    }
  }
}

/* A number with `d` decimals, or an em dash when undefined. */
static void num(out *o, double v, int d) {
  if (isfinite(v)) putf(o, "%.*f", d, v);
  else put(o, "&#8212;");
}

static void num_ci(out *o, double v, double lo, double hi, int d) {
  num(o, v, d);
  if (isfinite(lo) && isfinite(hi)) {
    put(o, " <span class=ci>(");
    num(o, lo, d);
    put(o, "&#8211;");
    num(o, hi, d);
    put(o, ")</span>");
  }
}

static void para_or_missing(out *o, const char *text) {
  if (text && *text) {
    put(o, "<p>");
    esc(o, text);
    put(o, "</p>\n");
  } else {
    put(o, "<p class=missing>Not reported by the caller.</p>\n");
  }
}

static void section(out *o, const char *id, const char *title, const char *tripod) {
  putf(o, "<section id=\"%s\"><h2>%s <span class=tripod>TRIPOD+AI %s</span></h2>\n", id, title,
       tripod);
}

/* ---------------------------------------------------------------- SVG */

typedef struct plot {
  double x0, x1, y0, y1; /* data ranges */
  double W, H, ml, mr, mt, mb;
} plot;

static double px(const plot *p, double x) {
  return p->ml + (x - p->x0) / (p->x1 - p->x0) * (p->W - p->ml - p->mr);
}
static double py(const plot *p, double y) {
  return p->H - p->mb - (y - p->y0) / (p->y1 - p->y0) * (p->H - p->mt - p->mb);
}

static void plot_begin(out *o, const plot *p, const char *title, const char *xlab,
                       const char *ylab, double xstep, double ystep) {
  putf(o, "<figure class=plot><svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" "
          "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"",
       p->W, p->H);
  esc(o, title);
  put(o, "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n");
  putf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fbfcfe\" "
          "stroke=\"#c9d1dc\"/>\n",
       p->ml, p->mt, p->W - p->ml - p->mr, p->H - p->mt - p->mb);
  for (double x = p->x0; x <= p->x1 + 1e-9; x += xstep) {
    double X = px(p, x);
    putf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6eaf0\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%g</text>\n",
         X, p->mt, X, p->H - p->mb, X, p->H - p->mb + 14, fabs(x) < 1e-12 ? 0.0 : x);
  }
  for (double y = p->y0; y <= p->y1 + 1e-9; y += ystep) {
    double Y = py(p, y);
    putf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6eaf0\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%g</text>\n",
         p->ml, Y, p->W - p->mr, Y, p->ml - 5, Y + 4, fabs(y) < 1e-12 ? 0.0 : y);
  }
  putf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#222\">", (p->ml + p->W - p->mr) / 2,
       p->H - 6);
  esc(o, xlab);
  putf(o, "</text><text transform=\"translate(13 %.1f) rotate(-90)\" text-anchor=\"middle\" "
          "fill=\"#222\">",
       (p->mt + p->H - p->mb) / 2);
  esc(o, ylab);
  put(o, "</text>\n");
}

static void plot_end(out *o, const char *caption) {
  put(o, "</svg><figcaption>");
  esc(o, caption);
  put(o, "</figcaption></figure>\n");
}

/* A legend: rows of (colour, dash, label) in a box whose top-left corner is
 * at (x, y), on a translucent white ground so lines behind stay visible. */
typedef struct legend_row {
  const char *colour, *dash, *label;
} legend_row;

static void legend(out *o, double x, double y, const legend_row *rows, int n) {
  size_t w = 0;
  for (int i = 0; i < n; i++) w = strlen(rows[i].label) > w ? strlen(rows[i].label) : w;
  putf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" "
          "fill-opacity=\"0.85\" stroke=\"#d9dee6\" rx=\"3\"/>\n",
       x, y, 36 + 5.6 * (double)w, 8 + 14.0 * n);
  for (int i = 0; i < n; i++) {
    double yy = y + 16 + 14.0 * i;
    if (rows[i].colour)
      putf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
              "stroke-width=\"2\"%s%s%s/>",
           x + 6, yy - 4, x + 26, yy - 4, rows[i].colour, rows[i].dash ? " stroke-dasharray=\"" : "",
           rows[i].dash ? rows[i].dash : "", rows[i].dash ? "\"" : "");
    putf(o, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#222\" font-size=\"10\">", x + 31, yy);
    esc(o, rows[i].label);
    put(o, "</text>\n");
  }
}

/* Polyline of points (x[i], y[i]) that are finite. */
static void polyline(out *o, const plot *p, const double *x, const double *y, size_t n,
                     size_t stride, const char *colour, double width, const char *dash) {
  putf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s%s%s points=\"", colour,
       width, dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
  for (size_t i = 0; i < n; i++) {
    double xv = x[i * stride], yv = y[i * stride];
    if (!isfinite(xv) || !isfinite(yv)) continue;
    double yc = fmin(p->y1, fmax(p->y0, yv));
    putf(o, "%.1f,%.1f ", px(p, xv), py(p, yc));
  }
  put(o, "\"/>\n");
}

static void roc_plot(out *o, const vt__metrics *m) {
  size_t n;
  const vt__roc_point *r = vt__metrics_roc(m, &n);
  if (!n) {
    put(o, "<p class=missing>No ROC curve: one outcome class only.</p>\n");
    return;
  }
  plot p = {0, 1, 0, 1, 360, 330, 46, 12, 12, 38};
  plot_begin(o, &p, "ROC curve", "1 - specificity (false-positive rate)",
             "Sensitivity (true-positive rate)", 0.2, 0.2);
  int band = isfinite(r[0].tpr_lo);
  if (band) {
    put(o, "<polygon fill=\"#1f5fa8\" fill-opacity=\"0.16\" stroke=\"none\" points=\"");
    for (size_t i = 0; i < n; i++) putf(o, "%.1f,%.1f ", px(&p, r[i].fpr), py(&p, r[i].tpr_hi));
    for (size_t i = n; i-- > 0;) putf(o, "%.1f,%.1f ", px(&p, r[i].fpr), py(&p, r[i].tpr_lo));
    put(o, "\"/>\n");
  }
  double d[2] = {0, 1};
  polyline(o, &p, d, d, 2, 1, "#9aa5b1", 1, "4 3");
  polyline(o, &p, &r[0].fpr, &r[0].tpr, n, sizeof *r / sizeof(double), "#1f5fa8", 2.2, NULL);
  const vt__auc_delong *a = vt__metrics_auc(m);
  char lab[96];
  snprintf(lab, sizeof lab, "AUC %.3f (%.3f-%.3f)", a->auc, a->ci_lo, a->ci_hi);
  legend_row rows[] = {{"#1f5fa8", NULL, lab},
                       {"#9aa5b1", "4 3", "chance"},
                       {"#9dbbe0", NULL, "bootstrap 95% band"}};
  legend(o, px(&p, 0.36), py(&p, 0.0) - 8 - 14.0 * (band ? 3 : 2), rows, band ? 3 : 2);
  plot_end(o, "ROC curve. The band is the pointwise 2.5th–97.5th percentile of the "
              "sensitivity at each false-positive rate over stratified bootstrap replicates.");
}

static void calibration_plot(out *o, const vt__metrics *m) {
  size_t nb;
  const vt__calib_bin *b = vt__metrics_curve(m, &nb);
  const double *sx, *sy;
  size_t ns = vt__metrics_smooth(m, &sx, &sy);
  double hi = 0;
  for (size_t i = 0; i < nb; i++) hi = fmax(hi, fmax(b[i].mean_predicted, b[i].hi));
  for (size_t i = 0; i < ns; i++) hi = fmax(hi, fmax(sx[i], sy[i]));
  double top = hi <= 0.25 ? 0.25 : hi <= 0.5 ? 0.5 : 1.0;
  plot p = {0, top, 0, top, 360, 330, 46, 12, 12, 38};
  plot_begin(o, &p, "Calibration curve", "Predicted probability", "Observed proportion",
             top / 5, top / 5);
  double d[2] = {0, top};
  polyline(o, &p, d, d, 2, 1, "#9aa5b1", 1, "4 3");
  if (ns) polyline(o, &p, sx, sy, ns, 1, "#d1495b", 2, NULL);
  for (size_t i = 0; i < nb; i++) {
    double X = px(&p, b[i].mean_predicted);
    putf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#1f5fa8\"/>", X,
         py(&p, fmin(top, b[i].lo)), X, py(&p, fmin(top, b[i].hi)));
    putf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.6\" fill=\"#1f5fa8\"/>\n", X,
         py(&p, fmin(top, b[i].observed)));
  }
  const vt__calibration_fit *c = vt__metrics_calibration(m);
  char l1[96];
  snprintf(l1, sizeof l1, "intercept %.2f, slope %.2f", c->intercept, c->slope);
  legend_row rows[] = {{"#1f5fa8", NULL, "risk quantile bins, Wilson 95% CI"},
                       {"#d1495b", NULL, "lowess (span 2/3)"},
                       {"#9aa5b1", "4 3", "ideal"},
                       {NULL, NULL, l1}};
  legend(o, p.ml + 6, p.mt + 6, rows, 4);
  plot_end(o, "Calibration. Points: observed event rate in quantile bins of predicted risk "
              "(as sklearn calibration_curve, strategy 'quantile'); line: lowess smoother; "
              "dashed: perfect calibration.");
}

static void dca_plot(out *o, const vt__metrics *m) {
  size_t n;
  const vt__dca_point *d = vt__metrics_dca(m, &n);
  if (!n) return;
  double prev = (double)vt__metrics_events(m) / (double)vt__metrics_n(m);
  /* thresholds of clinical interest lie below ~2.5x the prevalence */
  double xmax = fmin(0.9, fmax(0.2, ceil(fmin(1.0, 2.5 * prev + 0.05) * 10) / 10));
  if (xmax > 0.5) xmax = ceil(xmax * 5) / 5; /* ticks every 0.2 */
  double ymax = fmax(0.05, ceil(prev * 20 + 1e-9) / 20);
  double ymin = -ymax / 4;
  size_t k = 0;
  while (k < n && d[k].threshold <= xmax + 1e-12) k++;
  plot p = {0, xmax, ymin, ymax, 360, 330, 52, 12, 12, 38};
  double ystep = ymax <= 0.1 ? 0.025 : ymax <= 0.3 ? 0.05 : 0.1;
  p.y0 = -ystep;
  plot_begin(o, &p, "Decision curve", "Threshold probability", "Net benefit",
             xmax > 0.5 ? 0.2 : 0.1, ystep);
  size_t st = sizeof *d / sizeof(double);
  polyline(o, &p, &d[0].threshold, &d[0].treat_all, k, st, "#e0a030", 1.8, NULL);
  polyline(o, &p, &d[0].threshold, &d[0].treat_none, k, st, "#555", 1.4, NULL);
  polyline(o, &p, &d[0].threshold, &d[0].net_benefit, k, st, "#1f5fa8", 2.2, NULL);
  legend_row rows[] = {{"#1f5fa8", NULL, "model"},
                       {"#e0a030", NULL, "treat all"},
                       {"#555", NULL, "treat none"}};
  legend(o, p.W - p.mr - 100, p.mt + 6, rows, 3);
  plot_end(o, "Decision curve (Vickers & Elkin 2006): net benefit = TP/n - FP/n x pt/(1-pt) "
              "at each threshold probability pt.");
}

typedef struct ranked {
  double v;
  size_t i;
} ranked;

static int ranked_desc(const void *a, const void *b) {
  double x = ((const ranked *)a)->v, y = ((const ranked *)b)->v;
  return (x < y) - (x > y);
}

static void importance_plot(out *o, const vt__report_importance *im) {
  size_t n = im->nfeatures, k = n < 20 ? n : 20;
  ranked *r = malloc((n ? n : 1) * sizeof *r);
  if (!r) {
    o->st = VT_ENOMEM;
    return;
  }
  double mx = 0;
  for (size_t i = 0; i < n; i++) {
    r[i] = (ranked){fabs(im->values[i]), i};
    if (isfinite(r[i].v)) mx = fmax(mx, r[i].v);
    else r[i].v = 0;
  }
  qsort(r, n, sizeof *r, ranked_desc);
  double W = 640, row = 20, H = 30 + row * (double)k, ml = 200, mr = 60;
  putf(o, "<figure class=wide><svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" "
          "xmlns=\"http://www.w3.org/2000/svg\" font-family=\"Helvetica, Arial, sans-serif\" "
          "font-size=\"11\">\n",
       W, H);
  for (size_t j = 0; j < k; j++) {
    size_t i = r[j].i;
    double y = 10 + row * (double)j, w = mx > 0 ? r[j].v / mx * (W - ml - mr) : 0;
    putf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#222\">", ml - 8, y + 13);
    esc(o, im->features[i]);
    putf(o, "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" fill=\"#444\">%.3g</text>\n",
         ml, y + 3, w, row - 6, im->values[i] < 0 ? "#d1495b" : "#1f5fa8", ml + w + 5, y + 13,
         im->values[i]);
  }
  put(o, "</svg><figcaption>Global importance: ");
  esc(o, im->kind ? im->kind : "importance");
  put(o, n > k ? " (top 20 features)." : ".");
  put(o, "</figcaption></figure>\n");
  free(r);
}

static void shap_plot(out *o, const vt__report_shap *s) {
  size_t nf = s->nfeatures, nr = s->nrows;
  size_t k = nf < SHAP_TOP ? nf : SHAP_TOP;
  ranked *r = malloc((nf ? nf : 1) * sizeof *r);
  if (!r) {
    o->st = VT_ENOMEM;
    return;
  }
  double lim = 0;
  for (size_t f = 0; f < nf; f++) {
    double a = 0;
    for (size_t i = 0; i < nr; i++) {
      double v = s->shap[i * nf + f];
      if (isfinite(v)) {
        a += fabs(v);
        lim = fmax(lim, fabs(v));
      }
    }
    r[f] = (ranked){nr ? a / (double)nr : 0, f};
  }
  qsort(r, nf, sizeof *r, ranked_desc);
  if (lim <= 0) lim = 1;
  double W = 640, row = 24, H = 56 + row * (double)k, ml = 200, mr = 20;
  plot p = {-lim, lim, 0, 1, W, H, ml, mr, 8, 40};
  putf(o, "<figure class=wide><svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" "
          "xmlns=\"http://www.w3.org/2000/svg\" font-family=\"Helvetica, Arial, sans-serif\" "
          "font-size=\"11\">\n",
       W, H);
  putf(o, "<line x1=\"%.1f\" y1=\"8\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9aa5b1\"/>\n", px(&p, 0),
       px(&p, 0), H - 40);
  size_t step = nr > SHAP_MAX_ROWS ? (nr + SHAP_MAX_ROWS - 1) / SHAP_MAX_ROWS : 1;
  for (size_t j = 0; j < k; j++) {
    size_t f = r[j].i;
    double yc = 8 + row * (double)j + row / 2;
    putf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#222\">", ml - 8, yc + 4);
    esc(o, s->features[f]);
    put(o, "</text>\n");
    double vmin = INFINITY, vmax = -INFINITY;
    if (s->values)
      for (size_t i = 0; i < nr; i += step) {
        double v = s->values[i * nf + f];
        if (isfinite(v)) {
          vmin = fmin(vmin, v);
          vmax = fmax(vmax, v);
        }
      }
    for (size_t i = 0; i < nr; i += step) {
      double v = s->shap[i * nf + f];
      if (!isfinite(v)) continue;
      /* deterministic jitter from the row number, so reruns draw the same */
      double jit = ((double)((i * 2654435761u) % 1000) / 1000.0 - 0.5) * (row - 8);
      const char *col = "#7a8797";
      char rgb[24];
      if (s->values && vmax > vmin && isfinite(s->values[i * nf + f])) {
        double t = (s->values[i * nf + f] - vmin) / (vmax - vmin);
        snprintf(rgb, sizeof rgb, "rgb(%d,%d,%d)", (int)(31 + t * (209 - 31)),
                 (int)(95 + t * (73 - 95)), (int)(168 + t * (91 - 168)));
        col = rgb;
      }
      putf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\" fill-opacity=\"0.7\"/>",
           px(&p, v), yc + jit, col);
    }
    put(o, "\n");
  }
  /* ticks at a round step (1, 2 or 5 x 10^k) that gives about 2 per side */
  double raw = lim / 2, mag = pow(10, floor(log10(raw))), f = raw / mag;
  double tick = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
  for (double x = -floor(lim / tick) * tick; x <= lim + 1e-12; x += tick)
    putf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9aa5b1\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">%g</text>",
         px(&p, x), H - 40, px(&p, x), H - 36, px(&p, x), H - 26, fabs(x) < 1e-12 ? 0.0 : x);
  putf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#222\">SHAP value (change in "
          "log-odds)</text>\n",
       (ml + W - mr) / 2, H - 8);
  put(o, "</svg><figcaption>SHAP summary: one dot per patient");
  if (step > 1) putf(o, " (every %zu-th of %zu)", step, nr);
  put(o, s->values ? "; colour from low (blue) to high (red) feature value." : ".");
  put(o, "</figcaption></figure>\n");
  free(r);
}

/* -------------------------------------------------------------- tables */

static void metrics_row(out *o, const char *label, const vt__metrics *m) {
  const vt__auc_delong *a = vt__metrics_auc(m);
  const vt__calibration_fit *c = vt__metrics_calibration(m);
  double blo, bhi;
  vt__metrics_auc_bootstrap(m, &blo, &bhi, NULL);
  put(o, "<tr><th>");
  esc(o, label);
  putf(o, "</th><td>%zu</td><td>%zu</td><td>", vt__metrics_n(m), vt__metrics_events(m));
  num_ci(o, a->auc, a->ci_lo, a->ci_hi, 3);
  put(o, "</td><td>");
  if (isfinite(blo)) {
    num(o, blo, 3);
    put(o, "&#8211;");
    num(o, bhi, 3);
  } else {
    put(o, "&#8212;");
  }
  put(o, "</td><td>");
  num(o, vt__metrics_brier(m), 4);
  put(o, "</td><td>");
  num(o, vt__metrics_scaled_brier(m), 3);
  put(o, "</td><td>");
  num_ci(o, c->intercept, c->intercept_lo, c->intercept_hi, 2);
  put(o, "</td><td>");
  num_ci(o, c->slope, c->slope_lo, c->slope_hi, 2);
  put(o, "</td></tr>\n");
}

static const char *metrics_head =
    "<tr><th></th><th>n</th><th>Events</th><th>AUC (DeLong 95% CI)</th><th>AUC bootstrap CI</th>"
    "<th>Brier</th><th>Scaled Brier</th><th>Calibration intercept</th>"
    "<th>Calibration slope</th></tr>\n";

static void thresholds_table(out *o, const vt__metrics *m) {
  size_t n;
  const vt__threshold_metrics *t = vt__metrics_thresholds(m, &n);
  if (!n) return;
  put(o, "<table><tr><th>Threshold (p &#8805;)</th><th>TP</th><th>FP</th><th>TN</th><th>FN</th>"
         "<th>Sensitivity</th><th>Specificity</th><th>PPV</th><th>NPV</th></tr>\n");
  for (size_t i = 0; i < n; i++) {
    putf(o, "<tr><td>%g</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>", t[i].threshold,
         t[i].tp, t[i].fp, t[i].tn, t[i].fn);
    num_ci(o, t[i].sensitivity, t[i].sens_lo, t[i].sens_hi, 3);
    put(o, "</td><td>");
    num_ci(o, t[i].specificity, t[i].spec_lo, t[i].spec_hi, 3);
    put(o, "</td><td>");
    num_ci(o, t[i].ppv, t[i].ppv_lo, t[i].ppv_hi, 3);
    put(o, "</td><td>");
    num_ci(o, t[i].npv, t[i].npv_lo, t[i].npv_hi, 3);
    put(o, "</td></tr>\n");
  }
  put(o, "</table><p class=note>Wilson score 95% intervals.</p>\n");
}

/* A small forest plot cell: the AUC and its CI on a 0.5–1 axis. */
static void forest_cell(out *o, const vt__auc_delong *a, double overall) {
  double W = 160, H = 16;
  put(o, "<td class=forest>");
  putf(o, "<svg width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">", W, H, W, H);
#define FX(v) (4 + (fmin(1, fmax(0.4, (v))) - 0.4) / 0.6 * (W - 8))
  if (isfinite(overall))
    putf(o, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#d1495b\" "
            "stroke-dasharray=\"2 2\"/>",
         FX(overall), FX(overall), H);
  putf(o, "<line x1=\"%.1f\" y1=\"8\" x2=\"%.1f\" y2=\"8\" stroke=\"#9aa5b1\"/>", FX(0.5), FX(0.5));
  if (isfinite(a->auc)) {
    if (isfinite(a->ci_lo))
      putf(o, "<line x1=\"%.1f\" y1=\"8\" x2=\"%.1f\" y2=\"8\" stroke=\"#1f5fa8\" "
              "stroke-width=\"2\"/>",
           FX(a->ci_lo), FX(a->ci_hi));
    putf(o, "<rect x=\"%.1f\" y=\"4\" width=\"8\" height=\"8\" fill=\"#1f5fa8\"/>", FX(a->auc) - 4);
  }
#undef FX
  put(o, "</svg></td>");
}

static void subgroup_table(out *o, const vt__metrics *m) {
  size_t ns = vt__metrics_nsubgroups(m);
  put(o, "<table><tr><th>Subgroup</th><th>n</th><th>Events</th><th>AUC (95% CI)</th>"
         "<th>AUC, 0.4&#8211;1</th><th>Brier</th><th>Calibration intercept</th>"
         "<th>Calibration slope</th>");
  size_t nt;
  const vt__threshold_metrics *t0 = vt__metrics_thresholds(m, &nt);
  if (nt) putf(o, "<th>Sensitivity at %g</th><th>Specificity at %g</th>", t0[0].threshold,
               t0[0].threshold);
  put(o, "</tr>\n");
  double overall = vt__metrics_auc(m)->auc;
  for (size_t i = 0; i < ns; i++) {
    const vt__metrics *s = vt__metrics_subgroup(m, i);
    const vt__auc_delong *a = vt__metrics_auc(s);
    const vt__calibration_fit *c = vt__metrics_calibration(s);
    size_t ev = vt__metrics_events(s), n = vt__metrics_n(s);
    int small = ev < 10 || n - ev < 10;
    put(o, small ? "<tr class=small><th>" : "<tr><th>");
    esc(o, vt__metrics_subgroup_name(m, i));
    if (small) put(o, " <span class=warn title=\"fewer than 10 events or non-events\">&#9888;</span>");
    putf(o, "</th><td>%zu</td><td>%zu</td><td>", n, ev);
    num_ci(o, a->auc, a->ci_lo, a->ci_hi, 3);
    put(o, "</td>");
    forest_cell(o, a, overall);
    put(o, "<td>");
    num(o, vt__metrics_brier(s), 4);
    put(o, "</td><td>");
    num_ci(o, c->intercept, c->intercept_lo, c->intercept_hi, 2);
    put(o, "</td><td>");
    num_ci(o, c->slope, c->slope_lo, c->slope_hi, 2);
    put(o, "</td>");
    if (nt) {
      size_t k;
      const vt__threshold_metrics *t = vt__metrics_thresholds(s, &k);
      put(o, "<td>");
      num_ci(o, t[0].sensitivity, t[0].sens_lo, t[0].sens_hi, 2);
      put(o, "</td><td>");
      num_ci(o, t[0].specificity, t[0].spec_lo, t[0].spec_hi, 2);
      put(o, "</td>");
    }
    put(o, "</tr>\n");
  }
  put(o, "</table><p class=note>The dashed red line in the AUC column is the overall AUC. "
         "&#9888; marks subgroups with fewer than 10 events or non-events: their estimates "
         "are unstable.</p>\n");
}

/* ---------------------------------------------------------------- HTML */

static const char *css =
    "body{font-family:'Helvetica Neue',Helvetica,Arial,sans-serif;color:#1d2733;margin:0;"
    "background:#eef1f5;line-height:1.45}"
    "main{max-width:1060px;margin:0 auto;background:#fff;padding:28px 44px 40px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.08)}"
    "header{border-bottom:3px solid #1f3b73;margin-bottom:18px;padding-bottom:10px}"
    "h1{font-size:26px;margin:0 0 4px;color:#1f3b73}"
    ".meta{color:#5a6675;font-size:13px}"
    "h2{font-size:18px;color:#1f3b73;border-bottom:1px solid #d9dee6;padding-bottom:4px;"
    "margin-top:30px}"
    ".tripod{float:right;font-size:11px;font-weight:normal;color:#7a8797;background:#f0f3f8;"
    "border-radius:3px;padding:2px 6px;margin-top:4px}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}"
    ".card{flex:1 1 150px;border:1px solid #d9dee6;border-radius:6px;padding:10px 14px;"
    "background:#f8fafc}"
    ".card b{display:block;font-size:22px;color:#1f3b73}"
    ".card span{font-size:12px;color:#5a6675}"
    "table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}"
    "th,td{border-bottom:1px solid #e3e7ed;padding:5px 8px;text-align:left;vertical-align:middle}"
    "tr:first-child th{background:#f0f3f8;color:#33404f;font-weight:600}"
    "td{font-variant-numeric:tabular-nums}"
    ".ci{color:#6a7686;font-size:12px}"
    ".plots{display:flex;flex-wrap:wrap;gap:10px;justify-content:space-between}"
    "figure{margin:8px 0}figure.plot{flex:1 1 300px;max-width:420px}figure.wide{max-width:780px}"
    "figcaption{font-size:12px;color:#5a6675;max-width:400px}"
    ".missing{color:#8a94a3;font-style:italic}.note{font-size:12px;color:#5a6675}"
    "tr.small td,tr.small th{background:#fff8e6}.warn{color:#b7791f}"
    "ul.limits li{margin:3px 0}"
    "footer{margin-top:30px;font-size:11px;color:#8a94a3;border-top:1px solid #e3e7ed;"
    "padding-top:8px}";

static void now_iso(char *buf, size_t size) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void html(out *o, const vt__report *r, const char *created) {
  const vt__metrics *m = r->sets[0].metrics;
  const vt__auc_delong *a = vt__metrics_auc(m);
  const vt__calibration_fit *c = vt__metrics_calibration(m);
  put(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
  esc(o, r->title);
  putf(o, "</title><style>%s</style></head><body><main>\n<header><h1>", css);
  esc(o, r->title);
  put(o, "</h1><div class=meta>");
  esc(o, r->software ? r->software : "vertebra");
  put(o, " &#183; ");
  esc(o, created);
  put(o, " &#183; primary results: ");
  esc(o, r->sets[0].label);
  put(o, "</div></header>\n<div class=cards>");
  putf(o, "<div class=card><b>%zu</b><span>patients, %zu events (%.1f%%)</span></div>",
       vt__metrics_n(m), vt__metrics_events(m),
       100.0 * (double)vt__metrics_events(m) / (double)vt__metrics_n(m));
  put(o, "<div class=card><b>");
  num(o, a->auc, 3);
  put(o, "</b><span>AUC, 95% CI ");
  num(o, a->ci_lo, 3);
  put(o, "&#8211;");
  num(o, a->ci_hi, 3);
  put(o, "</span></div><div class=card><b>");
  num(o, c->slope, 2);
  put(o, "</b><span>calibration slope (ideal 1), intercept ");
  num(o, c->intercept, 2);
  put(o, "</span></div><div class=card><b>");
  num(o, vt__metrics_brier(m), 3);
  put(o, "</b><span>Brier score, scaled ");
  num(o, vt__metrics_scaled_brier(m), 2);
  put(o, "</span></div></div>\n");

  section(o, "data", "Source of data", "5a, 5b");
  para_or_missing(o, r->data_source);
  put(o, "</section>\n");
  section(o, "participants", "Participants", "6a, 13a");
  para_or_missing(o, r->participants);
  put(o, "<table>");
  put(o, "<tr><th>Set</th><th>n</th><th>Events</th><th>Non-events</th><th>Prevalence</th></tr>\n");
  for (size_t i = 0; i < r->nsets; i++) {
    const vt__metrics *s = r->sets[i].metrics;
    put(o, "<tr><th>");
    esc(o, r->sets[i].label);
    putf(o, "</th><td>%zu</td><td>%zu</td><td>%zu</td><td>%.1f%%</td></tr>\n", vt__metrics_n(s),
         vt__metrics_events(s), vt__metrics_n(s) - vt__metrics_events(s),
         100.0 * (double)vt__metrics_events(s) / (double)vt__metrics_n(s));
  }
  put(o, "</table></section>\n");
  section(o, "outcome", "Outcome", "7a");
  para_or_missing(o, r->outcome);
  put(o, "</section>\n");
  section(o, "predictors", "Predictors", "8a");
  if (r->npredictors) {
    put(o, "<table><tr><th>Predictor</th><th>Type</th><th>Summary</th></tr>\n");
    for (size_t i = 0; i < r->npredictors; i++) {
      put(o, "<tr><td>");
      esc(o, r->predictors[i].name);
      put(o, "</td><td>");
      esc(o, r->predictors[i].type);
      put(o, "</td><td>");
      esc(o, r->predictors[i].summary);
      put(o, "</td></tr>\n");
    }
    put(o, "</table>\n");
  } else {
    put(o, "<p class=missing>Not reported by the caller.</p>\n");
  }
  put(o, "</section>\n");
  section(o, "missing", "Missing data", "9");
  if (r->missing_summary) para_or_missing(o, r->missing_summary);
  if (r->nmissing) {
    put(o, "<table><tr><th>Column</th><th>Missing</th><th>%</th><th>Handling</th></tr>\n");
    for (size_t i = 0; i < r->nmissing; i++) {
      const vt__report_missing *x = &r->missing[i];
      put(o, "<tr><td>");
      esc(o, x->column);
      putf(o, "</td><td>%zu / %zu</td><td>%.1f</td><td>", x->missing, x->n,
           x->n ? 100.0 * (double)x->missing / (double)x->n : 0.0);
      esc(o, x->handling);
      put(o, "</td></tr>\n");
    }
    put(o, "</table>\n");
  } else if (!r->missing_summary) {
    put(o, "<p class=missing>Not reported by the caller.</p>\n");
  }
  if (r->nquality) {
    put(o, "<h3>Data quality</h3><ul>");
    for (size_t i = 0; i < r->nquality; i++) {
      put(o, "<li>");
      esc(o, r->quality[i]);
      put(o, "</li>");
    }
    put(o, "</ul>\n");
  }
  put(o, "</section>\n");
  section(o, "model", "Model", "12a, 12c");
  para_or_missing(o, r->model);
  put(o, "</section>\n");
  section(o, "validation", "Validation method", "10d, 12b");
  para_or_missing(o, r->validation);
  put(o, "</section>\n");

  section(o, "performance", "Performance with confidence intervals", "16, 23a");
  put(o, "<table>");
  put(o, metrics_head);
  for (size_t i = 0; i < r->nsets; i++) metrics_row(o, r->sets[i].label, r->sets[i].metrics);
  put(o, "</table>\n");
  if (r->optimism) {
    const vt__optimism *op = r->optimism;
    putf(o, "<h3>Optimism correction (Harrell bootstrap, %zu of %zu replicates used)</h3>"
            "<table><tr><th>Metric</th><th>Apparent</th><th>Optimism (SD)</th>"
            "<th>Optimism-corrected</th></tr>\n",
         op->used, op->replicates);
    const char *names[] = {"AUC", "Brier", "Calibration intercept", "Calibration slope"};
    const vt__optimism_metric *mm[] = {&op->auc, &op->brier, &op->intercept, &op->slope};
    for (int i = 0; i < 4; i++) {
      putf(o, "<tr><th>%s</th><td>", names[i]);
      num(o, mm[i]->apparent, 3);
      put(o, "</td><td>");
      num(o, mm[i]->optimism, 3);
      put(o, " <span class=ci>(");
      num(o, mm[i]->sd, 3);
      put(o, ")</span></td><td>");
      num(o, mm[i]->corrected, 3);
      put(o, "</td></tr>\n");
    }
    put(o, "</table>\n");
  }
  put(o, "<div class=plots>");
  roc_plot(o, m);
  calibration_plot(o, m);
  dca_plot(o, m);
  put(o, "</div>\n<h3>Classification at chosen thresholds</h3>\n");
  thresholds_table(o, m);
  put(o, "</section>\n");

  if (r->importance || r->shap) {
    section(o, "explain", "Explainability", "12e");
    if (r->importance && r->importance->nfeatures) importance_plot(o, r->importance);
    if (r->shap && r->shap->nrows && r->shap->nfeatures) shap_plot(o, r->shap);
    put(o, "</section>\n");
  }
  section(o, "subgroups", "Subgroups and fairness", "14, 23b");
  if (vt__metrics_nsubgroups(m)) subgroup_table(o, m);
  else put(o, "<p class=missing>No subgroup column was given.</p>\n");
  put(o, "</section>\n");

  section(o, "limitations", "Limitations", "20");
  put(o, "<ul class=limits>");
  for (size_t i = 0; i < r->nlimitations; i++) {
    put(o, "<li>");
    esc(o, r->limitations[i]);
    put(o, "</li>");
  }
  for (size_t i = 0; i < vt__metrics_nwarnings(m); i++) {
    put(o, "<li>");
    esc(o, vt__metrics_warning(m, i));
    put(o, "</li>");
  }
  put(o, "<li>Confidence intervals reflect sampling variation in this data only, not "
         "differences between hospitals, periods or case mix; a model needs external "
         "validation before use elsewhere.</li>");
  put(o, "<li>The DeLong interval is asymptotic; with few events prefer the bootstrap "
         "interval, and treat subgroup estimates with fewer than 10 events as descriptive.</li>");
  put(o, "</ul></section>\n<footer>Generated by ");
  esc(o, r->software ? r->software : "vertebra");
  put(o, ". Methods and formulas: docs/learn-validation.md. The same numbers are in the "
         "report's JSON file.</footer>\n</main></body></html>\n");
}

/* ---------------------------------------------------------------- JSON */

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

json_t *vt__report_to_json(const vt__report *r) {
  if (!r) return NULL;
  char created[40];
  if (!r->created) now_iso(created, sizeof created);
  json_t *j = json_object(), *tripod = json_object(), *sets = json_array(), *lim = json_array();
  int ok = j && tripod && sets && lim;
  if (ok) {
    ok &= !json_object_set_new(j, "title", str_or_null(r->title));
    ok &= !json_object_set_new(j, "software", str_or_null(r->software));
    ok &= !json_object_set_new(j, "created", json_string(r->created ? r->created : created));
    ok &= !json_object_set_new(tripod, "data_source", str_or_null(r->data_source));
    ok &= !json_object_set_new(tripod, "participants", str_or_null(r->participants));
    ok &= !json_object_set_new(tripod, "outcome", str_or_null(r->outcome));
    json_t *pred = json_array();
    for (size_t i = 0; pred && i < r->npredictors; i++)
      ok &= !json_array_append_new(pred, json_pack("{s:o,s:o,s:o}", "name",
                                                   str_or_null(r->predictors[i].name), "type",
                                                   str_or_null(r->predictors[i].type), "summary",
                                                   str_or_null(r->predictors[i].summary)));
    ok &= !json_object_set_new(tripod, "predictors", pred);
    json_t *miss = json_array();
    for (size_t i = 0; miss && i < r->nmissing; i++)
      ok &= !json_array_append_new(
          miss, json_pack("{s:o,s:I,s:I,s:o}", "column", str_or_null(r->missing[i].column),
                          "missing", (json_int_t)r->missing[i].missing, "n",
                          (json_int_t)r->missing[i].n, "handling",
                          str_or_null(r->missing[i].handling)));
    ok &= !json_object_set_new(tripod, "missing_data", miss);
    ok &= !json_object_set_new(tripod, "missing_summary", str_or_null(r->missing_summary));
    json_t *q = json_array();
    for (size_t i = 0; q && i < r->nquality; i++) ok &= !json_array_append_new(q, json_string(r->quality[i]));
    ok &= !json_object_set_new(tripod, "data_quality", q);
    ok &= !json_object_set_new(tripod, "model", str_or_null(r->model));
    ok &= !json_object_set_new(tripod, "validation", str_or_null(r->validation));
    ok &= !json_object_set_new(j, "tripod", tripod);
    tripod = NULL;
    for (size_t i = 0; i < r->nsets; i++) {
      json_t *mj = vt__metrics_to_json(r->sets[i].metrics);
      ok &= mj && !json_object_set_new(mj, "label", str_or_null(r->sets[i].label));
      ok &= !json_array_append_new(sets, mj);
    }
    ok &= !json_object_set_new(j, "metrics", sets);
    sets = NULL;
    if (r->optimism) ok &= !json_object_set_new(j, "optimism", vt__optimism_to_json(r->optimism));
    if (r->importance) {
      json_t *im = json_object();
      for (size_t i = 0; im && i < r->importance->nfeatures; i++)
        ok &= !json_object_set_new(im, r->importance->features[i],
                                   isfinite(r->importance->values[i])
                                       ? json_real(r->importance->values[i])
                                       : json_null());
      ok &= !json_object_set_new(j, "importance",
                                 json_pack("{s:o,s:o}", "kind", str_or_null(r->importance->kind),
                                           "values", im));
    }
    for (size_t i = 0; i < r->nlimitations; i++) ok &= !json_array_append_new(lim, json_string(r->limitations[i]));
    ok &= !json_object_set_new(j, "limitations", lim);
    lim = NULL;
    if (r->extra) ok &= !json_object_set(j, "extra", r->extra);
  }
  json_decref(tripod);
  json_decref(sets);
  json_decref(lim);
  if (!ok) {
    json_decref(j);
    return NULL;
  }
  return j;
}

vt_status vt__report_write(const vt__report *r, const char *path, const char *json_path,
                           vt_error *err) {
  if (!r || !r->title || !r->nsets || !r->sets || !r->sets[0].metrics)
    return vt_error_set(err, VT_EINVAL, path, "a report needs a title and at least one metrics set");
  for (size_t i = 0; i < r->nsets; i++)
    if (!r->sets[i].metrics || !r->sets[i].label)
      return vt_error_set(err, VT_EINVAL, path, "metrics set %zu has no label or metrics", i + 1);
  char created[40];
  if (!r->created) now_iso(created, sizeof created);
  out o = {{0}, VT_OK};
  vt__buf_init(&o.b, REPORT_MAX);
  html(&o, r, r->created ? r->created : created);
  if (o.st) {
    vt__buf_free(&o.b);
    return vt_error_set(err, o.st, path, o.st == VT_ELIMIT ? "the report exceeds %u bytes"
                                                             : "out of memory writing the report (%u max)",
                        REPORT_MAX);
  }
  json_t *j = NULL;
  vt_status st = VT_OK;
  if (json_path) {
    vt__report r2 = *r;
    r2.created = r->created ? r->created : created;
    j = vt__report_to_json(&r2);
    if (!j) st = vt_error_set(err, VT_ENOMEM, json_path, "out of memory building the report JSON");
  }
  /* write the JSON first: if the HTML then fails, the pair is incomplete but
   * each file that exists is whole */
  if (!st && j) st = vt__json_write(json_path, j, err);
  if (!st) st = vt__atomic_write(path, o.b.data, o.b.len, err);
  json_decref(j);
  vt__buf_free(&o.b);
  return st;
}
