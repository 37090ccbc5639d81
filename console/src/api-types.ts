/** Answers of the service pages: their shapes live in src/contracts, shared with the API and CLI. */
export type { CallExample, CallInfo, MetricsPoint, ResourceGroup, ServiceLogLine, TokenInfo, TokenWithValue } from '../../src/contracts/service-ops.js';
