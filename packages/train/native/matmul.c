/*
 * Batched matrix products for tfjs' BatchMatMul on the cpu backend, through OpenBLAS SGEMM:
 * out[i] = op(a[i]) . op(b[i]) for i < batch, row-major, op a transpose where asked. A batch of
 * 1 on one side is shared by every product (tfjs' broadcast of the batch axis).
 * May depend on: Node-API (node_api.h), CBLAS.
 */
#include "addon.h"

#include <cblas.h>
#include <stdint.h>
#include <string.h>

/* geometry: batchA, batchB, m, k, n, transposeA, transposeB (op(a) is m x k, op(b) k x n). */
enum { MATMUL_FIELDS = 7 };

static int floatArray(napi_env env, napi_value value, float **data, size_t *length) {
  napi_typedarray_type type;
  void *raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok) return 0;
  if (type != napi_float32_array) return 0;
  *data = (float *)raw;
  return 1;
}

napi_value hadnetMatmul(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type type;
  size_t fields;
  void *raw;
  if (argc != 4 || napi_get_typedarray_info(env, argv[3], &type, &fields, &raw, NULL, NULL) != napi_ok ||
      type != napi_int32_array || fields != MATMUL_FIELDS) {
    napi_throw_type_error(env, NULL, "matmul: expected (out, a, b, geometry: Int32Array of 7 values)");
    return NULL;
  }
  int32_t g[MATMUL_FIELDS];
  memcpy(g, raw, sizeof(g));
  const int batchA = g[0], batchB = g[1], m = g[2], k = g[3], n = g[4], ta = g[5], tb = g[6];
  const int batch = batchA > batchB ? batchA : batchB;
  float *out, *a, *b;
  size_t outLength, aLength, bLength;
  if (!floatArray(env, argv[0], &out, &outLength) || !floatArray(env, argv[1], &a, &aLength) ||
      !floatArray(env, argv[2], &b, &bLength)) {
    napi_throw_type_error(env, NULL, "matmul: out, a and b must be Float32Arrays");
    return NULL;
  }
  if ((batchA != batch && batchA != 1) || (batchB != batch && batchB != 1) ||
      outLength != (size_t)batch * m * n || aLength != (size_t)batchA * m * k || bLength != (size_t)batchB * k * n) {
    napi_throw_range_error(env, NULL, "matmul: array lengths do not match the geometry");
    return NULL;
  }
  for (int i = 0; i < batch; i++) {
    const float *ai = a + (batchA == 1 ? 0 : (size_t)i * m * k);
    const float *bi = b + (batchB == 1 ? 0 : (size_t)i * k * n);
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, ai,
                ta ? m : k, bi, tb ? k : n, 0.0f, out + (size_t)i * m * n, n);
  }
  return NULL;
}
