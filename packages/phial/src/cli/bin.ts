#!/usr/bin/env node
/** The `phial` executable: runs the command line and exits with its code once the output is flushed. */
import { runCli } from './program.js';

const args = process.argv.slice(2);
const code = await runCli(args, {
  reexec: { execArgv: process.execArgv, exec: process.argv[1] as string, args },
});
process.exitCode = code;
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
