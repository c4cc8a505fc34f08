/*
 * hadnet's native training kernels for tfjs' cpu backend: the module's entry point.
 * Exports conv3d (conv3d.c), matmul (matmul.c) and setThreads (OpenBLAS's thread count).
 * May depend on: Node-API (node_api.h), OpenBLAS.
 */
#include "addon.h"

#include <cblas.h>

/* setThreads(n): the number of threads OpenBLAS uses. */
static napi_value setThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_range_error(env, NULL, "setThreads: expected a positive integer");
    return NULL;
  }
  openblas_set_num_threads(n);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"conv3d", NULL, hadnetConv3d, NULL, NULL, NULL, napi_default, NULL},
      {"matmul", NULL, hadnetMatmul, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, setThreads, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
