/* dicom.c — a DICOM Part 10 parser, hand-written because Debian 12 packages no
 * C DICOM library (DCMTK and GDCM are C++): preamble or none, implicit/explicit
 * VR little endian, explicit big endian, deflated, sequences (defined and
 * undefined length, bounded depth) and encapsulated pixel data. Every length is
 * checked against the bytes that remain before it is used. */
#include "io/dicom.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define UNDEF 0xFFFFFFFFu

typedef struct parser {
  const unsigned char *p;
  size_t len;
  size_t file_len; /* for messages: original file size */
  size_t base_off; /* offset of p[0] in the file (0 unless inflated) */
  int explicit_vr, big_endian;
  size_t nelem;
  const char *name;
  vt_error *err;
} parser;

static uint16_t rd16(const parser *ps, size_t o) {
  const unsigned char *b = ps->p + o;
  return ps->big_endian ? (uint16_t)(b[0] << 8 | b[1]) : (uint16_t)(b[1] << 8 | b[0]);
}
static uint32_t rd32(const parser *ps, size_t o) {
  const unsigned char *b = ps->p + o;
  return ps->big_endian ? ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3])
                        : ((uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0]);
}

static vt_status fail(parser *ps, vt_status st, size_t off, const char *fmt, ...) VT_PRINTF(4, 5);
static vt_status fail(parser *ps, vt_status st, size_t off, const char *fmt, ...) {
  char where[VT_ERROR_WHERE_MAX];
  snprintf(where, sizeof where, "%s: offset %zu%s", ps->name, ps->base_off + off,
           ps->base_off ? " (inflated data set)" : "");
  va_list ap;
  va_start(ap, fmt);
  vt_error_setv(ps->err, st, where, fmt, ap);
  va_end(ap);
  return st;
}

/* VRs with a 2-byte reserved field and a 4-byte length in explicit VR. */
static int long_vr(const char vr[2]) {
  static const char *l[] = {"OB", "OW", "OF", "SQ", "UT", "UN", "OD", "OL", "UC", "UR", "OV", "SV", "UV"};
  for (size_t i = 0; i < sizeof l / sizeof *l; i++)
    if (vr[0] == l[i][0] && vr[1] == l[i][1]) return 1;
  return 0;
}
static int valid_vr(const char vr[2]) { return vr[0] >= 'A' && vr[0] <= 'Z' && vr[1] >= 'A' && vr[1] <= 'Z'; }

typedef struct elem {
  uint32_t tag;
  char vr[3];
  uint32_t len;  /* UNDEF for undefined */
  size_t hdr;    /* offset of the tag */
  size_t val;    /* offset of the value */
} elem;

/* Reads an element header at *pos. */
static vt_status read_header(parser *ps, size_t pos, size_t end, elem *e) {
  if (end - pos < 8)
    return fail(ps, VT_EFORMAT, pos, "element header needs 8 bytes, %zu remain", end - pos);
  if (++ps->nelem > VT_DCM_MAX_ELEMENTS)
    return fail(ps, VT_ELIMIT, pos, "more than %d elements", VT_DCM_MAX_ELEMENTS);
  e->tag = (uint32_t)rd16(ps, pos) << 16 | rd16(ps, pos + 2);
  e->hdr = pos;
  e->vr[0] = e->vr[1] = e->vr[2] = 0;
  uint16_t group = (uint16_t)(e->tag >> 16);
  if (group == 0xFFFE) { /* item tags never carry a VR */
    e->len = rd32(ps, pos + 4);
    e->val = pos + 8;
  } else if (ps->explicit_vr) {
    e->vr[0] = (char)ps->p[pos + 4];
    e->vr[1] = (char)ps->p[pos + 5];
    if (!valid_vr(e->vr))
      return fail(ps, VT_EFORMAT, pos, "element (%04X,%04X): invalid VR bytes 0x%02X 0x%02X",
                  e->tag >> 16, e->tag & 0xFFFF, (unsigned char)e->vr[0], (unsigned char)e->vr[1]);
    if (long_vr(e->vr)) {
      if (end - pos < 12)
        return fail(ps, VT_EFORMAT, pos, "element (%04X,%04X) header needs 12 bytes, %zu remain",
                    e->tag >> 16, e->tag & 0xFFFF, end - pos);
      e->len = rd32(ps, pos + 8);
      e->val = pos + 12;
    } else {
      e->len = rd16(ps, pos + 6);
      e->val = pos + 8;
    }
  } else {
    e->len = rd32(ps, pos + 4);
    e->val = pos + 8;
  }
  if (e->len != UNDEF && e->len > end - e->val)
    return fail(ps, VT_EFORMAT, pos, "element (%04X,%04X) length %u exceeds the %zu bytes remaining (file size %zu)",
                e->tag >> 16, e->tag & 0xFFFF, e->len, end - e->val, ps->file_len);
  return VT_OK;
}

