/** Compares two run folders' last checkpoints and logs, bit for bit where it must be. */
import { expect } from 'vitest';
import { loadCheckpoint } from '../src/run/checkpoint.js';
import { readLog } from '../src/run/log.js';

/** Expects equal weights, optimizer states, RNG state, step, best and log (but for wall times). */
export async function expectSameRun(a: string, b: string): Promise<void> {
  const [x, y] = [await loadCheckpoint(a, 'last'), await loadCheckpoint(b, 'last')];
  const { savedAt: _x, ...stateX } = x.state;
  const { savedAt: _y, ...stateY } = y.state;
  expect(stateY).toEqual(stateX);
  for (const [name, arrays] of Object.entries(x.networks)) {
    const other = y.networks[name];
    expect(other.map((t) => t.name)).toEqual(arrays.map((t) => t.name));
    // bit for bit: equal float32 arrays, value by value
    arrays.forEach((t, i) =>
      expect(Buffer.from(other[i].data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true),
    );
  }
  for (const [name, state] of Object.entries(x.optimizers)) {
    expect(y.optimizers[name].step).toBe(state.step);
    state.moments.forEach((t, i) =>
      expect(Buffer.from(y.optimizers[name].moments[i].data.buffer).equals(Buffer.from(t.data.buffer))).toBe(
        true,
      ),
    );
  }
  const strip = (entries: Awaited<ReturnType<typeof readLog>>) =>
    entries.map(({ seconds: _s, ...rest }) => rest);
  expect(strip(await readLog(b))).toEqual(strip(await readLog(a)));
}
