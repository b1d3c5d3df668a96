/* phantom.c — a digital spine phantom with known truth (geometry, heights,
 * fracture grade, trabecular HU, Cobb angle, lordosis and kyphosis) for
 * tests, the demo and benchmarks. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vertebra/spine.h"

#define MAXLV 30
#define CORTEX_MM 1.5
#define HU_AIR -1000.0
#define HU_SOFT 40.0
#define HU_CORTEX 800.0
#define HU_ARCH 700.0
#define HU_DISC 90.0
#define HU_CSF 10.0
#define HU_LUNG (-850.0)
#define CANAL_R 8.0
#define ARCH_T 5.0
/* The atlas (C1) has no body: an anterior arch in front of the dens, two
 * lateral masses and the posterior arch, 10 mm tall, on a 2 mm joint above
 * C2. The axis (C2) carries the dens, a 5 mm-radius peg rising 14 mm from its
 * body through the atlas ring (adult dens ~10 mm wide, ~15 mm tall). */
#define ATLAS_H 10.0
#define ATLAS_JOINT 2.0
#define DENS_R 5.0
#define DENS_H 14.0
/* The pelvis: the sacrum's lateral masses (alae) fill its upper 30 mm out to
 * 47 mm from the midline, where each joins an iliac wing, an 8 mm plate that
 * runs from the sacroiliac joint (45 mm out, 12 mm behind the sacral centre)
 * forward and out to 105 mm, from 15 mm below the sacrum up to its crest
 * 30 mm above the sacrum's top, beside L5 (real crests reach the L4/L5
 * disc). Below the alae the wings stand free of the sacrum, as at the
 * greater sciatic notch. */
#define ALA_H_MM 30.0
#define ALA_X_MM 47.0
#define ALA_Y0_MM (-22.0) /* AP extent of the alae, about the sacral centre */
#define ALA_Y1_MM 14.0
#define ILIUM_J_X 45.0
#define ILIUM_J_Y (-12.0)
#define ILIUM_O_X 105.0
#define ILIUM_O_Y 28.0
#define ILIUM_HALF_T 4.0
#define ILIUM_BELOW_MM 15.0
#define ILIUM_CREST_MM 30.0
/* The lungs: air in the paravertebral gutters beside each thoracic level and
 * its discs, an ellipse each side 25-101 mm out, 50 mm behind to 40 mm in
 * front of the body centre; the posterior costophrenic recess ends in the
 * lowest rib-bearing level, a quarter of its height above its lower
 * endplate (T11-L1 in people). */
#define LUNG_CX_MM 63.0
#define LUNG_CY_MM (-5.0)
#define LUNG_AX_MM 38.0
#define LUNG_AY_MM 45.0

/* Height loss at the measured point for each Genant grade: the middle of the
 * grade's band (Genant 1993: 20-25 %, 25-40 %, > 40 %). */
static const double GRADE_LOSS[4] = {0.0, 0.225, 0.325, 0.50};

typedef struct {
  int label;
  double zc, h, rx, ry, theta, xc; /* centre z, body height, semi-axes, tilt, lateral centre */
  double phi, yc;                  /* sagittal tilt (cranial axis toward anterior), AP centre */
  double ztop, zbot, disc;         /* body extent (unfractured) and disc below */
} level;

typedef struct {
  vt_phantom_opts o;
  level lv[MAXLV];
  int n;
  int last_thoracic; /* index of the lowest rib-bearing level, -1 none */
  double amp, z0, span, q; /* curve amplitude, column top z and length, fracture loss */
} model;

static double rank_of(int l) { return l == 28 ? 19.5 : (double)l; }

static void vdefaults(vt_phantom_opts *o) {
  memset(o, 0, sizeof *o);
  o->top = 18;
  o->bottom = 24;
  o->spacing_xy_mm = 1.0;
  o->spacing_z_mm = 1.0;
  o->trabecular_hu = 150.0;
  o->seed = 1;
}

void vt_phantom_defaults(vt_phantom_opts *opts) { vdefaults(opts); }

