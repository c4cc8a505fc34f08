/**
 * `hadnet info FILE [--json]`: the header summary of a NIfTI file and the range of its (scaled)
 * values, as a table or as the JSON object of CONTRACTS.md. Depends on @hadnet/core and io/load.
 */
import {
  axisCodes,
  gunzip,
  isGzip,
  readNifti,
  scalingApplies,
  type NiftiHeader,
  type VoxelArray,
} from '@hadnet/core';
import { readVolumeFiles } from '../io/load.js';
import { parseArgs } from './flags.js';
import { UsageError, type Command } from './run.js';

/** The `--json` output, field for field as CONTRACTS.md pins it. */
export interface InfoReport {
  file: string;
  format: 'nifti1' | 'nifti2';
  /** `dim[1..dim[0]]`. */
  dims: number[];
  /** `pixdim[1..dim[0]]`. */
  pixdim: number[];
  datatype: string;
  byteOrder: 'little' | 'big';
  qformCode: number;
  sformCode: number;
  /** The affine in use (4x4, row-major). */
  affine: number[][];
  affineSource: 'sform' | 'qform' | 'pixdim';
  axisCodes: string;
  sclSlope: number;
  sclInter: number;
  /** Over the finite scaled voxels of every volume in the file; null when none is finite. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Voxels that are NaN or infinite. */
  nonFinite: number;
}

export const infoCommand: Command = {
  summary: 'print the header summary of a NIfTI file',
  usage: `Usage: hadnet info FILE [--json]
       hadnet info [--json] -- FILE      (a FILE whose name starts with '-')

Prints the header of a NIfTI-1 or NIfTI-2 file (.nii, .nii.gz, or a .hdr/.img pair) and the
minimum, maximum and mean of its scaled values over all its volumes.

Options:
  --json    print one JSON object: { file, format, dims, pixdim, datatype, byteOrder, qformCode,
            sformCode, affine, affineSource, axisCodes, sclSlope, sclInter, min, max, mean, nonFinite }
  --        end of options: what follows is the FILE, even when it starts with '-'`,
  async run(argv) {
    // Arguments: one file, optionally --json; `--` ends the options (a file named -x.nii).
    const { flags, operands: files } = parseArgs(argv, { values: [], switches: ['--json'], operands: true });
    const json = flags.has('--json');
    if (files.length !== 1) {
      throw new UsageError(files.length === 0 ? 'missing FILE' : `expected one FILE; got ${files.length}`);
    }

    const report = await describeFile(files[0]);
    process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatTable(report));
  },
};

/**
 * Reads a file and summarises it: header fields and value statistics over every volume it holds.
 * @param file - a path, as the user typed it
 */
export async function describeFile(file: string): Promise<InfoReport> {
  // Bytes once (inflated once), then each volume of the file in turn.
  const files = await readVolumeFiles(file);
  const inflate = (bytes: Uint8Array | undefined) =>
    bytes && isGzip(bytes) ? gunzip(bytes, { caller: 'hadnet info', name: file }) : bytes;
  const bytes = inflate(files.bytes)!;
  const imageBytes = inflate(files.imageBytes);
  const first = readNifti(bytes, { imageBytes, name: files.name, frame: 0 });
  const header = first.header as NiftiHeader;
  const stats = new Statistics();
  stats.add(first.data);
  const frames = header.dims.slice(4, header.dims[0] + 1).reduce((a, b) => a * b, 1);
  for (let frame = 1; frame < frames; frame++) {
    stats.add(readNifti(bytes, { imageBytes, name: files.name, frame }).data);
  }

  const used = header.dims[0];
  return {
    file,
    format: header.format,
    dims: header.dims.slice(1, used + 1),
    pixdim: header.pixdim.slice(1, used + 1),
    datatype: header.datatype,
    byteOrder: header.byteOrder,
    qformCode: header.qformCode,
    sformCode: header.sformCode,
    affine: header.affine.map((row) => [...row]),
    affineSource: header.affineSource,
    axisCodes: axisCodes(header.affine),
    sclSlope: header.sclSlope,
    sclInter: header.sclInter,
    ...stats.result(),
  };
}

/** Running min, max, sum and count of finite values, and the count of the others. */
class Statistics {
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  private finite = 0;
  private nonFinite = 0;

  add(data: VoxelArray): void {
    for (let i = 0; i < data.length; i++) {
      const value = data[i];
      if (!Number.isFinite(value)) {
        this.nonFinite++;
        continue;
      }
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
      this.sum += value;
      this.finite++;
    }
  }

  result(): Pick<InfoReport, 'min' | 'max' | 'mean' | 'nonFinite'> {
    const any = this.finite > 0;
    return {
      min: any ? this.min : null,
      max: any ? this.max : null,
      mean: any ? this.sum / this.finite : null,
      nonFinite: this.nonFinite,
    };
  }
}

/** The human-readable table. */
function formatTable(report: InfoReport): string {
  const number = (value: number | null) =>
    value === null ? 'none' : Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
  const cells = report.affine.map((row) => row.map(number));
  const width = Math.max(...cells.flat().map((cell) => cell.length));
  // the reader's own rule: a slope of 0 or NaN means unscaled, a non-finite intercept counts as 0
  const applied = scalingApplies(report.sclSlope, report.sclInter);
  const rows: [string, string][] = [
    ['file', report.file],
    ['format', `${report.format === 'nifti1' ? 'NIfTI-1' : 'NIfTI-2'}, ${report.byteOrder}-endian`],
    ['dims', report.dims.join(' x ')],
    ['pixdim', report.pixdim.map(number).join(' x ')],
    ['datatype', report.datatype],
    ['qform_code', String(report.qformCode)],
    ['sform_code', String(report.sformCode)],
    ['affine', `from the ${report.affineSource}`],
    ...cells.map((row): [string, string] => ['', row.map((cell) => cell.padStart(width)).join('  ')]),
    ['axis codes', report.axisCodes],
    [
      'scaling',
      `scl_slope ${number(report.sclSlope)}, scl_inter ${number(report.sclInter)} (${applied ? 'applied' : 'not applied'})`,
    ],
    ['min', number(report.min)],
    ['max', number(report.max)],
    ['mean', number(report.mean)],
    ['non-finite', String(report.nonFinite)],
  ];
  return rows.map(([key, value]) => `${key.padEnd(12)}${value}`).join('\n') + '\n';
}
