import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from './config.js';

describe('config: the gRPC port', () => {
  it('is 8081 by default, set by MODELDOCK_GRPC_PORT or the flag (the flag wins), 0 for off', () => {
    expect(loadConfig({ env: {} }).grpcPort).toBe(8081);
    expect(loadConfig({ env: { MODELDOCK_GRPC_PORT: '9001' } }).grpcPort).toBe(9001);
    expect(loadConfig({ env: { MODELDOCK_GRPC_PORT: '9001' }, flags: { grpcPort: '9002' } }).grpcPort).toBe(9002);
    expect(loadConfig({ env: {}, flags: { grpcPort: '0' } }).grpcPort).toBe(0);
    expect(describeConfig(loadConfig({ env: {} })).grpcPort).toBe(8081);
  });

  it('takes any free port with --port 0, unless one is named', () => {
    expect(loadConfig({ env: {}, flags: { port: '0' } }).grpcPort).toBe('any');
    expect(loadConfig({ env: { MODELDOCK_GRPC_PORT: '0' }, flags: { port: '0' } }).grpcPort).toBe(0);
    expect(loadConfig({ env: {}, flags: { port: '0', grpcPort: 'any' } }).grpcPort).toBe('any');
  });

  it('refuses a port out of range or not a number at start', () => {
    expect(() => loadConfig({ env: { MODELDOCK_GRPC_PORT: '70000' } })).toThrow(/grpcPort/);
    expect(() => loadConfig({ env: {}, flags: { grpcPort: 'eighty' } })).toThrow(/grpcPort/);
  });
});
