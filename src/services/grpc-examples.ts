/**
 * How to call a service over the gateway's OIP v2 gRPC port (docs/protocols.md): the
 * address, and two examples a user can paste — grpcurl (with the proto file, as the
 * gateway serves no reflection) and Python's tritonclient.grpc. With the model's inputs
 * known the examples infer with zeros shaped as its inputs; without, they ask ModelReady.
 */
import { GRPC_CONTENTS_FIELD, type OipDatatype, type OipTensorMetadata } from '../contracts/oip.js';
import type { GrpcCallInfo } from '../contracts/service-ops.js';

const SERVICE = 'inference.GRPCInferenceService';
const FIELD: Partial<Record<OipDatatype, string>> = GRPC_CONTENTS_FIELD;
const NUMPY: Partial<Record<OipDatatype, string>> = {
  BOOL: 'bool_',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'object_',
};
/** examples with more values than this leave the contents to the user */
const MAX_VALUES = 64;

const shapeOf = (t: OipTensorMetadata) => t.shape.map((d) => (d < 0 ? 1 : d));
const zero = (d: OipDatatype): unknown => (d === 'BOOL' ? false : d === 'BYTES' ? '' : d === 'INT64' || d === 'UINT64' ? '0' : 0);

/** `host` as in the service's URL (brackets kept for IPv6), `port` the gateway's gRPC port. */
export function grpcCallInfo(host: string, port: number, service: string, auth: boolean, inputs?: readonly OipTensorMetadata[]): GrpcCallInfo {
  const address = `${host}:${port}`;
  const usable =
    inputs?.length && inputs.every((t) => FIELD[t.datatype] !== undefined && shapeOf(t).reduce((a, b) => a * b, 1) <= MAX_VALUES) ? inputs : undefined;
  const h = auth ? " -H 'authorization: Bearer <token>'" : '';
  let grpcurl: string;
  if (usable) {
    const body = {
      model_name: service,
      inputs: usable.map((t) => {
        const shape = shapeOf(t);
        return {
          name: t.name,
          datatype: t.datatype,
          shape,
          contents: { [FIELD[t.datatype]!]: new Array(shape.reduce((a, b) => a * b, 1)).fill(zero(t.datatype)) },
        };
      }),
    };
    grpcurl = `grpcurl -plaintext -proto grpc_predict_v2.proto${h} -d '${JSON.stringify(body)}' ${address} ${SERVICE}/ModelInfer`;
  } else {
    grpcurl = `grpcurl -plaintext -proto grpc_predict_v2.proto${h} -d '${JSON.stringify({ name: service })}' ${address} ${SERVICE}/ModelReady`;
  }
  return { address, service: SERVICE, proto: 'proto/grpc_predict_v2.proto', grpcurl, python: python(address, service, auth, inputs) };
}

function python(address: string, service: string, auth: boolean, inputs: readonly OipTensorMetadata[] | undefined): string {
  const lines = ['import numpy as np', 'import tritonclient.grpc as grpcclient', '', `client = grpcclient.InferenceServerClient("${address}")`];
  const headers = auth ? ', headers={"authorization": "Bearer <token>"}' : '';
  const known = inputs?.length && inputs.every((t) => NUMPY[t.datatype] !== undefined) ? inputs : undefined;
  if (!known) {
    lines.push(`print(client.is_model_ready("${service}"${headers}))`);
    return lines.join('\n');
  }
  const names: string[] = [];
  known.forEach((t, i) => {
    const v = `x${i}`;
    names.push(v);
    const shape = `[${shapeOf(t).join(', ')}]`;
    lines.push(`${v} = grpcclient.InferInput("${t.name}", ${shape}, "${t.datatype}")`);
    lines.push(`${v}.set_data_from_numpy(np.zeros(${shape}, dtype=np.${NUMPY[t.datatype]}))`);
  });
  lines.push(`result = client.infer("${service}", [${names.join(', ')}]${headers})`, 'print(result.get_response())');
  return lines.join('\n');
}
