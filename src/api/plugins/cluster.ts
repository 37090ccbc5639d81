/** /api/v1/cluster: this replica, its role, and who leads (replicas on one database). */
import type { FastifyPluginAsync } from 'fastify';
import type { LeaderLease } from '../../cluster/leader-lease.js';

export function clusterPlugin(deps: { lease: () => LeaderLease | undefined }): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/v1/cluster',
      { schema: { tags: ['cluster'], summary: 'This replica, its role (leader runs the reconcilers), and the current leader' } },
      async () => {
        const lease = deps.lease();
        return {
          replica: lease?.holder ?? null,
          role: lease?.isLeader ? 'leader' : 'follower',
          leader: (await lease?.current()) ?? null,
        };
      },
    );
  };
}
