/**
 * Training-step benchmark (issue "training compute"): milliseconds per step on stock tfjs-cpu and
 * on hadnet's fast kernels, their ratio, and where each step's time goes (tfjs' profiler, summed
 * per kernel), in one run. One step of each case and path is timed; the fast path runs one
 * untimed warm-up step first (the stock steps last long enough for JIT warm-up not to matter).
 * Wall time and this process's CPU time are both reported: on a machine shared with other work
 * the wall time swings with the load, the CPU time much less (with OPENBLAS_NUM_THREADS=1 both
 * paths run on one thread, so CPU time is what an idle core would take).
 *
 * Cases:
 * - `twoconv`: `[1, 64, 64, 64, 4]` through two 3x3x3 'same' convolutions to 16 channels,
 *   forward and backward (gradients of the mean square of the output for the input and both
 *   filters).
 * - `tiny`, `small`: one HAD-Net distillation step of the preset: teacher forward (dropout on, no
 *   gradient), student forward and backward with the distillation loss and an Adam update,
 *   discriminator forward (teacher and student) and backward with an Adam update.
 *
 * Usage: npm run bench:train -- [--cases twoconv,tiny,small] [--paths stock,fast] [--top 12]
 *   [--json FILE]
 * The JSON holds `{ machine, date, train: { stockMs, fastMs, ratio, perOp }, cases: [...] }`, where
 * `train` is the `small` case when it ran (../shared/CONTRACTS.md, `npm run bench`).
 */
import { writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import {
  Discriminator,
  Generator,
  disableFastKernels,
  discriminatorLoss,
  disposeGeneratorOutput,
  enableFastKernels,
  getPreset,
  keepGeneratorOutput,
  setupTrainingBackend,
  studentDistillationLoss,
  type GeneratorOutput,
} from '../packages/train/src/index.js';

type Path = 'stock' | 'fast';
const CASES = ['twoconv', 'tiny', 'small'] as const;
type CaseName = (typeof CASES)[number];

interface PathResult {
  /** Wall-clock milliseconds. */
  ms: number;
  /** CPU milliseconds of this process (user + system): steadier than wall time on a shared machine. */
  cpuMs: number;
  loss: number;
  perOp: Record<string, number>;
}

interface CaseResult {
  name: CaseName;
  stock?: PathResult;
  fast?: PathResult;
  ratio?: number;
  ratioCpu?: number;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** One case: builds its tensors once and returns a step that gives the loss it computed. */
interface Bench {
  step(): number;
  dispose(): void;
}

function twoConvBench(): Bench {
  const x = tf.randomNormal([1, 64, 64, 64, 4], 0, 1, 'float32', 1) as tf.Tensor5D;
  const w1 = tf.randomNormal([3, 3, 3, 4, 16], 0, 0.2, 'float32', 2) as tf.Tensor5D;
  const w2 = tf.randomNormal([3, 3, 3, 16, 16], 0, 0.1, 'float32', 3) as tf.Tensor5D;
  const loss = (a: tf.Tensor5D, b: tf.Tensor5D, c: tf.Tensor5D): tf.Scalar =>
    tf.mean(tf.square(tf.conv3d(tf.conv3d(a, b, 1, 'same'), c, 1, 'same')));
  const gradients = tf.valueAndGrads(loss as (...args: tf.Tensor[]) => tf.Scalar);
  return {
    step: () => {
      const { value, grads } = gradients([x, w1, w2]);
      const result = value.dataSync()[0];
      tf.dispose([value, ...grads]);
      return result;
    },
    dispose: () => tf.dispose([x, w1, w2]),
  };
}

function distillationBench(presetName: 'tiny' | 'small'): Bench {
  const preset = getPreset(presetName);
  const shape = [1, ...preset.inputShape] as const;
  const teacher = new Generator({ inputChannels: 4, k: preset.k, seed: 1 });
  const student = new Generator({ inputChannels: 3, k: preset.k, seed: 2 });
  const discriminator = new Discriminator({ k: preset.k, width: preset.discriminatorWidth, seed: 3 });
  const teacherImages = tf.randomNormal([...shape, 4], 0, 1, 'float32', 4) as tf.Tensor5D;
  const studentImages = tf.slice(teacherImages, [0, 0, 0, 0, 0], [...shape, 3]) as tf.Tensor5D;
  const labels = tf.cast(tf.floor(tf.randomUniform([...shape], 0, 4, 'float32', 5)), 'int32');
  const studentOptimizer = tf.train.adam(1e-4);
  const discriminatorOptimizer = tf.train.adam(1e-4);
  let seed = 0;
  return {
    step: () => {
      seed += 1;

      // the frozen teacher: dropout on, no gradient
      const teacherOut = keepGeneratorOutput(teacher.apply(teacherImages, { keepDropout: true, seed }));

      // the student against the labels and the discriminator, kept for the discriminator's step
      let studentOut: GeneratorOutput | undefined;
      const studentLoss = studentOptimizer.minimize(
        () => {
          const out = student.apply(studentImages, { training: true, seed });
          studentOut = keepGeneratorOutput(out);
          const fakeScores = discriminator.apply(out.logits, studentImages, out.features);
          return studentDistillationLoss({ logits: out.logits, labels, fakeScores });
        },
        true,
        student.trainableVariables(),
      );

      // the discriminator on the teacher (real) and the student (fake)
      const fake = studentOut as GeneratorOutput;
      const discriminatorCost = discriminatorOptimizer.minimize(
        () =>
          discriminatorLoss(
            discriminator.apply(teacherOut.logits, studentImages, teacherOut.features),
            discriminator.apply(fake.logits, studentImages, fake.features),
          ),
        true,
        discriminator.trainableVariables(),
      );
      const result =
        (studentLoss as tf.Scalar).dataSync()[0] + (discriminatorCost as tf.Scalar).dataSync()[0];
      tf.dispose([studentLoss as tf.Scalar, discriminatorCost as tf.Scalar]);
      disposeGeneratorOutput(teacherOut);
      disposeGeneratorOutput(fake);
      return result;
    },
    dispose: () => {
      tf.dispose([teacherImages, studentImages, labels]);
      for (const net of [teacher.parameters, student.parameters, discriminator.parameters]) {
        tf.dispose(net.variables());
      }
      studentOptimizer.dispose();
      discriminatorOptimizer.dispose();
    },
  };
}

/** Runs one profiled step: wall-clock milliseconds and milliseconds per kernel name. */
async function profiledStep(bench: Bench): Promise<PathResult> {
  let loss = Number.NaN;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const profile = await tf.profile(() => {
    loss = bench.step();
  });
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const perOp: Record<string, number> = {};
  for (const kernel of profile.kernels) {
    // scopes (customGrad, named ops) nest kernels that are counted on their own
    if (!tf.getKernel(kernel.name, 'cpu')) continue;
    const time = await kernel.kernelTimeMs;
    const value = typeof time === 'number' ? time : 0;
    perOp[kernel.name] = (perOp[kernel.name] ?? 0) + value;
  }
  return { ms, cpuMs, loss, perOp };
}

function formatBreakdown(result: PathResult, top: number): string {
  const entries = Object.entries(result.perOp).sort((a, b) => b[1] - a[1]);
  const kernelsMs = entries.reduce((sum, [, ms]) => sum + ms, 0);
  const lines = entries
    .slice(0, top)
    .map(
      ([name, ms]) =>
        `      ${name.padEnd(26)} ${ms.toFixed(0).padStart(9)} ms ${((100 * ms) / result.ms).toFixed(1).padStart(5)} %`,
    );
  const rest = entries.slice(top).reduce((sum, [, ms]) => sum + ms, 0);
  lines.push(`      ${'(other kernels)'.padEnd(26)} ${rest.toFixed(0).padStart(9)} ms`);
  lines.push(`      ${'(outside kernels)'.padEnd(26)} ${(result.ms - kernelsMs).toFixed(0).padStart(9)} ms`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const cases = (option('cases') ?? CASES.join(',')).split(',') as CaseName[];
  const paths = (option('paths') ?? 'stock,fast').split(',') as Path[];
  const top = Number(option('top') ?? 12);
  const jsonFile = option('json');
  for (const c of cases) if (!CASES.includes(c)) throw new RangeError(`--cases: unknown case '${c}'`);

  const info = await setupTrainingBackend({ backend: 'cpu' });
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}, tfjs ${tf.version_core} (${info.backend})`;
  console.log(`machine: ${machine}`);
  console.log(`date: ${new Date().toISOString()}`);
  const threads = process.env.OPENBLAS_NUM_THREADS ?? 'OpenBLAS default (one per core)';
  console.log(`OpenBLAS threads: ${threads}; load average at start ${os.loadavg()[0].toFixed(1)}`);

  const results: CaseResult[] = [];
  for (const name of cases) {
    const bench = name === 'twoconv' ? twoConvBench() : distillationBench(name);
    const result: CaseResult = { name };
    for (const path of paths) {
      if (path === 'fast') {
        const fast = enableFastKernels();
        for (const reason of fast.skipped) console.log(`  fast path: skipped ${reason}`);
        bench.step();
      } else {
        disableFastKernels();
      }
      result[path] = await profiledStep(bench);
      disableFastKernels();
      const r = result[path] as PathResult;
      console.log(
        `${name} ${path}: ${r.ms.toFixed(0)} ms per step, ${r.cpuMs.toFixed(0)} ms CPU ` +
          `(loss ${r.loss.toPrecision(6)}; load average ${os.loadavg()[0].toFixed(1)})`,
      );
      console.log(formatBreakdown(r, top));
    }
    if (result.stock && result.fast) {
      result.ratio = result.stock.ms / result.fast.ms;
      result.ratioCpu = result.stock.cpuMs / result.fast.cpuMs;
      console.log(
        `${name}: stock ${result.stock.ms.toFixed(0)} ms, fast ${result.fast.ms.toFixed(0)} ms, ratio ` +
          `${result.ratio.toFixed(1)}x (CPU time: ${result.stock.cpuMs.toFixed(0)} ms against ` +
          `${result.fast.cpuMs.toFixed(0)} ms, ${result.ratioCpu.toFixed(1)}x)`,
      );
    }
    bench.dispose();
    results.push(result);
  }

  if (jsonFile) {
    const small = results.find((r) => r.name === 'small');
    const train = small
      ? {
          stockMs: small.stock?.ms ?? null,
          fastMs: small.fast?.ms ?? null,
          ratio: small.ratio ?? null,
          stockCpuMs: small.stock?.cpuMs ?? null,
          fastCpuMs: small.fast?.cpuMs ?? null,
          ratioCpu: small.ratioCpu ?? null,
          perOp: { stock: small.stock?.perOp ?? null, fast: small.fast?.perOp ?? null },
        }
      : null;
    const temporary = `${jsonFile}.${process.pid}.tmp`;
    writeFileSync(
      temporary,
      JSON.stringify({ machine, date: new Date().toISOString(), train, cases: results }, null, 2),
    );
    renameSync(temporary, jsonFile);
  }
}

await main();
