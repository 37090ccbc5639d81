/** A captured call as a line: bodies stored base64, read back as text for text types; truncation on a character boundary and marked; no headers. */
import { describe, expect, it } from 'vitest';
import type { CaptureEntry } from '../../gateway/capture-hook.js';
import type { CapturedBody, CaptureRecord } from '../../contracts/capture.js';
import { captureLine, captureParts, readableRecord, utf8Boundary } from './capture-record.js';

/** The stored line, parsed. */
const stored = (e: CaptureEntry): CaptureRecord => JSON.parse(captureLine(e)) as CaptureRecord;
/** The record as the browse API answers it. */
const captureRecord = (e: CaptureEntry): CaptureRecord => readableRecord(stored(e));
/** One body (as the request of an entry), as read back. */
const capturedBody = (body: Buffer | undefined, type: string | undefined, headerLength: string | undefined, max: number): CapturedBody =>
  captureRecord(entry({ request: body, requestType: type, requestHeaderLength: headerLength, maxBodyBytes: max })).request;

const entry = (over: Partial<CaptureEntry> = {}): CaptureEntry => ({
  at: Date.UTC(2026, 11, 4, 18, 30, 12, 345),
  service: 'svc',
  seq: 2,
  versionId: 'v-id',
  instanceId: 'i-1',
  op: 'predict',
  method: 'POST',
  url: '/svc/v1/models/m:predict?token=secret',
  status: 200,
  latencyMs: 1.5,
  request: Buffer.from('{"x":1}'),
  requestType: 'application/json',
  response: Buffer.from('{"y":2}'),
  responseType: 'application/json; charset=utf-8',
  maxBodyBytes: 1024,
  ...over,
});

describe('capture records', () => {
  it('holds the call: time, version, instance, status, latency, both bodies as text; the path without its query', () => {
    const r = captureRecord(entry());
    expect(r).toMatchObject({
      ts: '2026-12-04T18:30:12.345Z',
      service: 'svc',
      version: 2,
      versionId: 'v-id',
      instance: 'i-1',
      op: 'predict',
      status: 200,
      latencyMs: 1.5,
      path: '/svc/v1/models/m:predict',
    });
    expect(r.request).toEqual({ contentType: 'application/json', size: 7, encoding: 'utf8', body: '{"x":1}' });
    expect(r.response.body).toBe('{"y":2}');
    expect(captureLine(entry())).not.toContain('secret');
    expect(captureLine(entry()).endsWith('}\n')).toBe(true);
    expect(captureParts(entry()).join('')).toBe(captureLine(entry()));
  });

  it('stores every body as base64, the exact bytes, whatever its type', () => {
    const s = stored(entry());
    expect(s.request).toEqual({ contentType: 'application/json', size: 7, encoding: 'base64', body: Buffer.from('{"x":1}').toString('base64') });
    expect(Object.keys(s)).not.toContain('errorCode');
  });

  it('cuts a body over maxBodyBytes, marks it truncated and keeps its whole size', () => {
    const b = capturedBody(Buffer.from('a'.repeat(100)), 'application/json', undefined, 10);
    expect(b).toEqual({ contentType: 'application/json', size: 100, encoding: 'utf8', body: 'a'.repeat(10), truncated: true });
    expect(capturedBody(Buffer.from('abc'), 'text/plain', undefined, 3).truncated).toBeUndefined();
    expect(capturedBody(Buffer.from('abc'), 'text/plain', undefined, 0)).toMatchObject({ body: '', truncated: true, size: 3 });
  });

  it('never splits a UTF-8 character when it cuts text', () => {
    const text = Buffer.from('猫猫猫'); // 3 bytes each
    expect(utf8Boundary(text, 4)).toBe(3);
    expect(utf8Boundary(text, 6)).toBe(6);
    expect(utf8Boundary(text, 100)).toBe(9);
    expect(capturedBody(text, 'application/json', undefined, 5)).toMatchObject({ encoding: 'utf8', body: '猫', truncated: true, size: 9 });
  });

  it('keeps binary bodies (OIP binary tensors, images, invalid UTF-8) as base64 with their content type', () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    expect(capturedBody(bytes, 'application/octet-stream', undefined, 100)).toEqual({
      contentType: 'application/octet-stream',
      size: 5,
      encoding: 'base64',
      body: bytes.toString('base64'),
    });
    // a JSON header followed by raw tensor bytes: base64, the header length kept
    expect(capturedBody(Buffer.from('{"inputs":[]}abc'), 'application/json', '13', 100)).toMatchObject({ encoding: 'base64', headerLength: '13' });
    expect(capturedBody(bytes, 'application/json', undefined, 100).encoding).toBe('base64');
    expect(capturedBody(bytes, 'image/png', undefined, 2)).toMatchObject({
      encoding: 'base64',
      body: bytes.subarray(0, 2).toString('base64'),
      truncated: true,
    });
  });

  it('takes an error answer given as a string, and a call without a body', () => {
    const r = captureRecord(
      entry({
        status: 503,
        errorCode: 'UNAVAILABLE',
        instanceId: undefined,
        request: undefined,
        requestType: undefined,
        response: '{"error":{"code":"UNAVAILABLE"}}',
      }),
    );
    expect(r.instance).toBeUndefined();
    expect(r.errorCode).toBe('UNAVAILABLE');
    expect(r.request).toEqual({ size: 0, encoding: 'utf8', body: '' });
    expect(r.response).toMatchObject({ encoding: 'utf8', size: 32 });
  });
});
