/** /api/v1/services/{name}/rollout: progressive rollouts with guardrails (docs/rollout.md). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ROLLOUT_PHASES, type RolloutAction } from '../../contracts/rollouts.js';
import type { RolloutManager } from '../../services/rollouts/rollout-manager.js';
import { RolloutActionSchema, RolloutStartSchema, type RolloutStart } from '../../services/rollouts/rollout-spec.js';

const NameParams = Type.Object({ name: Type.String() });
type N = { name: string };

export function rolloutsPlugin(deps: { rollouts: RolloutManager }): FastifyPluginAsync {
  const { rollouts } = deps;
  const tags = ['services'];
  return async (app) => {
    app.post(
      '/api/v1/services/:name/rollout',
      {
        schema: {
          tags,
          summary: 'Start a rollout onto a version (canary, linear or all-at-once) judged by guardrails',
          params: NameParams,
          body: RolloutStartSchema,
        },
      },
      async (req, reply) => {
        reply.code(202);
        return rollouts.start((req.params as N).name, req.body as RolloutStart);
      },
    );

    app.get(
      '/api/v1/services/:name/rollout',
      { schema: { tags, summary: "The service's rollout (the active one, else the latest): steps, both versions' figures, the decision", params: NameParams } },
      async (req) => rollouts.get((req.params as N).name),
    );

    app.post(
      '/api/v1/services/:name/rollout/actions',
      { schema: { tags, summary: 'pause, resume, promote or abort the rollout (acted on at the next check)', params: NameParams, body: RolloutActionSchema } },
      async (req, reply) => {
        reply.code(202);
        return rollouts.act((req.params as N).name, (req.body as { action: RolloutAction }).action);
      },
    );
  };
}

const Num = Type.Number();
const NumOrNull = Type.Union([Type.Number(), Type.Null()]);
const oneOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Figures = Type.Object({
  version: Type.Integer(),
  calls: Type.Integer(),
  errors: Type.Integer(),
  errorRate: NumOrNull,
  p99Ms: NumOrNull,
  metric: Type.Optional(NumOrNull),
});

/** The answer of every rollout route (the Rollout contract, src/contracts/rollouts.ts). */
export const RolloutSchema = Type.Object({
  id: Type.String(),
  service: Type.String(),
  baseline: Type.Object({ version: Type.Integer(), weight: Num }),
  spec: Type.Object({
    target: Type.Integer(),
    policy: Type.Object({ type: oneOf(['canary', 'linear', 'all-at-once']) }, { additionalProperties: true }),
    guardrails: Type.Object({ windowMs: Num, minCalls: Num }, { additionalProperties: true }),
    paused: Type.Boolean(),
    promote: Type.Boolean(),
    abort: Type.Boolean(),
  }),
  status: Type.Object({
    phase: oneOf(ROLLOUT_PHASES),
    step: Type.Integer(),
    stepStartedAt: Type.Union([Type.String(), Type.Null()]),
    pausedElapsedMs: Type.Optional(Num),
    weights: Type.Object({ target: Num, baseline: Num }),
    figures: Type.Optional(Type.Object({ windowMs: Num, at: Type.String(), target: Figures, baseline: Figures })),
    breach: Type.Optional(
      Type.Object({
        guardrail: oneOf(['errorRate', 'p99', 'metric', 'targetFailed']),
        message: Type.String(),
        target: NumOrNull,
        baseline: NumOrNull,
        threshold: NumOrNull,
      }),
    ),
    message: Type.String(),
    finishedAt: Type.Optional(Type.String()),
  }),
  steps: Type.Array(Type.Object({ weight: Num, bakeMs: Num, state: oneOf(['done', 'current', 'stopped', 'waiting']) })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