static double curve_x(const model *m, double z) {
  return m->amp * sin(M_PI * (m->z0 - z) / m->span);
}
static double curve_theta(const model *m, double z) {
  /* tilt of the column axis toward +x per mm upward: dx/dz */
  return atan(-m->amp * M_PI / m->span * cos(M_PI * (m->z0 - z) / m->span));
}

/* Top and bottom endplate drops (mm) of the fractured body at local (x, y). */
static void fracture_drop(const model *m, const level *L, double x, double y, double *top,
                          double *bot) {
  *top = *bot = 0;
  if (L->label != m->o.fracture_label || m->q <= 0) return;
  if (m->o.biconcave) {
    /* both endplates sink in the central half of the body: the middle height
     * is h * (1 - q); anterior and posterior rims keep their height */
    double r2 = (x * x) / (L->rx * L->rx) + (y * y) / (L->ry * L->ry);
    *top = *bot = r2 < 0.25 ? 0.5 * m->q * L->h * (1 - r2 / 0.25) : 0;
  } else {
    /* wedge: the top endplate sinks linearly from 20 % of the depth behind the
     * posterior wall to the front, so the height at 20 % depth from the front
     * is h * (1 - q) and the posterior height stays h */
    double t = (y + L->ry) / (2 * L->ry), lmax = m->q * L->h / 0.75;
    double f = (t - 0.2) / 0.8;
    *top = lmax * (f < 0 ? 0 : f > 1 ? 1 : f);
  }
}

/* Truth heights measured like the morphometry (20/50/80 % depth, midline). */
static void truth_heights(const model *m, const level *L, double h[3]) {
  const double f[3] = {0.2, 0.5, 0.8};
  for (int i = 0; i < 3; i++) {
    double y = L->ry - f[i] * 2 * L->ry, t, b;
    fracture_drop(m, L, 0, y, &t, &b);
    h[i] = L->h - t - b;
  }
}

