import { describe, expect, it } from 'vitest';
import { hotRoute } from './front-door.js';

describe('front door: which requests it serves', () => {
  it('takes the hot POST routes, with or without a query', () => {
    expect(hotRoute('POST', '/v2/models/mnist/infer')).toEqual({ service: 'mnist', op: 'infer' });
    expect(hotRoute('POST', '/v2/models/mnist/versions/12/infer?x=1')).toEqual({ service: 'mnist', op: 'infer', seq: 12 });
    expect(hotRoute('POST', '/mnist-pytorch-infer/v1/models/m:predict')).toEqual({ service: 'mnist-pytorch-infer', op: 'predict' });
    // KServe v1 at the root names the service as the model
    expect(hotRoute('POST', '/v1/models/scorer:predict')).toEqual({ service: 'scorer', op: 'predict' });
    expect(hotRoute('POST', '/v1/models/m:predict')).toEqual({ service: 'm', op: 'predict' });
  });

  it('leaves everything else to Fastify: other methods, the API, odd or partial paths, bad version numbers', () => {
    for (const [method, url] of [
      ['GET', '/v2/models/mnist/infer'],
      ['PUT', '/mnist/v1/models/m:predict'],
      ['POST', '/v2/models/mnist'],
      ['POST', '/v2/models/mnist/ready'],
      ['POST', '/v2/models/mnist/versions/0/infer'],
      ['POST', '/v2/models/mnist/versions/x/infer'],
      ['POST', '/v2/models/mnist/versions/1/infer/more'],
      ['POST', '/v2/models//infer'],
      ['POST', '/v2/models/../infer'],
      ['POST', '/api/v1/models'],
      ['POST', '/api/v1/models/m:predict'],
      ['POST', '/v2/v1/models/m:predict'],
      ['POST', '/a/b/v1/models/m:predict'],
      ['POST', '/v1/models/a/b:predict'],
      ['POST', '/v1/models/:predict'],
      ['POST', '/v1/models/x:explain'],
    ] as const) {
      expect([method, url, hotRoute(method, url)]).toEqual([method, url, undefined]);
    }
  });
});
