/**
 * Chooses the FLAIR-hyperintensity baseline's percentile on the training cases of a split (the
 * default model's: packages/infer-node/models/hadnet-student.split.json), never reading its test
 * cases: for each percentile from 50 to 99.5 in steps of 0.5, the mean whole-tumour Dice over the
 * training cases; prints the table's best rows and the winner.
 * Usage: npx tsx scripts/flair-baseline-percentile.ts [SPLIT_FILE] [DATA_DIR]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNifti } from '../packages/core/src/index.js';
import { binaryDice, flairAbove, percentileOf, sortedBrainFlair } from '../test/helpers/flair-baseline.js';

const splitFile = process.argv[2] ?? 'packages/infer-node/models/hadnet-student.split.json';
const dataDir = process.argv[3] ?? '../shared/data/brats-sample';
const split = JSON.parse(readFileSync(splitFile, 'utf8')) as { train: string[] };

const percentiles: number[] = [];
for (let p = 50; p <= 99.5; p += 0.5) percentiles.push(p);
const sums = new Float64Array(percentiles.length);
for (const id of split.train) {
  const flair = readNifti(readFileSync(join(dataDir, id, 'flair.nii.gz'))).data;
  const seg = readNifti(readFileSync(join(dataDir, id, 'seg.nii.gz'))).data;
  const sorted = sortedBrainFlair(flair);
  const row = percentiles.map((p) => binaryDice(flairAbove(flair, percentileOf(sorted, p)), seg));
  row.forEach((d, i) => (sums[i] += d));
  const best = row.indexOf(Math.max(...row));
  console.log(`${id}: best percentile ${percentiles[best]} (WT Dice ${row[best].toFixed(3)})`);
}
const means = Array.from(sums, (s) => s / split.train.length);
const order = means.map((m, i) => i).sort((a, b) => means[b] - means[a]);
for (const i of order.slice(0, 5))
  console.log(`percentile ${percentiles[i]}: mean WT Dice ${means[i].toFixed(4)}`);
console.log(`chosen: ${percentiles[order[0]]}`);
