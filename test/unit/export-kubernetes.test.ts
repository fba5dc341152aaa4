// `tock export kubernetes` (SPEC 8): every manifest is checked against the published batch/v1
// CronJob schema that kubernetes-models carries.

import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { exportKubernetes } from '../../src/export/kubernetes.js';
import { dnsLabel, labelValue, uniqueDnsNames } from '../../src/export/k8s-common.js';
import type { ExportResult } from '../../src/export/types.js';
import type { Jobfile } from '../../src/jobfile/types.js';
import { UserError } from '../../src/util/user-error.js';
import { exampleJobfile, jobfileFrom } from '../helpers/engine.js';

const OPTIONS = { image: 'registry.example.com/etl:1.4', jobfile: 'tock.yaml' };



function without(jobfile: Jobfile, names: readonly string[]): Jobfile {
  return { ...jobfile, jobs: new Map([...jobfile.jobs].filter(([name]) => !names.includes(name))) };
}

interface Manifest {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    schedule: string; timeZone: string; concurrencyPolicy: string; startingDeadlineSeconds?: number; suspend?: boolean;
    jobTemplate: { spec: {
      backoffLimit: number; activeDeadlineSeconds?: number; podFailurePolicy?: { rules: unknown[] };
      template: { metadata: { labels: Record<string, string> }; spec: {
        restartPolicy: string; terminationGracePeriodSeconds: number; activeDeadlineSeconds?: number;
        containers: { name: string; image: string; command: string[]; workingDir: string; env: { name: string; value?: string; valueFrom?: unknown }[] }[];
      } };
    } };
  };
}

/** Every file parsed and validated against the CronJob schema (validate() throws when invalid). */
function manifests(result: ExportResult): Manifest[] {
  return result.files.map((file) => {
    expect(file.name).toMatch(/^[a-z0-9-]+\.yaml$/);
    const object = parse(file.text) as Record<string, unknown>;
    new CronJob(object).validate();
    return object as unknown as Manifest;
  });
}

function byName(list: Manifest[], name: string): Manifest {
  const found = list.find((m) => m.metadata.name === name);
  if (found === undefined) throw new Error(`no CronJob ${name} in ${list.map((m) => m.metadata.name).join(', ')}`);
  return found;
}

const container = (m: Manifest) => m.spec.jobTemplate.spec.template.spec.containers[0];

describe('the schema check', () => {
  it('really validates: an invalid CronJob throws', () => {
    const [valid] = manifests(exportKubernetes(jobfileFrom('version: 1\njobs:\n  hello: { schedule: "*/5 * * * *", command: "echo hello" }\n'), OPTIONS));
    const broken = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
    (broken.spec as Record<string, unknown>).concurrencyPolicy = 7;
    expect(() => { new CronJob(broken).validate(); }).toThrow();
    const noSchedule = JSON.parse(JSON.stringify(valid)) as { spec: Record<string, unknown> };
    delete noSchedule.spec.schedule;
    expect(() => { new CronJob(noSchedule as unknown as ConstructorParameters<typeof CronJob>[0]).validate(); }).toThrow();
  });
});

