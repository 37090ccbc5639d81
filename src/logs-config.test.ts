import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('logs config', () => {
  it('has defaults, takes MODELDOCK_LOG_* and checks sinks at start', () => {
    const d = loadConfig({ env: {} }).logs;
    expect(d).toMatchObject({ store: 'database', maxAgeHours: 72, maxLinesPerService: 100_000, maxBytesPerService: 64 * 1024 * 1024, sinks: [] });
    const sinks = [
      { type: 'loki', url: 'http://loki:3100' },
      { type: 'otlp', url: 'http://otel:4318' },
    ];
    const c = loadConfig({ env: { MODELDOCK_LOG_MAX_AGE_HOURS: '6', MODELDOCK_LOG_MAX_MIB: '8', MODELDOCK_LOG_SINKS: JSON.stringify(sinks) } }).logs;
    expect(c).toMatchObject({ maxAgeHours: 6, maxBytesPerService: 8 * 1024 * 1024, sinks });
    expect(loadConfig({ env: {}, overrides: { logs: { maxLinesPerService: 10 } } }).logs).toMatchObject({ maxLinesPerService: 10, maxAgeHours: 72 });
    expect(() => loadConfig({ env: { MODELDOCK_LOG_SINKS: '[{"type":"loki","url":"ftp://x"}]' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { MODELDOCK_LOG_SINKS: '[{"type":"kafka","url":"http://x"}]' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { MODELDOCK_LOG_SINKS: 'not json' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { MODELDOCK_LOG_STORE: 'redis' } })).toThrow(/logs\/store/);
  });
});
