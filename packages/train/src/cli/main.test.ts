import { describe, expect, it } from 'vitest';
import { main } from './main.js';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('hadnet-train summary', () => {
  it("--json prints the paper preset's counts: student 16,488,324, discriminator 88,205,184", async () => {
    const { code, stdout, stderr } = await run('summary', '--preset', 'paper', '--json');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const json = JSON.parse(stdout);
    expect(json.generator.parameters).toBe(16_488_324);
    expect(json.discriminator.parameters).toBe(88_205_184);
    expect(json.discriminator.outputShape).toEqual([9, 11, 9, 1]);
    expect(json.inputShape).toEqual([160, 192, 160]);
    // the rows add up to the totals
    const sum = (rows: { parameters: number }[]): number => rows.reduce((s, r) => s + r.parameters, 0);
    expect(sum(json.generator.layers)).toBe(16_488_324);
    expect(sum(json.discriminator.layers)).toBe(88_205_184);
  });

  it('--role teacher counts 4 inputs: 16,489,188; --adnet drops the feature inputs', async () => {
    const teacher = JSON.parse(
      (await run('summary', '--preset', 'paper', '--role', 'teacher', '--json')).stdout,
    );
    expect(teacher.generator.parameters).toBe(16_489_188);
    const adnet = JSON.parse((await run('summary', '--preset', 'paper', '--adnet', '--json')).stdout);
    expect(adnet.discriminator.hierarchical).toBe(false);
    // 64 taps: 7*128+128, 128*256+256, 256*512+512, 512*1024+1024, 1024*1
    const expected =
      64 * 7 * 128 + 128 + 64 * 128 * 256 + 256 + 64 * 256 * 512 + 512 + 64 * 512 * 1024 + 1024 + 64 * 1024;
    expect(adnet.discriminator.parameters).toBe(expected);
  });

  it('prints both layer tables as text', async () => {
    const { code, stdout } = await run('summary', '--preset', 'small');
    expect(code).toBe(0);
    expect(stdout).toMatch(/student generator \(3 inputs, k = 8\)/);
    expect(stdout).toMatch(
      /^conv_u4\.unit1\.conv\s+conv3d\s+3x3x3 s1 p1, \(skip 64 \+ up 64\)->64, bias\s+\[10,12,10,64\]\s+221,248$/m,
    );
    expect(stdout).toMatch(/^disc_5\.conv\s+conv3d\s+4x4x4 s1 p1, 256->1\s+\[4,5,4,1\]\s+16,384$/m);
    expect(stdout).toMatch(/generator: 1,032,420 parameters/);
  });

  it('usage errors exit 2 and name the problem', async () => {
    const missing = await run('summary');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^hadnet-train summary: --preset is required; one of paper, small, tiny/);
    const unknown = await run('summary', '--preset', 'huge');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown preset 'huge'; valid presets: paper, small, tiny/);
    const flag = await run('summary', '--preset', 'paper', '--frobnicate');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--frobnicate/);
    const role = await run('summary', '--preset', 'paper', '--role', 'ghost');
    expect(role.code).toBe(2);
    expect((await run('nonsense')).code).toBe(2);
    expect((await run()).code).toBe(2);
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await run('summary', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: hadnet-train summary --preset NAME/);
  });
});
