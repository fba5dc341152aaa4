import { TEMPLATE_VARIABLES } from './fields.js';

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** The values a run substitutes for `{{ name }}` in command, env values and wait_for.path. */
export interface TemplateValues {
  readonly ds: string;
  readonly ds_nodash: string;
  readonly ts: string;
  readonly job: string;
  readonly run_id: string;
  readonly attempt: string;
}

/** Names inside `{{ }}` that are not template variables, with their offsets in `text`. */
export function unknownTemplates(text: string): { name: string; index: number }[] {
  const unknown: { name: string; index: number }[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!TEMPLATE_VARIABLES.includes(name)) unknown.push({ name, index: match.index });
  }
  return unknown;
}

/** Replaces every `{{ name }}`; validation has already refused unknown names. */
export function renderTemplate(text: string, values: TemplateValues): string {
  const lookup: Readonly<Record<string, string>> = { ...values };
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(lookup, name) ? lookup[name] ?? whole : whole));
}
