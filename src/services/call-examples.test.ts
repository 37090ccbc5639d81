import { describe, expect, it } from 'vitest';
import { callExamples, packageKind, tensorBody } from './call-examples.js';
import { callInfo } from './call-info.js';
import type { Service } from '../contracts/services.js';

const urls = { predict: 'http://h/svc/v1/models/m:predict', kserve: 'http://h/v1/models/svc:predict', infer: 'http://h/v2/models/svc/infer' };

describe('call examples', () => {
  it('tells the package kind from the runtime and the files', () => {
    expect(packageKind('onnxruntime1.30-node20-cpu', ['model.onnx', 'modeldock.json', 'labels.txt'])).toBe('onnx-image');
    expect(packageKind('onnxruntime1.30-node20-cpu', ['model.onnx'])).toBe('onnx');
    expect(packageKind('onnxruntime1.30-node20-cpu', ['model.onnx', 'model_service.js'])).toBe('node-handler');
    expect(packageKind('node20-handler', ['model_service.ts'])).toBe('node-handler');
    expect(packageKind('torch1.13-py311-cpu', ['model_service.py', 'model.pt'])).toBe('tiinfer');
    expect(packageKind('torch1.13-py311-cpu', ['model.py', 'weights.json'])).toBe('kserve');
  });

  it('gives plain ONNX an OIP v2 body shaped as its inputs (a dynamic dimension as 1), never {"images"}', () => {
    const [first, ...rest] = callExamples('onnx', urls, [
      { name: 'x', datatype: 'FP32', shape: [-1, 4] },
      { name: 'flag', datatype: 'BOOL', shape: [1] },
    ]);
    expect(rest).toEqual([]);
    expect(first).toEqual({
      protocol: 'oip-v2',
      url: urls.infer,
      body: {
        inputs: [
          { name: 'x', shape: [1, 4], datatype: 'FP32', data: [0, 0, 0, 0] },
          { name: 'flag', shape: [1], datatype: 'BOOL', data: [false] },
        ],
      },
    });
  });

  it('leads with what each kind takes: images, KServe v1 instances, or a handler body', () => {
    expect(callExamples('onnx-image', urls)[0]).toEqual({ protocol: 'tione', url: urls.predict, body: { images: ['https://example.com/cat.jpg'] } });
    expect(callExamples('kserve', urls)[0]).toMatchObject({ protocol: 'kserve-v1', url: urls.kserve, body: { instances: [[0, 0, 0, 0]] } });
    expect(callExamples('tiinfer', urls)[0]).toMatchObject({ protocol: 'tione', url: urls.predict });
    expect(callExamples('node-handler', urls, [{ name: 'values', datatype: 'FP64', shape: [3] }]).map((e) => e.protocol)).toEqual(['tione', 'oip-v2']);
  });

  it('leaves out a tensor example too large to type', () => {
    expect(tensorBody([{ name: 'x', datatype: 'INT64', shape: [2, 2] }]).inputs[0]!.data).toEqual([0, 0, 0, 0]);
    expect(callExamples('onnx-image', urls, [{ name: 'x', datatype: 'FP32', shape: [1, 3, 1024, 1024] }])).toHaveLength(1);
  });

  it("puts the first example in call-info's url, example and curl", () => {
    const s = { name: 'svc', url: urls.predict, auth: false, versions: [{ runtime: 'onnxruntime1.30-node20-cpu', weight: 100 }] } as unknown as Service;
    const info = callInfo(s, { kind: 'onnx', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2] }] });
    expect([info.url, info.example, info.kind]).toEqual([urls.infer, { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [0, 0] }] }, 'onnx']);
    expect(info.curl).toBe(`curl -X POST -H 'Content-Type: application/json' -d '${JSON.stringify(info.example)}' ${urls.infer}`);
    expect(info.kserve.predict).toBe(urls.kserve);
    expect(info.grpc).toBeUndefined();
  });

  it("gives the gRPC address (the URL's host, the gateway's gRPC port) with grpcurl and tritonclient examples", () => {
    const s = {
      name: 'svc',
      url: 'http://models.example:8080/svc/v1/models/m:predict',
      auth: true,
      versions: [{ runtime: 'onnxruntime1.30-node20-cpu', weight: 100 }],
    } as unknown as Service;
    const g = callInfo(s, { kind: 'onnx', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }] }, 8081).grpc!;
    expect([g.address, g.service, g.proto]).toEqual(['models.example:8081', 'inference.GRPCInferenceService', 'proto/grpc_predict_v2.proto']);
    const body = { model_name: 'svc', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], contents: { fp32_contents: [0, 0] } }] };
    expect(g.grpcurl).toBe(
      `grpcurl -plaintext -proto grpc_predict_v2.proto -H 'authorization: Bearer <token>' -d '${JSON.stringify(body)}' models.example:8081 inference.GRPCInferenceService/ModelInfer`,
    );
    expect(g.python).toContain('grpcclient.InferenceServerClient("models.example:8081")');
    expect(g.python).toContain('x0 = grpcclient.InferInput("x", [1, 2], "FP32")');
    expect(g.python).toContain('np.zeros([1, 2], dtype=np.float32)');
    expect(g.python).toContain('client.infer("svc", [x0], headers={"authorization": "Bearer <token>"})');
  });

  it('asks ModelReady over gRPC when the inputs are unknown or too large for an example', () => {
    const s = { name: 'svc', url: urls.predict, auth: false, versions: [{ runtime: 'torch1.13-py311-cpu', weight: 100 }] } as unknown as Service;
    expect(callInfo(s, {}, 9000).grpc).toMatchObject({
      address: 'h:9000',
      grpcurl: `grpcurl -plaintext -proto grpc_predict_v2.proto -d '{"name":"svc"}' h:9000 inference.GRPCInferenceService/ModelReady`,
    });
    expect(callInfo(s, {}, 9000).grpc!.python).toContain('client.is_model_ready("svc")');
    const image = callInfo(s, { kind: 'onnx', inputs: [{ name: 'img', datatype: 'FP32', shape: [1, 3, 224, 224] }] }, 9000).grpc!;
    expect(image.grpcurl).toContain('/ModelReady');
    expect(image.python).toContain('np.zeros([1, 3, 224, 224], dtype=np.float32)');
  });
});
