/**
 * ModeldockClient: the TypeScript SDK's entry — one object per platform, its areas as
 * fields (models, storage, catalog, services, tasks, calls), typed from src/contracts.
 * Browser-safe (fetch only): the console uses it as is; Node helpers that read folders
 * from disk live in src/client/node.
 */
import { HttpClient, type ClientOptions } from './http.js';
import { CallsApi } from './calls.js';
import { CatalogApi, ModelsApi, StorageApi } from './models.js';
import { ServicesApi } from './services.js';
import { TasksApi } from './tasks.js';
import type { ResourceGroup } from '../contracts/service-ops.js';

export class ModeldockClient {
  readonly http: HttpClient;
  readonly models: ModelsApi;
  readonly storage: StorageApi;
  readonly catalog: CatalogApi;
  readonly services: ServicesApi;
  readonly tasks: TasksApi;
  readonly calls: CallsApi;

  constructor(opts: ClientOptions = {}) {
    this.http = new HttpClient(opts);
    this.models = new ModelsApi(this.http);
    this.storage = new StorageApi(this.http);
    this.catalog = new CatalogApi(this.http);
    this.services = new ServicesApi(this.http);
    this.tasks = new TasksApi(this.http);
    this.calls = new CallsApi(this.http);
  }

  /** GET /healthz: resolves when the platform answers. */
  health(): Promise<{ status: string }> {
    return this.http.json('GET', '/healthz');
  }

  async resourceGroups(): Promise<ResourceGroup[]> {
    return (await this.http.json<{ items: ResourceGroup[] }>('GET', '/api/v1/resource-groups')).items;
  }
}
