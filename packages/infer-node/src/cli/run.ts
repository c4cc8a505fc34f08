/**
 * The frame every `hadnet` command runs in: exit codes and the one-line error format of
 * CONTRACTS.md (`hadnet: <ERROR_CODE>: <message>` on stderr, exit 1; usage errors exit 2), and the
 * logger that prints warnings on stderr, each distinct line once.
 */
import { HadnetError, setLogger } from '@hadnet/core';

/** A usage error: unknown flag, missing argument. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Command {
  /** One line for `hadnet --help`. */
  summary: string;
  /** The command's own help text. */
  usage: string;
  run(argv: string[]): Promise<void>;
}

/** Maps an error to its stable code: hadnet's own, or one for the built-in argument errors. */
export function errorCode(error: unknown): string {
  if (error instanceof HadnetError) return error.code;
  if (error instanceof TypeError || error instanceof RangeError) return 'INVALID_ARGUMENT';
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code; // Node's own, such as ENOENT
  }
  return 'INTERNAL';
}

/** Runs one command and turns what it throws into an exit code and one line on stderr. */
export async function runCommand(
  name: string,
  command: Command,
  argv: string[],
  { debug }: { debug: boolean },
): Promise<number> {
  // each warning once per command: a reader that parses a header twice, or once per volume of a
  // 4D file, would otherwise repeat the same line
  const warned = new Set<string>();
  setLogger(
    {
      debug: (m) => process.stderr.write(`hadnet: debug: ${m}\n`),
      info: (m) => process.stderr.write(`hadnet: ${m}\n`),
      warn: (m) => {
        if (warned.has(m)) return;
        warned.add(m);
        process.stderr.write(`hadnet: warning: ${m}\n`);
      },
      error: (m) => process.stderr.write(`hadnet: error: ${m}\n`),
    },
    debug ? 'debug' : 'warn',
  );
  try {
    await command.run(argv);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`hadnet ${name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`hadnet: ${errorCode(error)}: ${message.replace(/\n/g, ' ')}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
