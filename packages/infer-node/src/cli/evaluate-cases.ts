/**
 * The cases of `hadnet evaluate --pred-dir DIR --truth-dir DIR`: each folder's candidates (case
 * folders holding a label map under one of the names of core's case-file table, `seg.nii.gz`,
 * `<case>_seg.nii.gz` or `<case>-seg.nii.gz`; or .nii/.nii.gz files) and every truth case paired
 * with its prediction, or with the reason it has none. Depends on node:fs and @hadnet/core's
 * case-file names and region names.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCaseFileName, REGIONS, type Region } from '@hadnet/core';
import { byRegion } from './evaluate-format.js';

const UNCERTAINTY_FILES: Record<Region, string> = { WT: 'unc_whole', TC: 'unc_core', ET: 'unc_enhance' };

/** A case in one folder: its id, its label map and what lies beside it. */
export interface Candidate {
  id: string;
  file: string;
  /** Sequences beside a truth label map, whose non-zero union is the brain mask. */
  sequences: string[];
  /** A prediction's uncertainty maps, when its case folder holds all three. */
  uncertainty?: Record<Region, string>;
  /**
   * Why the case cannot be scored though it was found: its folder holds more than one label map
   * (say hadnet's `seg.nii.gz` written beside a BraTS `<case>_seg.nii.gz`), and picking one
   * silently could score a prediction against itself.
   */
  problem?: string;
}

/** A truth case and what was found for it in the prediction folder. */
export interface TruthCase {
  /** The case id: the shorter of the truth's and the prediction's. */
  id: string;
  truth: Candidate;
  /** The prediction; absent when there is none, or more than one candidate. */
  pred?: Candidate;
  /** Why there is no prediction: none matches, or several do. */
  unmatched?: { code: 'MISSING_PREDICTION' | 'AMBIGUOUS_PREDICTION'; reason: string };
}

/** Every truth case, sorted by id, and the predictions no truth case claimed. */
export interface MatchedCases {
  cases: TruthCase[];
  /** Ids of predictions that match no truth case. */
  unusedPreds: string[];
}

/**
 * A folder's candidate cases: case folders holding seg.nii(.gz), and .nii(.gz) files, by name.
 * @param dir - the folder
 * @param side - `'truth'` collects the sequences beside the label map, `'pred'` the uncertainty maps
 */
export async function listCases(dir: string, side: 'pred' | 'truth'): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const exists = async (path: string) => (await stat(path).catch(() => undefined))?.isFile() ?? false;
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined); // a dangling link is no case
    if (info?.isDirectory()) {
      // the label map and the sequences, by core's table of case-file names
      const named = (await readdir(path))
        .sort()
        .map((f) => ({ f, kind: parseCaseFileName(f)?.kind }))
        .filter((n) => n.kind !== undefined);
      const maps = [];
      for (const n of named) if (n.kind === 'seg' && (await exists(join(path, n.f)))) maps.push(n.f);
      if (maps.length === 0) continue;
      const file = join(path, maps[0]);
      const problem =
        maps.length > 1
          ? `${path} holds ${maps.length} label maps (${maps.join(', ')}); keep only the ${side === 'truth' ? 'reference' : 'prediction'} there`
          : undefined;
      const sequences: string[] = [];
      if (side === 'truth') {
        for (const n of named)
          if (n.kind !== 'seg' && (await exists(join(path, n.f)))) sequences.push(join(path, n.f));
      }
      const unc = byRegion((r) => join(path, `${UNCERTAINTY_FILES[r]}.nii.gz`));
      const withUnc =
        side === 'pred' && (await Promise.all(REGIONS.map((r) => exists(unc[r])))).every(Boolean);
      out.push({
        id: name,
        file,
        sequences,
        uncertainty: withUnc ? unc : undefined,
        ...(problem ? { problem } : {}),
      });
    } else if (info?.isFile() && /\.nii(\.gz)?$/.test(name)) {
      out.push({ id: name.replace(/\.nii(\.gz)?$/, ''), file: path, sequences: [] });
    }
  }
  return out;
}

/**
 * Pairs every truth case with its prediction: equal ids first, then, among the predictions left,
 * one id followed by `_`, `-` or `.` and more (`Brats18_X_1` matches `Brats18_X_1_seg.nii.gz`, not
 * `Brats18_X_10.nii.gz`). A truth case with no such prediction is `MISSING_PREDICTION`; one with
 * several, or whose one candidate another truth case also claims, is `AMBIGUOUS_PREDICTION`.
 * @param preds - the prediction folder's candidates
 * @param truths - the truth folder's candidates
 */
export function matchCases(preds: readonly Candidate[], truths: readonly Candidate[]): MatchedCases {
  const related = (a: string, b: string) =>
    a.startsWith(`${b}_`) || a.startsWith(`${b}-`) || a.startsWith(`${b}.`);
  const used = new Set<Candidate>();
  const found = new Map<Candidate, Candidate[]>();

  // equal ids first, so that a longer id's own prediction is never taken by a shorter id
  for (const t of truths) {
    const exact = preds.find((p) => p.id === t.id);
    if (exact !== undefined) {
      found.set(t, [exact]);
      used.add(exact);
    }
  }
  for (const t of truths) {
    if (found.has(t)) continue;
    found.set(
      t,
      preds.filter((p) => !used.has(p) && (related(p.id, t.id) || related(t.id, p.id))),
    );
  }
  const claims = new Map<Candidate, number>();
  for (const list of found.values()) for (const p of list) claims.set(p, (claims.get(p) ?? 0) + 1);

  const cases: TruthCase[] = truths.map((t) => {
    const list = found.get(t)!;
    if (list.length === 0) {
      const reason = 'no prediction for this case in --pred-dir';
      return { id: t.id, truth: t, unmatched: { code: 'MISSING_PREDICTION', reason } };
    }
    if (list.length > 1 || claims.get(list[0])! > 1) {
      const reason =
        list.length > 1
          ? `${list.length} predictions match this case (${list.map((p) => p.file).join(', ')}); rename them apart`
          : `prediction ${list[0].file} matches more than one truth case; rename them apart`;
      return { id: t.id, truth: t, unmatched: { code: 'AMBIGUOUS_PREDICTION', reason } };
    }
    const p = list[0];
    used.add(p);
    return { id: p.id.length < t.id.length ? p.id : t.id, truth: t, pred: p };
  });
  const claimed = new Set([...found.values()].flat());
  return { cases, unusedPreds: preds.filter((p) => !used.has(p) && !claimed.has(p)).map((p) => p.id) };
}
