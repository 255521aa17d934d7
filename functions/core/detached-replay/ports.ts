import type { ExecutionRecord, PageMessage, PageOutcome } from './execution.ts';

/** One listing page of object keys (S3 ListObjectsV2). */
export interface ObjectLister {
  list(bucket: string, prefix: string, continuationToken: string | undefined): Promise<{ keys: string[]; next: string | undefined }>;
}

export interface OutgoingMessage {
  id: string;
  body: string;
  attributes: Record<string, string>;
}

/** SendMessageBatch: at most 10 entries; throws when the call itself fails. */
export interface BatchPublisher {
  sendBatch(queueUrl: string, entries: OutgoingMessage[]): Promise<{ failed: { id: string; code: string; message: string; senderFault: boolean }[] }>;
}

/** Page messages of executions that outgrew the request. */
export interface PageQueue {
  enqueue(message: PageMessage): Promise<void>;
}

export interface ExecutionStore {
  create(record: ExecutionRecord): Promise<void>;
  get(projectId: string, executionId: string): Promise<ExecutionRecord | undefined>;
  list(projectId: string, page: { limit: number; afterId?: string }): Promise<{ items: ExecutionRecord[]; hasMore: boolean }>;
  isPageDone(projectId: string, executionId: string, page: number): Promise<boolean>;
  /** Claims the right to enqueue `page`: true only for the first caller. */
  claimPageEnqueue(projectId: string, executionId: string, page: number): Promise<boolean>;
  setPagesTotal(projectId: string, executionId: string, total: number): Promise<void>;
  /**
   * Adds a page's outcome and marks the page done, atomically; false when
   * the page was already done (its outcome is then not added again).
   */
  completePage(projectId: string, executionId: string, page: number, outcome: PageOutcome, at: string): Promise<boolean>;
  /**
   * Adds the outcome of a page the starting request published itself. No
   * message ever carries such a page, so it cannot be delivered twice and
   * needs no done marker: one plain update.
   */
  addInlinePage(projectId: string, executionId: string, outcome: PageOutcome, at: string): Promise<void>;
  /** Keeps the first errors of an execution, up to the cap; best effort. */
  appendErrors(projectId: string, executionId: string, errors: string[], cap: number): Promise<void>;
  /** publishing → final status, once every page is done; false otherwise. */
  finishIfComplete(projectId: string, executionId: string, at: string): Promise<boolean>;
  /** Executions still publishing with no progress since `before`. */
  stalled(before: string): Promise<{ project_id: string; execution_id: string }[]>;
  /** publishing → partial_failure with a reason. */
  markStalled(projectId: string, executionId: string, reason: string, at: string): Promise<boolean>;
}

/** The configured routes: name → queue, and the projects allowed (all when absent). */
export interface RouteDirectory {
  all(): { name: string; queueUrl: string; projects?: readonly string[] }[];
}
