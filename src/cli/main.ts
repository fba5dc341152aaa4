import { version } from './version.js';

// `tock --version` alone needs neither commander nor any command: it prints what commander
// would (the version and a newline, exit 0) without loading them. Everything else, `--help`
// included, goes through the program (program.ts), which loads each command's module lazily.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`${version}\n`);
else await import('./program.js');
