import { describe, expect, it } from 'vitest';
import { inheritedEnv } from './child-env.js';

describe('instance environment', () => {
  it('keeps the platform environment but not its secrets', () => {
    const env = inheritedEnv({
      PATH: '/usr/bin',
      MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '1',
      MODELDOCK_ADMIN_TOKEN: 'secret',
      MODELDOCK_DATABASE_URL: 'postgres://u:pw@db/x',
      PGPASSWORD: 'pw',
    });
    expect(env).toEqual({ PATH: '/usr/bin', MODELDOCK_ALLOW_PRIVATE_IMAGE_URLS: '1' });
  });
});
