import type { JobOutcome } from '../ledger/job-outcome.ts';

/** A detached replay: one request that republished stored outputs to a route's queue. */
export type ExecutionStatus = 'publishing' | 'publishing_complete' | 'partial_failure';

/** The response body of `POST /api/v1/replay` and of the execution routes. */
export interface ExecutionView {
  execution_id: string;
  from_execution_id: string;
  from_stage: string;
  from_path: string | null;
  to_route: string;
  to_queue: string;
  objects_found: number;
  objects_published: number;
  objects_failed: number;
  objects_skipped: number;
  status: ExecutionStatus;
  replay_batch_id: string;
  /** The first errors (at most `errorsPerExecution`); `null` while there are none, never an empty list. */
  errors: string[] | null;
  created_at: string;
  completed_at: string | null;
  /** Ancestors, nearest first: the execution this one replayed, the one that one replayed, … */
  lineage: string[];
  requested_by: string;
}

/**
 * What is kept besides the view: where to read. Where to write is the
 * route's name (`to_route`), resolved to its queue at each use, so nothing
 * stored or queued holds an endpoint that may change.
 */
export interface ExecutionRecord extends ExecutionView {
  project_id: string;
  /** The org whose ledger records the execution when it ends (absent on executions from before). */
  org_id?: string | undefined;
  bucket: string;
  prefix: string;
  pages_done: number;
  pages_total: number | null;
}

/** One page's outcome, added to the execution's counts exactly once. */
export interface PageOutcome {
  found: number;
  skipped: number;
  published: number;
  failed: number;
  errors: string[];
}

/**
 * Continues an execution at listing page `page`, which starts after the key
 * `after` (the last key of page − 1; `null` for page 0). Both are fixed by
 * the listing, so a page's message is the same however often it is sent.
 */
export interface PageMessage {
  kind: 'page';
  project_id: string;
  execution_id: string;
  page: number;
  after: string | null;
}

/**
 * Sent, delayed, when an execution starts: by the time it arrives the
 * request that started the execution has ended, one way or another, and
 * every page it left unfinished is handed to the page queue.
 */
export interface ResumeMessage {
  kind: 'resume';
  project_id: string;
  execution_id: string;
}

export type PageQueueMessage = PageMessage | ResumeMessage;

/** What is known of one page of an execution. */
export interface PageState {
  page: number;
  /** Its message was sent (recorded after the send succeeded, never before). */
  sent: boolean;
  /** Its counts were added to the execution. */
  done: boolean;
  /** When done: where the next page starts (`null`: this was the last page). */
  next?: string | null;
}

/** An ended execution as its org's ledger shows it: objects found as actions, published as replayed, failed as divergences. */
export function outcomeOf(record: ExecutionRecord & { completed_at: string }): JobOutcome {
  return {
    kind: 'detached_replay',
    runId: record.execution_id,
    status: record.objects_failed === 0 && record.status === 'publishing_complete' ? 'success' : record.objects_published > 0 ? 'partial' : 'failed',
    actions_total: record.objects_found,
    actions_replayed: record.objects_published,
    divergences: record.objects_failed,
    started_at: record.created_at,
    finished_at: record.completed_at,
  };
}

export function toView(record: ExecutionRecord): ExecutionView {
  return {
    execution_id: record.execution_id,
    from_execution_id: record.from_execution_id,
    from_stage: record.from_stage,
    from_path: record.from_path,
    to_route: record.to_route,
    to_queue: record.to_queue,
    objects_found: record.objects_found,
    objects_published: record.objects_published,
    objects_failed: record.objects_failed,
    objects_skipped: record.objects_skipped,
    status: record.status,
    replay_batch_id: record.replay_batch_id,
    errors: record.errors && record.errors.length > 0 ? record.errors : null,
    created_at: record.created_at,
    completed_at: record.completed_at,
    lineage: record.lineage,
    requested_by: record.requested_by,
  };
}
