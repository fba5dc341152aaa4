import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { type CarriedLine, planImport } from '../../crontab/import.js';
import { writeImport } from '../../crontab/import-yaml.js';
import { cronFormatFor, parseCrontab } from '../../crontab/parse.js';
import { type ProofResult, proveImport } from '../../crontab/proof.js';
import type { CrontabFormat } from '../../crontab/types.js';
import { readTextFile } from '../../util/read-text-file.js';
import { UserError } from '../../util/user-error.js';
import { EXIT } from '../exit-codes.js';
import { hostZone } from '../host-zone.js';
import { tockCommand } from '../command-hint.js';
import type { CommonOptions } from '../paths.js';
import { writeOutputFile } from '../write-output.js';

export interface ImportOptions extends CommonOptions {
  format?: CrontabFormat;
  output?: string;
  json?: boolean;
  strict?: boolean;
  force?: boolean;
}

const PROOF_FIRINGS = 1000;

/**
 * `tock import [FILE|-]`: a crontab to a jobfile that validates, one job per entry (a line cron
 * skips or that never runs kept as a comment and reported), then the proof: the next 1,000
 * firings of each job by cron's rules and by tock's, identical or each difference printed. Exit
 * 1 when the proof fails (unless --force), 2 when a line was not imported under --strict.
 */
export function importCommand(file: string | undefined, options: ImportOptions): void {
  const source = file ?? '-';
  const text = readTextFile(source === '-' ? 0 : source, 'a crontab', 'give a crontab file, or - (the default) and pipe one in: crontab -l | tock import');
  const name = source === '-' ? 'stdin' : source;
  const crontab = parseCrontab(text, name, options.format ?? (source === '-' ? 'user' : cronFormatFor(path.resolve(source))));
  const zone = hostZone();
  const now = Date.now();
  const hasSendmail = spawnSync('sh', ['-c', 'command -v sendmail || test -x /usr/sbin/sendmail'], { stdio: 'ignore' }).status === 0;
  const { yaml, plan } = writeImport(planImport(crontab, text, zone, now, hasSendmail), options.output ?? 'tock.yaml');
  const carried = plan.carried.map(carriedLine);
  if (options.strict === true && carried.length > 0) {
    throw new UserError('usage', `${String(carried.length)} ${carried.length === 1 ? 'line' : 'lines'} of ${name} would not be imported (--strict); nothing was written`,
      `fix them (\`${tockCommand(options, 'audit', source)}\` explains each), or drop --strict to carry them into the jobfile as comments`, carried);
  }
  if (plan.jobs.length === 0) {
    throw new UserError('usage', `expected at least one job line in ${name}, got none${plan.reboots.length > 0 ? ` (only @reboot, which tock does not run)` : ''}`,
      'a jobfile needs a job: there is nothing to import', carried);
  }

  if (options.output !== undefined) writeOutputFile(options.output, yaml, '-o/--output');
  else if (options.json !== true) process.stdout.write(yaml);
  for (const line of carried) console.error(line);
  const proof = proveImport(plan.jobs, now, PROOF_FIRINGS);
  const failed = proof.filter((p) => !p.identical);
  if (options.json === true) {
    console.log(JSON.stringify({ jobfile: options.output ?? null, jobs: plan.jobs.length, reboot: plan.reboots.length, carried: plan.carried, proof }, null, 2));
  } else {
    const out = options.output !== undefined ? console.log : console.error;
    if (options.output !== undefined) {
      out(`wrote ${options.output}: ${String(plan.jobs.length)} ${plan.jobs.length === 1 ? 'job' : 'jobs'}${plan.reboots.length > 0 ? ` (${String(plan.reboots.length)} @reboot entries listed in a comment)` : ''}${carried.length > 0 ? `; ${String(carried.length)} ${carried.length === 1 ? 'line' : 'lines'} not imported, kept as comments` : ''}`);
    }
    out(`proof: the next ${String(PROOF_FIRINGS)} firings of each job, by cron's rules and by tock's:`);
    for (const line of proof.flatMap(proofLines)) out(line);
    if (failed.length > 0) {
      console.error(`tock: the proof failed for ${String(failed.length)} of ${String(proof.length)} jobs: ${failed.map((p) => p.job).join(', ')}`);
      console.error(options.force === true ? '  --force: exit 0 anyway' : '  hint: check each difference above; --force accepts them (exit 0)');
    }
  }
  process.exitCode = failed.length > 0 && options.force !== true ? EXIT.failed : EXIT.ok;
}

function carriedLine(c: CarriedLine): string {
  return `${c.file}:${String(c.line)}: not imported: ${c.reason}`;
}

function proofLines(p: ProofResult): string[] {
  const at = `  ${p.job} (${p.file}:${String(p.line)})`;
  if (p.identical) return [`${at}: identical`];
  const counts = p.cronFirings === p.tockFirings ? '' : ` (cron has ${String(p.cronFirings)} firings, tock ${String(p.tockFirings)})`;
  return [`${at}: ${String(p.differences.length)} ${p.differences.length === 1 ? 'difference' : 'differences'}${counts}`,
    ...p.differences.map((d) => `    cron ${d.cron ?? '(none)'}   tock ${d.tock ?? '(none)'}`)];
}
