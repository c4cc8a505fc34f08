#!/usr/bin/env node
/**
 * The `hadnet-train` bin: runs {@link main} on the process's arguments and sets the exit code.
 */
import { main } from './cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
