import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { assembleCohortSummary, summaryCsv, writeCohortSummary } from './summary.js';

/** A report.json as writeSegmentation writes it, with chosen numbers. */
function report(id: string, device: string, sha256: string, et: number) {
  return {
    case: id,
    inputs: { flair: `/in/${id}/flair.nii.gz` },
    device,
    model: { file: '/models/m.onnx', sha256, role: 'student', card: {} },
    volumesMl: { ET: et, TC: et * 2, WT: et * 3 },
    timingsMs: { load: 1.04, preprocess: 2, infer: 3.26, postprocess: 4, write: 5, total: 15.3 },
    warnings: device === 'cpu' ? ['device cuda could not start (no library); ran on cpu instead'] : [],
  };
}

describe('the cohort summary', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'hadnet-summary-'));
    const write = (path: string, text: string) => {
      mkdirSync(join(out, path, '..'), { recursive: true });
      writeFileSync(join(out, path), text);
    };
    write('A/report.json', JSON.stringify(report('A', 'cpu', 'aa', 1.5)));
    write('A/seg.nii.gz', '');
    write('E/report.json', JSON.stringify(report('E', 'cuda', 'bb', 0.25)));
    write(
      'B/error.json',
      JSON.stringify({ case: 'B', code: 'MODALITY_MISMATCH', message: 'no t2, "sorry"' }),
    );
    write('C/seg.nii.gz', ''); // a worker was killed between renaming the image and the report
    write('F/.report.json.0123456789ab.tmp', '{');
    write('logs/shard-0.out', 'not a case');
    write('.hadnet-cohort/shard-0-of-1.jsonl', '');
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("lists the manifest's cases with their status, counts, devices and models", async () => {
    const summary = await assembleCohortSummary(out, { cases: ['E', 'D', 'C', 'B', 'A'] });
    expect(summary.cases.map((c) => `${c.case} ${c.status}`)).toEqual([
      'A complete',
      'B failed',
      'C incomplete',
      'D pending',
      'E complete',
    ]);
    expect(summary.counts).toEqual({ total: 5, complete: 2, failed: 1, incomplete: 1, pending: 1 });
    expect(summary.devices).toEqual({ cpu: 1, cuda: 1 });
    expect(summary.models).toEqual([
      { file: '/models/m.onnx', sha256: 'aa', role: 'student', cases: 1 },
      { file: '/models/m.onnx', sha256: 'bb', role: 'student', cases: 1 },
    ]);
    expect(summary.cases[1].error).toEqual({ code: 'MODALITY_MISMATCH', message: 'no t2, "sorry"' });
    expect(Number.isNaN(Date.parse(summary.generatedAt))).toBe(false);
  });

  it('without a manifest, lists the folders that hold a report, an error, an image or a temporary file', async () => {
    const summary = await assembleCohortSummary(out);
    expect(summary.cases.map((c) => `${c.case} ${c.status}`)).toEqual([
      'A complete',
      'B failed',
      'C incomplete',
      'E complete',
      'F incomplete',
    ]);
  });

  it('writes the CSV row by row, as worked out by hand', async () => {
    const summary = await assembleCohortSummary(out, { cases: ['A', 'B', 'D'] });
    expect(summaryCsv(summary)).toBe(
      'case,status,device,model_file,model_sha256,et_ml,tc_ml,wt_ml,load_ms,preprocess_ms,infer_ms,' +
        'postprocess_ms,write_ms,total_ms,warnings,error_code,error_message\n' +
        'A,complete,cpu,/models/m.onnx,aa,1.5,3,4.5,1,2,3.3,4,5,15.3,1,,\n' +
        'B,failed,,,,,,,,,,,,,,MODALITY_MISMATCH,"no t2, ""sorry"""\n' +
        'D,pending,,,,,,,,,,,,,,,\n',
    );
    const rows = parseCsv(summaryCsv(summary), 'cohort.csv');
    expect(rows.every((r) => r.fields.length === 17)).toBe(true);
  });

  it('leaves whole files and the latest state when writers run at once while cases finish', async () => {
    const cases = ['A', 'B', 'C', 'D', 'E', 'G', 'H'];
    const writers = [];
    for (let w = 0; w < 6; w++) {
      writers.push(writeCohortSummary(out, { cases }));
      // a case finishes while the writers run
      if (w === 2) {
        mkdirSync(join(out, 'G'));
        writeFileSync(join(out, 'G', 'report.json'), JSON.stringify(report('G', 'cpu', 'aa', 2)));
      }
      await new Promise((done) => setImmediate(done));
    }
    mkdirSync(join(out, 'H'));
    writeFileSync(join(out, 'H', 'report.json'), JSON.stringify(report('H', 'cpu', 'aa', 3)));
    writers.push(writeCohortSummary(out, { cases }));
    await Promise.all(writers);

    const written = JSON.parse(readFileSync(join(out, 'cohort.json'), 'utf8'));
    const fresh = await assembleCohortSummary(out, { cases });
    expect({ ...written, generatedAt: 0 }).toEqual({ ...fresh, generatedAt: 0 });
    expect(written.counts.complete).toBe(4);
    expect(readFileSync(join(out, 'cohort.csv'), 'utf8')).toBe(summaryCsv(fresh));
    expect(readdirSync(out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
