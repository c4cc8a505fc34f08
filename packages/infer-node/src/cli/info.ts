/** `hadnet info FILE [--json]`: the header summary of a NIfTI file. */
import { UsageError, type Command } from './run.js';

export const infoCommand: Command = {
  summary: 'print the header summary of a NIfTI file',
  usage: 'Usage: hadnet info FILE [--json]',
  async run(argv) {
    // TODO: replaced by the reader-backed implementation in this same landing.
    throw new UsageError(`not implemented: ${argv.join(' ')}`);
  },
};