static vt_status skip_items(parser *ps, size_t pos, size_t end, int depth, size_t *after);

/* An undefined-length UN element is a sequence encoded in implicit VR little
 * endian (PS3.5 6.2.2), whatever the transfer syntax. */
static vt_status skip_sq_undefined(parser *ps, const elem *e, size_t end, int depth, size_t *after) {
  int ex = ps->explicit_vr, be = ps->big_endian;
  if (ex && !strcmp(e->vr, "UN")) {
    ps->explicit_vr = 0;
    ps->big_endian = 0;
  }
  vt_status st = skip_items(ps, e->val, end, depth, after);
  ps->explicit_vr = ex;
  ps->big_endian = be;
  return st;
}

/* Walks the elements of a data set (or item) in [pos, end) until end, or an
 * item delimiter when `stop_at_delim`; skips the values of sequences. */
static vt_status skip_dataset(parser *ps, size_t pos, size_t end, int depth, int stop_at_delim,
                              size_t *after) {
  while (pos < end) {
    elem e;
    vt_status st = read_header(ps, pos, end, &e);
    if (st) return st;
    if (e.tag == 0xFFFEE00Du) {
      if (!stop_at_delim) return fail(ps, VT_EFORMAT, pos, "item delimiter outside an item");
      *after = e.val;
      return VT_OK;
    }
    if (e.len == UNDEF) {
      int is_sq = (ps->explicit_vr && (!strcmp(e.vr, "SQ") || !strcmp(e.vr, "UN"))) || !ps->explicit_vr;
      if (!is_sq)
        return fail(ps, VT_EFORMAT, pos, "element (%04X,%04X) VR %s has undefined length",
                    e.tag >> 16, e.tag & 0xFFFF, e.vr);
      st = skip_sq_undefined(ps, &e, end, depth + 1, &pos);
      if (st) return st;
    } else {
      pos = e.val + e.len;
    }
  }
  if (stop_at_delim) return fail(ps, VT_EFORMAT, pos, "item of undefined length has no delimiter");
  *after = pos;
  return VT_OK;
}

/* Skips the items of an undefined-length sequence starting at pos. */
static vt_status skip_items(parser *ps, size_t pos, size_t end, int depth, size_t *after) {
  if (depth > VT_DCM_MAX_DEPTH)
    return fail(ps, VT_ELIMIT, pos, "sequences nested deeper than %d levels", VT_DCM_MAX_DEPTH);
  for (;;) {
    elem e;
    vt_status st = read_header(ps, pos, end, &e);
    if (st) return st;
    if (e.tag == 0xFFFEE0DDu) {
      *after = e.val;
      return VT_OK;
    }
    if (e.tag != 0xFFFEE000u)
      return fail(ps, VT_EFORMAT, pos, "expected an item (FFFE,E000) in a sequence, found (%04X,%04X)",
                  e.tag >> 16, e.tag & 0xFFFF);
    if (e.len == UNDEF) {
      st = skip_dataset(ps, e.val, end, depth, 1, &pos);
    } else {
      st = skip_dataset(ps, e.val, e.val + e.len, depth, 0, &pos);
    }
    if (st) return st;
  }
}

