#!/usr/bin/env node
// TODO: hadnet-train's commands (pretrain-teacher, pretrain-student, distill, export, summary,
// split) come with the training core; until then the bin says so and exits with a usage error.
process.stderr.write('hadnet-train: no command is available yet in this version\n');
process.exit(2);
