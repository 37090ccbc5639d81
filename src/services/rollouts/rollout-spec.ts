/** Request schemas of rollouts (API validation + OpenAPI), and the spec with its defaults. */
import { Type, type Static } from '@sinclair/typebox';
import type { Guardrails, RolloutPolicy } from '../../contracts/rollouts.js';
import { VersionSpecSchema } from '../service-spec.js';
import { DEFAULT_GUARDRAILS } from './rollout-plan.js';

const Ms = (description: string) => Type.Integer({ minimum: 100, maximum: 7 * 86_400_000, description });
const Pct = (description: string) => Type.Integer({ minimum: 1, maximum: 100, description });

export const RolloutPolicySchema = Type.Union([
  Type.Object(
    {
      type: Type.Literal('canary'),
      weight: Pct("the target's share while it bakes"),
      bakeMs: Ms('how long the canary share is judged before all traffic moves'),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('linear'), stepWeight: Pct('the share added each step'), stepMs: Ms('how long each step is judged') },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('all-at-once'), bakeMs: Ms('how long the target is judged at 100 % before the baseline is retired') },
    { additionalProperties: false },
  ),
]);

export const GuardrailsSchema = Type.Object(
  {
    windowMs: Type.Optional(
      Type.Integer({
        minimum: 1_000,
        maximum: 3_600_000,
        description: `the sliding window both versions are measured over (default ${DEFAULT_GUARDRAILS.windowMs})`,
      }),
    ),
    minCalls: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description: `calls the target needs in the window to be judged, and for a step to pass (default ${DEFAULT_GUARDRAILS.minCalls})`,
      }),
    ),
    errorRate: Type.Optional(
      Type.Object(
        { maxIncrease: Type.Number({ minimum: 0, maximum: 1, description: "how far (0–1) the target's 5xx/timeout rate may exceed the baseline's" }) },
        { additionalProperties: false },
      ),
    ),
    p99: Type.Optional(
      Type.Object(
        {
          maxRatio: Type.Optional(Type.Number({ minimum: 1, maximum: 1000 })),
          toleranceMs: Type.Optional(Type.Number({ minimum: 0, maximum: 600_000 })),
          minCalls: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 1_000_000,
              description: `calls the target needs in the window before its p99 is judged (default ${DEFAULT_GUARDRAILS.p99.minCalls}: over fewer, a p99 is the slowest call)`,
            }),
          ),
          maxMs: Type.Optional(Type.Number({ minimum: 1, maximum: 600_000, description: 'a p99 limit of its own, also when the baseline has no calls' })),
        },
        { additionalProperties: false },
      ),
    ),
    metric: Type.Optional(
      Type.Object(
        {
          name: Type.String({
            pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$',
            maxLength: 200,
            description: "a series on the instances' /metrics, summed over a version's ready instances",
          }),
          maxRatio: Type.Optional(Type.Number({ minimum: 0 })),
          max: Type.Optional(Type.Number()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const RolloutStartSchema = Type.Object(
  {
    target: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[vV]?[0-9]{1,9}$' })], {
        description: 'an existing version of the service (weight 0) to move onto',
      }),
    ),
    version: Type.Optional(Type.Omit(VersionSpecSchema, ['weight'], { description: 'or a new version, added with weight 0 and then rolled out' })),
    policy: RolloutPolicySchema,
    guardrails: Type.Optional(GuardrailsSchema),
    paused: Type.Optional(Type.Boolean({ description: 'start paused (the target starts; no traffic moves until resumed)' })),
  },
  { additionalProperties: false },
);
export type RolloutStart = Static<typeof RolloutStartSchema>;

export const RolloutActionSchema = Type.Object(
  { action: Type.Union([Type.Literal('pause'), Type.Literal('resume'), Type.Literal('promote'), Type.Literal('abort')]) },
  { additionalProperties: false },
);

export function guardrailsWithDefaults(g: Static<typeof GuardrailsSchema> = {}): Guardrails {
  const d = DEFAULT_GUARDRAILS;
  return {
    windowMs: g.windowMs ?? d.windowMs,
    minCalls: g.minCalls ?? d.minCalls,
    errorRate: { maxIncrease: g.errorRate?.maxIncrease ?? d.errorRate.maxIncrease },
    p99: {
      maxRatio: g.p99?.maxRatio ?? d.p99.maxRatio,
      toleranceMs: g.p99?.toleranceMs ?? d.p99.toleranceMs,
      minCalls: g.p99?.minCalls ?? d.p99.minCalls,
      ...(g.p99?.maxMs !== undefined ? { maxMs: g.p99.maxMs } : {}),
    },
    ...(g.metric ? { metric: g.metric } : {}),
  };
}

export const policyOf = (p: Static<typeof RolloutPolicySchema>): RolloutPolicy => p;
