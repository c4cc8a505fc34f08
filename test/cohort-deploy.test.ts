/**
 * The deployment examples in deploy/, checked without a cluster or a container engine (neither can
 * run here; kubeconform, kubeval and hadolint are not packaged by Debian):
 * - the Kubernetes manifest: parsed with `yaml`, every field checked against the fields of the
 *   Kubernetes API types it uses (written out below from the API reference, v1.30), value types
 *   and enums, and the wiring: Indexed completion, HADNET_SHARD_COUNT equal to completions,
 *   volumes, mounts and claim, flags the CLI knows, and the shard hadnet derives in the last pod;
 * - the Slurm script: `bash -n`; its #SBATCH directives against sbatch's options, and, where
 *   Debian's slurm-client is installed, `sbatch --test-only` (sbatch parses every directive, then
 *   fails to reach a controller on 127.0.0.1 where none runs); shellcheck where installed;
 * - the Dockerfiles: dockerfile-utils (the Dockerfile language server's validator), and checks on
 *   the stages, the user, the entry point and the CUDA provider install.
 * Each check is also run on a broken copy, to show that it can fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { resolveShard } from '../packages/infer-node/src/cohort/shard.js';
import { segmentCohortCommand } from '../packages/infer-node/src/cli/segment-cohort.js';

const deploy = fileURLToPath(new URL('../deploy/', import.meta.url));
const read = (path: string) => readFileSync(join(deploy, path), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'hadnet-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Whether a program is on the PATH. */
const installed = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

// ---------------------------------------------------------------------------------------------
// Kubernetes

/** A field's type: an API object (its fields), a list of one, or a check of a plain value. */
type Field = { fields: Record<string, Field> } | { list: Field } | ((value: unknown) => boolean);

const string = (v: unknown) => typeof v === 'string';
const integer = (v: unknown) => Number.isInteger(v);
const boolean = (v: unknown) => typeof v === 'boolean';
const quantity = (v: unknown) =>
  (typeof v === 'string' && /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(v)) || integer(v);
const oneOf =
  (...values: string[]) =>
  (v: unknown) =>
    values.includes(v as string);
const map = (check: (v: unknown) => boolean) => (v: unknown) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(check);
const strings = { list: string } as Field;

// the fields of each API type, as the Kubernetes API reference lists them (the ones a batch
// workload may set; status and read-only fields left out)
const objectMeta: Field = {
  fields: {
    name: string,
    namespace: string,
    labels: map(string),
    annotations: map(string),
    generateName: string,
  },
};
const resources: Field = { fields: { limits: map(quantity), requests: map(quantity) } };
const envVar: Field = { fields: { name: string, value: string, valueFrom: map(() => true) } };
const volumeMount: Field = {
  fields: {
    name: string,
    mountPath: string,
    readOnly: boolean,
    subPath: string,
    subPathExpr: string,
    mountPropagation: string,
  },
};
const container: Field = {
  fields: {
    name: string,
    image: string,
    imagePullPolicy: oneOf('Always', 'IfNotPresent', 'Never'),
    command: strings,
    args: strings,
    workingDir: string,
    env: { list: envVar },
    envFrom: { list: map(() => true) },
    resources,
    volumeMounts: { list: volumeMount },
    securityContext: map(() => true),
    terminationMessagePolicy: oneOf('File', 'FallbackToLogsOnError'),
  },
};
const podSpec: Field = {
  fields: {
    containers: { list: container },
    initContainers: { list: container },
    restartPolicy: oneOf('Always', 'OnFailure', 'Never'),
    securityContext: {
      fields: {
        runAsNonRoot: boolean,
        runAsUser: integer,
        runAsGroup: integer,
        fsGroup: integer,
        fsGroupChangePolicy: oneOf('OnRootMismatch', 'Always'),
        supplementalGroups: { list: integer },
        seccompProfile: map(() => true),
      },
    },
    volumes: {
      list: {
        fields: {
          name: string,
          persistentVolumeClaim: { fields: { claimName: string, readOnly: boolean } },
          emptyDir: map(() => true),
          configMap: map(() => true),
          secret: map(() => true),
        },
      },
    },
    nodeSelector: map(string),
    tolerations: { list: map(() => true) },
    affinity: map(() => true),
    serviceAccountName: string,
    imagePullSecrets: { list: { fields: { name: string } } },
    priorityClassName: string,
    terminationGracePeriodSeconds: integer,
    activeDeadlineSeconds: integer,
  },
};
const jobSpec: Field = {
  fields: {
    completionMode: oneOf('NonIndexed', 'Indexed'),
    completions: integer,
    parallelism: integer,
    backoffLimit: integer,
    backoffLimitPerIndex: integer,
    maxFailedIndexes: integer,
    podReplacementPolicy: oneOf('TerminatingOrFailed', 'Failed'),
    podFailurePolicy: map(() => true),
    successPolicy: map(() => true),
    activeDeadlineSeconds: integer,
    ttlSecondsAfterFinished: integer,
    suspend: boolean,
    manualSelector: boolean,
    selector: map(() => true),
    managedBy: string,
    template: { fields: { metadata: objectMeta, spec: podSpec } },
  },
};
const KINDS: Record<string, Field> = {
  'v1/PersistentVolumeClaim': {
    fields: {
      apiVersion: string,
      kind: string,
      metadata: objectMeta,
      spec: {
        fields: {
          accessModes: { list: oneOf('ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod') },
          storageClassName: string,
          resources,
          volumeMode: oneOf('Filesystem', 'Block'),
          volumeName: string,
          selector: map(() => true),
        },
      },
    },
  },
  'batch/v1/Job': { fields: { apiVersion: string, kind: string, metadata: objectMeta, spec: jobSpec } },
};

