/**
 * Every operation of the HTTP API as the OpenAPI document names it: its operationId, the
 * status it answers on success with the component schema of that answer, and the error
 * statuses it can answer besides 400/401 (and 404 on a path with parameters), all
 * answered in the shared Error shape. Keyed by `METHOD url` as Fastify registers the route;
 * src/api/openapi/openapi.test.ts checks that every registered route is here.
 */

export interface Operation {
  id: string;
  /** the success status and its component schema (none: no body); `binary` a byte stream */
  ok: number;
  body?: string;
  binary?: string;
  /** error statuses beyond the defaults */
  errors?: number[];
}

const op = (id: string, ok: number, body?: string, errors: number[] = []): Operation => ({ id, ok, body, errors });
const bytes = (id: string, contentType: string, errors: number[] = []): Operation => ({ id, ok: 200, binary: contentType, errors });

const V = '/api/v1/models/:name/versions/:version';
const S = '/api/v1/services/:name';
const T = '/api/v1/tasks/:name';

export const OPERATIONS: Record<string, Operation> = {
  'POST /api/v1/models': op('createModel', 201, 'Model', [409]),
  'GET /api/v1/models': op('listModels', 200, 'ModelPage'),
  'GET /api/v1/models/:name': op('getModel', 200, 'ModelWithVersions'),
  'PATCH /api/v1/models/:name': op('updateModel', 200, 'Model'),
  'DELETE /api/v1/models/:name': op('deleteModel', 204, undefined, [409]),
  'POST /api/v1/models/:name/versions': op('importModelVersion', 202, 'ModelVersion', [409, 413, 415, 507]),
  'GET /api/v1/models/:name/versions': op('listModelVersions', 200, 'ModelVersionList'),
  [`GET ${V}`]: op('getModelVersion', 200, 'ModelVersion'),
  [`DELETE ${V}`]: op('deleteModelVersion', 204, undefined, [409]),
  [`GET ${V}/files`]: op('listModelVersionFiles', 200, 'FileList'),
  [`POST ${V}/files`]: op('uploadModelVersionFiles', 200, 'FileList', [409, 413, 415, 507]),
  [`PUT ${V}/files/*`]: op('putModelVersionFile', 200, 'File', [409, 413, 507]),
  [`GET ${V}/files/*`]: bytes('downloadModelVersionFile', 'application/octet-stream'),
  [`DELETE ${V}/files/*`]: op('deleteModelVersionFile', 204, undefined, [409]),
  [`GET ${V}/archive`]: bytes('downloadModelVersionArchive', 'application/zip'),
  'GET /api/v1/runtimes': op('listRuntimes', 200, 'RuntimeList'),
  'GET /api/v1/storage': op('listStorageObjects', 200, 'StorageList'),
  'PUT /api/v1/storage/*': op('putStorageObject', 200, 'StoredObject', [413, 507]),
  'GET /api/v1/storage/*': bytes('downloadStorageObject', 'application/octet-stream'),
  'DELETE /api/v1/storage/*': op('deleteStorageObject', 204, undefined, [409]),
  'POST /api/v1/services': op('createService', 202, 'Service', [409]),
  'GET /api/v1/services': op('listServices', 200, 'ServicePage'),
  [`GET ${S}`]: op('getService', 200, 'Service'),
  [`PATCH ${S}`]: op('updateService', 200, 'Service'),
  [`DELETE ${S}`]: op('deleteService', 202, 'ServiceDeleting', [409]),
  [`POST ${S}/versions`]: op('addServiceVersion', 202, 'Service', [409]),
  [`PUT ${S}/versions/:version`]: op('updateServiceVersion', 202, 'Service', [409]),
  [`DELETE ${S}/versions/:version`]: op('removeServiceVersion', 202, 'Service', [409]),
  [`PUT ${S}/weights`]: op('setServiceWeights', 200, 'Service', [409]),
  [`POST ${S}/actions`]: op('actOnService', 202, 'Service', [409]),
  [`PUT ${S}/versions/:version/capture`]: op('setServiceVersionCapture', 200, 'Service'),
  [`GET ${S}/captures`]: op('listServiceCaptures', 200, 'CapturePage'),
  [`GET ${S}/capture-files`]: op('listServiceCaptureFiles', 200, 'CaptureFileList'),
  [`GET ${S}/capture-files/*`]: bytes('downloadServiceCaptureFile', 'application/x-ndjson'),
  [`GET ${S}/instances`]: op('listServiceInstances', 200, 'InstanceList'),
  [`GET ${S}/events`]: op('listServiceEvents', 200, 'EventList'),
  [`GET ${S}/logs`]: op('getServiceLogs', 200, 'ServiceLogs'),
  [`GET ${S}/logs/stream`]: bytes('streamServiceLogs', 'text/event-stream'),
  [`GET ${S}/metrics`]: op('getServiceMetrics', 200, 'ServiceMetrics'),
  [`POST ${S}/rollout`]: op('startServiceRollout', 202, 'Rollout', [409]),
  [`GET ${S}/rollout`]: op('getServiceRollout', 200, 'Rollout'),
  [`POST ${S}/rollout/actions`]: op('actOnServiceRollout', 202, 'Rollout', [409]),
  [`GET ${S}/call-info`]: op('getServiceCallInfo', 200, 'CallInfo'),
  [`GET ${S}/manifests`]: bytes('getServiceManifests', 'application/yaml'),
  [`GET ${S}/usage`]: op('getServiceUsage', 200, 'Usage'),
  [`POST ${S}/tokens`]: op('createServiceToken', 201, 'TokenWithValue'),
  [`GET ${S}/tokens`]: op('listServiceTokens', 200, 'TokenList'),
  [`GET ${S}/tokens/:id`]: op('getServiceToken', 200, 'TokenInfo'),
  [`PATCH ${S}/tokens/:id`]: op('updateServiceToken', 200, 'TokenInfo'),
  [`DELETE ${S}/tokens/:id`]: op('deleteServiceToken', 204),
  [`POST ${S}/tokens/:id/rotate`]: op('rotateServiceToken', 200, 'TokenWithValue'),
  'POST /api/v1/resource-groups': op('createResourceGroup', 201, 'ResourceGroup', [409]),
  'GET /api/v1/resource-groups': op('listResourceGroups', 200, 'ResourceGroupList'),
  'GET /api/v1/resource-groups/:name': op('getResourceGroup', 200, 'ResourceGroup'),
  'DELETE /api/v1/resource-groups/:name': op('deleteResourceGroup', 204, undefined, [409]),
  'GET /api/v1/templates': op('listTemplates', 200, 'TemplateList'),
  'GET /api/v1/templates/all.zip': bytes('downloadAllTemplates', 'application/zip'),
  'GET /api/v1/templates/:kind/:file': bytes('downloadTemplate', 'application/zip'),
  'POST /api/v1/tasks': op('createTask', 202, 'Task', [409, 413, 415]),
  'GET /api/v1/tasks': op('listTasks', 200, 'TaskPage'),
  [`GET ${T}`]: op('getTask', 200, 'Task'),
  [`DELETE ${T}`]: op('deleteTask', 204, undefined, [409]),
  [`POST ${T}/actions`]: op('actOnTask', 202, 'Task', [409]),
  [`GET ${T}/logs`]: op('getTaskLogs', 200, 'TaskLogs'),
  [`GET ${T}/logs/stream`]: bytes('streamTaskLogs', 'text/event-stream'),
  [`GET ${T}/outputs`]: op('listTaskOutputs', 200, 'TaskOutputs'),
  'GET /api/v1/task-examples': op('listTaskExamples', 200, 'TaskExampleList'),
  'POST /api/v1/batch-jobs': op('createBatchJob', 202, 'BatchJob', [403, 409]),
  'GET /api/v1/batch-jobs': op('listBatchJobs', 200, 'BatchJobPage'),
  'GET /api/v1/batch-jobs/:name': op('getBatchJob', 200, 'BatchJob'),
  'POST /api/v1/batch-jobs/:name/actions': op('actOnBatchJob', 202, 'BatchJob', [409]),
  'DELETE /api/v1/batch-jobs/:name': op('deleteBatchJob', 204, undefined, [409]),
  'GET /api/v1/datasets': op('listDatasets', 200, 'DatasetList'),
  'GET /api/v1/cluster': op('getCluster', 200, 'Cluster'),
};

