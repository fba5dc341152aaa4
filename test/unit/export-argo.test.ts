// `tock export argo` (SPEC 8): every manifest is checked against a CronWorkflow schema written
// from Argo's field reference (test/helpers/argo-schema.ts): unknown fields fail, the container
// and metadata are checked by kubernetes-models' Container and ObjectMeta.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { DS, DS_NODASH, SCHEDULED_TIME, dependsExpression, exportArgo } from '../../src/export/argo.js';
import type { ExportResult } from '../../src/export/types.js';
import { UserError } from '../../src/util/user-error.js';
import { assertCronWorkflow, cronWorkflowErrors } from '../helpers/argo-schema.js';
import { exampleJobfile, jobfileFrom } from '../helpers/engine.js';

const OPTIONS = { image: 'registry.example.com/etl:1.4', jobfile: 'tock.yaml' };



interface Task { name: string; template: string; dependencies?: string[]; depends?: string; when?: string }
interface Template {
  name: string;
  dag?: { tasks: Task[] };
  retryStrategy?: Record<string, unknown>;
  activeDeadlineSeconds?: number;
  synchronization?: { mutexes: { name: string }[] };
  podSpecPatch?: string;
  metadata?: { labels: Record<string, string> };
  container?: { image: string; command: string[]; workingDir: string; env: { name: string; value?: string; valueFrom?: unknown }[] };
}
interface Manifest {
  metadata: { name: string; annotations: Record<string, string> };
  spec: {
    schedules: string[]; timezone: string; concurrencyPolicy: string; startingDeadlineSeconds?: number; suspend?: boolean;
    workflowSpec: { entrypoint: string; activeDeadlineSeconds?: number; templates: Template[] };
  };
}

/** Every file parsed and validated against the CronWorkflow schema (assertCronWorkflow throws when invalid). */
function manifests(result: ExportResult): Manifest[] {
  return result.files.map((file) => {
    expect(file.name).toMatch(/^[a-z0-9-]+\.yaml$/);
    const object: unknown = parse(file.text);
    assertCronWorkflow(object);
    return object as Manifest;
  });
}

function tasks(m: Manifest): Task[] {
  return m.spec.workflowSpec.templates.find((t) => t.dag !== undefined)?.dag?.tasks ?? [];
}

