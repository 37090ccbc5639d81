/** The ids of the runtimes this platform has, shared by the catalogue (src/runtime-catalog) and its clients. */
export const RUNTIME_IDS = {
  onnx: 'onnxruntime1.30-node20-cpu',
  torch: 'torch1.13-py311-cpu',
  node: 'node20-handler',
} as const;
