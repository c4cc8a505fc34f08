/**
 * One path of the segment() benchmark, in a process of its own so that its peak resident memory
 * is its own: segments one case file to file (read the NIfTI files, preprocess, infer,
 * postprocess, write into a folder) and sends the parent what it measured. Started by
 * bench/segment.ts with `fork()`; the job is the JSON in argv[2] ({@link PathJob}).
 */
import { readFileSync } from 'node:fs';
import { runSegmentation, type Runtime, type SegmentationResult, type SegmentOptions } from '@hadnet/core';
import { segment, writeSegmentation } from '../packages/infer-node/src/index.js';
import type { PathJob, PathMeasurement, PathReply } from './segment-options.js';
import { tfjsRuntime, wasmRuntime } from './segment-runtimes.js';

function vmHwmMb(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match === null ? null : Number(match[1]) / 1024;
  } catch {
    return null;
  }
}

async function run(job: PathJob): Promise<PathMeasurement> {
  const cpu = process.cpuUsage();
  const options: SegmentOptions = { model: job.model };
  let result: SegmentationResult;
  if (job.path === 'ort-cpu' || job.path === 'ort-cuda') {
    result = await segment(job.inputs, { ...options, device: job.path === 'ort-cpu' ? 'cpu' : 'cuda' });
  } else {
    const runtime: Runtime =
      job.path === 'ort-wasm' ? wasmRuntime(job.wasmThreads) : tfjsRuntime(job.path === 'tfjs-fast');
    result = await runSegmentation(job.inputs, options, runtime);
  }
  const { report } = await writeSegmentation(result, job.outDir, { case: 'bench' });
  const used = process.cpuUsage(cpu);
  return {
    device: result.device,
    timingsMs: { ...report.timingsMs },
    tiles: result.inference.tiles,
    networkShape: [...result.inference.networkShape],
    roiSize: [...result.inference.roiSize],
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    vmHwmMb: vmHwmMb(),
    cpuMs: (used.user + used.system) / 1000,
    volumesMl: { ...result.volumesMl },
    warnings: [...result.warnings],
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as PathJob;
let reply: PathReply;
try {
  reply = { ok: true, measurement: await run(job) };
} catch (error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const code = (error as { code?: unknown }).code;
  reply = { ok: false, error: message.split('\n')[0], code: typeof code === 'string' ? code : undefined };
}
// worker threads (onnxruntime's, WebAssembly's) would keep the process alive: exit once sent
process.send?.(reply, () => process.exit(0));
