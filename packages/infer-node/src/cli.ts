#!/usr/bin/env node
/**
 * The `hadnet` command line: `hadnet <command> [options]`. Research software, not for clinical
 * decisions.
 */
import { runCommand, type Command } from './cli/run.js';
import { infoCommand } from './cli/info.js';
import { segmentCommand } from './cli/segment.js';
import { evaluateCommand } from './cli/evaluate.js';
import { segmentCohortCommand } from './cli/segment-cohort.js';

const commands: Record<string, Command> = {
  info: infoCommand,
  segment: segmentCommand,
  evaluate: evaluateCommand,
  'segment-cohort': segmentCohortCommand,
};

const help = `hadnet: brain tumour segmentation without the post-contrast T1 (HAD-Net).
Research software: not for clinical decisions.

Usage: hadnet <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`)
  .join('\n')}

Global options:
  --debug    print stack traces and debug messages
  --help     this text; 'hadnet <command> --help' for a command's options
  --         end of options: what follows is never read as an option (a file named -x.nii)

Exit codes: 0 done, 1 bad input or a failure at run time, 2 usage error.`;

async function main(argv: string[]): Promise<number> {
  // global options count only before `--`, which ends the options (`hadnet info -- --debug` reads a file)
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  const debug = options.includes('--debug');
  const args = [...options.filter((a) => a !== '--debug'), ...(end === -1 ? [] : argv.slice(end))];
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(
      `hadnet: unknown command '${name}'; commands: ${Object.keys(commands).join(', ')}\n`,
    );
    return 2;
  }
  const commandOptions = end === -1 ? rest : rest.slice(0, rest.indexOf('--'));
  if (commandOptions.includes('--help') || commandOptions.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return runCommand(name, command, rest, { debug });
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
