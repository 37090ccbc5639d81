import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from './config.js';
import { openBlobStore } from './store/blobs/open.js';
import { S3BlobStore } from './store/blobs/s3-blob-store.js';

describe('config: S3 blob store', () => {
  const env = {
    MODELDOCK_BLOB_URL: 's3://models-bucket/modeldock/prod',
    MODELDOCK_S3_ENDPOINT: 'https://cos.ap-guangzhou.myqcloud.com',
    MODELDOCK_S3_REGION: 'ap-guangzhou',
    MODELDOCK_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'very-secret',
  };

  it('reads MODELDOCK_S3_* and the standard AWS_* credentials, and doctor shows no secret', async () => {
    const cfg = loadConfig({ env, overrides: { dataDir: '/tmp/md' } });
    expect(cfg.blobUrl).toBe('s3://models-bucket/modeldock/prod');
    expect(cfg.s3).toMatchObject({
      endpoint: env.MODELDOCK_S3_ENDPOINT,
      region: 'ap-guangzhou',
      forcePathStyle: true,
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'very-secret',
    });
    const shown = JSON.stringify(describeConfig(cfg));
    expect(shown).not.toContain('very-secret');
    expect(describeConfig(cfg).s3).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: '(set)' });
    const store = await openBlobStore(cfg.blobUrl, cfg);
    expect(store).toBeInstanceOf(S3BlobStore);
    expect((store as S3BlobStore).url('m/v1/a.onnx')).toBe('s3://models-bucket/modeldock/prod/m/v1/a.onnx');
    expect(store.localPath).toBeUndefined();
  });

  it('refuses a bad bucket URL, a bad endpoint, a bad path-style flag and half a credential pair at start', () => {
    expect(() => loadConfig({ env: { MODELDOCK_BLOB_URL: 's3://A_Bad_Bucket/x' } })).toThrow(/blobUrl/);
    expect(() => loadConfig({ env: { MODELDOCK_S3_ENDPOINT: 'cos.example.com' } })).toThrow(/s3\/endpoint/);
    expect(() => loadConfig({ env: { MODELDOCK_S3_FORCE_PATH_STYLE: 'yes' } })).toThrow(/forcePathStyle/);
    expect(() => loadConfig({ env: { AWS_ACCESS_KEY_ID: 'only-the-id' } })).toThrow(/AWS_SECRET_ACCESS_KEY/);
  });

  it('shows a database URL without its password', () => {
    const cfg = loadConfig({ env: { MODELDOCK_DATABASE_URL: 'postgres://md:hunter2@db.internal:5432/modeldock' }, overrides: { dataDir: '/tmp/md' } });
    expect(describeConfig(cfg).databaseUrl).toBe('postgres://md:***@db.internal:5432/modeldock');
    expect(JSON.stringify(describeConfig(cfg))).not.toContain('hunter2');
  });

  it('keeps the folder store the default', () => {
    const cfg = loadConfig({ env: {}, overrides: { dataDir: '/tmp/md' } });
    expect(cfg.blobUrl).toBe('file:///tmp/md/blobs');
    expect(cfg.s3.endpoint).toBe('');
  });
});