/* Skips a defined-length sequence's items (checking their structure too). */
static vt_status skip_defined_sq(parser *ps, size_t pos, size_t end, int depth) {
  if (depth > VT_DCM_MAX_DEPTH)
    return fail(ps, VT_ELIMIT, pos, "sequences nested deeper than %d levels", VT_DCM_MAX_DEPTH);
  while (pos < end) {
    elem e;
    vt_status st = read_header(ps, pos, end, &e);
    if (st) return st;
    if (e.tag != 0xFFFEE000u)
      return fail(ps, VT_EFORMAT, pos, "expected an item (FFFE,E000) in a sequence, found (%04X,%04X)",
                  e.tag >> 16, e.tag & 0xFFFF);
    if (e.len == UNDEF)
      st = skip_dataset(ps, e.val, end, depth, 1, &pos);
    else
      st = skip_dataset(ps, e.val, e.val + e.len, depth, 0, &pos);
    if (st) return st;
  }
  return VT_OK;
}

static void copy_str(char *dst, size_t cap, const unsigned char *v, size_t len) {
  size_t n = len < cap - 1 ? len : cap - 1;
  memcpy(dst, v, n);
  dst[n] = 0;
  while (n && (dst[n - 1] == ' ' || dst[n - 1] == 0)) dst[--n] = 0;
  size_t s = 0;
  while (dst[s] == ' ') s++;
  if (s) memmove(dst, dst + s, strlen(dst + s) + 1);
}

/* Parses up to `max` backslash-separated decimal strings. Returns the count. */
static int parse_ds(const unsigned char *v, size_t len, double *out, int max) {
  char buf[256];
  copy_str(buf, sizeof buf, v, len);
  int n = 0;
  char *s = buf;
  while (n < max && *s) {
    char *endp;
    double d = strtod(s, &endp);
    if (endp == s) break;
    out[n++] = d;
    s = endp;
    while (*s == ' ') s++;
    if (*s == '\\') s++;
    else if (*s) break;
  }
  return n;
}

static int us_value(const parser *ps, const elem *e, const char *vr_implicit, int *out) {
  const char *vr = ps->explicit_vr ? e->vr : vr_implicit;
  if (!strcmp(vr, "US") && e->len >= 2) {
    *out = rd16(ps, e->val);
    return 1;
  }
  if (!strcmp(vr, "SS") && e->len >= 2) {
    *out = (int16_t)rd16(ps, e->val);
    return 1;
  }
  if (!strcmp(vr, "IS")) {
    double d;
    if (parse_ds(ps->p + e->val, e->len, &d, 1) == 1 && fabs(d) < 1e9) {
      *out = (int)d;
      return 1;
    }
  }
  return 0;
}

static vt__dcm_ts_kind ts_kind(const char *uid, int *explicit_vr, int *big, int *deflated) {
  *explicit_vr = 1;
  *big = 0;
  *deflated = 0;
  if (!strcmp(uid, "1.2.840.10008.1.2")) {
    *explicit_vr = 0;
    return VT_DCM_TS_NATIVE;
  }
  if (!strcmp(uid, "1.2.840.10008.1.2.1")) return VT_DCM_TS_NATIVE;
  if (!strcmp(uid, "1.2.840.10008.1.2.2")) {
    *big = 1;
    return VT_DCM_TS_NATIVE;
  }
  if (!strcmp(uid, "1.2.840.10008.1.2.1.99")) {
    *deflated = 1;
    return VT_DCM_TS_NATIVE;
  }
  if (!strcmp(uid, "1.2.840.10008.1.2.4.50") || !strcmp(uid, "1.2.840.10008.1.2.4.51"))
    return VT_DCM_TS_JPEG;
  if (!strcmp(uid, "1.2.840.10008.1.2.4.57") || !strcmp(uid, "1.2.840.10008.1.2.4.70"))
    return VT_DCM_TS_JPEG_LL;
  if (!strcmp(uid, "1.2.840.10008.1.2.4.80") || !strcmp(uid, "1.2.840.10008.1.2.4.81"))
    return VT_DCM_TS_JPEG_LS;
  if (!strcmp(uid, "1.2.840.10008.1.2.4.90") || !strcmp(uid, "1.2.840.10008.1.2.4.91"))
    return VT_DCM_TS_J2K;
  if (!strcmp(uid, "1.2.840.10008.1.2.5")) return VT_DCM_TS_RLE;
  return VT_DCM_TS_OTHER;
}

