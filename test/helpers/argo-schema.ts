// A JSON Schema for the part of Argo Workflows' argoproj.io/v1alpha1 CronWorkflow that
// `tock export argo` writes, written from Argo's field reference (CronWorkflowSpec,
// WorkflowSpec, Template, DAGTemplate, DAGTask, RetryStrategy, Backoff, Synchronization, Mutex,
// Metadata) and the rules Argo's validation applies to names and schedules.
//
// It is stricter than a generated validator: every object tock writes has
// `additionalProperties: false`, so a misspelled field (`retryStrategy.backof`) fails instead
// of being ignored, as the cluster would silently ignore it. The Kubernetes parts are checked by
// kubernetes-models' own models: the template's `container` by io.k8s.api.core.v1.Container,
// `metadata` and `workflowMetadata` by io.k8s.apimachinery ObjectMeta (their field types), on
// top of the list of fields tock writes in them.

import { ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import { Ajv } from 'ajv';
import type { SchemaValidateFunction } from 'ajv';
import { Container } from 'kubernetes-models/v1/Container';

/** The kubernetes-models classes the `k8sModel` keyword names. */
const MODELS = {
  'io.k8s.api.core.v1.Container': Container,
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': ObjectMeta,
} as const;
type ModelName = keyof typeof MODELS;

/** Argo's name for templates and tasks (workflowFieldNameFmt, at most 128 characters). */
const FIELD_NAME = { type: 'string', pattern: '^[a-zA-Z0-9][-a-zA-Z0-9]*$', maxLength: 128 } as const;
/** A Kubernetes object name (an RFC 1123 subdomain). */
const OBJECT_NAME = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', maxLength: 253 } as const;
/** Kubernetes' IntOrString (x-kubernetes-int-or-string). */
const INT_OR_STRING = { oneOf: [{ type: 'integer' }, { type: 'string' }] } as const;
/** Argo's durations: a number of seconds, or a Go duration (`2m`, `1h30m`; `d` for days). */
const DURATION = { type: 'string', pattern: '^([0-9]+|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+)$' } as const;
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;

/**
 * The schedules Argo's CRD accepts: a descriptor, `@every` a duration, or five cron fields of
 * digits and `* , / ? -` (no names, no seconds field).
 */
const CRON_FIELD = '[0-9*,/?-]+';
const SCHEDULE = [
  '@(yearly|annually|monthly|weekly|daily|midnight|hourly)',
  '@every\\s+([0-9]+(ns|us|µs|ms|s|m|h))+',
  `(${CRON_FIELD}\\s+){4}${CRON_FIELD}`,
].join('|');

/** metadata as tock writes it: name, labels and annotations, typed by ObjectMeta. */
const OBJECT_META = {
  type: 'object',
  k8sModel: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  additionalProperties: false,
  properties: { name: OBJECT_NAME, labels: STRING_MAP, annotations: STRING_MAP },
} as const;

/** One env entry: a value, or a value from a key of a Secret. */
const ENV_VAR = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string' },
    value: { type: 'string' },
    valueFrom: {
      type: 'object',
      additionalProperties: false,
      required: ['secretKeyRef'],
      properties: {
        secretKeyRef: {
          type: 'object', additionalProperties: false, required: ['name', 'key'],
          properties: { name: OBJECT_NAME, key: { type: 'string' } },
        },
      },
    },
  },
  not: { required: ['value', 'valueFrom'] },
} as const;

const CONTAINER = {
  type: 'object',
  k8sModel: 'io.k8s.api.core.v1.Container',
  additionalProperties: false,
  required: ['name', 'image'],
  properties: {
    name: { type: 'string' },
    image: { type: 'string', minLength: 1 },
    command: { type: 'array', minItems: 1, items: { type: 'string' } },
    args: { type: 'array', items: { type: 'string' } },
    env: { type: 'array', items: ENV_VAR },
    workingDir: { type: 'string', minLength: 1 },
  },
} as const;

const RETRY_STRATEGY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: INT_OR_STRING,
    retryPolicy: { enum: ['Always', 'OnFailure', 'OnError', 'OnTransientError'] },
    backoff: {
      type: 'object',
      additionalProperties: false,
      properties: { duration: DURATION, factor: INT_OR_STRING, cap: DURATION, maxDuration: DURATION },
    },
    expression: { type: 'string', minLength: 1 },
  },
} as const;

const DAG_TASK = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'template'],
  properties: {
    name: FIELD_NAME,
    template: FIELD_NAME,
    dependencies: { type: 'array', items: FIELD_NAME, uniqueItems: true },
    depends: { type: 'string', minLength: 1 },
    when: { type: 'string', minLength: 1 },
  },
  // Argo takes one way of naming a task's upstream, not both.
  not: { required: ['dependencies', 'depends'] },
} as const;

