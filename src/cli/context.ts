/** What every API command needs: the global options and a client built from them. */
import type { Command } from 'commander';
import { ApiClient } from './client.js';
import { globalOpts, type GlobalOpts } from './output.js';

export interface CommandContext extends GlobalOpts {
  api: ApiClient;
}

export function contextOf(cmd: Command): CommandContext {
  const g = globalOpts(cmd);
  return { ...g, api: new ApiClient({ server: g.server, token: g.token }) };
}
