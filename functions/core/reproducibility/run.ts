import type { RunComparison } from './compare.ts';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'canceled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const VERDICTS = ['deterministic', 'nondeterministic', 'error'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const ATTEMPT_STATUSES = ['pending', 'running', 'answered', 'pass', 'fail', 'error'] as const;

/** Text kept inline in an item, or the key of the object that holds it. */
export interface StoredText {
  inline?: string | undefined;
  key?: string | undefined;
}

/** The message of one attempt. */
export interface AttemptMessage {
  project_id: string;
  run_id: string;
  /** 1-based. */
  index: number;
}

export interface RunRecord {
  id: string;
  project_id: string;
  /** For the ledger submission the run writes when it ends. */
  org_id: string;
  session_id: string;
  agent_id: string;
  target_url: string;
  n: number;
  concurrency: number;
  timeout_s: number;
  ignore_paths: string[];
  status: RunStatus;
  verdict: Verdict | null;
  created_at: string;
  /** Set when the run ends (from its first attempt); the API derives it before. */
  started_at: string | null;
  completed_at: string | null;
  failure_reason: string | null;
  payload_kind: 'llm' | 'user';
  /** The exact JSON body every attempt sends. */
  payload: StoredText;
  /** The session's recorded answer (JSON text), when it has one. */
  recorded: StoredText | null;
  kicks: number;
  result: RunResult | null;
}

/** What the attempt that completes the set computes, stored once with the verdict. */
export interface RunResult {
  comparison: RunComparison;
  recorded_output: { attempt: number; matches: boolean; diverging_paths: string[]; similarity: number } | null;
}

export interface AttemptRecord {
  index: number;
  status: 'running' | 'answered' | 'error';
  /** Who claimed it: only that worker may store its outcome. */
  token: string;
  started_at: string;
  deadline_at: string;
  finished_at: string | null;
  http_status: number | null;
  latency_ms: number | null;
  body: StoredText | null;
  body_bytes: number | null;
  /** The start of the answer, for tables. */
  excerpt: string | null;
  error: string | null;
}

/** An attempt without its answer: all that views, lists and the sweeper read. */
export type AttemptSummary = Omit<AttemptRecord, 'body'>;

export type AttemptOutcome = Pick<AttemptRecord, 'finished_at' | 'http_status' | 'latency_ms' | 'body' | 'body_bytes' | 'excerpt' | 'error'> & { status: 'answered' | 'error' };

/** The run as the API shows it, with its attempts. */
export function runView(run: RunRecord, attempts: readonly AttemptSummary[]) {
  const byIndex = new Map(attempts.map((a) => [a.index, a]));
  const compared = new Map(run.result?.comparison.attempts.map((c) => [c.index, c]) ?? []);
  const views = Array.from({ length: run.n }, (_, i) => {
    const index = i + 1;
    const attempt = byIndex.get(index);
    const comparison = compared.get(index);
    const status = !attempt ? 'pending' : attempt.status === 'answered' && comparison ? comparison.result : attempt.status;
    return {
      index,
      status,
      http_status: attempt?.http_status ?? null,
      latency_ms: attempt?.latency_ms ?? null,
      output_excerpt: attempt?.excerpt ?? null,
      diverging_paths: comparison?.diverging_paths ?? [],
      diverging_paths_total: comparison?.diverging_paths_total ?? 0,
      similarity: comparison?.similarity ?? null,
      error: attempt?.error ?? null,
      started_at: attempt?.started_at ?? null,
      finished_at: attempt?.finished_at ?? null,
    };
  });
  const count = (status: string) => views.filter((v) => v.status === status).length;
  // The first attempt claimed stores the run as running just after its claim; until then its attempts say it started.
  const started = attempts.map((a) => a.started_at).sort()[0] ?? null;
  return {
    ...runSummary(run),
    concurrency: run.concurrency,
    timeout_s: run.timeout_s,
    ignore_paths: run.ignore_paths,
    payload_kind: run.payload_kind,
    status: run.status === 'queued' && started ? ('running' as const) : run.status,
    started_at: run.started_at ?? started,
    failure_reason: run.failure_reason,
    counts: {
      total: run.n,
      pending: count('pending'),
      running: count('running'),
      answered: count('answered'),
      passed: count('pass'),
      failed: count('fail'),
      errored: count('error'),
    },
    reference_attempt: run.result?.comparison.reference ?? null,
    output_kind: run.result?.comparison.output_kind ?? null,
    attempts: views,
    divergent_paths: run.result?.comparison.divergent_paths ?? [],
    noise_paths: run.result?.comparison.noise_paths ?? [],
    recorded_output: run.result?.recorded_output ?? null,
  };
}

/** A run in lists: no attempts, no paths. */
export function runSummary(run: RunRecord) {
  return {
    id: run.id,
    object: 'reproducibility_run' as const,
    session_id: run.session_id,
    agent_id: run.agent_id,
    target_url: run.target_url,
    n: run.n,
    status: run.status,
    verdict: run.verdict,
    created_at: run.created_at,
    completed_at: run.completed_at,
  };
}