/** The data plane (the hot POSTs are served by src/gateway/front-door.ts, the same routes). */
export const DATA_PLANE: Record<string, Operation> = {
  'POST /:service/v1/models/m::predict': op('predict', 200, 'Predict', [413, 429, 500, 503, 504]),
  'POST /v1/models/:target': op('kservePredict', 200, 'Predict', [413, 429, 500, 503, 504]),
  'GET /v1/models/:service': op('kserveModelReady', 200, 'ModelReady', [503]),
  'POST /v2/models/:service/infer': op('oipInfer', 200, 'OipInferResponse', [413, 429, 500, 503, 504]),
  'POST /v2/models/:service/versions/:v/infer': op('oipInferVersion', 200, 'OipInferResponse', [413, 429, 500, 503, 504]),
  'GET /v2/models/:service': op('oipModelMetadata', 200, 'OipModelMetadata', [500, 503, 504]),
  'GET /v2/models/:service/ready': op('oipModelReady', 200, 'ModelReady', [503]),
  'GET /v2/models/:service/versions/:v': op('oipModelVersionMetadata', 200, 'OipModelMetadata', [500, 503, 504]),
  'GET /v2/models/:service/versions/:v/ready': op('oipModelVersionReady', 200, 'ModelReady', [503]),
  'GET /v2': op('oipServerMetadata', 200, 'OipServerMetadata'),
  'GET /v2/health/live': op('oipServerLive', 200, 'Live'),
  'GET /v2/health/ready': op('oipServerReady', 200, 'Ready'),
};
