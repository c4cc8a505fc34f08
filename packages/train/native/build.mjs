/**
 * Builds hadnet's native training kernels (addon.c, conv3d.c, matmul.c) into native/build/hadnet_kernels.node with
 * the system C compiler and OpenBLAS (Debian: gcc, libopenblas-dev), against the headers of the
 * Node that runs this script. Fails soft: where a compiler, Node's headers or OpenBLAS is missing
 * it says so and exits 0, and training runs on stock tfjs-cpu kernels (setupTrainingBackend logs
 * why). No download: node-gyp would fetch headers from nodejs.org.
 * Usage: node native/build.mjs [--strict] (--strict exits 1 when the build fails).
 */
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes('--strict');
const target = join(here, 'build', 'hadnet_kernels.node');

function giveUp(reason) {
  process.stderr.write(
    `hadnet native kernels not built: ${reason}; training keeps tfjs' stock convolutions and BatchMatMul\n`,
  );
  process.exit(strict ? 1 : 0);
}

// Node's headers: beside the running binary (official tarballs, nvm) or the system's
const headerDirs = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'];
const headers = headerDirs.find((dir) => existsSync(join(dir, 'node_api.h')));
if (!headers) giveUp(`no node_api.h in ${headerDirs.join(' or ')}`);

const compiler = process.env.CC ?? 'cc';
const probe = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) giveUp(`no C compiler '${compiler}' (apt-get install gcc)`);

// OpenBLAS's CBLAS header: Debian puts it under the multiarch include folder
const includeDirs = [
  '/usr/include/x86_64-linux-gnu',
  '/usr/include/aarch64-linux-gnu',
  '/usr/include/openblas',
];
const blasInclude = includeDirs.filter((dir) => existsSync(join(dir, 'cblas.h')));

mkdirSync(join(here, 'build'), { recursive: true });
const temporary = `${target}.${process.pid}.tmp`;
const args = [
  '-O3',
  '-fPIC',
  '-shared',
  '-std=c11',
  '-DNODE_GYP_MODULE_NAME=hadnet_kernels',
  `-I${headers}`,
  ...blasInclude.map((dir) => `-I${dir}`),
  '-o',
  temporary,
  ...['addon.c', 'conv3d.c', 'matmul.c'].map((file) => join(here, file)),
  '-lopenblas',
];
const result = spawnSync(compiler, args, { encoding: 'utf8' });
if (result.error || result.status !== 0) {
  rmSync(temporary, { force: true });
  const detail = (result.stderr || String(result.error)).trim().split('\n').slice(0, 4).join(' | ');
  giveUp(`${compiler} failed (is libopenblas-dev installed?): ${detail}`);
}
renameSync(temporary, target);
process.stdout.write(`hadnet native kernels built: ${target}\n`);
