/* dicom_jpeg_ll.c — JPEG lossless (ITU T.81 process 14, any predictor 1-7, SV1
 * included), written here because Debian 12's libjpeg-turbo 2.1 has no lossless
 * mode (it arrived in 3.0). Bounds-checked: every marker length and every bit
 * read stays inside the fragment. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/dicom.h"

typedef struct huff {
  int present;
  uint16_t maxcode[18];
  int32_t valptr[17];
  uint16_t mincode[17];
  uint8_t vals[256];
} huff;

typedef struct bits {
  const unsigned char *p;
  size_t len, pos;
  uint32_t acc;
  int n;
  int marker; /* hit a marker: further bits read as zero */
} bits;

static int fill(bits *b) {
  while (b->n <= 24) {
    unsigned v = 0;
    if (!b->marker && b->pos < b->len) {
      v = b->p[b->pos];
      if (v == 0xFF) {
        unsigned nx = b->pos + 1 < b->len ? b->p[b->pos + 1] : 0xD9;
        if (nx == 0x00) {
          b->pos += 2;
        } else {
          b->marker = 1;
          v = 0;
        }
      } else {
        b->pos++;
      }
    }
    b->acc |= v << (24 - b->n);
    b->n += 8;
  }
  return 0;
}
static unsigned getbits(bits *b, int k) {
  if (!k) return 0;
  if (b->n < k) fill(b);
  unsigned v = b->acc >> (32 - k);
  b->acc <<= k;
  b->n -= k;
  return v;
}
static int decode_sym(bits *b, const huff *h) {
  int code = 0;
  for (int l = 1; l <= 16; l++) {
    code = (code << 1) | (int)getbits(b, 1);
    if (h->maxcode[l] != 0xFFFF && code <= h->maxcode[l] && code >= h->mincode[l])
      return h->vals[h->valptr[l] + code - h->mincode[l]];
  }
  return -1;
}

static void build_huff(huff *h, const uint8_t counts[16]) {
  int code = 0, k = 0;
  for (int l = 1; l <= 16; l++) {
    h->valptr[l] = k;
    h->mincode[l] = (uint16_t)code;
    code += counts[l - 1];
    k += counts[l - 1];
    h->maxcode[l] = counts[l - 1] ? (uint16_t)(code - 1) : 0xFFFF;
    code <<= 1;
  }
  h->present = 1;
}

