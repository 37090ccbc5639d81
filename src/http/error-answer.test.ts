import { describe, expect, it } from 'vitest';
import { DomainError } from '../contracts/errors.js';
import { answerOf, errorAnswer, errorJson, retryAfterOf } from './error-answer.js';

const noId = () => 'id-1';

function recordingLog() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    error: (obj: object, msg: string) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
    warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  };
}

describe('answerOf', () => {
  it('maps the kind to a status and gives only a 5xx an id', () => {
    const notFound = answerOf(new DomainError('MODEL_NOT_FOUND', 'no model "m"'), noId);
    expect([notFound.status, notFound.id, notFound.body]).toEqual([404, undefined, { error: { code: 'MODEL_NOT_FOUND', message: 'no model "m"' } }]);
    const full = answerOf(new DomainError('QUEUE_FULL', 'full'), noId);
    expect([full.status, full.body.error.id]).toEqual([503, 'id-1']);
  });
});

describe('retryAfterOf', () => {
  it('uses the seconds in the details, else 1 for unavailable and limited, else the fallback', () => {
    expect(retryAfterOf(new DomainError('RATE_LIMITED', 'day', { retryAfterSeconds: 3600 }))).toBe('3600');
    expect(retryAfterOf(new DomainError('RATE_LIMITED', 'x'), '30')).toBe('1');
    expect(retryAfterOf(new DomainError('MODEL_NOT_READY', 'x'))).toBe('1');
    expect(retryAfterOf(new DomainError('UNAVAILABLE', 'stopped'), '30')).toBe('30');
    expect(retryAfterOf(new DomainError('MODEL_ERROR', 'x'))).toBeUndefined();
    expect(retryAfterOf(new DomainError('SERVICE_NOT_FOUND', 'x'))).toBeUndefined();
  });
});

describe('errorAnswer', () => {
  it('logs an internal error with its cause and answers only "internal error"', () => {
    const log = recordingLog();
    const cause = new Error('SELECT * FROM secrets failed');
    const a = errorAnswer(cause, log, noId);
    expect([a.status, a.body]).toEqual([500, { error: { code: 'INTERNAL', message: 'internal error', id: 'id-1' } }]);
    expect(log.lines).toEqual([{ level: 'error', obj: { err: cause, errorId: 'id-1', code: 'INTERNAL' }, msg: 'request failed' }]);
  });

  it('logs another 5xx as a warning and a 4xx not at all', () => {
    const log = recordingLog();
    errorAnswer(new DomainError('TIMEOUT', 'slow'), log, noId);
    errorAnswer(new DomainError('INVALID_JSON', 'bad'), log, noId);
    expect(log.lines).toEqual([{ level: 'warn', obj: { errorId: 'id-1', code: 'TIMEOUT', msg: 'slow' }, msg: 'request not served' }]);
  });

  it('turns a full disk into 507 STORAGE_FULL', () => {
    const a = errorAnswer(Object.assign(new Error('no space'), { code: 'ENOSPC' }), recordingLog(), noId);
    expect([a.status, a.de.code]).toEqual([507, 'STORAGE_FULL']);
  });
});

describe('errorJson', () => {
  const body = answerOf(new DomainError('QUEUE_FULL', 'the queue is full'), noId).body;

  it('answers the OIP v2 shape on /v2 routes', () => {
    for (const path of ['/v2', '/v2/models/m/infer', '/v2?x=1']) {
      expect(JSON.parse(errorJson(body, path))).toEqual({ error: 'the queue is full', code: 'QUEUE_FULL', id: 'id-1' });
    }
  });

  it('answers the documented shape elsewhere', () => {
    for (const path of ['/v1/models/m:predict', '/api/v1/models', '/v2x']) {
      expect(JSON.parse(errorJson(body, path))).toEqual({ error: { code: 'QUEUE_FULL', message: 'the queue is full', id: 'id-1' } });
    }
  });
});