describe('the examples', () => {
  it('minimal.yaml uses {{ ds }}: refused with a pointer to argo, which renders it', () => {
    const run = () => exportKubernetes(exampleJobfile('minimal.yaml'), OPTIONS);
    expect(run).toThrow(/expected commands without \{\{ ds \}\}.*got "hello" \(\{\{ ds \}\}\)/);
    try { run(); } catch (error) {
      expect((error as UserError).code).toBe('usage');
      expect((error as UserError).hint).toMatch(/tock export argo.*workflow\.scheduledTime/);
    }
  });

  it('one valid CronJob for a job without templates', () => {
    const [hello] = manifests(exportKubernetes(jobfileFrom('version: 1\njobs:\n  hello: { schedule: "*/5 * * * *", command: "echo hello" }\n'), OPTIONS));
    expect(hello?.metadata.name).toBe('hello');
    expect(hello?.spec.schedule).toBe('*/5 * * * *');
    expect(hello?.spec.timeZone).toBe('UTC');
    expect(hello?.spec.concurrencyPolicy).toBe('Forbid');
    expect(container(hello as Manifest)?.workingDir).toBeUndefined();
    expect((container(hello as Manifest)?.env ?? []).map((e) => e.name)).not.toContain('TOCK_JOBFILE');
  });

  it('pipeline.yaml has needs: refused with a pointer to argo', () => {
    const run = () => exportKubernetes(exampleJobfile('pipeline.yaml'), OPTIONS);
    expect(run).toThrow(UserError);
    expect(run).toThrow(/expected jobs without needs.*"validate" \(needs extract\)/);
    try { run(); } catch (error) {
      expect((error as UserError).code).toBe('usage');
      expect((error as UserError).hint).toContain('tock export argo');
    }
  });

  it('retries-and-locks.yaml has needs (db-vacuum): refused', () => {
    expect(() => exportKubernetes(exampleJobfile('retries-and-locks.yaml'), OPTIONS)).toThrow(/db-vacuum/);
  });

  it('retries-and-locks.yaml without db-vacuum: load-partner-file\'s {{ ds_nodash }} refused', () => {
    expect(() => exportKubernetes(without(exampleJobfile('retries-and-locks.yaml'), ['db-vacuum']), OPTIONS)).toThrow(/"load-partner-file" \(\{\{ ds_nodash \}\}\)/);
  });

  it('retries-and-locks.yaml without db-vacuum and load-partner-file: every field carried or named', () => {
    const result = exportKubernetes(without(exampleJobfile('retries-and-locks.yaml'), ['db-vacuum', 'load-partner-file']), OPTIONS);
    const all = manifests(result);
    expect(all.map((m) => m.metadata.name)).toEqual(['heartbeat', 'sync-orders', 'refresh-cache', 'db-backup']);

    const sync = byName(all, 'sync-orders');
    expect(sync.spec.concurrencyPolicy).toBe('Forbid');
    expect(sync.spec.startingDeadlineSeconds).toBe(300);
    expect(result.warnings).toContainEqual(expect.stringMatching(/"sync-orders": concurrency: queue .*Forbid/));
    expect(result.warnings).toContainEqual(expect.stringMatching(/"sync-orders": not carried over to kubernetes: locks \(db\)/));

    const refresh = byName(all, 'refresh-cache');
    expect(refresh.spec.concurrencyPolicy).toBe('Replace');
    expect(refresh.spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds).toBe(3);

    const backup = byName(all, 'db-backup');
    const job = backup.spec.jobTemplate.spec;
    expect(job.backoffLimit).toBe(3);
    expect(job.activeDeadlineSeconds).toBe(3600);
    expect(job.template.spec.activeDeadlineSeconds).toBe(600);
    expect(job.template.spec.terminationGracePeriodSeconds).toBe(5);
    expect(job.template.spec.restartPolicy).toBe('Never');
    expect(job.podFailurePolicy).toEqual({ rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [75] } }] });
    const env = container(backup)?.env ?? [];
    expect(env).toContainEqual({ name: 'DB_USER', value: 'backup' });
    expect(env).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-backup-secrets', key: 'DB_PASSWORD' } } });
    expect(env).toContainEqual({ name: 'BACKUP_HOME', valueFrom: { secretKeyRef: { name: 'db-backup-secrets', key: 'BACKUP_HOME' } } });
    const backupWarnings = result.warnings.filter((w) => w.startsWith('job "db-backup"'));
    expect(backupWarnings.join('\n')).toMatch(/Secret "db-backup-secrets".*kubectl create secret generic db-backup-secrets/);
    expect(backupWarnings.join('\n')).toMatch(/locks \(db\).*on_failure, on_retry|on_failure, on_retry.*locks \(db\)/);
    expect(backupWarnings.join('\n')).toMatch(/retry_delay\/retry_backoff\/max_retry_delay/);
    expect(backupWarnings.join('\n')).toMatch(/TOCK_ATTEMPT not set/);
  });
});

describe('names and labels', () => {
  it('are DNS-safe: lowercase, dots and underscores to dashes, trimmed', () => {
    expect(dnsLabel('Nightly.Backup_DB', 52)).toBe('nightly-backup-db');
    expect(dnsLabel('__x__', 52)).toBe('x');
    expect(dnsLabel('a'.repeat(80), 52)).toHaveLength(52);
  });

  it('are unique, with suffixes that still fit', () => {
    const names = uniqueDnsNames(['a.b', 'a_b', 'A-B', 'x'.repeat(60), `${'x'.repeat(60)}y`], 52);
    expect([...names.values()]).toEqual(['a-b', 'a-b-2', 'a-b-3', 'x'.repeat(52), `${'x'.repeat(50)}-2`]);
  });

  it('label values are valid', () => {
    expect(labelValue('-weird name!-')).toBe('weird-name');
    expect(labelValue('z'.repeat(70))).toHaveLength(63);
  });

  it('a CronJob names its job and jobfile', () => {
    const jobfile = jobfileFrom('version: 1\njobs:\n  Nightly.Report_v2:\n    schedule: "0 1 * * *"\n    command: [report]\n  nightly-report-v2:\n    schedule: "0 2 * * *"\n    command: [report]\n');
    const [first, second] = manifests(exportKubernetes(jobfile, OPTIONS));
    expect(first?.metadata.name).toBe('nightly-report-v2');
    expect(second?.metadata.name).toBe('nightly-report-v2-2');
    expect(first?.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'tock', 'tock.dev/job': 'Nightly.Report_v2' });
    expect(first?.metadata.annotations['tock.dev/jobfile']).toBe('tock.yaml');
    expect(first?.spec.jobTemplate.spec.template.metadata.labels['tock.dev/job']).toBe('Nightly.Report_v2');
  });
});

