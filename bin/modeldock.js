#!/usr/bin/env node
// Entry point of the `modeldock` command: runs the compiled CLI (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('modeldock is not built yet: run `npm run setup` (or `npm run build`) first');
  process.exit(1);
}
await import(main);
