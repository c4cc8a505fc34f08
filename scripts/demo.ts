/**
 * `npm run demo`: segments the shipped example case (examples/Brats18_TCIA03_265_1, a test case of
 * the default model's split) from FLAIR, T1 and T2 only, with the shipped default model, through
 * the `hadnet` CLI as a user would run it; then scores the result against the case's expert labels
 * with `hadnet evaluate` and prints the Dice per region and the time taken. Needs no network.
 * Usage: npx tsx scripts/demo.ts [OUT_DIR] (default demo-output/), after `npm run build`
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const hadnet = join(root, 'packages/infer-node/dist/cli.js');
const caseDir = join(root, 'examples/Brats18_TCIA03_265_1');
const model = join(root, 'packages/infer-node/models/hadnet-student.onnx');
const out = resolve(process.argv[2] ?? join(root, 'demo-output'));

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(1);
}

if (!existsSync(hadnet)) fail(`${relative(root, hadnet)} is missing: run 'npm run build' first`);
if (!existsSync(model)) fail(`the default model ${relative(root, model)} is missing from this checkout`);

/** Runs the hadnet CLI; progress goes to this terminal, stdout (one JSON object) is returned. */
function run(args: string[]) {
  const child = spawnSync(process.execPath, [hadnet, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (child.status !== 0) fail(`'hadnet ${args[0]}' failed with exit code ${child.status}`);
  return JSON.parse(child.stdout);
}

console.log(`hadnet demo: ${relative(root, caseDir)} from FLAIR, T1 and T2 (its T1ce is not used)`);
console.log('Research software: not for clinical decisions.\n');
const started = performance.now();
const report = run([
  'segment',
  ...['--flair', join(caseDir, 'flair.nii.gz'), '--t1', join(caseDir, 't1.nii.gz')],
  ...['--t2', join(caseDir, 't2.nii.gz'), '--model', model, '--out', out],
  ...['--overwrite', '--uncertainty', '--json'],
]);
const seconds = (performance.now() - started) / 1000;
const scores: {
  regions: Record<string, { dice: number; hd95: number; volumeMl: { pred: number; truth: number } }>;
} = run([
  'evaluate',
  ...['--pred', join(out, 'seg.nii.gz'), '--truth', join(caseDir, 'seg.nii.gz'), '--json'],
]);

const ms = report.timingsMs;
console.log(
  `\nsegmented on ${report.device} in ${seconds.toFixed(1)} s (inference ${(ms.infer / 1000).toFixed(1)} s)`,
);
console.log(`outputs in ${relative(process.cwd(), out) || '.'}/: seg.nii.gz, unc_*.nii.gz, report.json\n`);
console.log('region  Dice   HD95 (mm)  volume mL (hadnet / expert)');
for (const region of ['WT', 'TC', 'ET']) {
  const r = scores.regions[region];
  const hd95 = Number.isFinite(r.hd95) ? r.hd95.toFixed(1) : 'n/a';
  console.log(
    `${region.padEnd(6)}  ${r.dice.toFixed(3)}  ${hd95.padStart(9)}  ${r.volumeMl.pred.toFixed(1)} / ${r.volumeMl.truth.toFixed(1)}`,
  );
}
