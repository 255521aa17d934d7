import type { ExecutionRecord, PageOutcome, PageQueueMessage, PageState } from './execution.ts';

/** One listing page of object keys (S3 ListObjectsV2 from after a key, in key order). */
export interface ObjectLister {
  /** `next` is where the following page starts (the last key listed), absent on the last page. */
  list(bucket: string, prefix: string, after: string | undefined): Promise<{ keys: string[]; next: string | undefined }>;
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

/** The queue of page and resume messages; resolves once the message is stored by the queue. */
export interface PageQueue {
  enqueue(message: PageQueueMessage, delaySeconds?: number): Promise<void>;
}

export interface PageCompletion {
  /** Where the next page starts; `null` on the last page (which stores the page total). */
  next: string | null;
  /** Whether the page's errors may still join the execution's (it keeps the first ones only). */
  withErrors: boolean;
}

export interface ExecutionStore {
  create(record: ExecutionRecord): Promise<void>;
  get(projectId: string, executionId: string): Promise<ExecutionRecord | undefined>;
  list(projectId: string, page: { limit: number; afterId?: string }): Promise<{ items: ExecutionRecord[]; hasMore: boolean }>;
  /** Pages `from` and `from + 1`, as far as anything is known of them. */
  pagePair(projectId: string, executionId: string, from: number): Promise<[PageState, PageState]>;
  /** Every page something is known of, in order. */
  pages(projectId: string, executionId: string): Promise<PageState[]>;
  /** Records that the message of `page` was sent; called only after the send succeeded. */
  markPageSent(projectId: string, executionId: string, page: number, at: string): Promise<void>;
  /**
   * Adds a page's outcome and marks the page done, atomically, and only
   * while the execution is publishing; false when the page was already done
   * or the execution has ended (nothing is added then).
   */
  completePage(projectId: string, executionId: string, page: number, outcome: PageOutcome, completion: PageCompletion, at: string): Promise<boolean>;
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
