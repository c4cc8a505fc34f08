/**
 * `hadnet-train <command> [options]`: the command table and the dispatch, separate from the
 * bin so that tests run it in-process. Research software, not for clinical decisions.
 * May depend on: ./run and the commands.
 */
import { exportCommand } from './export.js';
import { runCommand, type CliIo, type Command } from './run.js';
import { splitCommand } from './split.js';
import { summaryCommand } from './summary.js';
import { distillCommand, pretrainStudentCommand, pretrainTeacherCommand } from './train.js';

const commands: Record<string, Command> = {
  'pretrain-teacher': pretrainTeacherCommand,
  'pretrain-student': pretrainStudentCommand,
  distill: distillCommand,
  export: exportCommand,
  split: splitCommand,
  summary: summaryCommand,
};

const help = `hadnet-train: train HAD-Net (teacher, student, distillation) in TensorFlow.js.
Research software: not for clinical decisions.

Usage: hadnet-train <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(17)} ${c.summary}`)
  .join('\n')}

Global options:
  --debug    print stack traces and debug messages
  --help     this text; 'hadnet-train <command> --help' for a command's options

Exit codes: 0 done, 1 bad input or a failure at run time, 2 usage error.`;

/**
 * Runs `hadnet-train` with `argv` (without node and the script) and returns the exit code.
 * @param io - where output goes; @defaultValue the process's stdout and stderr
 */
export async function main(argv: string[], io?: CliIo): Promise<number> {
  const out: CliIo = io ?? {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
  };
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? out.stderr : out.stdout)(`${help}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    out.stderr(`hadnet-train: unknown command '${name}'; commands: ${Object.keys(commands).join(', ')}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.stdout(`${command.usage}\n`);
    return 0;
  }
  return runCommand(name, command, rest, { debug, io: out });
}
