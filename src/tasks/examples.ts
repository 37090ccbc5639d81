/**
 * Built-in task examples: each folder of `examples/` with an `example.json`
 * ({description, runtime, command, inputs}) can be a task's code (`code: {type: "example"}`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../contracts/errors.js';
import type { TaskExample } from '../contracts/tasks.js';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

export function listExamples(root = EXAMPLES_DIR): TaskExample[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, 'example.json')))
    .map((d) => {
      const meta = JSON.parse(fs.readFileSync(path.join(root, d.name, 'example.json'), 'utf8')) as Omit<TaskExample, 'name'>;
      return { name: d.name, description: meta.description, runtime: meta.runtime, command: meta.command, inputs: meta.inputs ?? {} };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The example's folder; throws EXAMPLE_NOT_FOUND. */
export function exampleDir(name: string, root = EXAMPLES_DIR): string {
  if (!listExamples(root).some((e) => e.name === name)) {
    throw new DomainError('EXAMPLE_NOT_FOUND', `no built-in example "${name.slice(0, 80)}" (GET /api/v1/task-examples lists them)`);
  }
  return path.join(root, name);
}
