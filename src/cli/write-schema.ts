import { writeFileSync } from 'node:fs';

import { jobfileSchema } from '../jobfile/schema.js';

// Run by `npm run build`: writes schema/tock.schema.json from the field table.
const target = process.argv[2] ?? 'schema/tock.schema.json';
writeFileSync(target, `${JSON.stringify(jobfileSchema(), null, 2)}\n`);
