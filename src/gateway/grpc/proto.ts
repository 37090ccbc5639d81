/**
 * The OIP v2 gRPC protocol definition (proto/grpc_predict_v2.proto, package `inference`),
 * loaded with @grpc/proto-loader. The server, the tests and the bench load it the same way,
 * so field names are the proto's (snake_case) and 64-bit integers arrive as strings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSync, type Options, type PackageDefinition, type ServiceDefinition } from '@grpc/proto-loader';

export const PROTO_FILE = 'proto/grpc_predict_v2.proto';
export const SERVICE_NAME = 'inference.GRPCInferenceService';

export const LOADER_OPTIONS: Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/** The .proto file, found from this module upwards (src/… in development, dist/… when built). */
export function protoPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const p = path.join(dir, PROTO_FILE);
    if (fs.existsSync(p)) return p;
    dir = path.dirname(dir);
  }
  throw new Error(`${PROTO_FILE} not found above ${fileURLToPath(import.meta.url)}`);
}

let loaded: PackageDefinition | undefined;

/** The package definition (loaded once). */
export function inferencePackage(): PackageDefinition {
  loaded ??= loadSync(protoPath(), LOADER_OPTIONS);
  return loaded;
}

export const inferenceService = (): ServiceDefinition => inferencePackage()[SERVICE_NAME] as ServiceDefinition;
