/** Scheduled scaling over REST: rules on a version, the rule in force and the next firing shown, bad rules refused. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Service } from '../../contracts/services.js';
import { importPlaceholder, testPlatform, type TestPlatform } from '../../../test/support/platform.js';

let p: TestPlatform;
beforeEach(async () => {
  p = await testPlatform();
  await importPlaceholder(p);
});
afterEach(async () => {
  await p.close();
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => p.app.inject({ method, url, ...(payload ? { payload } : {}) });
const scaling = { mode: 'auto', minInstances: 0, maxInstances: 3, metric: 'concurrency', target: 4 };
const version = (extra: object = {}) => ({ model: 'm', modelVersion: 'v1', resources: { cpuMillicores: 1000, memoryMiB: 1024 }, scaling, ...extra });
// every day (not 1-5): on a weekend a weekday rule would be neither the last firing nor the next
const office = [
  { cron: '0 9 * * *', timeZone: 'Asia/Shanghai', minInstances: 2 },
  { cron: '0 20 * * *', timeZone: 'Asia/Shanghai', minInstances: 0 },
];

describe('scheduled scaling over REST', () => {
  it('keeps the rules in the spec and shows the rule in force and the next firing', async () => {
    const r = await call('POST', '/api/v1/services', { name: 'sch', version: version({ schedules: office }) });
    expect(r.statusCode).toBe(202);
    const v = (r.json() as Service).versions[0]!;
    expect(v.spec.schedules).toEqual(office);
    const { active, next } = v.schedule!;
    expect([active!.rule, next!.rule].sort()).toEqual([1, 2]);
    expect(Date.parse(active!.firedAt)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(next!.at)).toBeGreaterThan(Date.now());
    // the next firing is at 09:00 or 20:00 Beijing time (01:00 or 12:00 UTC)
    expect(next!.at).toMatch(/T(01|12):00:00\.000Z$/);
    expect(next!.minInstances).toBe(next!.rule === 1 ? 2 : 0);
    // changed with the version's settings; without rules, no schedule
    const u = await call('PUT', '/api/v1/services/sch/versions/1', version({ schedules: [{ cron: '*/10 * * * * *', maxInstances: 1 }] }));
    expect(u.json().versions[0].schedule.next.at).toMatch(/:[0-5]0\.000Z$/);
    const none = await call('PUT', '/api/v1/services/sch/versions/1', version());
    expect(none.json().versions[0].schedule).toBeUndefined();
  });

  it('refuses rules that cannot work with 400 INVALID_SCHEDULE naming the field', async () => {
    const cases: [object, string, string][] = [
      [version({ schedules: [{ cron: 'at nine', minInstances: 1 }] }), 'INVALID_SCHEDULE', 'version.schedules[0].cron'],
      [
        version({ schedules: [office[0], { cron: '0 9 * * *', timeZone: 'Nowhere/Town', minInstances: 1 }] }),
        'INVALID_SCHEDULE',
        'version.schedules[1].timeZone',
      ],
      [version({ schedules: [{ cron: '0 9 * * *', minInstances: 5 }] }), 'INVALID_SCHEDULE', 'version.schedules[0]'],
      [version({ scaling: { mode: 'manual', instances: 1 }, schedules: office }), 'INVALID_SCHEDULE', 'version.schedules'],
    ];
    for (const [v, code, field] of cases) {
      const r = await call('POST', '/api/v1/services', { name: 'bad', version: v });
      expect([r.statusCode, r.json().error.code, r.json().error.details?.fields?.[0]?.field]).toEqual([400, code, field]);
    }
    const schema = await call('POST', '/api/v1/services', { name: 'bad', version: version({ schedules: [{ cron: '0 9 * * *', minInstances: -1 }] }) });
    expect([schema.statusCode, schema.json().error.code]).toEqual([400, 'INVALID_ARGUMENT']);
    expect((await call('GET', '/api/v1/services/bad')).statusCode).toBe(404);
    await call('POST', '/api/v1/services', { name: 'ok', version: version() });
    const added = await call('POST', '/api/v1/services/ok/versions', version({ schedules: [{ cron: '0 25 * * *', minInstances: 1 }] }));
    expect([added.statusCode, added.json().error.code, added.json().error.details.fields[0].field]).toEqual([400, 'INVALID_SCHEDULE', 'schedules[0].cron']);
  });

  it('a prepaid resource group reserves the most a rule may run', async () => {
    expect((await call('POST', '/api/v1/resource-groups', { name: 'rg', cpuMillicores: 4000, memoryMiB: 8192 })).statusCode).toBe(201);
    const prepaid = { billingMode: 'prepaid', resourceGroup: 'rg' };
    // spec max 3 fits 4 cores; a rule raising max to 5 does not
    const big = await call('POST', '/api/v1/services', { name: 'pp', ...prepaid, version: version({ schedules: [{ cron: '0 9 * * *', maxInstances: 5 }] }) });
    expect([big.statusCode, big.json().error.code]).toEqual([409, 'NO_CAPACITY']);
    expect(
      (await call('POST', '/api/v1/services', { name: 'pp', ...prepaid, version: version({ schedules: [{ cron: '0 9 * * *', maxInstances: 4 }] }) }))
        .statusCode,
    ).toBe(202);
    expect((await call('GET', '/api/v1/resource-groups/rg')).json().used.cpuMillicores).toBe(4000);
  });
});
