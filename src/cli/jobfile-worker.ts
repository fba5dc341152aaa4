import { parentPort, workerData } from 'node:worker_threads';

import { checkText, readJobfile } from '../jobfile/load.js';
import { UserError } from '../util/user-error.js';
import type { AsideReply, AsideRequest } from './load-aside.js';
import { renderDiagnostics } from './render/diagnostic.js';

// The worker side of `loadAside` (load-aside.ts): parse and check the jobfile here, send back
// its plain value, and end; the YAML library, the document and the parse's garbage end with it.
const { file, shown, asRoot } = workerData as AsideRequest;
const reply = (message: AsideReply): void => {
  parentPort?.postMessage(message);
};
try {
  const text = readJobfile(file, { asRoot });
  const checked = checkText(text, file);
  if (checked.ok) reply({ kind: 'ok', value: checked.value, text });
  else reply({ kind: 'invalid', errors: checked.diagnostics.filter((d) => d.severity === 'error').length, problems: renderDiagnostics(checked.diagnostics, checked.source, shown) });
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  reply({ kind: 'user-error', code: error.code, message: error.message, ...(error.hint !== undefined ? { hint: error.hint } : {}), details: [...error.details] });
}