const TEMPLATE = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: FIELD_NAME,
    // Argo's template Metadata: labels and annotations for the pod.
    metadata: { type: 'object', additionalProperties: false, properties: { labels: STRING_MAP, annotations: STRING_MAP } },
    dag: {
      type: 'object',
      additionalProperties: false,
      required: ['tasks'],
      properties: { tasks: { type: 'array', minItems: 1, items: DAG_TASK } },
    },
    container: CONTAINER,
    retryStrategy: RETRY_STRATEGY,
    activeDeadlineSeconds: INT_OR_STRING,
    synchronization: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mutexes: {
          type: 'array', minItems: 1,
          items: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
        },
      },
    },
    // A JSON (or YAML) patch of the pod spec, as a string.
    podSpecPatch: { type: 'string', minLength: 1 },
  },
  // A template is one kind of thing: here a DAG or a container.
  oneOf: [{ required: ['dag'] }, { required: ['container'] }],
} as const;

/** The CronWorkflow as tock writes it. */
export const cronWorkflowSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'argoproj.io/v1alpha1 CronWorkflow, as tock export argo writes it',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'argoproj.io/v1alpha1' },
    kind: { const: 'CronWorkflow' },
    // Argo names each Workflow `<name>-<unix time>`, so a CronWorkflow's name is at most 52 characters.
    metadata: { ...OBJECT_META, required: ['name'], properties: { ...OBJECT_META.properties, name: { ...OBJECT_NAME, maxLength: 52 } } },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['schedules', 'workflowSpec'],
      properties: {
        schedules: { type: 'array', minItems: 1, items: { type: 'string', pattern: `^(${SCHEDULE})$` } },
        timezone: { type: 'string', minLength: 1 },
        concurrencyPolicy: { enum: ['Allow', 'Forbid', 'Replace'] },
        startingDeadlineSeconds: { type: 'integer', minimum: 0 },
        suspend: { type: 'boolean' },
        workflowMetadata: OBJECT_META,
        workflowSpec: {
          type: 'object',
          additionalProperties: false,
          required: ['entrypoint', 'templates'],
          properties: {
            entrypoint: FIELD_NAME,
            activeDeadlineSeconds: { type: 'integer', minimum: 0 },
            parallelism: { type: 'integer', minimum: 1 },
            templates: { type: 'array', minItems: 1, items: TEMPLATE },
          },
        },
      },
    },
  },
} as const;

/** `k8sModel: NAME`: the value passes kubernetes-models' validator for NAME (its errors are reported as one). */
const k8sModel: SchemaValidateFunction = (name: ModelName, data: unknown): boolean => {
  try {
    new MODELS[name](data as never).validate();
    return true;
  } catch (error) {
    k8sModel.errors = [{ keyword: 'k8sModel', message: `${name}: ${error instanceof Error ? error.message : String(error)}`, params: { model: name } }];
    return false;
  }
};

// strictRequired off: `oneOf`/`not` name properties declared beside them, which strict mode flags.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
ajv.addKeyword({ keyword: 'k8sModel', schemaType: 'string', errors: true, validate: k8sModel });
const validate = ajv.compile(cronWorkflowSchema);

/** Every way `document` is not a CronWorkflow tock could write, one line each; [] when it is one. */
export function cronWorkflowErrors(document: unknown): string[] {
  if (validate(document)) return referenceErrors(document);
  return (validate.errors ?? []).map((e) => `${e.instancePath === '' ? '/' : e.instancePath}: ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : ''}`);
}

/** Throws, naming every problem, unless `document` passes the CronWorkflow schema and its references resolve. */
export function assertCronWorkflow(document: unknown): void {
  const errors = cronWorkflowErrors(document);
  if (errors.length > 0) throw new Error(`not a valid CronWorkflow:\n${errors.join('\n')}`);
}

interface Doc {
  spec: { workflowSpec: { entrypoint: string; templates: { name: string; dag?: { tasks: { name: string; template: string; dependencies?: string[] }[] } }[] } };
}

/** What a schema cannot say: the entrypoint, each task's template and each dependency name something that exists. */
function referenceErrors(document: Doc): string[] {
  const { entrypoint, templates } = document.spec.workflowSpec;
  const names = new Set(templates.map((t) => t.name));
  const errors: string[] = [];
  if (names.size < templates.length) errors.push('/spec/workflowSpec/templates: template names must be unique');
  if (!names.has(entrypoint)) errors.push(`/spec/workflowSpec/entrypoint: no template named ${entrypoint}`);
  for (const template of templates) {
    const tasks = template.dag?.tasks ?? [];
    const taskNames = new Set(tasks.map((t) => t.name));
    if (taskNames.size < tasks.length) errors.push(`template ${template.name}: task names must be unique`);
    for (const task of tasks) {
      if (!names.has(task.template)) errors.push(`task ${task.name}: no template named ${task.template}`);
      for (const dep of task.dependencies ?? []) if (!taskNames.has(dep)) errors.push(`task ${task.name}: depends on no task named ${dep}`);
    }
  }
  return errors;
}