vt_status vt__dcm_jpeg_ll_decode(const unsigned char *src, size_t len, const vt__dcm_image *img,
                                 int32_t *dst, const char *name, vt_error *err) {
  huff tabs[4];
  memset(tabs, 0, sizeof tabs);
  int prec = 0, w = 0, h = 0, nc = 0, restart = 0;
  int comp_id[4] = {0}, comp_tab[4] = {0};
  size_t pos = 0;
  if (len < 4 || src[0] != 0xFF || src[1] != 0xD8)
    return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: no SOI marker");
  pos = 2;
  for (;;) {
    while (pos < len && src[pos] != 0xFF) pos++;
    while (pos < len && src[pos] == 0xFF) pos++;
    if (pos >= len) return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: no SOS before end of data");
    int m = src[pos++];
    if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) continue;
    if (m == 0xD9) return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: EOI before SOS");
    if (len - pos < 2) return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: marker 0x%02X truncated", m);
    size_t L = (size_t)src[pos] << 8 | src[pos + 1];
    if (L < 2 || L > len - pos)
      return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: marker 0x%02X length %zu past end (%zu left)", m, L,
                          len - pos);
    const unsigned char *q = src + pos + 2;
    size_t ql = L - 2;
    if (m == 0xC3) {
      if (ql < 6) return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: SOF3 too short");
      prec = q[0];
      h = q[1] << 8 | q[2];
      w = q[3] << 8 | q[4];
      nc = q[5];
      if (nc < 1 || nc > 4 || ql < 6 + 3 * (size_t)nc || prec < 2 || prec > 16)
        return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: bad SOF3 (precision %d, %d components)", prec, nc);
      for (int i = 0; i < nc; i++) {
        comp_id[i] = q[6 + 3 * i];
        if (q[7 + 3 * i] != 0x11)
          return vt_error_set(err, VT_EUNSUPPORTED, name, "JPEG lossless: subsampled components");
      }
    } else if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
      return vt_error_set(err, VT_EUNSUPPORTED, name, "JPEG lossless: frame type SOF%d is not process 14", m - 0xC0);
    } else if (m == 0xC4) {
      size_t o = 0;
      while (o < ql) {
        if (ql - o < 17) return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: DHT truncated");
        int id = q[o] & 0x0F;
        if (id > 3) return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: DHT table id %d", id);
        size_t total = 0;
        for (int i = 0; i < 16; i++) total += q[o + 1 + i];
        if (total > 256 || ql - o - 17 < total)
          return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: DHT with %zu codes truncated", total);
        build_huff(&tabs[id], q + o + 1);
        memcpy(tabs[id].vals, q + o + 17, total);
        o += 17 + total;
      }
    } else if (m == 0xDD) {
      if (ql < 2) return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: DRI too short");
      restart = q[0] << 8 | q[1];
    } else if (m == 0xDA) {
      if (!prec) return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: SOS before SOF3");
      if (ql < 1 || q[0] != nc || ql < 1 + 2 * (size_t)nc + 3)
        return vt_error_set(err, VT_EUNSUPPORTED, name, "JPEG lossless: scan does not hold all %d components", nc);
      for (int i = 0; i < nc; i++) {
        int cid = q[1 + 2 * i], t = q[2 + 2 * i] >> 4;
        if (cid != comp_id[i] || t > 3 || !tabs[t].present)
          return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: component %d has no Huffman table", i);
        comp_tab[i] = t;
      }
      int pred = q[1 + 2 * nc], pt = q[3 + 2 * nc] & 0x0F;
      if (pred < 1 || pred > 7)
        return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: predictor %d (1..7)", pred);
      if (w != img->cols || h != img->rows || nc != img->samples)
        return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: frame %dx%dx%d, header says %dx%dx%d", w, h, nc,
                            img->cols, img->rows, img->samples);
      bits b = {src, len, pos + L, 0, 0, 0};
      int32_t mask = prec >= 32 ? -1 : (int32_t)((1u << prec) - 1u);
      size_t n = 0, total = (size_t)w * h;
      int since_restart = 0, row_start = 1, line0 = 0;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++, n++) {
          if (restart && since_restart == restart) {
            /* byte-align, skip the RSTn marker, reset prediction */
            b.acc = 0;
            b.n = 0;
            if (b.marker && b.pos + 1 < len && src[b.pos] == 0xFF && src[b.pos + 1] >= 0xD0 && src[b.pos + 1] <= 0xD7) {
              b.pos += 2;
              b.marker = 0;
            } else if (!b.marker) {
              while (b.pos + 1 < len && !(src[b.pos] == 0xFF && src[b.pos + 1] >= 0xD0 && src[b.pos + 1] <= 0xD7)) b.pos++;
              if (b.pos + 1 < len) b.pos += 2;
            }
            since_restart = 0;
            row_start = 1;
            line0 = y;
          }
          since_restart++;
          for (int c = 0; c < nc; c++) {
            int s = decode_sym(&b, &tabs[comp_tab[c]]);
            if (s < 0 || s > 16)
              return vt_error_set(err, VT_EFORMAT, name, "JPEG lossless: bad Huffman code at pixel %zu of %zu", n, total);
            int32_t diff;
            if (s == 16) {
              diff = 32768;
            } else {
              int32_t v = (int32_t)getbits(&b, s);
              diff = (s && v < (1 << (s - 1))) ? v - (1 << s) + 1 : v;
            }
            int32_t px;
            size_t i = n * nc + c;
            if (row_start) {
              px = 1 << (prec - pt - 1);
            } else if (y == line0 && x > 0) {
              px = dst[i - nc]; /* first line of a scan or restart interval: Ra */
            } else if (x == 0) {
              px = dst[i - (size_t)w * nc]; /* first column: Rb */
            } else {
              int32_t ra = dst[i - nc], rb = dst[i - (size_t)w * nc], rc = dst[i - (size_t)w * nc - nc];
              switch (pred) {
                case 1: px = ra; break;
                case 2: px = rb; break;
                case 3: px = rc; break;
                case 4: px = ra + rb - rc; break;
                case 5: px = ra + ((rb - rc) >> 1); break;
                case 6: px = rb + ((ra - rc) >> 1); break;
                default: px = (ra + rb) / 2; break;
              }
            }
            dst[i] = (px + diff) & mask;
          }
          row_start = 0;
        }
      }
      /* point transform and sign */
      for (size_t i = 0; i < total * nc; i++) {
        uint32_t v = (uint32_t)dst[i] << pt;
        int bitsn = img->bits_stored;
        if (img->pixel_rep && bitsn < 32 && (v >> (bitsn - 1)) & 1u)
          dst[i] = (int32_t)v - (int32_t)(1u << bitsn);
        else
          dst[i] = (int32_t)v;
      }
      return VT_OK;
    }
    pos += L;
  }
}
