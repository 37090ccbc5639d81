import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { LogDelivery } from './log-delivery.js';
import type { Observed } from './reconciler.js';

const observed = (delivery: object): Observed =>
  ({
    services: [{ id: 's1', name: 'svc' }],
    versions: [{ id: 'v1', service_id: 's1', spec: JSON.stringify({ logDelivery: delivery }) }],
    instances: [],
  }) as unknown as Observed;

const line = (n: number) => ({ seq: n, ts: new Date().toISOString(), service: 'svc', instanceId: 'i1', stream: 'stdout' as const, line: `hello ${n}` });

describe('LogDelivery', () => {
  it('appends JSON lines to a file sink', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'md-logs-')), 'a', 'svc.log');
    const d = new LogDelivery(createLogger('silent'));
    d.update(observed({ type: 'file', path: file }));
    d.accept(line(1));
    d.accept({ ...line(2), service: 'other' });
    d.accept(line(3));
    await d.flush();
    const got = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(got.map((g) => g.line)).toEqual(['hello 1', 'hello 3']);
    expect(got[0]).toMatchObject({ service: 'svc', instance: 'i1', stream: 'stdout' });
  });

  it('posts batches to an HTTP sink and retries what a failing sink did not take', async () => {
    const bodies: string[] = [];
    let fail = true;
    const server = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        if (fail) {
          res.statusCode = 503;
        } else bodies.push(b);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const d = new LogDelivery(createLogger('silent'));
    d.update(observed({ type: 'http', url: `http://127.0.0.1:${port}/logs` }));
    d.accept(line(1));
    await d.flush();
    fail = false;
    d.accept(line(2));
    await d.flush();
    server.close();
    expect(bodies.join('').trim().split('\n').map((l) => JSON.parse(l).line)).toEqual(['hello 1', 'hello 2']);
  });
});