/* Classifies world point p: returns HU (without noise) and sets *label. */
static double classify(const model *m, const double p[3], int *label) {
  *label = 0;
  /* soft-tissue outline: ellipse 150 x 110 mm around (0, -20) */
  double ex = p[0] / 150.0, ey = (p[1] + 20.0) / 110.0;
  double hu = (ex * ex + ey * ey <= 1.0) ? HU_SOFT : HU_AIR;
  /* pass 0: bone and labels (bodies, sacrum, arches) win over pass 1: discs
   * and canal, so tilted neighbours never cut into each other's bodies */
  for (int pass = 0; pass < 2; pass++)
  for (int k = 0; k < m->n; k++) {
      const level *L = &m->lv[k];
      if (fabs(p[2] - L->zc) > L->h + 45) continue;
      double dx = p[0] - L->xc, dz = p[2] - L->zc, c = cos(L->theta), s = sin(L->theta);
      double lx = dx * c - dz * s, lz = dx * s + dz * c, ly = p[1];
      /* sagittal curve: then about the left-right axis, around the level's AP
       * centre; a level of a curved column with no tilt of its own (the apex
       * of a kyphosis, phi = 0) still sits at its yc (it was drawn at y = 0,
       * 27 mm in front of its truth, until this test keyed on yc too) */
      if (L->phi != 0 || L->yc != 0) {
        double dy = p[1] - L->yc, cp = cos(L->phi), sp = sin(L->phi), z2 = lz;
        ly = dy * cp - z2 * sp;
        lz = dy * sp + z2 * cp;
      }
      double half = 0.5 * L->h;
      double r2 = lx * lx / (L->rx * L->rx) + ly * ly / (L->ry * L->ry);
      if (L->label == 26) { /* sacrum: a tapered bone block with alae, labelled; the iliac wings */
        double w = L->rx * (0.6 + 0.4 * (lz + half) / L->h), ax = fabs(lx);
        /* the sacral canal: open below L5's, narrowing from 20 mm above the
         * sacrum's lower end to its close (the hiatus) 6 mm above it */
        double scy = -L->ry - CANAL_R + 1.0, rs = CANAL_R * fmin(1.0, fmax(0.0, (lz + half - 6.0) / 14.0));
        if (fabs(lz) <= half && lx * lx + (ly - scy) * (ly - scy) < rs * rs) {
          if (pass == 1) return HU_CSF;
          continue;
        }
        if (fabs(lz) <= half && ax <= w && ly <= L->ry && ly >= -L->ry - 2 * CANAL_R - ARCH_T) {
          *label = 26;
          return HU_ARCH;
        }
        if (lz <= half && lz >= half - ALA_H_MM && ax <= ALA_X_MM && ly <= ALA_Y1_MM && ly >= ALA_Y0_MM) {
          *label = 26;
          return HU_ARCH;
        }
        if (lz <= half + ILIUM_CREST_MM && lz >= -half - ILIUM_BELOW_MM && ax >= ILIUM_J_X - 1.0) {
          double ux = ILIUM_O_X - ILIUM_J_X, uy = ILIUM_O_Y - ILIUM_J_Y;
          double t = ((ax - ILIUM_J_X) * ux + (ly - ILIUM_J_Y) * uy) / (ux * ux + uy * uy);
          t = t < 0 ? 0 : t > 1 ? 1 : t;
          double gx = ax - ILIUM_J_X - t * ux, gy = ly - ILIUM_J_Y - t * uy;
          if (gx * gx + gy * gy <= ILIUM_HALF_T * ILIUM_HALF_T) return HU_ARCH; /* not a vertebra */
        }
        continue;
      }
      if (pass == 1 && k <= m->last_thoracic && (k < m->last_thoracic || lz >= -0.5 * half) &&
          fabs(lz) <= half + L->disc) {
        double qx = (fabs(lx) - LUNG_CX_MM) / LUNG_AX_MM, qy = (ly - LUNG_CY_MM) / LUNG_AY_MM;
        if (qx * qx + qy * qy <= 1.0) return HU_LUNG;
      }
      if (L->label == 1) { /* atlas: no body */
        int bone = fabs(lz) <= half &&
                   ((fabs(lx) <= 9.0 && ly >= DENS_R + 1.5 && ly <= DENS_R + 6.5) || /* anterior arch */
                    (fabs(lx) >= 11.0 && fabs(lx) <= 20.0 && fabs(ly) <= 9.0));      /* lateral masses */
        if (bone && pass == 0) {
          *label = 1;
          return HU_ARCH;
        }
      } else if (L->label == 2 && lz > half && lz <= half + DENS_H && lx * lx + ly * ly <= DENS_R * DENS_R) {
        if (pass == 0) { /* the dens, part of the axis */
          *label = 2;
          double edge = fmin(DENS_R - sqrt(lx * lx + ly * ly), half + DENS_H - lz);
          return edge < CORTEX_MM ? HU_CORTEX : m->o.trabecular_hu;
        }
      }
      /* body */
      if (r2 <= 1.0 && L->label != 1) {
        double dt, db;
        fracture_drop(m, L, lx, ly, &dt, &db);
        double top = half - dt, bot = -half + db;
        if (lz <= top && lz >= bot) {
          *label = L->label;
          double rr = sqrt(r2), edge = (1 - rr) * fmin(L->rx, L->ry);
          double dist = fmin(edge, fmin(top - lz, lz - bot));
          if (pass == 0) return dist < CORTEX_MM ? HU_CORTEX : m->o.trabecular_hu;
        }
        if (pass == 1 && lz < bot && lz >= -half - L->disc) return HU_DISC; /* disc below */
        if (pass == 1 && lz > top && lz <= half) return HU_DISC; /* collapsed space */
      }
      /* posterior arch around the canal, spinous process, ribs */
      double cy = -L->ry - CANAL_R + 1.0, rc = sqrt(lx * lx + (ly - cy) * (ly - cy));
      double ah = half - 2.0;
      if (fabs(lz) <= ah) {
        if (rc < CANAL_R) {
          if (pass == 1) return HU_CSF;
          continue;
        }
        if (rc <= CANAL_R + ARCH_T && ly <= cy + 2.0) {
          *label = L->label;
          return HU_ARCH;
        }
        if (fabs(lx) <= 3.0 && ly < cy && ly >= cy - CANAL_R - 30.0 && fabs(lz) <= 0.6 * half) {
          *label = L->label;
          return HU_ARCH;
        }
        int thoracic = (L->label >= 8 && L->label <= 19) || L->label == 28;
        if (thoracic && fabs(lz) <= 4.0 && fabs(lx) >= CANAL_R + ARCH_T + 4 &&
            fabs(lx) <= CANAL_R + ARCH_T + 70 && fabs(ly - cy - 0.15 * (fabs(lx) - 13)) <= 4.0)
          return HU_ARCH; /* rib: bone, not part of the vertebra label */
      }
    }
  return hu;
}

