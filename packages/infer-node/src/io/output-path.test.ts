import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidVolumeError } from '@hadnet/core';
import { checkOutputFile, checkOutputFolder, OutputPathError, outputError } from './output-path.js';

describe('output paths', () => {
  let folder = '';
  let file = '';
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'hadnet-output-path-'));
    file = join(folder, 'a-file.txt');
    writeFileSync(file, 'x');
    mkdirSync(join(folder, 'sub'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OutputPathError);
    return error as OutputPathError;
  };

  it('checkOutputFolder: an existing folder, a creatable one (several levels deep), a file, a folder under a file', async () => {
    expect(await checkOutputFolder('t: --out', join(folder, 'sub'))).toBe('folder');
    expect(await checkOutputFolder('t: --out', join(folder, 'new', 'deeper', 'still'))).toBe('missing');
    const isFile = await refusal(checkOutputFolder('t: --out', file));
    expect(isFile).toMatchObject({
      code: 'ENOTDIR',
      path: file,
      message: `t: --out ${file} is a file, not a folder`,
    });
    const under = join(file, 'a', 'b');
    const below = await refusal(checkOutputFolder('t: --out', under));
    expect(below).toMatchObject({
      code: 'ENOTDIR',
      path: under,
      message: `t: --out ${under} cannot be created: ${file} is a file, not a folder`,
    });
  });

  it('checkOutputFile: a new file in a folder passes; a missing folder, a file as folder, a folder as file do not', async () => {
    await expect(checkOutputFile('t: --csv', join(folder, 'scores.csv'))).resolves.toBeUndefined();
    await expect(checkOutputFile('t: --csv', file)).resolves.toBeUndefined(); // replaced when written
    const missing = join(folder, 'nowhere', 'scores.csv');
    expect(await refusal(checkOutputFile('t: --csv', missing))).toMatchObject({
      code: 'ENOENT',
      message: `t: --csv ${missing}: the folder ${join(folder, 'nowhere')} does not exist`,
    });
    expect(await refusal(checkOutputFile('t: --csv', join(file, 'scores.csv')))).toMatchObject({
      code: 'ENOTDIR',
    });
    expect(await refusal(checkOutputFile('t: --csv', join(folder, 'sub')))).toMatchObject({ code: 'EISDIR' });
  });

  it('outputError names the path given, keeps the code and the cause, and passes other errors through', () => {
    const raw = Object.assign(
      new Error("EACCES: permission denied, open '/x/.seg.nii.gz.0a1b2c3d4e5f.tmp'"),
      {
        code: 'EACCES',
      },
    );
    const named = outputError('writeSegmentation', 'cannot write', '/x/seg.nii.gz', raw) as OutputPathError;
    expect(named).toBeInstanceOf(OutputPathError);
    expect(named.message).toBe('writeSegmentation: cannot write /x/seg.nii.gz: permission denied');
    expect(named.code).toBe('EACCES');
    expect(named.cause).toBe(raw);
    const own = new InvalidVolumeError('not a file-system error');
    expect(outputError('f', 'cannot write', '/x', own)).toBe(own);
    const plain = new Error('no code');
    expect(outputError('f', 'cannot write', '/x', plain)).toBe(plain);
  });
});