/* Reads the fragments of encapsulated pixel data starting at pos. */
static vt_status read_fragments(parser *ps, size_t pos, size_t end, vt__dcm_image *img) {
  int first = 1;
  size_t cap = 0;
  for (;;) {
    elem e;
    int save = ps->big_endian;
    ps->big_endian = 0; /* encapsulated items are always little endian */
    vt_status st = read_header(ps, pos, end, &e);
    ps->big_endian = save;
    if (st) return st;
    if (e.tag == 0xFFFEE0DDu) return VT_OK;
    if (e.tag != 0xFFFEE000u || e.len == UNDEF)
      return fail(ps, VT_EFORMAT, pos, "pixel data: expected a fragment item, found (%04X,%04X)",
                  e.tag >> 16, e.tag & 0xFFFF);
    if (first) {
      first = 0;
      if (e.len % 4)
        return fail(ps, VT_EFORMAT, pos, "pixel data: basic offset table length %u is not a multiple of 4", e.len);
      img->nbot = e.len / 4;
      if (img->nbot) {
        img->bot = malloc(img->nbot * sizeof *img->bot);
        if (!img->bot) return fail(ps, VT_ENOMEM, pos, "out of memory");
        for (size_t i = 0; i < img->nbot; i++) {
          const unsigned char *b = ps->p + e.val + 4 * i;
          img->bot[i] = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
        }
      }
    } else {
      if (img->nfrags == VT_DCM_MAX_FRAGMENTS)
        return fail(ps, VT_ELIMIT, pos, "pixel data: more than %d fragments", VT_DCM_MAX_FRAGMENTS);
      if (img->nfrags == cap) {
        cap = cap ? cap * 2 : 16;
        vt__dcm_frag *n = realloc(img->frags, cap * sizeof *n);
        if (!n) return fail(ps, VT_ENOMEM, pos, "out of memory");
        img->frags = n;
      }
      img->frags[img->nfrags].off = e.val;
      img->frags[img->nfrags].len = e.len;
      img->nfrags++;
    }
    pos = e.val + e.len;
  }
}

/* Interprets one top-level element of interest. */
static void take_value(parser *ps, const elem *e, vt__dcm_image *img) {
  const unsigned char *v = ps->p + e->val;
  size_t n = e->len;
  double d[6];
  int iv;
  switch (e->tag) {
    case 0x0020000Eu: copy_str(img->series_uid, sizeof img->series_uid, v, n); break;
    case 0x00080018u: copy_str(img->sop_uid, sizeof img->sop_uid, v, n); break;
    case 0x00080060u: copy_str(img->modality, sizeof img->modality, v, n); break;
    case 0x0008103Eu: copy_str(img->series_desc, sizeof img->series_desc, v, n); break;
    case 0x00280004u: copy_str(img->photometric, sizeof img->photometric, v, n); break;
    case 0x00280010u: if (us_value(ps, e, "US", &iv)) img->rows = iv; break;
    case 0x00280011u: if (us_value(ps, e, "US", &iv)) img->cols = iv; break;
    case 0x00280002u: if (us_value(ps, e, "US", &iv)) img->samples = iv; break;
    case 0x00280006u: if (us_value(ps, e, "US", &iv)) img->planar = iv; break;
    case 0x00280100u: if (us_value(ps, e, "US", &iv)) img->bits_alloc = iv; break;
    case 0x00280101u: if (us_value(ps, e, "US", &iv)) img->bits_stored = iv; break;
    case 0x00280102u: if (us_value(ps, e, "US", &iv)) img->high_bit = iv; break;
    case 0x00280103u: if (us_value(ps, e, "US", &iv)) img->pixel_rep = iv; break;
    case 0x00280008u: if (us_value(ps, e, "IS", &iv)) img->frames = iv; break;
    case 0x00200013u: if (us_value(ps, e, "IS", &iv)) img->instance = iv; break;
    case 0x00281053u: if (parse_ds(v, n, d, 1) == 1) img->slope = d[0]; break;
    case 0x00281052u: if (parse_ds(v, n, d, 1) == 1) img->inter = d[0]; break;
    case 0x00200032u:
      if (parse_ds(v, n, d, 3) == 3) {
        memcpy(img->ipp, d, sizeof img->ipp);
        img->has_ipp = 1;
      }
      break;
    case 0x00200037u:
      if (parse_ds(v, n, d, 6) == 6) {
        memcpy(img->iop, d, sizeof img->iop);
        img->has_iop = 1;
      }
      break;
    case 0x00280030u:
      if (parse_ds(v, n, d, 2) == 2) {
        img->spacing[0] = d[0];
        img->spacing[1] = d[1];
        img->has_spacing = 1;
      }
      break;
    case 0x00180088u:
      if (parse_ds(v, n, d, 1) == 1) {
        img->between = d[0];
        img->has_between = 1;
      }
      break;
    case 0x00180050u: if (parse_ds(v, n, d, 1) == 1) img->thickness = d[0]; break;
    case 0x00181120u: if (parse_ds(v, n, d, 1) == 1) img->gantry_tilt = d[0]; break;
    default: break;
  }
}

