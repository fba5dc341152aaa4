import type { Field, FieldTable, FieldType } from './fields.js';
import { ENV_NAME_PATTERN, JOB_FIELDS, JOB_NAME_PATTERN, LOCK_NAME_PATTERN, TOP_FIELDS, TOP_REQUIRED } from './fields.js';
import { showDefault } from './show-default.js';

type JsonSchema = Record<string, unknown>;

const DURATION = '^(\\d+(\\.\\d+)?|(\\d+d)?(\\d+h)?(\\d+m)?(\\d+(\\.\\d+)?s)?)$';

/**
 * The JSON Schema of a jobfile, generated from the same field table the validator walks.
 * Editors use it for completion; tock itself validates with its own walker, which also
 * checks what a schema cannot (cron syntax, zones, templates, cycles) and gives positions.
 */
export function jobfileSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/tock/tock/schema/tock.schema.json',
    title: 'tock jobfile',
    type: 'object',
    additionalProperties: false,
    required: TOP_REQUIRED,
    properties: properties(TOP_FIELDS),
    definitions: {
      job: { type: 'object', additionalProperties: false, required: ['command'], properties: properties(JOB_FIELDS) },
    },
  };
}

function properties(table: FieldTable): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(table).map(([name, field]) => [name, fieldSchema(field)]));
}

/** A default that follows another field is no value an editor could fill in: it goes in the description. */
function fieldSchema(field: Field): JsonSchema {
  const shown = showDefault(field);
  if (shown !== undefined && 'follows' in shown) return { description: `${field.description} (default: ${shown.follows})`, ...typeSchema(field.type) };
  return { description: field.description, ...(shown !== undefined ? { default: shown.written } : {}), ...typeSchema(field.type) };
}

function typeSchema(type: FieldType): JsonSchema {
  switch (type.kind) {
    case 'string':
      return { type: 'string', minLength: 1, ...(type.pattern !== undefined ? { pattern: type.pattern } : {}) };
    case 'command':
      return { oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: ['string', 'number'] } }] };
    case 'schedule':
    case 'zone':
      return { type: 'string', minLength: 1 };
    case 'duration':
      return { oneOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: DURATION, minLength: 1 }] };
    case 'integer':
      return { type: 'integer', minimum: type.min, ...(type.max !== undefined ? { maximum: type.max } : {}) };
    case 'number':
      return { type: 'number', minimum: type.min };
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'string', enum: type.values };
    case 'list': {
      const item = type.item === 'exit-code'
        ? { type: 'integer', minimum: 0, maximum: 255 }
        : { type: 'string', pattern: type.item === 'job-name' ? JOB_NAME_PATTERN : LOCK_NAME_PATTERN };
      return { type: 'array', items: item };
    }
    case 'env': {
      const secret = (key: string): JsonSchema => ({
        type: 'object', additionalProperties: false, required: [key], properties: { [key]: { type: 'string', minLength: 1 } },
      });
      return {
        type: 'object',
        propertyNames: { pattern: ENV_NAME_PATTERN },
        additionalProperties: { oneOf: [{ type: ['string', 'number', 'boolean'] }, secret('from_file'), secret('from_env')] },
      };
    }
    case 'hook':
      return {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: { command: { type: 'string', minLength: 1 }, webhook: { type: 'string', pattern: '^https?://' } },
      };
    case 'object':
      return { type: 'object', additionalProperties: false, required: type.required ?? [], properties: properties(type.fields) };
    case 'jobs':
      return {
        type: 'object', minProperties: 1, propertyNames: { pattern: JOB_NAME_PATTERN },
        additionalProperties: { $ref: '#/definitions/job' },
      };
  }
}
