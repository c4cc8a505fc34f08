/*
 * hadnet's native 3D convolution kernels for tfjs' cpu backend: im2col over a slab of output
 * voxels, then one SGEMM (OpenBLAS, multi-threaded) per slab. Every tensor is NDHWC
 * ([batch, depth, height, width, channels]) and every filter [kd, kh, kw, inChannels,
 * outChannels], tfjs' layouts, so a slab's column matrix is [voxels, kd*kh*kw*inChannels] and the
 * filter is already the [K, outChannels] matrix the product needs.
 *
 *   forward:         y[m, :]  = col[m, :] . W
 *   filter gradient: dW      += col^T . dy[m, :]          (summed over slabs and the batch)
 *   input gradient:  dcol     = dy[m, :] . W^T, then scattered back onto dx (col2im)
 *
 * Padding is explicit (front, top, left); the back, bottom and right padding follow from the
 * output extent, so tfjs' asymmetric 'same' padding is served exactly. Dilation is 1.
 * May depend on: Node-API (node_api.h), CBLAS.
 */
#include "addon.h"

#include <cblas.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The geometry of one convolution, unpacked from the Int32Array the binding receives. */
typedef struct {
  int batch, id, ih, iw, ci;
  int kd, kh, kw, co;
  int od, oh, ow;
  int sd, sh, sw;
  int pd, ph, pw;
} Geometry;

enum { GEOMETRY_FIELDS = 18 };

/* Column buffers are kept at or below this many floats (64 MiB). */
static const size_t SLAB_FLOATS = (size_t)16 << 20;

static size_t slabRows(const Geometry *g) {
  size_t k = (size_t)g->kd * g->kh * g->kw * g->ci;
  size_t rows = SLAB_FLOATS / (k > 0 ? k : 1);
  size_t voxels = (size_t)g->od * g->oh * g->ow;
  if (rows < 1) rows = 1;
  return rows < voxels ? rows : voxels;
}

/* Fills col[r, :] for the output voxels m0 .. m0 + rows - 1 of one sample. */
static void im2col(const Geometry *g, const float *x, float *col, size_t m0, size_t rows) {
  const size_t k = (size_t)g->kd * g->kh * g->kw * g->ci;
  const size_t rowLength = (size_t)g->kw * g->ci;
  for (size_t r = 0; r < rows; r++) {
    size_t m = m0 + r;
    int ow = (int)(m % g->ow);
    int oh = (int)((m / g->ow) % g->oh);
    int od = (int)(m / ((size_t)g->ow * g->oh));
    float *dst = col + r * k;
    int x0 = ow * g->sw - g->pw;
    for (int a = 0; a < g->kd; a++) {
      int z = od * g->sd - g->pd + a;
      for (int b = 0; b < g->kh; b++, dst += rowLength) {
        int y = oh * g->sh - g->ph + b;
        if (z < 0 || z >= g->id || y < 0 || y >= g->ih) {
          memset(dst, 0, rowLength * sizeof(float));
          continue;
        }
        const float *src = x + (((size_t)z * g->ih + y) * g->iw) * g->ci;
        if (x0 >= 0 && x0 + g->kw <= g->iw) {
          memcpy(dst, src + (size_t)x0 * g->ci, rowLength * sizeof(float));
          continue;
        }
        for (int c = 0; c < g->kw; c++) {
          int xx = x0 + c;
          float *d = dst + (size_t)c * g->ci;
          if (xx < 0 || xx >= g->iw) memset(d, 0, g->ci * sizeof(float));
          else memcpy(d, src + (size_t)xx * g->ci, g->ci * sizeof(float));
        }
      }
    }
  }
}

/* Adds col[r, :] back onto dx for the output voxels m0 .. m0 + rows - 1 of one sample. */
static void col2im(const Geometry *g, const float *col, float *dx, size_t m0, size_t rows) {
  const size_t k = (size_t)g->kd * g->kh * g->kw * g->ci;
  for (size_t r = 0; r < rows; r++) {
    size_t m = m0 + r;
    int ow = (int)(m % g->ow);
    int oh = (int)((m / g->ow) % g->oh);
    int od = (int)(m / ((size_t)g->ow * g->oh));
    const float *src = col + r * k;
    int x0 = ow * g->sw - g->pw;
    for (int a = 0; a < g->kd; a++) {
      int z = od * g->sd - g->pd + a;
      for (int b = 0; b < g->kh; b++) {
        int y = oh * g->sh - g->ph + b;
        const float *s = src + ((size_t)a * g->kh + b) * g->kw * g->ci;
        if (z < 0 || z >= g->id || y < 0 || y >= g->ih) continue;
        float *row = dx + (((size_t)z * g->ih + y) * g->iw) * g->ci;
        for (int c = 0; c < g->kw; c++) {
          int xx = x0 + c;
          if (xx < 0 || xx >= g->iw) continue;
          float *d = row + (size_t)xx * g->ci;
          const float *sc = s + (size_t)c * g->ci;
          for (int ch = 0; ch < g->ci; ch++) d[ch] += sc[ch];
        }
      }
    }
  }
}

