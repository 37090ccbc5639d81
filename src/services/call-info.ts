/** How to call a service (服务调用): URL, method, headers, and examples for its model's handler. */
import { VERSION_HEADER, type CallInfo } from '../contracts/service-ops.js';
import type { Service } from '../contracts/services.js';

export type { CallInfo } from '../contracts/service-ops.js';

function exampleFor(s: Service): unknown {
  const v = s.versions.find((x) => x.weight > 0) ?? s.versions[0];
  if (v?.runtime.startsWith('onnxruntime') || v?.runtime.startsWith('torch')) return { images: ['https://example.com/cat.jpg'] };
  return { inputs: [] };
}

export function callInfo(s: Service): CallInfo {
  const base = s.url.replace(/\/[^/]+\/v1\/models\/m:predict$/, '');
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (s.auth) headers.Authorization = 'Bearer <token>';
  const example = exampleFor(s);
  const h = Object.entries(headers).map(([k, v]) => `-H '${k}: ${v}'`).join(' ');
  return {
    url: s.url,
    method: 'POST',
    headers,
    auth: s.auth,
    curl: `curl -X POST ${h} -d '${JSON.stringify(example)}' ${s.url}`,
    example,
    oip: { infer: `${base}/v2/models/${s.name}/infer`, metadata: `${base}/v2/models/${s.name}`, ready: `${base}/v2/models/${s.name}/ready` },
    versionRouting: { header: VERSION_HEADER, versions: s.versions.map((v) => v.seq) },
  };
}
