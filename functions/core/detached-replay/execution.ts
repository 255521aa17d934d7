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
  errors: string[] | null;
  created_at: string;
  completed_at: string | null;
  /** Ancestors, nearest first: the execution this one replayed, the one that one replayed, … */
  lineage: string[];
  requested_by: string;
}

/** What is kept besides the view: where to read and where to write. */
export interface ExecutionRecord extends ExecutionView {
  project_id: string;
  bucket: string;
  prefix: string;
  queue_url: string;
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

/** The message that continues an execution at one listing page. */
export interface PageMessage {
  project_id: string;
  execution_id: string;
  page: number;
  continuation_token: string;
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
