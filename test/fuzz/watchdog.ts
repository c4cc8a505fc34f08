/**
 * A hang guard for synchronous code. readNifti runs to completion on the thread that calls it, so
 * no timer on that thread can interrupt it; this watchdog lives on a worker thread and watches a
 * heartbeat in shared memory. When one case runs past the limit it writes the case's label (seed,
 * case number, mutations) to stderr and kills the process, so that a hang fails the test run with
 * a replayable case instead of stalling CI. In `report` mode (for testing the watchdog) it only
 * records that it fired.
 */
import { Worker } from 'node:worker_threads';

/** Options of {@link Watchdog}. */
export interface WatchdogOptions {
  /** How long one case may run before it counts as a hang, in ms, unless {@link Watchdog.start} says. */
  limitMs: number;
  /** `kill`: print the label and kill the process (the fuzz run); `report`: only record it. */
  onHang: 'kill' | 'report';
  /** How often the worker looks, in ms. @defaultValue 50 */
  pollMs?: number;
}

const LABEL_BYTES = 8192;
/** Slots of the shared state: a case is running; the label's length; the watchdog fired. */
const ACTIVE = 0;
const LENGTH = 1;
const FIRED = 2;

// The worker's code: plain CommonJS, so that it runs without a TypeScript loader.
const WORKER_CODE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { state, clock, label, limitMs, kill, pollMs } = workerData;
setInterval(() => {
  if (Atomics.load(state, ${ACTIVE}) !== 1 || Atomics.load(state, ${FIRED}) === 1) return;
  const elapsed = Date.now() - clock[0];
  const limit = clock[1] > 0 ? clock[1] : limitMs;
  if (elapsed <= limit) return;
  Atomics.store(state, ${FIRED}, 1);
  if (!kill) return;
  const text = new TextDecoder().decode(label.slice(0, Atomics.load(state, ${LENGTH})));
  writeSync(2, '\\nnifti fuzz: HANG: a case has run for ' + elapsed + ' ms (limit ' + limit + ' ms); killing the test process.\\n' + text + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, pollMs);
`;

/** Watches cases run on the calling thread; see the file comment. */
export class Watchdog {
  private readonly state = new Int32Array(new SharedArrayBuffer(3 * 4));
  /** When the running case started (ms since the epoch), and its own limit (0: the default). */
  private readonly clock = new Float64Array(new SharedArrayBuffer(2 * 8));
  private readonly label = new Uint8Array(new SharedArrayBuffer(LABEL_BYTES));
  private readonly worker: Worker;
  private lastLabel = '';

  /** Starts the worker thread; {@link close} ends it. */
  constructor(options: WatchdogOptions) {
    this.worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: {
        state: this.state,
        clock: this.clock,
        label: this.label,
        limitMs: options.limitMs,
        kill: options.onHang === 'kill',
        pollMs: options.pollMs ?? 50,
      },
    });
    this.worker.unref();
  }

  /** A case starts: `label` is what the watchdog prints if it hangs; `limitMs` overrides the default. */
  start(label: string, limitMs = 0): void {
    const encoded = new TextEncoder().encode(label).subarray(0, LABEL_BYTES);
    this.label.set(encoded);
    Atomics.store(this.state, LENGTH, encoded.length);
    this.clock[0] = Date.now();
    this.clock[1] = limitMs;
    this.lastLabel = label;
    Atomics.store(this.state, ACTIVE, 1);
  }

  /** The case ended. */
  stop(): void {
    Atomics.store(this.state, ACTIVE, 0);
  }

  /** In `report` mode: the label of the case that ran past the limit, or `null`. */
  fired(): string | null {
    return Atomics.load(this.state, FIRED) === 1 ? this.lastLabel : null;
  }

  /** Ends the worker thread. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
