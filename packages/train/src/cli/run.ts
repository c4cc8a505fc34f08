/**
 * The frame every `hadnet-train` command runs in: exit codes and the one-line error format of
 * ../shared/CONTRACTS.md (`hadnet-train: <ERROR_CODE>: <message>` on stderr, exit 1; usage
 * errors exit 2).
 * May depend on: `@hadnet/core` (errors, logger), node.
 */
import { HadnetError, setLogger } from '@hadnet/core';

/** Where a command writes. The bin passes the process streams; tests pass collectors. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars rewrite their line there). @defaultValue false */
  stderrIsTTY?: boolean;
}

/** A usage error: unknown flag, missing or invalid argument. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One `hadnet-train` command. */
export interface Command {
  /** One line for `hadnet-train --help`. */
  summary: string;
  /** The command's own help text. */
  usage: string;
  run(argv: string[], io: CliIo): Promise<void>;
}

/** Maps an error to its stable code: hadnet's own, or one for the built-in argument errors. */
export function errorCode(error: unknown): string {
  if (error instanceof HadnetError) return error.code;
  if (error instanceof TypeError || error instanceof RangeError) return 'INVALID_ARGUMENT';
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'INTERNAL';
}

/** Runs one command and turns what it throws into an exit code and one line on stderr. */
export async function runCommand(
  name: string,
  command: Command,
  argv: string[],
  { debug, io }: { debug: boolean; io: CliIo },
): Promise<number> {
  setLogger(
    {
      debug: (m) => io.stderr(`hadnet-train: debug: ${m}\n`),
      info: (m) => io.stderr(`hadnet-train: ${m}\n`),
      warn: (m) => io.stderr(`hadnet-train: warning: ${m}\n`),
      error: (m) => io.stderr(`hadnet-train: error: ${m}\n`),
    },
    debug ? 'debug' : 'warn',
  );
  try {
    await command.run(argv, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`hadnet-train ${name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`hadnet-train: ${errorCode(error)}: ${message.replace(/\n/g, ' ')}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return 1;
  }
}