/** Every field that is not one of its type's, or whose value does not fit: `path: problem`. */
function checkFields(value: unknown, field: Field, path: string): string[] {
  if (typeof field === 'function')
    return field(value) ? [] : [`${path}: unexpected value ${JSON.stringify(value)}`];
  if ('list' in field) {
    if (!Array.isArray(value)) return [`${path}: expected a list`];
    return value.flatMap((item, n) => checkFields(item, field.list, `${path}[${n}]`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path}: expected an object`];
  return Object.entries(value).flatMap(([key, item]) =>
    key in field.fields
      ? checkFields(item, field.fields[key], `${path}.${key}`)
      : [`${path}.${key}: unknown field`],
  );
}

/** The YAML documents of a manifest, refusing YAML errors and warnings (duplicate keys too). */
function documents(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((doc, n) => {
    expect(
      [...doc.errors, ...doc.warnings].map((e) => e.message),
      `document ${n}`,
    ).toEqual([]);
    return doc.toJS() as Record<string, unknown>;
  });
}

/** Every problem of the manifest: unknown fields, bad values, and the wiring hadnet needs. */
function manifestProblems(docs: Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  for (const doc of docs) {
    const kind = KINDS[`${doc.apiVersion}/${doc.kind}`];
    if (kind === undefined) problems.push(`unexpected ${doc.apiVersion}/${doc.kind}`);
    else problems.push(...checkFields(doc, kind, `${doc.kind}`));
  }
  if (problems.length > 0) return problems;

  // the wiring: an Indexed Job whose shard count, volumes and flags fit together
  type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const claim = docs.find((d) => d.kind === 'PersistentVolumeClaim') as Any;
  const job = docs.find((d) => d.kind === 'Job') as Any;
  const pod = job.spec.template.spec;
  const [main] = pod.containers;
  const want = (ok: boolean, problem: string) => ok || problems.push(problem);
  want(job.spec.completionMode === 'Indexed', 'the Job is not Indexed');
  want(job.spec.parallelism <= job.spec.completions, 'parallelism exceeds completions');
  want(pod.restartPolicy === 'Never', 'backoffLimitPerIndex needs restartPolicy Never');
  want(job.spec.podReplacementPolicy === 'Failed', 'a retry may start while the failed pod still writes');
  const count = main.env?.find((e: Any) => e.name === 'HADNET_SHARD_COUNT')?.value;
  want(
    count === String(job.spec.completions),
    `HADNET_SHARD_COUNT ${count} is not completions ${job.spec.completions}`,
  );
  want(claim.spec.accessModes.includes('ReadWriteMany'), 'the claim is not ReadWriteMany');
  const volume = pod.volumes.find((v: Any) => v.persistentVolumeClaim?.claimName === claim.metadata.name);
  want(volume !== undefined, 'no volume uses the claim');
  for (const mount of main.volumeMounts) {
    want(
      pod.volumes.some((v: Any) => v.name === mount.name),
      `mount ${mount.name} names no volume`,
    );
  }
  const mounted = (path: string) =>
    main.volumeMounts.some((m: Any) => m.name === volume?.name && path.startsWith(`${m.mountPath}/`));
  const args: string[] = main.args;
  want(args[0] === 'segment-cohort', 'the container does not run segment-cohort');
  want(!args.includes('--shard'), '--shard would override JOB_COMPLETION_INDEX');
  for (const flag of ['--manifest', '--out', '--model']) {
    const path = args[args.indexOf(flag) + 1];
    want(args.includes(flag) && mounted(path), `${flag} ${path} is not on the shared volume`);
  }
  for (const flag of args.filter((a) => a.startsWith('--'))) {
    want(segmentCohortCommand.usage.includes(`${flag} `), `hadnet segment-cohort has no ${flag}`);
  }
  return problems;
}

describe('deploy/kubernetes/segment-cohort-job.yaml', () => {
  const text = read('kubernetes/segment-cohort-job.yaml');

  it('holds a ReadWriteMany claim and an Indexed Job with known fields, fitting values and hadnet wiring', () => {
    const docs = documents(text);
    expect(docs.map((d) => `${d.apiVersion}/${d.kind}`)).toEqual([
      'v1/PersistentVolumeClaim',
      'batch/v1/Job',
    ]);
    expect(manifestProblems(docs)).toEqual([]);
  });

  it('gives the last pod the last shard, as hadnet reads JOB_COMPLETION_INDEX and HADNET_SHARD_COUNT', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const job = documents(text)[1] as any;
    const completions = job.spec.completions;
    const env = Object.fromEntries(
      job.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    const resolved = resolveShard({ env: { ...env, JOB_COMPLETION_INDEX: String(completions - 1) } });
    expect(resolved).toEqual({ shard: { index: completions - 1, count: completions }, source: 'kubernetes' });
  });

  it('finds the mistakes the checks exist for, in broken copies', () => {
    const broken = (edit: (text: string) => string) => manifestProblems(documents(edit(text)));
    expect(broken((t) => t.replace('completionMode: Indexed', 'completionMod: Indexed'))).toEqual([
      'Job.spec.completionMod: unknown field',
    ]);
    expect(broken((t) => t.replace("value: '8'", 'value: 8'))).toEqual([
      'Job.spec.template.spec.containers[0].env[0].value: unexpected value 8',
    ]);
    expect(broken((t) => t.replace("value: '8'", "value: '6'"))).toEqual([
      'HADNET_SHARD_COUNT 6 is not completions 8',
    ]);
    expect(broken((t) => t.replace('- ReadWriteMany', '- ReadWriteOnce'))).toEqual([
      'the claim is not ReadWriteMany',
    ]);
    expect(broken((t) => t.replace('- /data/out', '- /scratch/out'))).toEqual([
      '--out /scratch/out is not on the shared volume',
    ]);
    expect(broken((t) => t.replace('- --device', '- --devices'))).toEqual([
      'hadnet segment-cohort has no --devices',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Slurm

// sbatch's long options, as `sbatch --help` of Debian's slurm-client 22.05 lists them
const SBATCH_OPTIONS = new Set(
  (
    'account array bb bbf begin chdir cluster-constraint clusters comment constraint container contiguous ' +
    'core-spec cores-per-socket cpu-freq cpus-per-gpu cpus-per-task deadline delay-boot dependency distribution ' +
    'error exclude exclusive export export-file extra-node-info get-user-env gid gpu-bind gpu-freq gpus ' +
    'gpus-per-node gpus-per-socket gpus-per-task gres gres-flags hold ignore-pbs input job-name licenses ' +
    'mail-type mail-user mcs-label mem mem-per-cpu mem-per-gpu mincpus nice no-kill no-requeue nodefile ' +
    'nodelist nodes ntasks ntasks-per-core ntasks-per-node ntasks-per-socket output overcommit oversubscribe ' +
    'parsable partition power priority profile propagate qos quiet reboot requeue reservation signal ' +
    'sockets-per-node spread-job switches thread-spec threads-per-core time time-min tmp uid use-min-nodes ' +
    'verbose wait wckey wrap'
  ).split(' '),
);

/** The #SBATCH directives sbatch reads: those before the first command line. */
function directives(script: string): string[] {
  const found: string[] = [];
  for (const line of script.split('\n').slice(1)) {
    if (line.trim() !== '' && !line.startsWith('#')) break;
    if (line.startsWith('#SBATCH ')) found.push(line.slice('#SBATCH '.length).trim());
  }
  return found;
}

/** Problems of the script's directives and its hadnet call. */
function slurmProblems(script: string): string[] {
  const problems: string[] = [];
  const options = new Map(
    directives(script).map((d) => {
      const [, name, value] = /^--([a-z-]+)(?:=(.*))?$/.exec(d) ?? [undefined, d, undefined];
      return [name, value];
    }),
  );
  for (const name of options.keys())
    if (!SBATCH_OPTIONS.has(name!)) problems.push(`unknown #SBATCH --${name}`);
  const array = /^(\d+)-(\d+)(%\d+)?$/.exec(options.get('array') ?? '');
  if (!array) problems.push('--array is not a range A-B (hadnet refuses arrays with gaps)');
  if (!/segment-cohort --manifest "\$MANIFEST" --out "\$OUT"/.test(script))
    problems.push('no segment-cohort call');
  if (/--shard\b/.test(script)) problems.push('--shard would override the array variables');
  return problems;
}

describe('deploy/slurm/segment-cohort.sbatch', () => {
  const path = join(deploy, 'slurm/segment-cohort.sbatch');
  const script = read('slurm/segment-cohort.sbatch');

  it('is valid bash, with sbatch options in its directives and a contiguous array', () => {
    const syntax = spawnSync('bash', ['-n', path], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    expect(directives(script)[0]).toBe('--job-name=hadnet-cohort');
    expect(slurmProblems(script)).toEqual([]);
    expect(slurmProblems(script.replace('#SBATCH --mem=', '#SBATCH --memory='))).toEqual([
      'unknown #SBATCH --memory',
    ]);
    expect(slurmProblems(script.replace('--array=0-7%4', '--array=1,3,5'))).toEqual([
      '--array is not a range A-B (hadnet refuses arrays with gaps)',
    ]);
  });

  it('gives the last array task the last shard, as hadnet reads the array variables', () => {
    const [, first, last] = /--array=(\d+)-(\d+)/.exec(script)!.map(Number);
    const env = {
      SLURM_ARRAY_TASK_ID: String(last),
      SLURM_ARRAY_TASK_MIN: String(first),
      SLURM_ARRAY_TASK_MAX: String(last),
      SLURM_ARRAY_TASK_COUNT: String(last - first + 1),
    };
    expect(resolveShard({ env })).toEqual({
      shard: { index: last - first, count: last - first + 1 },
      source: 'slurm',
    });
  });

  const hasSbatch = installed('sbatch');
  if (!hasSbatch)
    console.log(
      'cohort-deploy: sbatch --test-only skipped, sbatch is not installed (apt-get install slurm-client)',
    );
  it.skipIf(!hasSbatch)(
    'passes sbatch --test-only up to the controller, and a misspelt directive does not',
    () => {
      // a configuration naming a controller on 127.0.0.1, where none listens
      const conf = join(scratch, 'slurm.conf');
      writeFileSync(
        conf,
        'ClusterName=check\nSlurmctldHost=localhost(127.0.0.1)\nMessageTimeout=1\nTCPTimeout=1\n',
      );
      const sbatch = (file: string) =>
        spawnSync('sbatch', ['--test-only', file], {
          encoding: 'utf8',
          env: { ...process.env, SLURM_CONF: conf },
          timeout: 30_000,
        });
      const good = sbatch(path);
      expect(good.stderr + good.stdout).toMatch(/Unable to contact slurm controller/);
      expect(good.stderr).not.toMatch(/unrecognized option|invalid|error: /i);
      const misspelt = join(scratch, 'misspelt.sbatch');
      writeFileSync(misspelt, script.replace('#SBATCH --cpus-per-task=', '#SBATCH --cpu-per-tasks='));
      expect(sbatch(misspelt).stderr).toMatch(/unrecognized option '--cpu-per-tasks=4'/);
    },
  );

  const hasShellcheck = installed('shellcheck');
  if (!hasShellcheck)
    console.log('cohort-deploy: shellcheck skipped, it is not installed (apt-get install shellcheck)');
  it.skipIf(!hasShellcheck)('passes shellcheck', () => {
    const run = spawnSync('shellcheck', [path], { encoding: 'utf8' });
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Dockerfiles

/** Problems dockerfile-utils finds, as `line: message`. */
const lint = (text: string) => lintDockerfile(text).map((d) => `${d.range.start.line + 1}: ${d.message}`);

/** Problems of the stages, user, entry point and install steps. */
function imageProblems(text: string, cuda: boolean): string[] {
  const problems: string[] = [];
  const lines = text.split('\n').filter((l) => !l.startsWith('#'));
  const stages = lines.filter((l) => l.startsWith('FROM ')).map((l) => / AS (\S+)/.exec(l)?.[1]);
  for (const [, stage] of text.matchAll(/COPY --from=(\S+)/g)) {
    if (!stages.includes(stage)) problems.push(`COPY --from=${stage} names no stage`);
  }
  const last = text.slice(text.lastIndexOf('\nFROM '));
  if (!/\nUSER (?!root)\S+/.test(last)) problems.push('the image runs as root');
  if (!last.includes('ENTRYPOINT ["hadnet"]')) problems.push('the entry point is not hadnet');
  if (
    !/npm ci --ignore-scripts[^\n]*\\\n\s+--workspace @hadnet\/core --workspace @hadnet\/infer-node/.test(
      text,
    )
  ) {
    problems.push('the build stage does not install the two workspaces');
  }
  if (cuda && !/ONNXRUNTIME_NODE_INSTALL=cuda12 node script\/install\.js/.test(text)) {
    problems.push('the CUDA provider is not installed');
  }
  if (cuda && !text.includes('test -f bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so')) {
    problems.push('the CUDA provider is not checked');
  }
  if (!cuda && !/ONNXRUNTIME_NODE_INSTALL=skip/.test(last))
    problems.push('the CPU image may download CUDA files');
  return problems;
}

describe('deploy/Dockerfile and deploy/Dockerfile.cuda', () => {
  for (const [file, cuda] of [
    ['Dockerfile', false],
    ['Dockerfile.cuda', true],
  ] as const) {
    it(`${file}: no finding of dockerfile-utils, and the stages, user and install steps fit`, () => {
      const text = read(file);
      expect(lint(text)).toEqual([]);
      expect(imageProblems(text, cuda)).toEqual([]);
      expect(existsSync(join(deploy, `${file}.dockerignore`))).toBe(true);
    });
  }

  it('finds the mistakes the checks exist for, in broken copies', () => {
    const text = read('Dockerfile.cuda');
    const copyLine = text.split('\n').indexOf('COPY --from=build /pack/ /tmp/pack/') + 1;
    expect(lint(text.replace('COPY --from=build /pack/ /tmp/pack/', 'COPY /tmp/pack/'))).toEqual([
      `${copyLine}: COPY requires at least two arguments`,
    ]);
    expect(imageProblems(text.replace('COPY --from=node ', 'COPY --from=nodejs '), true)).toEqual([
      'COPY --from=nodejs names no stage',
    ]);
    expect(imageProblems(text.replace('USER hadnet', 'USER root'), true)).toEqual(['the image runs as root']);
    expect(imageProblems(text.replace('=cuda12 node', '=skip node'), true)).toEqual([
      'the CUDA provider is not installed',
    ]);
  });
});
