/**
 * Interoperability: files hadnet writes, opened by an independent reader (nibabel, from Debian's
 * python3-nibabel), must hold the voxels, datatype, sform, qform and codes hadnet meant to write,
 * and the geometry of the input they were written against. Also checks hadnet's axis codes against
 * nibabel's on oblique and sheared affines.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axisCodes, readNifti, readNiftiHeader, type Affine, type Volume } from '@hadnet/core';
import { saveVolume } from '@hadnet/infer-node';

const PYTHON = '/usr/bin/python3';
const data = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const bratsCase = `${data}brats-sample/Brats18_TCIA03_265_1/`;
const zoo = `${data}nifti-zoo/niivue/`;

function nibabelMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is absent`;
  const probe = spawnSync(PYTHON, ['-c', 'import nibabel, numpy'], { encoding: 'utf8' });
  return probe.status === 0
    ? null
    : `nibabel is not importable by ${PYTHON} (apt-get install python3-nibabel)`;
}
const missingPython = nibabelMissing();
const missingData =
  existsSync(bratsCase) && existsSync(zoo) ? null : `${data} is absent (no ../shared beside the clone)`;
const skipReason = missingPython ?? missingData;
if (skipReason) console.log(`skipping the nibabel interoperability test: ${skipReason}`);

/**
 * For each job: load `file` with nibabel, dump its stored voxels (Fortran order, little-endian) to
 * `file + '.raw'`, and report the header; load `reference` the same way when given; and, for
 * `affine`, what nibabel's own `set_qform` makes of it.
 */
const NIBABEL_SCRIPT = `
import json, sys
import numpy as np
import nibabel as nib

def number(v):
    return None if v != v else float(v)  # JSON has no NaN

def describe(path):
    img = nib.load(path)
    h = img.header
    return {
        'dtype': str(h.get_data_dtype()), 'shape': [int(n) for n in img.shape],
        'sform': h.get_sform().tolist(), 'qform': h.get_qform().tolist(),
        'sformCode': int(h['sform_code']), 'qformCode': int(h['qform_code']),
        'pixdim': [float(v) for v in h['pixdim']], 'xyztUnits': int(h['xyzt_units']),
        # nibabel's loaded header forgets offset and scaling; its array proxy keeps the file's
        'voxOffset': int(img.dataobj.offset), 'sclSlope': number(img.dataobj.slope),
        'sclInter': number(img.dataobj.inter),
        'descrip': h['descrip'].tobytes().rstrip(b'\\0').decode(), 'affine': img.affine.tolist(),
        'magic': h['magic'].tobytes().decode(), 'endian': h.endianness,
    }

jobs = json.load(sys.stdin)
out = {'files': [], 'axcodes': []}
for job in jobs['files']:
    img = nib.load(job['file'])
    raw = np.asanyarray(img.dataobj.get_unscaled())
    with open(job['file'] + '.raw', 'wb') as f:
        f.write(raw.astype(raw.dtype.newbyteorder('<')).tobytes(order='F'))
    entry = {'out': describe(job['file'])}
    if job.get('reference'):
        entry['reference'] = describe(job['reference'])
    if job.get('affine'):
        h = nib.Nifti1Header()
        h.set_qform(np.array(job['affine']), 1)
        entry['setQform'] = h.get_qform().tolist()
    out['files'].append(entry)
for affine in jobs['axcodes']:
    out['axcodes'].append(''.join(str(c) for c in nib.aff2axcodes(np.array(affine))))
print(json.dumps(out))
`;

interface Described {
  dtype: string;
  shape: number[];
  sform: number[][];
  qform: number[][];
  sformCode: number;
  qformCode: number;
  pixdim: number[];
  xyztUnits: number;
  voxOffset: number;
  sclSlope: number | null;
  sclInter: number | null;
  descrip: string;
  affine: number[][];
  magic: string;
  endian: string;
}

interface Job {
  /** What the test wrote and what it expects. */
  name: string;
  file: string;
  volume: Volume;
  dtype: 'uint8' | 'float32';
  /** The input file whose grid the output copied, or undefined when written from the affine alone. */
  reference?: string;
}

