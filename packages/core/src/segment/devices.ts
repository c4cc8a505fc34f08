/**
 * Device resolution shared by every runtime: which devices a request means, the record of a
 * device that could not start, and the one error that lists them all. The table from device to
 * execution providers lives with each runtime. Depends on core's contracts and errors.
 */
import type { Device } from '../contracts.js';
import { UnsupportedDeviceError } from '../errors.js';

/** A device a model actually runs on: {@link Device} without `'auto'`. */
export type ConcreteDevice = Exclude<Device, 'auto'>;

/** Every value `device` takes, for messages and argument checks. */
export const DEVICES: readonly Device[] = Object.freeze(['auto', 'cuda', 'webgpu', 'wasm', 'cpu']);

/** A device that was tried and dropped, and why. */
export interface DeviceAttempt {
  /** The device tried. */
  device: ConcreteDevice;
  /** The execution providers asked for, in order (onnxruntime names, e.g. `['cuda']`). */
  providers: readonly string[];
  /** Why it could not start, in the runtime's words plus a hint where one helps. */
  reason: string;
}

/**
 * The devices to try for a request, in order: `'auto'` means every device the runtime serves, in
 * its order; any other device means itself.
 * @param fn - the calling function, for the message
 * @param requested - the device asked for
 * @param served - the devices this runtime has, in `'auto'` order (e.g. `['cuda', 'webgpu', 'cpu']`)
 * @param runtime - the runtime's name, for the message (e.g. `'onnxruntime-node'`)
 * @throws RangeError for a value that is no device at all
 * @throws UnsupportedDeviceError for a device this runtime does not have, naming the ones it has
 * @example
 * ```ts
 * devicesToTry('segment', 'auto', ['cuda', 'webgpu', 'cpu'], 'onnxruntime-node'); // ['cuda', 'webgpu', 'cpu']
 * devicesToTry('segment', 'wasm', ['cuda', 'webgpu', 'cpu'], 'onnxruntime-node'); // throws UNSUPPORTED_DEVICE
 * ```
 */
export function devicesToTry(
  fn: string,
  requested: Device,
  served: readonly ConcreteDevice[],
  runtime: string,
): ConcreteDevice[] {
  if (!DEVICES.includes(requested)) {
    throw new RangeError(
      `${fn}: device must be one of ${DEVICES.join(', ')}; got ${JSON.stringify(requested)}`,
    );
  }
  if (requested === 'auto') return [...served];
  if (!served.includes(requested)) {
    throw new UnsupportedDeviceError(
      `${fn}: device '${requested}' is not available on ${runtime}; it has ${served.join(', ')} ` +
        `(or 'auto', which tries them in that order)`,
    );
  }
  return [requested];
}

/**
 * The error for a request that no device could serve: it lists every attempt and its reason.
 * @param fn - the calling function
 * @param attempts - every device tried, in order
 * @example
 * ```ts
 * throw noDeviceStarted('segment', [{ device: 'cuda', providers: ['cuda'], reason: 'no GPU' }]);
 * ```
 */
export function noDeviceStarted(fn: string, attempts: readonly DeviceAttempt[]): UnsupportedDeviceError {
  const list = attempts
    .map((a) => `${a.device} (providers ${a.providers.join(', ')}): ${a.reason}`)
    .join('; ');
  return new UnsupportedDeviceError(
    `${fn}: no device could start; tried ${attempts.map((a) => a.device).join(', ')}: ${list}`,
  );
}
