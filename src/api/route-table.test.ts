import { describe, expect, it } from 'vitest';
import { RouteTable } from './route-table.js';

describe('RouteTable', () => {
  const t = new RouteTable();
  t.add('/api/v1/models/:name', ['GET', 'DELETE']);
  t.add('/api/v1/models/:name', ['PUT']);
  t.add('/:service/v1/models/m::predict', ['POST']);
  t.add('/assets/*', ['GET']);

  it('answers the methods of a known path, merged over routes of the same pattern', () => {
    expect(t.allowed('/api/v1/models/mnist')).toEqual(['DELETE', 'GET', 'PUT']);
    expect(t.allowed('/assets/a/b.js')).toEqual(['GET']);
  });

  it("reads Fastify's escaped colon as a literal colon (TI-ONE's m:predict)", () => {
    expect(t.allowed('/svc/v1/models/m:predict')).toEqual(['POST']);
    expect(t.allowed('/svc/v1/models/m::predict')).toEqual([]);
  });

  it('knows no other path', () => {
    expect(t.allowed('/api/v1/models')).toEqual([]);
    expect(t.allowed('/api/v1/models/a/b')).toEqual([]);
  });
});