function runNibabel(jobs: Job[], axcodes: Affine[]) {
  const input = JSON.stringify({
    files: jobs.map((job) => ({
      file: job.file,
      reference: job.reference,
      affine: job.reference ? undefined : job.volume.affine,
    })),
    axcodes,
  });
  const result = spawnSync(PYTHON, ['-c', NIBABEL_SCRIPT], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`nibabel script failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as {
    files: Array<{ out: Described; reference?: Described; setQform?: number[][] }>;
    axcodes: string[];
  };
}

function maxDifference(a: number[][], b: number[][]): number {
  let worst = 0;
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(a[r][c] - b[r][c]));
  return worst;
}

function bytesOf(array: Volume['data']): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let n = 0; n < a.length; n++) if (a[n] !== b[n]) return false;
  return true;
}

function read(path: string): Volume {
  return readNifti(new Uint8Array(readFileSync(path)), { name: path });
}

/** A smooth float32 map in [0, 1] from an image: what a probability or uncertainty map looks like. */
function floatMap(volume: Volume): Float32Array {
  let max = 0;
  for (let n = 0; n < volume.data.length; n++) max = Math.max(max, volume.data[n]);
  const out = new Float32Array(volume.data.length);
  for (let n = 0; n < out.length; n++) out[n] = volume.data[n] / max;
  return out;
}

describe.skipIf(skipReason !== null)('hadnet output read by nibabel', () => {
  let folder = '';
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hadnet-interop-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('holds the voxels, datatype, sform, qform and codes hadnet wrote', async () => {
    const jobs: Job[] = [];
    const add = async (job: Job, options: { reference?: boolean } = {}) => {
      const volume = options.reference ? job.volume : { ...job.volume, header: undefined };
      await saveVolume(job.file, volume, { datatype: job.dtype });
      jobs.push(job);
    };

    // a real BraTS case (LPS, qform code 2, sform code 1): its label map and a float map on its grid
    const flair = read(`${bratsCase}flair.nii.gz`);
    const seg = read(`${bratsCase}seg.nii.gz`);
    const onFlair = (values: Volume['data']): Volume => ({ ...flair, data: values });
    await add(
      {
        name: 'BraTS labels',
        file: join(folder, 'brats-seg.nii.gz'),
        volume: onFlair(seg.data),
        dtype: 'uint8',
        reference: `${bratsCase}flair.nii.gz`,
      },
      { reference: true },
    );
    await add(
      {
        name: 'BraTS float map',
        file: join(folder, 'brats-prob.nii.gz'),
        volume: onFlair(floatMap(flair)),
        dtype: 'float32',
        reference: `${bratsCase}flair.nii.gz`,
      },
      { reference: true },
    );

    // an oblique zoo file with its lesion map: copied geometry, then geometry from the affine alone
    const oblique = read(`${zoo}FLAIR.nii.gz`);
    const lesion = read(`${zoo}lesion.nii.gz`);
    const onOblique = (values: Volume['data']): Volume => ({ ...oblique, data: values });
    const obliqueReference = `${zoo}FLAIR.nii.gz`;
    await add(
      {
        name: 'oblique labels',
        file: join(folder, 'oblique-seg.nii.gz'),
        volume: onOblique(Uint8Array.from(lesion.data)),
        dtype: 'uint8',
        reference: obliqueReference,
      },
      { reference: true },
    );
    await add(
      {
        name: 'oblique float map',
        file: join(folder, 'oblique-prob.nii'),
        volume: onOblique(floatMap(oblique)),
        dtype: 'float32',
        reference: obliqueReference,
      },
      { reference: true },
    );
    await add({
      name: 'oblique labels, no reference',
      file: join(folder, 'oblique-free.nii.gz'),
      volume: onOblique(Uint8Array.from(lesion.data)),
      dtype: 'uint8',
    });

    // a sheared CT's affine (gantry tilt): the qform must be nibabel's nearest rigid version of the
    // sform. The geometry is what matters here, so a small grid carries it.
    const shear = readNiftiHeader(new Uint8Array(readFileSync(`${zoo}shear.nii.gz`)));
    await add({
      name: 'labels on a sheared affine, no reference',
      file: join(folder, 'shear-free.nii.gz'),
      volume: {
        data: Uint8Array.from({ length: 60 }, (_, n) => n % 2),
        shape: [3, 4, 5],
        spacing: [1, 1, 1],
        affine: shear.affine,
      },
      dtype: 'uint8',
    });

    // axis codes of oblique and sheared affines, to compare with nibabel's aff2axcodes
    const affines: Affine[] = [flair.affine, oblique.affine, shear.affine, ...turnedAffines()];
    const nibabel = runNibabel(jobs, affines);

    jobs.forEach((job, n) => {
      const { out, reference, setQform } = nibabel.files[n];
      const context = `${job.name} (${job.file})`;

      // header basics and voxels
      expect(out.dtype, context).toBe(job.dtype);
      expect(out.shape, context).toEqual(job.volume.shape);
      expect(
        [out.magic, out.endian, out.voxOffset, out.sclSlope, out.sclInter, out.descrip],
        context,
      ).toEqual(['n+1\0', '<', 352, 1, 0, 'hadnet']);
      const expected =
        job.dtype === 'uint8' ? Uint8Array.from(job.volume.data) : Float32Array.from(job.volume.data);
      expect(sameBytes(new Uint8Array(readFileSync(`${job.file}.raw`)), bytesOf(expected)), context).toBe(
        true,
      );

      if (reference) {
        // copied geometry: nibabel sees the input's sform, qform, codes and pixdim in the output
        expect(out.sform, context).toEqual(reference.sform);
        expect(out.qform, context).toEqual(reference.qform);
        expect([out.sformCode, out.qformCode], context).toEqual([reference.sformCode, reference.qformCode]);
        expect(out.pixdim.slice(0, 4), context).toEqual(reference.pixdim.slice(0, 4));
        expect(out.xyztUnits, context).toBe(reference.xyztUnits);
        expect(out.affine, context).toEqual(reference.affine);
      } else {
        // from the affine: sform = affine (float32), qform = nibabel's own qform of it, codes 1
        const affine = job.volume.affine;
        const float32 = affine.map((row) => row.map((v) => Math.fround(v)));
        expect(out.sform, context).toEqual(float32);
        expect([out.sformCode, out.qformCode, out.xyztUnits], context).toEqual([1, 1, 2]);
        expect(maxDifference(out.qform, setQform!), context).toBeLessThan(1e-4);
      }
      expect(maxDifference(out.affine, job.volume.affine), context).toBeLessThan(1e-4);

      // hadnet's own reader gives the same voxels and affine back
      const back = read(job.file);
      expect(sameBytes(bytesOf(back.data), bytesOf(expected)), context).toBe(true);
      expect(maxDifference(back.affine, job.volume.affine), context).toBeLessThan(1e-4);
    });

    expect(affines.map((affine) => axisCodes(affine))).toEqual(nibabel.axcodes);
  });
});

/** Affines turned by large angles about tilted axes, and sheared: the hard cases for axis codes. */
function turnedAffines(): Affine[] {
  const out: Affine[] = [];
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  for (let n = 0; n < 40; n++) {
    const m = [0, 1, 2].map(() => [0, 1, 2].map(() => random() * 2 - 1));
    const scale = [0.5 + random() * 3, 0.5 + random() * 3, 0.5 + random() * 3];
    out.push([
      [m[0][0] * scale[0], m[0][1] * scale[1], m[0][2] * scale[2], 10],
      [m[1][0] * scale[0], m[1][1] * scale[1], m[1][2] * scale[2], -20],
      [m[2][0] * scale[0], m[2][1] * scale[1], m[2][2] * scale[2], 30],
      [0, 0, 0, 1],
    ]);
  }
  return out;
}