/* HU at the corners (i - 1/2, j - 1/2, k - 1/2) of voxel plane k, for
 * i <= nx, j <= ny (partial-volume sampling). */
static void corner_plane(const model *m, const double aff[16], size_t nx, size_t ny, size_t k, double *out) {
  for (size_t j = 0; j <= ny; j++)
    for (size_t i = 0; i <= nx; i++) {
      double p[3] = {aff[0] * (i - 0.5) + aff[3], aff[5] * (j - 0.5) + aff[7], aff[10] * (k - 0.5) + aff[11]};
      int l;
      out[i + (nx + 1) * j] = classify(m, p, &l);
    }
}

/* Mean HU along z over [z0, z1] at (x, y): samples every PV_STEP_MM, and
 * where two neighbours differ the tissue boundary between them is found by
 * bisection (to ~0.2 um), so the mean is exact for layers thicker than a step
 * (the thinnest, the cortex, is 1.5 mm). */
#define PV_STEP_MM 0.2
static double z_mean(const model *m, double x, double y, double z0, double z1) {
  int n = (int)ceil((z1 - z0) / PV_STEP_MM), l;
  double p[3] = {x, y, z0}, prev = classify(m, p, &l), zp = z0, acc = 0;
  for (int s = 1; s <= n; s++) {
    double z = z0 + (z1 - z0) * s / n;
    p[2] = z;
    double v = classify(m, p, &l);
    if (v != prev) {
      double a = zp, b = z; /* prev holds at a, v at b */
      for (int it = 0; it < 10; it++) {
        p[2] = 0.5 * (a + b);
        if (classify(m, p, &l) == prev) a = p[2];
        else b = p[2];
      }
      acc += prev * (0.5 * (a + b) - zp) + v * (z - 0.5 * (a + b));
    } else {
      acc += v * (z - zp);
    }
    prev = v;
    zp = z;
  }
  return acc / (z1 - z0);
}

/* A CT voxel's value is the mean attenuation over its extent (the slice
 * profile along z, the detector/reconstruction footprint in-plane), here a box
 * over the voxel. A voxel whose eight corners and centre are one tissue is
 * that tissue. Otherwise it is the mean of z_mean over an in-plane grid of
 * sub-samples every PV_STEP_MM along x and y where its corners differ along
 * that axis (one, at the centre, where they do not; an even count, so that
 * none falls on the centre, where the anatomy's half-mm surfaces may lie),
 * or of single samples at the centre's z where the corners agree along z.
 * Thin structures (the 1.5 mm cortex) always touch a tissue boundary, so the
 * corners see them. */