/* Parses the top level data set in [pos, end). */
static vt_status parse_dataset(parser *ps, size_t pos, size_t end, vt__dcm_image *img) {
  while (pos < end) {
    elem e;
    vt_status st = read_header(ps, pos, end, &e);
    if (st) return st;
    if (e.tag == 0xFFFCFFFCu) break; /* data set trailing padding */
    if ((e.tag >> 16) == 0xFFFE)
      return fail(ps, VT_EFORMAT, pos, "item tag (%04X,%04X) at the top level", e.tag >> 16, e.tag & 0xFFFF);
    if (e.tag == 0x7FE00010u) {
      img->has_pixels = 1;
      if (e.len == UNDEF) {
        img->encapsulated = 1;
        return read_fragments(ps, e.val, end, img);
      }
      img->pix_off = e.val;
      img->pix_len = e.len;
      pos = e.val + e.len;
      continue;
    }
    if (e.len == UNDEF) {
      int sq_ok = !ps->explicit_vr || !strcmp(e.vr, "SQ") || !strcmp(e.vr, "UN");
      if (!sq_ok)
        return fail(ps, VT_EFORMAT, pos, "element (%04X,%04X) VR %s has undefined length",
                    e.tag >> 16, e.tag & 0xFFFF, e.vr);
      st = skip_sq_undefined(ps, &e, end, 1, &pos);
      if (st) return st;
      continue;
    }
    if (ps->explicit_vr && !strcmp(e.vr, "SQ")) {
      st = skip_defined_sq(ps, e.val, e.val + e.len, 1);
      if (st) return st;
    } else {
      take_value(ps, &e, img);
    }
    pos = e.val + e.len;
  }
  return VT_OK;
}

/* Inflates a raw deflate stream (Deflated Explicit VR Little Endian). */
static vt_status inflate_rest(parser *ps, size_t pos, vt__dcm_image *img) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, -15) != Z_OK) return fail(ps, VT_ENOMEM, pos, "zlib inflateInit2 failed");
  size_t cap = (ps->len - pos) * 4 + 4096, n = 0;
  if (cap > VT_DCM_MAX_INFLATED) cap = VT_DCM_MAX_INFLATED;
  unsigned char *out = malloc(cap);
  if (!out) {
    inflateEnd(&zs);
    return fail(ps, VT_ENOMEM, pos, "out of memory");
  }
  zs.next_in = (Bytef *)(ps->p + pos);
  zs.avail_in = (uInt)(ps->len - pos);
  int rc;
  for (;;) {
    zs.next_out = out + n;
    zs.avail_out = (uInt)(cap - n);
    rc = inflate(&zs, Z_NO_FLUSH);
    n = cap - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
    if (zs.avail_out == 0) {
      if (cap >= VT_DCM_MAX_INFLATED) {
        rc = Z_MEM_ERROR;
        break;
      }
      size_t nc = cap * 2 > VT_DCM_MAX_INFLATED ? VT_DCM_MAX_INFLATED : cap * 2;
      unsigned char *nn = realloc(out, nc);
      if (!nn) {
        rc = Z_MEM_ERROR;
        break;
      }
      out = nn;
      cap = nc;
    } else if (zs.avail_in == 0) {
      rc = Z_DATA_ERROR;
      break;
    }
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    free(out);
    return fail(ps, rc == Z_MEM_ERROR ? VT_ELIMIT : VT_EFORMAT, pos,
                "deflated data set does not inflate (zlib %d%s)", rc,
                rc == Z_MEM_ERROR ? ": over 1 GiB or out of memory" : "");
  }
  img->owned = out;
  ps->base_off = pos;
  ps->p = out;
  ps->len = n;
  return VT_OK;
}

