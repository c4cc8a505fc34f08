/*
 * The bindings of hadnet's native training kernels, registered by addon.c.
 * May depend on: Node-API (node_api.h).
 */
#ifndef HADNET_ADDON_H
#define HADNET_ADDON_H

#include <node_api.h>

/* conv3d(kind, out, p, q, geometry): conv3d.c */
napi_value hadnetConv3d(napi_env env, napi_callback_info info);

/* matmul(out, a, b, geometry): matmul.c */
napi_value hadnetMatmul(napi_env env, napi_callback_info info);

#endif