static double voxel_mean(const model *m, const double aff[16], const double c[3], double hu,
                         const double *lo, const double *hi, size_t i, size_t j, size_t nx) {
  size_t w = nx + 1;
  double v[8] = {lo[i + w * j], lo[i + 1 + w * j], lo[i + w * (j + 1)], lo[i + 1 + w * (j + 1)],
                 hi[i + w * j], hi[i + 1 + w * j], hi[i + w * (j + 1)], hi[i + 1 + w * (j + 1)]};
  int vary[3] = {0, 0, 0}, same = 1;
  for (int q = 0; q < 8; q++) {
    same &= v[q] == hu;
    for (int ax = 0; ax < 3; ax++)
      if (!(q & (1 << ax)) && v[q] != v[q | (1 << ax)]) vary[ax] = 1;
  }
  if (same) return hu;
  const double ext[3] = {fabs(aff[0]), fabs(aff[5]), fabs(aff[10])};
  int n[2];
  for (int ax = 0; ax < 2; ax++) n[ax] = vary[ax] ? 2 * (int)ceil(ext[ax] / (2 * PV_STEP_MM)) : 1;
  double acc = 0;
  for (int b = 0; b < n[1]; b++)
    for (int e = 0; e < n[0]; e++) {
      double p[3] = {c[0] + ext[0] * ((e + 0.5) / n[0] - 0.5), c[1] + ext[1] * ((b + 0.5) / n[1] - 0.5), c[2]};
      int l;
      acc += vary[2] ? z_mean(m, p[0], p[1], c[2] - 0.5 * ext[2], c[2] + 0.5 * ext[2]) : classify(m, p, &l);
    }
  return acc / (n[0] * n[1]);
}

