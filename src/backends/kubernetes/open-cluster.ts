/** Connects to the cluster; @kubernetes/client-node loads only here (~600 ms), not in every platform start. */
import type { ClusterApi } from './cluster-api.js';

export async function openCluster(namespace: string): Promise<ClusterApi> {
  const { KubeClusterApi } = await import('./cluster-api.js');
  return new KubeClusterApi(namespace);
}