/* kind 0: y = conv(x, w); kind 1: dx from (dy, w); kind 2: dw from (x, dy). */
static int run(int kind, const Geometry *g, float *out, const float *p, const float *q) {
  const size_t k = (size_t)g->kd * g->kh * g->kw * g->ci;
  const size_t inVoxels = (size_t)g->id * g->ih * g->iw;
  const size_t outVoxels = (size_t)g->od * g->oh * g->ow;
  const size_t slab = slabRows(g);
  float *col = (float *)malloc(slab * k * sizeof(float));
  if (col == NULL) return 0;
  if (kind == 1) memset(out, 0, (size_t)g->batch * inVoxels * g->ci * sizeof(float));
  int first = 1;
  for (int n = 0; n < g->batch; n++) {
    for (size_t m0 = 0; m0 < outVoxels; m0 += slab) {
      size_t rows = outVoxels - m0 < slab ? outVoxels - m0 : slab;
      if (kind == 0) {
        const float *x = p + (size_t)n * inVoxels * g->ci;
        float *y = out + ((size_t)n * outVoxels + m0) * g->co;
        im2col(g, x, col, m0, rows);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, g->co, (int)k, 1.0f, col, (int)k, q,
                    g->co, 0.0f, y, g->co);
      } else if (kind == 1) {
        const float *dy = p + ((size_t)n * outVoxels + m0) * g->co;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)k, g->co, 1.0f, dy, g->co, q, g->co,
                    0.0f, col, (int)k);
        col2im(g, col, out + (size_t)n * inVoxels * g->ci, m0, rows);
      } else {
        const float *x = p + (size_t)n * inVoxels * g->ci;
        const float *dy = q + ((size_t)n * outVoxels + m0) * g->co;
        im2col(g, x, col, m0, rows);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, g->co, (int)rows, 1.0f, col, (int)k, dy, g->co,
                    first ? 0.0f : 1.0f, out, g->co);
        first = 0;
      }
    }
  }
  if (kind == 2 && first) memset(out, 0, k * g->co * sizeof(float));
  free(col);
  return 1;
}

static int floatArray(napi_env env, napi_value value, float **data, size_t *length) {
  napi_typedarray_type type;
  void *raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok) return 0;
  if (type != napi_float32_array) return 0;
  *data = (float *)raw;
  return 1;
}

/* conv3d(kind, out, p, q, geometry): see run(); every array a Float32Array except geometry
 * (Int32Array of GEOMETRY_FIELDS values in Geometry's order). Lengths are checked. */
napi_value hadnetConv3d(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 5) {
    napi_throw_type_error(env, NULL, "conv3d: expected (kind, out, p, q, geometry)");
    return NULL;
  }
  int32_t kind;
  if (napi_get_value_int32(env, argv[0], &kind) != napi_ok || kind < 0 || kind > 2) {
    napi_throw_range_error(env, NULL, "conv3d: kind must be 0, 1 or 2");
    return NULL;
  }
  napi_typedarray_type type;
  size_t fields;
  void *raw;
  if (napi_get_typedarray_info(env, argv[4], &type, &fields, &raw, NULL, NULL) != napi_ok ||
      type != napi_int32_array || fields != GEOMETRY_FIELDS) {
    napi_throw_type_error(env, NULL, "conv3d: geometry must be an Int32Array of 18 values");
    return NULL;
  }
  Geometry g;
  memcpy(&g, raw, sizeof(g));
  float *out, *p, *q;
  size_t outLength, pLength, qLength;
  if (!floatArray(env, argv[1], &out, &outLength) || !floatArray(env, argv[2], &p, &pLength) ||
      !floatArray(env, argv[3], &q, &qLength)) {
    napi_throw_type_error(env, NULL, "conv3d: out, p and q must be Float32Arrays");
    return NULL;
  }
  size_t xLength = (size_t)g.batch * g.id * g.ih * g.iw * g.ci;
  size_t yLength = (size_t)g.batch * g.od * g.oh * g.ow * g.co;
  size_t wLength = (size_t)g.kd * g.kh * g.kw * g.ci * g.co;
  size_t expected[3][3] = {{yLength, xLength, wLength}, {xLength, yLength, wLength}, {wLength, xLength, yLength}};
  if (outLength != expected[kind][0] || pLength != expected[kind][1] || qLength != expected[kind][2]) {
    napi_throw_range_error(env, NULL, "conv3d: array lengths do not match the geometry");
    return NULL;
  }
  if (!run(kind, &g, out, p, q)) {
    napi_throw_error(env, NULL, "conv3d: out of memory for the column buffer");
    return NULL;
  }
  return NULL;
}
