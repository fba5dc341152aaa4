import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { importEntries, renderJobfile } from '../../crontab/import.js';
import { cronFormatFor, parseCrontab } from '../../crontab/parse.js';
import { proveImport } from '../../crontab/proof.js';
import type { CrontabFormat } from '../../crontab/types.js';
import { validateText } from '../../jobfile/load.js';
import { InternalError } from '../../util/unreachable.js';
import { UserError } from '../../util/user-error.js';
import { EXIT } from '../exit-codes.js';
import type { CommonOptions } from '../paths.js';

export interface ImportOptions extends CommonOptions {
  format?: CrontabFormat;
  output?: string;
  json?: boolean;
}

const PROOF_FIRINGS = 1000;

/**
 * `tock import [FILE|-]`: a crontab to a jobfile that validates, one job per entry, then the
 * proof: the next 1,000 firings of each job by cron's rules and by tock's, identical or each
 * difference printed.
 */
export function importCommand(file: string | undefined, options: ImportOptions): void {
  const source = file ?? '-';
  let text: string;
  try {
    text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  } catch (error) {
    throw new UserError('usage', `cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 'give a crontab file, or - (the default) and pipe one in: crontab -l | tock import');
  }
  const name = source === '-' ? 'stdin' : source;
  const crontab = parseCrontab(text, name, options.format ?? (source === '-' ? 'user' : cronFormatFor(path.resolve(source))));
  if (crontab.problems.length > 0) {
    throw new UserError('usage', `${String(crontab.problems.length)} ${crontab.problems.length === 1 ? 'line' : 'lines'} of ${name} cron would not read`, 'fix them first; `tock audit` shows each',
      crontab.problems.map((p) => `${p.file}:${String(p.line)}:${String(p.column)}: expected ${p.expected}, got ${p.got}`));
  }
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const jobs = importEntries(crontab.entries, zone);
  const reboots = crontab.entries.filter((e) => e.macro === '@reboot');
  const hasSendmail = spawnSync('sh', ['-c', 'command -v sendmail || test -x /usr/sbin/sendmail'], { stdio: 'ignore' }).status === 0;
  const yaml = renderJobfile(jobs, reboots, name, zone, hasSendmail);
  const check = validateText(yaml, options.output ?? 'tock.yaml');
  if (!check.ok) throw new InternalError(`the imported jobfile does not validate: ${check.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`);

  if (options.output !== undefined) writeFileSync(options.output, yaml);
  else if (options.json !== true) process.stdout.write(yaml);
  const proof = proveImport(jobs, Date.now(), PROOF_FIRINGS);
  if (options.json === true) {
    console.log(JSON.stringify({ jobfile: options.output ?? null, jobs: jobs.length, reboot: reboots.length, proof }, null, 2));
  } else {
    const out = options.output !== undefined ? console.log : console.error;
    if (options.output !== undefined) out(`wrote ${options.output}: ${String(jobs.length)} jobs${reboots.length > 0 ? ` (${String(reboots.length)} @reboot entries listed in a comment)` : ''}`);
    out(`proof: the next ${String(PROOF_FIRINGS)} firings of each job, by cron's rules and by tock's:`);
    for (const p of proof) {
      if (p.identical) out(`  ${p.job} (${p.file}:${String(p.line)}): identical`);
      else {
        out(`  ${p.job} (${p.file}:${String(p.line)}): ${String(p.differences.length)} ${p.differences.length === 1 ? 'difference' : 'differences'}`);
        for (const d of p.differences.slice(0, 10)) out(`    cron ${d.cron ?? '(none)'}   tock ${d.tock ?? '(none)'}`);
      }
    }
  }
  process.exitCode = EXIT.ok;
}