vt_status vt__dcm_parse(const unsigned char *data, size_t len, const char *name,
                        vt__dcm_image *img, vt_error *err) {
  memset(img, 0, sizeof *img);
  img->slope = 1.0;
  img->samples = 1;
  img->frames = 1;
  img->instance = 0;
  parser ps = {data, len, len, 0, 1, 0, 0, name, err};
  size_t pos = 0;
  if (len >= 132 && !memcmp(data + 128, "DICM", 4)) {
    pos = 132;
  } else if (len < 8) {
    return fail(&ps, VT_EFORMAT, 0, "not DICOM: %zu bytes", len);
  }
  /* File meta information: group 0002, always explicit VR little endian. */
  int have_meta = 0;
  while (pos + 8 <= len && data[pos] == 0x02 && data[pos + 1] == 0x00) {
    elem e;
    vt_status st = read_header(&ps, pos, len, &e);
    if (st) return st;
    if (e.len == UNDEF) return fail(&ps, VT_EFORMAT, pos, "file meta element with undefined length");
    if (e.tag == 0x00020010u) copy_str(img->ts_uid, sizeof img->ts_uid, data + e.val, e.len);
    have_meta = 1;
    pos = e.val + e.len;
  }
  if (!img->ts_uid[0]) {
    /* No meta header (or no TransferSyntaxUID): guess from the first element,
     * as dcmtk and pydicom do. */
    if (pos + 8 > len) return fail(&ps, VT_EFORMAT, pos, "no data set after the file meta information");
    uint16_t g_le = (uint16_t)(data[pos] | data[pos + 1] << 8);
    uint16_t g_be = (uint16_t)(data[pos] << 8 | data[pos + 1]);
    char vr[2] = {(char)data[pos + 4], (char)data[pos + 5]};
    int looks_explicit = valid_vr(vr);
    if (g_le > 0x00FF && g_be <= 0x00FF && looks_explicit)
      snprintf(img->ts_uid, sizeof img->ts_uid, "1.2.840.10008.1.2.2");
    else if (looks_explicit)
      snprintf(img->ts_uid, sizeof img->ts_uid, "1.2.840.10008.1.2.1");
    else
      snprintf(img->ts_uid, sizeof img->ts_uid, "1.2.840.10008.1.2");
    if (!have_meta && pos == 0 && g_le != 0x0008 && g_be != 0x0008 && g_le > 0x0010)
      return fail(&ps, VT_EFORMAT, 0, "not DICOM: no \"DICM\" marker and first group 0x%04X", g_le);
  }
  img->kind = ts_kind(img->ts_uid, &img->explicit_vr, &img->big_endian, &img->deflated);
  ps.explicit_vr = img->explicit_vr;
  ps.big_endian = img->big_endian;
  if (img->deflated) {
    vt_status st = inflate_rest(&ps, pos, img);
    if (st) return st;
    pos = 0;
  }
  vt_status st = parse_dataset(&ps, pos, ps.len, img);
  if (st) return st;
  img->base = ps.p;
  img->base_len = ps.len;
  return VT_OK;
}

void vt__dcm_image_free(vt__dcm_image *img) {
  if (!img) return;
  free(img->owned);
  free(img->frags);
  free(img->bot);
  img->owned = NULL;
  img->frags = NULL;
  img->bot = NULL;
}