describe('the mapping', () => {
  const one = (body: string) => {
    const result = exportKubernetes(jobfileFrom(`version: 1\ntimezone: Europe/Paris\njobs:\n  j:\n${body}`), OPTIONS);
    const [m] = manifests(result);
    if (m === undefined) throw new Error('no manifest');
    return { m, warnings: result.warnings };
  };

  it.each([['forbid', 'Forbid'], ['replace', 'Replace'], ['allow', 'Allow'], ['queue', 'Forbid']])('concurrency %s -> %s', (tock, k8s) => {
    const { m, warnings } = one(`    schedule: "0 * * * *"\n    command: [x]\n    concurrency: ${tock}\n`);
    expect(m.spec.concurrencyPolicy).toBe(k8s);
    expect(warnings.some((w) => w.includes('queue'))).toBe(tock === 'queue');
  });

  it('carries zone, suspend, --workdir, retries and a string command through the shell', () => {
    const { m } = one('    schedule: "0 0 * * MON-FRI"\n    timezone: Asia/Tokyo\n    enabled: false\n    workdir: /srv/app\n    shell: /bin/bash\n    retries: 2\n    command: echo "$HOME {{ job }} {{ run_id }}" $$\n');
    expect(m.spec.schedule).toBe('0 0 * * 1,2,3,4,5');
    expect(m.spec.timeZone).toBe('Asia/Tokyo');
    expect(m.spec.suspend).toBe(true);
    expect(m.spec.jobTemplate.spec.backoffLimit).toBe(2);
    // The jobfile's workdir is a host path: the container's is only the one given with --workdir.
    expect(container(m)?.workingDir).toBeUndefined();
    const withWorkdir = manifests(exportKubernetes(jobfileFrom('version: 1\njobs:\n  j: { schedule: "@daily", workdir: /srv/app, command: [x] }\n'), { ...OPTIONS, workdir: '/app' }));
    expect(container(withWorkdir[0] as Manifest)?.workingDir).toBe('/app');
    expect(container(m)?.image).toBe(OPTIONS.image);
    // Kubernetes turns $$ into $ and expands $(VAR): the shell must see what the jobfile says.
    expect(container(m)?.command).toEqual(['/bin/bash', '-c', 'echo "$$HOME j $(TOCK_RUN_ID)" $$$$']);
    expect(container(m)?.env).toContainEqual({ name: 'TOCK_RUN_ID', valueFrom: { fieldRef: { fieldPath: "metadata.labels['job-name']" } } });
  });

  it('a 6-field schedule on second 0 and Sunday as 7 carry over', () => {
    expect(one('    schedule: "0 30 4 * * 7"\n    command: [x]\n').m.spec.schedule).toBe('30 4 * * 0');
  });

  it('no_retry_on_exit becomes a FailJob rule', () => {
    const { m } = one('    schedule: "@daily"\n    command: [x]\n    retries: 1\n    no_retry_on_exit: [2, 1]\n');
    expect(m.spec.schedule).toBe('0 0 * * *');
    expect(m.spec.jobTemplate.spec.podFailurePolicy).toEqual({ rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 2] } }] });
  });

  it('names every field it cannot carry', () => {
    const { warnings } = one('    schedule: "0 * * * *"\n    command: [x]\n    jitter: 5m\n    sla: 10m\n    catchup: all\n    locks: [db]\n    on_success:\n      command: echo ok\n');
    const line = warnings.find((w) => w.includes('not carried over')) ?? '';
    for (const field of ['jitter', 'sla', 'catchup: all', 'locks (db)', 'on_success']) expect(line).toContain(field);
  });

  it('refuses @every and seconds, naming each job', () => {
    const jobfile = jobfileFrom('version: 1\njobs:\n  a:\n    schedule: "@every 10m"\n    command: [x]\n  b:\n    schedule: "30 * * * * *"\n    command: [x]\n');
    expect(() => exportKubernetes(jobfile, OPTIONS)).toThrow(/"a": "@every 10m" is an interval.*"b": "30 \* \* \* \* \*" fires on second 30/);
  });
});
