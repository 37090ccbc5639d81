/** How to call a service (服务调用): URL, method, headers, and examples that work for its model's package. */
import type { OipTensorMetadata } from '../contracts/oip.js';
import { VERSION_HEADER, type CallInfo, type PackageKind } from '../contracts/service-ops.js';
import type { Service } from '../contracts/services.js';
import { callExamples } from './call-examples.js';
import { grpcCallInfo } from './grpc-examples.js';

export type { CallInfo } from '../contracts/service-ops.js';

/** What is known of the package of the service's version with traffic (call-facts.ts). */
export interface CallFacts {
  kind?: PackageKind;
  /** its OIP inputs, from a ready instance */
  inputs?: OipTensorMetadata[];
}

/** Without facts, by runtime alone: the image handlers' body for ONNX and Python, OIP v2 otherwise. */
const guessKind = (s: Service): PackageKind => {
  const v = s.versions.find((x) => x.weight > 0) ?? s.versions[0];
  return v?.runtime.startsWith('onnxruntime') ? 'onnx-image' : v?.runtime.startsWith('torch') ? 'tiinfer' : 'node-handler';
};

/** `grpcPort`: the gateway's gRPC port, when it serves one (the address takes the URL's host). */
export function callInfo(s: Service, facts: CallFacts = {}, grpcPort?: number): CallInfo {
  const base = s.url.replace(/\/[^/]+\/v1\/models\/m:predict$/, '');
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (s.auth) headers.Authorization = 'Bearer <token>';
  const oip = { infer: `${base}/v2/models/${s.name}/infer`, metadata: `${base}/v2/models/${s.name}`, ready: `${base}/v2/models/${s.name}/ready` };
  const kserve = { predict: `${base}/v1/models/${s.name}:predict` };
  const examples = callExamples(facts.kind ?? guessKind(s), { predict: s.url, kserve: kserve.predict, infer: oip.infer }, facts.inputs);
  const first = examples[0]!;
  const h = Object.entries(headers)
    .map(([k, v]) => `-H '${k}: ${v}'`)
    .join(' ');
  return {
    url: first.url,
    method: 'POST',
    headers,
    auth: s.auth,
    curl: `curl -X POST ${h} -d '${JSON.stringify(first.body)}' ${first.url}`,
    example: first.body,
    ...(facts.kind ? { kind: facts.kind } : {}),
    examples,
    oip,
    kserve,
    versionRouting: { header: VERSION_HEADER, versions: s.versions.map((v) => v.seq) },
    ...(grpcPort !== undefined ? { grpc: grpcCallInfo(new URL(base).hostname, grpcPort, s.name, s.auth, facts.inputs) } : {}),
  };
}
