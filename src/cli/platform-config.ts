/** The effective platform config from `up`/`doctor` flags and MODELDOCK_* variables, as a CLI error when invalid. */
import type { Config } from '../config.js';
import { CliError } from './output.js';

export async function configFromFlags(o: { host?: string; port?: string; grpcPort?: string; dataDir?: string }): Promise<Config> {
  // loaded here so that API commands do not pay for the server's modules
  const { loadConfig, ConfigError } = await import('../config.js');
  try {
    return loadConfig({ flags: { host: o.host, port: o.port, grpcPort: o.grpcPort, dataDir: o.dataDir } });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message.replace(/\n\s*/g, ' '), 'INVALID_CONFIG');
    throw e;
  }
}