static uint64_t rng_next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}
static double gauss(uint64_t *s) {
  double u1 = ((rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
  double u2 = ((rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
  return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* Sagittal tilt of a level's endplates as the morphometry reads it: the
 * body's cranial axis (sin(theta) cos(phi), sin(phi), cos(theta) cos(phi))
 * projected on the world sagittal plane, atan2(n.y, n.z). */
static double sagittal_tilt_deg(const level *L) {
  return atan2(sin(L->phi), cos(L->phi) * cos(L->theta)) * 180 / M_PI;
}

static const level *level_of(const model *m, int label) {
  for (int k = 0; k < m->n; k++)
    if (m->lv[k].label == label) return &m->lv[k];
  return NULL;
}

/* Truth of a sagittal Cobb angle: `sign` (tilt(lower) - tilt(upper)), or
 * null when an end vertebra is not in the phantom. */
static json_t *sagittal_truth(const model *m, int upper, int lower, const char *lower_name, double sign) {
  const level *u = level_of(m, upper), *l = level_of(m, lower);
  if (!u || !l) return json_null();
  return json_pack("{s:f,s:s,s:s}", "angle_deg", sign * (sagittal_tilt_deg(l) - sagittal_tilt_deg(u)), "upper",
                   vt_verse_label_name(upper), "lower", lower_name);
}

static json_t *truth(const model *m) {
  json_t *root = json_object(), *arr = json_array();
  int sagittal = m->o.lordosis_deg != 0 || m->o.kyphosis_deg != 0;
  for (int k = 0; k < m->n; k++) {
    const level *L = &m->lv[k];
    json_t *o = json_object();
    json_object_set_new(o, "label", json_string(vt_verse_label_name(L->label)));
    json_object_set_new(o, "verse_label", json_integer(L->label));
    json_object_set_new(o, "center_ras_mm", json_pack("[f,f,f]", L->xc, L->yc, L->zc));
    if (sagittal) json_object_set_new(o, "sagittal_tilt_deg", json_real(sagittal_tilt_deg(L)));
    if (L->label != 26 && L->label != 1) { /* the sacrum and the atlas have no body */
      double h[3];
      truth_heights(m, L, h);
      json_object_set_new(o, "heights_mm", json_pack("{s:f,s:f,s:f}", "anterior", h[0], "middle", h[1], "posterior", h[2]));
      json_object_set_new(o, "genant_grade", json_integer(L->label == m->o.fracture_label ? m->o.fracture_grade : 0));
      json_object_set_new(o, "trabecular_hu", json_real(m->o.trabecular_hu));
      json_object_set_new(o, "tilt_deg", json_real(L->theta * 180 / M_PI));
    }
    json_array_append_new(arr, o);
  }
  json_object_set_new(root, "vertebrae", arr);
  double cobb = 0;
  const level *up = NULL, *lo = NULL;
  if (m->amp != 0 && m->n > 2) {
    /* the most tilted levels are the end vertebrae of the single curve */
    int last = m->lv[m->n - 1].label == 26 ? m->n - 2 : m->n - 1;
    up = &m->lv[0];
    lo = &m->lv[last];
    cobb = fabs(up->theta - lo->theta) * 180 / M_PI;
  }
  json_object_set_new(root, "cobb", up ? json_pack("{s:f,s:s,s:s}", "angle_deg", cobb, "upper",
                                                   vt_verse_label_name(up->label), "lower",
                                                   vt_verse_label_name(lo->label))
                                       : json_null());
  if (sagittal) { /* only then, so that the default truth stays as it was */
    json_object_set_new(root, "lordosis", sagittal_truth(m, 20, 26, "S1", 1.0));
    json_object_set_new(root, "kyphosis", sagittal_truth(m, 11, 19, "T12", -1.0));
    json_object_set_new(root, "sagittal_options", json_pack("{s:f,s:f}", "lordosis_deg", m->o.lordosis_deg,
                                                             "kyphosis_deg", m->o.kyphosis_deg));
  }
  json_object_set_new(root, "options",
                      json_pack("{s:f,s:f,s:s,s:f,s:f,s:i,s:i,s:s,s:b}", "spacing_xy_mm", m->o.spacing_xy_mm,
                                "spacing_z_mm", m->o.spacing_z_mm, "orientation", m->o.lps ? "LPS" : "RAS",
                                "trabecular_hu", m->o.trabecular_hu, "noise_sd_hu", m->o.noise_sd_hu,
                                "fracture_verse_label", m->o.fracture_label, "fracture_grade",
                                m->o.fracture_grade, "fracture_type", m->o.biconcave ? "biconcave" : "wedge",
                                "partial_volume", m->o.partial_volume != 0));
  return root;
}

/* Sagittal tilt of a level: the thoracic levels turn from +K/2 at T4 to
 * -K/2 at T12 (constant above T4), the lumbar ones from -L/2 at L1 to +L/2
 * at the sacrum, linearly by level; a segment without its own curve
 * continues its neighbour's tangent. So tilt(S) - tilt(L1) = L and
 * tilt(T4) - tilt(T12) = K exactly (without a coronal curve). */
static double level_phi(const model *m, int label) {
  double L = m->o.lordosis_deg * M_PI / 180, K = m->o.kyphosis_deg * M_PI / 180;
  int nlumb = m->o.bottom >= 25 ? 6 : 5;
  if (label >= 20 && label <= 26) {
    if (L == 0) return -0.5 * K;
    double t = label == 26 ? 1.0 : (label - 20) / (double)nlumb;
    return -0.5 * L + L * t;
  }
  if (K == 0) return -0.5 * L;
  double t = (rank_of(label) - 11) / 8.0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return 0.5 * K - K * t;
}

/* Restacks the levels along the sagittal arc: each centre follows the one
 * above by the body halves and the disc along the mean tilt of the two, so
 * discs keep their thickness; the column is then centred at y = 0. *z gets
 * the new bottom, *top_margin the room the tilted top body needs. */
static void sagittal_curve(model *m, double *z, double *top_margin) {
  double ysum = 0, zlow = 1e30;
  for (int k = 0; k < m->n; k++) {
    level *L = &m->lv[k];
    L->phi = level_phi(m, L->label);
    if (k > 0) {
      const level *P = &m->lv[k - 1];
      double s = 0.5 * P->h + P->disc + 0.5 * L->h, pm = 0.5 * (P->phi + L->phi);
      L->zc = P->zc - s * cos(pm);
      L->yc = P->yc - s * sin(pm);
    }
    L->ztop = L->zc + 0.5 * L->h;
    L->zbot = L->zc - 0.5 * L->h;
    /* corners of the tilted body and arch reach beyond its axis ends */
    zlow = fmin(zlow, L->zc - 0.5 * L->h - 60 * fabs(sin(L->phi)));
    ysum += L->yc;
  }
  for (int k = 0; k < m->n; k++) m->lv[k].yc -= ysum / m->n;
  *z = zlow;
  *top_margin = 60 * fabs(sin(m->lv[0].phi));
}

vt_status vt_phantom_build(const vt_phantom_opts *opts, vt_volume **ct, vt_volume **labels,
                           char **truth_json, vt_error *err) {
  model m;
  memset(&m, 0, sizeof m);
  if (opts) m.o = *opts;
  else vdefaults(&m.o);
  const vt_phantom_opts *o = &m.o;
  if (!vt_verse_label_name(o->top) || !vt_verse_label_name(o->bottom) || o->top == 26 ||
      o->bottom == 26 || rank_of(o->top) > rank_of(o->bottom))
    return vt_error_set(err, VT_EINVAL, "phantom", "levels %d..%d are not VerSe vertebra labels from top to bottom", o->top, o->bottom);
  if (!(o->spacing_z_mm >= 0.5 && o->spacing_z_mm <= 5.0) || !(o->spacing_xy_mm >= 0.3 && o->spacing_xy_mm <= 3.0))
    return vt_error_set(err, VT_EINVAL, "phantom", "spacing %g x %g mm outside 0.3-3 (in-plane) / 0.5-5 (slices)", o->spacing_xy_mm, o->spacing_z_mm);
  if (o->fracture_label && (o->fracture_grade < 1 || o->fracture_grade > 3))
    return vt_error_set(err, VT_EINVAL, "phantom", "fracture grade %d not in 1..3", o->fracture_grade);
  if (!(fabs(o->lordosis_deg) <= 80) || !(fabs(o->kyphosis_deg) <= 80))
    return vt_error_set(err, VT_EINVAL, "phantom", "lordosis %g or kyphosis %g degrees outside -80..80",
                        o->lordosis_deg, o->kyphosis_deg);
  if (!(fabs(o->cobb_deg) <= 60) || !(o->noise_sd_hu >= 0 && o->noise_sd_hu <= 500) || !isfinite(o->trabecular_hu))
    return vt_error_set(err, VT_EINVAL, "phantom", "Cobb angle (|c| <= 60), noise (0-500 HU) or HU out of range");
  m.q = o->fracture_label ? GRADE_LOSS[o->fracture_grade] : 0;
  /* levels top to bottom, T13 after T12 only when asked for explicitly */
  double z = 0;
  for (int l = 1; l <= VT_VERSE_MAX_LABEL && m.n < MAXLV - 1; l++) {
    int lab = l;
    if (l == 26 || l == 27 || l == 28) continue;
    if (rank_of(lab) < rank_of(o->top) || rank_of(lab) > rank_of(o->bottom)) continue;
    level *L = &m.lv[m.n++];
    L->label = lab;
    int lumbar = lab >= 20;
    /* body heights grow caudally (integer mm so the grid offset keeps every
     * endplate between samples) */
    static const double HT[29] = {0,  14, 14, 14, 14, 15, 15, 16, 17, 17, 18, 18, 19, 19, 20,
                                  21, 21, 22, 23, 24, 25, 26, 27, 27, 28, 28, 0,  0,  24};
    L->h = lab == 1 ? ATLAS_H : HT[lab];
    L->rx = lab <= 7 ? 10 : lumbar ? 22 : 18;
    L->ry = lab <= 7 ? 8 : lumbar ? 17 : 14;
    L->disc = lab == 1 ? ATLAS_JOINT : lumbar ? 10 : 8;
    L->ztop = z;
    L->zbot = z - L->h;
    L->zc = z - 0.5 * L->h;
    z -= L->h + L->disc;
  }
  m.last_thoracic = -1;
  for (int k = 0; k < m.n; k++)
    if ((m.lv[k].label >= 8 && m.lv[k].label <= 19) || m.lv[k].label == 28) m.last_thoracic = k;
  if (o->fracture_label) {
    int ok = 0;
    for (int k = 0; k < m.n; k++) ok |= m.lv[k].label == o->fracture_label;
    if (!ok) return vt_error_set(err, VT_EINVAL, "phantom", "fracture level %d is not in the phantom", o->fracture_label);
  }
  if (o->bottom >= 24) { /* sacrum below L5/L6 */
    level *L = &m.lv[m.n++];
    L->label = 26;
    L->h = 40;
    L->rx = 30;
    L->ry = 20;
    L->ztop = z;
    L->zc = z - 20;
    L->zbot = z - 40;
    z -= 40;
  }
  double top_margin = 0;
  if (o->lordosis_deg != 0 || o->kyphosis_deg != 0) sagittal_curve(&m, &z, &top_margin);
  m.z0 = m.lv[0].ztop;
  m.span = m.z0 - z;
  /* half-sine curve: end tangents at +-atan(amp*pi/span), so Cobb = 2 atan(...) */
  m.amp = m.span * tan(0.5 * o->cobb_deg * M_PI / 180) / M_PI;
  for (int k = 0; k < m.n; k++) {
    m.lv[k].xc = curve_x(&m, m.lv[k].zc);
    m.lv[k].theta = curve_theta(&m, m.lv[k].zc);
  }
  /* voxel centres sit half a voxel off the integer-mm anatomy so that a
   * surface never falls exactly on a sample point */
  double zmin = z - 15 + 0.5 * o->spacing_z_mm, zmax = m.z0 + 15 + top_margin, sx = o->spacing_xy_mm, sz = o->spacing_z_mm;
  size_t nx = (size_t)ceil(240 / sx), ny = (size_t)ceil(200 / sx), nz = (size_t)ceil((zmax - zmin) / sz);
  double aff[16] = {sx, 0, 0, -120 + 0.5 * sx, 0, sx, 0, -110 + 0.5 * sx, 0, 0, sz, zmin, 0, 0, 0, 1};
  if (o->lps) {
    aff[0] = -sx;
    aff[3] = 120 - 0.5 * sx;
    aff[5] = -sx;
    aff[7] = 90 - 0.5 * sx;
  }
  vt_volume *v = NULL, *lab = NULL;
  vt_status st = vt_volume_new(nx, ny, nz, aff, &v, err);
  if (st == VT_OK) st = vt_volume_new(nx, ny, nz, aff, &lab, err);
  json_t *t = st == VT_OK ? truth(&m) : NULL;
  char *js = t ? json_dumps(t, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8)) : NULL;
  json_decref(t);
  if (st == VT_OK && !js) st = vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  if (st != VT_OK) {
    vt_volume_free(v);
    vt_volume_free(lab);
    free(js);
    return st;
  }
  float *d = vt_volume_data(v), *ld = vt_volume_data(lab);
  uint64_t rs = 0x9E3779B97F4A7C15ULL ^ o->seed;
  if (!rs) rs = 1;
  /* partial volume: the classification at the voxel corners, two planes of
   * (nx+1) x (ny+1) kept, tells which voxels hold more than one tissue */
  size_t nc = (nx + 1) * (ny + 1);
  double *cp = o->partial_volume ? malloc(2 * nc * sizeof *cp) : NULL;
  if (o->partial_volume && !cp) {
    vt_volume_free(v);
    vt_volume_free(lab);
    free(js);
    return vt_error_set(err, VT_ENOMEM, NULL, "out of memory");
  }
  if (cp) corner_plane(&m, aff, nx, ny, 0, cp);
  for (size_t k = 0; k < nz; k++) {
    if (cp) corner_plane(&m, aff, nx, ny, k + 1, cp + ((k + 1) % 2) * nc);
    for (size_t j = 0; j < ny; j++)
      for (size_t i = 0; i < nx; i++) {
        double p[3] = {aff[0] * i + aff[3], aff[5] * j + aff[7], aff[10] * k + aff[11]};
        int l;
        double hu = classify(&m, p, &l);
        if (cp) hu = voxel_mean(&m, aff, p, hu, cp + (k % 2) * nc, cp + ((k + 1) % 2) * nc, i, j, nx);
        if (o->noise_sd_hu > 0 && hu > HU_AIR) hu += o->noise_sd_hu * gauss(&rs);
        size_t q = i + nx * (j + ny * k);
        d[q] = (float)hu;
        ld[q] = (float)l;
      }
  }
  free(cp);
  *ct = v;
  *labels = lab;
  *truth_json = js;
  return VT_OK;
}
