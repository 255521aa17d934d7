/**
 * What the sessions, agents and reproducibility APIs answer, under the names
 * the page uses: the server's own definitions (type-only imports and
 * Node-free constants, so the bundle gains no server code).
 */
import type { AgentRecord } from '../../functions/core/reproducibility/agent.ts';
import type { runView } from '../../functions/core/reproducibility/run.ts';
import type { sessionSummary } from '../../functions/core/reproducibility/session.ts';

export { reproducibilityLimits } from '../../functions/core/reproducibility/limits.ts';
export type Agent = AgentRecord;
export type SessionSummary = ReturnType<typeof sessionSummary>;
export type SessionDetail = SessionSummary & { bytes: number; metadata: Record<string, unknown> | null; replay_payload: Record<string, unknown> | null; events: unknown[] };
export type Run = ReturnType<typeof runView>;
export type Attempt = Run['attempts'][number];
export type AttemptOutput = Attempt & { run_id: string; output: string | null; output_bytes: number | null };
export interface ListPage<T> {
  items: T[];
  next_cursor: string | null;
}
