import type { Command } from 'commander';
import { register as registerBatch } from './batch.js';
import { register as registerCall } from './call.js';
import { register as registerCompletion } from './completion.js';
import { register as registerDemo } from './demo.js';
import { register as registerDoctor } from './doctor.js';
import { register as registerFetchBlobs } from './fetch-blobs.js';
import { register as registerInstance } from './instance.js';
import { register as registerModels } from './models.js';
import { register as registerRuntimes } from './runtimes.js';
import { register as registerServices } from './services.js';
import { register as registerStorage } from './storage.js';
import { register as registerTasks } from './tasks.js';
import { register as registerTemplates } from './templates.js';
import { register as registerUp } from './up.js';

/** Each command group registers itself here. */
export function registerAll(program: Command): void {
  registerUp(program);
  registerModels(program);
  registerStorage(program);
  registerTasks(program);
  registerBatch(program);
  registerServices(program);
  registerRuntimes(program);
  registerCall(program);
  registerDoctor(program);
  registerDemo(program);
  registerInstance(program);
  registerFetchBlobs(program);
  registerTemplates(program);
  registerCompletion(program);
}