function template(m: Manifest, name: string): Template {
  const found = m.spec.workflowSpec.templates.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no template ${name}`);
  return found;
}

describe('the schema check', () => {
  const [valid] = manifests(exportArgo(jobfileFrom('version: 1\njobs:\n  a:\n    schedule: "0 * * * *"\n    retries: 1\n    command: [x]\n'), OPTIONS));
  /** `valid` with one change made by `edit`, and the schema's verdict on it. */
  function errorsAfter(edit: (m: Manifest & Record<string, unknown>) => void): string[] {
    const copy = structuredClone(valid) as Manifest & Record<string, unknown>;
    edit(copy);
    return cronWorkflowErrors(copy);
  }
  const a = (m: Manifest): Template & Record<string, unknown> => m.spec.workflowSpec.templates[1] as Template & Record<string, unknown>;

  it('passes what tock writes', () => {
    expect(cronWorkflowErrors(valid)).toEqual([]);
  });

  it('rejects a misspelled field anywhere tock writes, the container and metadata included', () => {
    expect(errorsAfter((m) => { const r = a(m).retryStrategy as Record<string, unknown>; r.backof = r.backoff; delete r.backoff; }))
      .toContainEqual(expect.stringMatching(/retryStrategy: must NOT have additional properties \(backof\)/));
    expect(errorsAfter((m) => { a(m).activeDeadline = 60; })).toContainEqual(expect.stringContaining('(activeDeadline)'));
    expect(errorsAfter((m) => { m.spec.workflowSpec.templates[0] = { name: 'tock-dag', dag: { tasks: [{ name: 'a', template: 'a', dependancies: [] } as unknown as Task] } }; }))
      .toContainEqual(expect.stringContaining('(dependancies)'));
    expect(errorsAfter((m) => { (m.spec as Record<string, unknown>).timeZone = 'UTC'; })).toContainEqual(expect.stringContaining('(timeZone)'));
    expect(errorsAfter((m) => { const c = a(m).container as Record<string, unknown>; c.comand = c.command; delete c.command; }))
      .toContainEqual(expect.stringContaining('/container: must NOT have additional properties (comand)'));
    expect(errorsAfter((m) => { (m.metadata as Record<string, unknown>).label = {}; })).toContainEqual(expect.stringContaining('/metadata: must NOT have additional properties (label)'));
  });

  it('rejects a wrong type, a bad value and a dangling reference', () => {
    expect(errorsAfter((m) => { (m.spec.workflowSpec as Record<string, unknown>).parallelism = '2'; })).toContainEqual('/spec/workflowSpec/parallelism: must be integer');
    expect(errorsAfter((m) => { a(m).retryStrategy = { limit: { nope: true } }; })).toContainEqual(expect.stringContaining('/retryStrategy/limit'));
    expect(errorsAfter((m) => { m.spec.concurrencyPolicy = 'forbid'; })).toContainEqual(expect.stringContaining('/spec/concurrencyPolicy: must be equal to one of the allowed values'));
    expect(errorsAfter((m) => { m.spec.schedules = ['every day at noon']; })).toContainEqual(expect.stringContaining('/spec/schedules/0: must match pattern'));
    expect(errorsAfter((m) => { m.spec.schedules = ['0 0 * * MON']; })).toContainEqual(expect.stringContaining('/spec/schedules/0: must match pattern'));
    // Types inside the container and the metadata come from kubernetes-models' own models.
    expect(errorsAfter((m) => { (a(m).container as Record<string, unknown>).command = 'x'; }))
      .toContainEqual(expect.stringMatching(/container: io\.k8s\.api\.core\.v1\.Container: .*command must be array/));
    expect(errorsAfter((m) => { m.metadata.annotations['tock.dev/jobs'] = 3 as unknown as string; }))
      .toContainEqual(expect.stringMatching(/\/metadata: io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.ObjectMeta: .*must be string/));
    expect(errorsAfter((m) => { m.spec.workflowSpec.entrypoint = 'nope'; })).toEqual(['/spec/workflowSpec/entrypoint: no template named nope']);
  });
});

describe('the examples', () => {
  it('pipeline.yaml: one CronWorkflow whose DAG follows the needs', () => {
    const result = exportArgo(exampleJobfile('pipeline.yaml'), OPTIONS);
    const all = manifests(result);
    expect(all).toHaveLength(1);
    const [wf] = all as [Manifest];
    expect(wf.metadata.name).toBe('extract');
    expect(wf.spec.schedules).toEqual(['15 2 * * *']);
    expect(wf.spec.timezone).toBe('UTC');
    expect(wf.spec.concurrencyPolicy).toBe('Forbid');
    expect(tasks(wf).map((t) => [t.name, t.dependencies ?? []])).toEqual([
      ['extract', []], ['validate', ['extract']], ['features', ['validate']], ['report', ['validate']], ['train', ['features']], ['evaluate', ['train']],
    ]);
    const extract = template(wf, 'extract');
    expect(extract.retryStrategy).toEqual({ limit: 2, retryPolicy: 'Always', backoff: { duration: '1s', factor: 2, cap: '600s' } });
    expect(extract.activeDeadlineSeconds).toBe(120);
    expect(JSON.parse(extract.podSpecPatch ?? '{}')).toEqual({ terminationGracePeriodSeconds: 5 });
    expect(extract.container?.command).toEqual(['sh', 'pipeline/extract.sh', DS]);
    expect(extract.container?.env).toContainEqual({ name: 'ROWS', value: '50' });
    expect(template(wf, 'train').activeDeadlineSeconds).toBe(60);
    expect(template(wf, 'features').container?.command).toEqual(['/bin/sh', '-c', `sh pipeline/features.sh ${DS}`]);
    expect(result.warnings).toContainEqual(expect.stringMatching(/"extract": not carried over to argo: on_failure/));
    expect(result.warnings).toContainEqual(expect.stringMatching(/"evaluate": not carried over to argo: on_success/));
  });

  it('retries-and-locks.yaml: a workflow per schedule, db-vacuum joins db-backup', () => {
    const result = exportArgo(exampleJobfile('retries-and-locks.yaml'), OPTIONS);
    const all = manifests(result);
    expect(all.map((m) => m.metadata.name)).toEqual(['heartbeat', 'sync-orders', 'refresh-cache', 'db-backup', 'load-partner-file']);
    const backup = all[3] as Manifest;
    expect(tasks(backup)).toEqual([{ name: 'db-backup', template: 'db-backup' }, { name: 'db-vacuum', template: 'db-vacuum', dependencies: ['db-backup'] }]);
    expect(template(backup, 'db-backup').synchronization).toEqual({ mutexes: [{ name: 'db' }] });
    expect(template(backup, 'db-backup').retryStrategy).toEqual({
      limit: 3, retryPolicy: 'Always', backoff: { duration: '2s', factor: 3, cap: '10s' }, expression: 'asInt(lastRetry.exitCode) in [75]',
    });
    expect(template(backup, 'db-vacuum').retryStrategy?.expression).toBe('asInt(lastRetry.exitCode) not in [2]');
    // Only db-backup has a deadline, so the workflow-wide one would cut db-vacuum short: named, not set.
    expect(backup.spec.workflowSpec.activeDeadlineSeconds).toBeUndefined();
    expect(result.warnings).toContainEqual(expect.stringContaining('deadline of "db-backup" not carried over'));
    expect(template(backup, 'db-backup').container?.env).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-backup-secrets', key: 'DB_PASSWORD' } } });
    const sync = all[1] as Manifest;
    expect(sync.spec.startingDeadlineSeconds).toBe(300);
    expect(sync.spec.concurrencyPolicy).toBe('Forbid');
    expect(result.warnings).toContainEqual(expect.stringMatching(/"sync-orders": concurrency: queue .*Forbid/));
    expect(all[2]?.spec.concurrencyPolicy).toBe('Replace');
    const partner = template(all[4] as Manifest, 'load-partner-file');
    expect(partner.container?.command[4]).toBe(`data/inbox/partner-${DS_NODASH}.csv`);
    expect(result.warnings).toContainEqual(expect.stringMatching(/"load-partner-file": not carried over to argo: wait_for/));
  });

  it('minimal.yaml: {{ ds }} becomes the scheduled date', () => {
    const [hello] = manifests(exportArgo(exampleJobfile('minimal.yaml'), OPTIONS));
    expect(template(hello as Manifest, 'hello').container?.command).toEqual(['/bin/sh', '-c', `echo "hello from tock, logical date ${DS}"`]);
  });
});

describe('template variables', () => {
  it('map to the scheduled time, the workflow name and the retry count', () => {
    expect(DS).toBe('{{=sprig.substr(0, 10, workflow.scheduledTime)}}');
    expect(SCHEDULED_TIME).toBe('{{workflow.scheduledTime}}');
    const jobfile = jobfileFrom('version: 1\njobs:\n  a:\n    schedule: "0 * * * *"\n    retries: 2\n    command: echo {{ ds }} {{ ds_nodash }} {{ ts }} {{ job }} {{ run_id }} {{ attempt }} $HOME\n');
    const [wf] = manifests(exportArgo(jobfile, OPTIONS));
    const a = template(wf as Manifest, 'a');
    expect(a.container?.command[2]).toBe(`echo ${DS} ${DS_NODASH} {{workflow.scheduledTime}} a {{workflow.name}} {{=asInt(retries) + 1}} $$HOME`);
    expect(a.container?.env).toContainEqual({ name: 'TOCK_DS', value: DS });
    expect(a.container?.env).toContainEqual({ name: 'TOCK_ATTEMPT', value: '{{=asInt(retries) + 1}}' });
  });

  it('attempt is 1 without retries (Argo has no retries variable then)', () => {
    const [wf] = manifests(exportArgo(jobfileFrom('version: 1\njobs:\n  a:\n    schedule: "0 * * * *"\n    command: [echo, "{{ attempt }}"]\n'), OPTIONS));
    expect(template(wf as Manifest, 'a').container?.command).toEqual(['echo', '1']);
  });
});

describe('depends', () => {
  it('expressions for success, failure and always', () => {
    expect(dependsExpression('success', ['a', 'b'])).toBe('a.Succeeded && b.Succeeded');
    expect(dependsExpression('failure', ['a', 'b'])).toBe('a.Failed || a.Errored || b.Failed || b.Errored');
    expect(dependsExpression('always', ['a'])).toBe('(a.Succeeded || a.Failed || a.Errored || a.Skipped || a.Omitted)');
  });

  it('one failure or always task turns the whole DAG to depends (Argo refuses a mix)', () => {
    const jobfile = jobfileFrom(`version: 1
jobs:
  load:
    schedule: "0 2 * * *"
    command: [x]
  report:
    needs: [load]
    command: [x]
  alert:
    needs: [load, report]
    when: failure
    command: [x]
  cleanup:
    needs: [report]
    when: always
    command: [x]
`);
    const [wf] = manifests(exportArgo(jobfile, OPTIONS));
    expect(tasks(wf as Manifest)).toEqual([
      { name: 'load', template: 'load' },
      { name: 'report', template: 'report', depends: 'load.Succeeded' },
      { name: 'alert', template: 'alert', depends: 'load.Failed || load.Errored || report.Failed || report.Errored' },
      { name: 'cleanup', template: 'cleanup', depends: '(report.Succeeded || report.Failed || report.Errored || report.Skipped || report.Omitted)' },
    ]);
  });
});

describe('grouping and names', () => {
  const jobfile = jobfileFrom(`version: 1
timezone: Europe/Paris
jobs:
  Nightly.A:
    schedule: "0 3 * * *"
    deadline: 2h
    command: [x]
  nightly_b:
    schedule: "0 3 * * *"
    deadline: 1h
    command: [x]
  tock-dag:
    needs: [Nightly.A]
    deadline: 2h
    command: [x]
  hourly:
    schedule: "@every 1h"
    command: [x]
  late:
    schedule: "30 3 * * *"
    needs: [nightly_b]
    command: [x]
  off:
    schedule: "0 3 * * *"
    enabled: false
    command: [x]
`);
  const result = exportArgo(jobfile, OPTIONS);
  const all = manifests(result);

  it('roots sharing a schedule, zone and settings share a CronWorkflow', () => {
    expect(all.map((m) => [m.metadata.name, m.spec.schedules[0], m.spec.suspend ?? false])).toEqual([
      ['nightly-a', '0 3 * * *', false], ['hourly', '@every 3600s', false], ['late', '30 3 * * *', false], ['off', '0 3 * * *', true],
    ]);
    const nightly = all[0] as Manifest;
    expect(nightly.spec.timezone).toBe('Europe/Paris');
    expect(tasks(nightly)).toEqual([
      { name: 'nightly-a', template: 'nightly-a' },
      { name: 'nightly-b', template: 'nightly-b' },
      // A job named like the DAG template gets another name.
      { name: 'tock-dag-2', template: 'tock-dag-2', dependencies: ['nightly-a'] },
    ]);
    expect(nightly.spec.workflowSpec.activeDeadlineSeconds).toBe(7200);
    expect(result.warnings).toContainEqual(expect.stringContaining('deadline of "nightly_b" loosened to 7200s'));
    expect(template(nightly, 'nightly-a').metadata?.labels['tock.dev/job']).toBe('Nightly.A');
    expect(nightly.metadata.annotations['tock.dev/jobfile']).toBe('tock.yaml');
  });

  it('a job with a schedule and needs runs on its own schedule, the cross-schedule need named', () => {
    expect(tasks(all[2] as Manifest)).toEqual([{ name: 'late', template: 'late' }]);
    expect(result.warnings).toContainEqual(expect.stringMatching(/"late" has both a schedule and needs.*without waiting for nightly_b/));
  });

  it('@every is named in a warning', () => {
    expect(result.warnings).toContainEqual(expect.stringContaining('"hourly": @every 1h is exported as @every'));
  });

  it('refuses a schedule on seconds', () => {
    const seconds = jobfileFrom('version: 1\njobs:\n  a:\n    schedule: "15 * * * * *"\n    command: [x]\n');
    expect(() => exportArgo(seconds, OPTIONS)).toThrow(UserError);
    expect(() => exportArgo(seconds, OPTIONS)).toThrow(/"a": 15 \* \* \* \* \* fires on a second other than 0/);
  });
});
