import pLimit from 'p-limit';
import { NotFoundError } from '../errors.ts';
import { decodeCursor, encodeCursor } from '../ledger/cursor.ts';
import { toView, type ExecutionRecord, type ExecutionView, type PageMessage, type PageOutcome } from './execution.ts';
import { detachedLimits as L, SIDECAR_SUFFIX } from './limits.ts';
import type { BatchPublisher, ExecutionStore, ObjectLister, PageQueue, RouteDirectory } from './ports.ts';
import { sourcePrefix } from './prefix.ts';
import { publishPage } from './publish-page.ts';
import { usableRoutes } from './routes.ts';

export interface DetachedReplayDependencies {
  store: ExecutionStore;
  lister: ObjectLister;
  publisher: BatchPublisher;
  pages: PageQueue;
  routes: RouteDirectory;
  bucket: string;
  now: () => Date;
  newId: () => string;
  /** How long a request publishes itself before handing the rest to the queue. */
  inlineBudgetMs?: number;
  backoff?: (attempt: number) => Promise<void>;
}

export interface StartInput {
  from_execution_id: string;
  from_stage: string;
  from_path?: string | null | undefined;
  to_route: string;
}

export interface Caller {
  projectId: string;
  keyId: string;
}

/** Detached replay's use cases, over ports. */
export function createDetachedReplayService(deps: DetachedReplayDependencies) {
  const budget = deps.inlineBudgetMs ?? L.inlineBudgetMs;
  const at = () => deps.now().toISOString();

  function publish(record: ExecutionRecord, keys: string[], limit?: ReturnType<typeof pLimit>) {
    return publishPage(keys, {
      ...(limit ? { limit } : {}),
      publisher: deps.publisher,
      queueUrl: record.queue_url,
      bucket: record.bucket,
      executionId: record.execution_id,
      replayBatchId: record.replay_batch_id,
      fromExecutionId: record.from_execution_id,
      ...(deps.backoff ? { backoff: deps.backoff } : {}),
    });
  }

  /** Adds a page message's outcome exactly once; finishes the execution when it was the last page done. */
  async function recordPage(record: ExecutionRecord, page: number, outcome: PageOutcome): Promise<void> {
    const added = await deps.store.completePage(record.project_id, record.execution_id, page, outcome, at());
    if (added && outcome.errors.length) await deps.store.appendErrors(record.project_id, record.execution_id, outcome.errors, L.errorsPerExecution);
    await deps.store.finishIfComplete(record.project_id, record.execution_id, at());
  }

  /** Adds the outcome of a page the starting request published; the request checks for completion once, at its end. */
  async function recordInlinePage(record: ExecutionRecord, outcome: PageOutcome): Promise<void> {
    await deps.store.addInlinePage(record.project_id, record.execution_id, outcome, at());
    if (outcome.errors.length) await deps.store.appendErrors(record.project_id, record.execution_id, outcome.errors, L.errorsPerExecution);
  }

  /**
   * Lists ahead of publishing: the next page is handed on (to this request
   * or to the queue) before the current one is published, so listing —
   * the only sequential part — never waits for publishing.
   */
  async function handOn(record: ExecutionRecord, page: number, next: string | undefined, inline: boolean) {
    if (!next) {
      await deps.store.setPagesTotal(record.project_id, record.execution_id, page + 1);
      return undefined;
    }
    if (inline) return deps.lister.list(record.bucket, record.prefix, next);
    if (await deps.store.claimPageEnqueue(record.project_id, record.execution_id, page + 1)) {
      await deps.pages.enqueue({ project_id: record.project_id, execution_id: record.execution_id, page: page + 1, continuation_token: next });
    }
    return undefined;
  }

  async function getRecord(projectId: string, executionId: string): Promise<ExecutionRecord> {
    const record = await deps.store.get(projectId, executionId);
    if (!record) throw new NotFoundError(`No detached replay execution ${executionId}`, 'execution_not_found');
    return record;
  }

  return {
    /** Starts a detached replay; `complete: false` means it goes on from the queue (answer 202). */
    async start(caller: Caller, input: StartInput): Promise<{ view: ExecutionView; complete: boolean }> {
      const route = usableRoutes(deps.routes, caller.projectId).find((candidate) => candidate.name === input.to_route);
      if (!route) {
        throw new NotFoundError(`No route named ${input.to_route}; GET /api/v1/routes lists them`, 'route_not_found');
      }
      const path = input.from_path ?? null;
      const prefix = sourcePrefix(caller.projectId, input.from_execution_id, input.from_stage, path);
      let listing = await deps.lister.list(deps.bucket, prefix, undefined);
      if (!listing.next && !listing.keys.some((key) => !key.endsWith(SIDECAR_SUFFIX))) {
        throw new NotFoundError(`No objects to replay under ${input.from_execution_id}/${input.from_stage}/${path ?? ''}`, 'objects_not_found');
      }

      const parent = await deps.store.get(caller.projectId, input.from_execution_id);
      const started = deps.now();
      const record: ExecutionRecord = {
        execution_id: deps.newId(),
        replay_batch_id: deps.newId(),
        from_execution_id: input.from_execution_id,
        from_stage: input.from_stage,
        from_path: path,
        to_route: route.name,
        to_queue: route.queueUrl,
        objects_found: 0,
        objects_published: 0,
        objects_failed: 0,
        objects_skipped: 0,
        status: 'publishing',
        errors: null,
        created_at: started.toISOString(),
        completed_at: null,
        lineage: parent ? [parent.execution_id, ...parent.lineage].slice(0, L.lineageDepth) : [],
        requested_by: caller.keyId,
        project_id: caller.projectId,
        bucket: deps.bucket,
        prefix,
        queue_url: route.queueUrl,
        pages_done: 0,
        pages_total: null,
      };
      await deps.store.create(record);

      // Pages overlap under one limit on SendMessageBatch calls in flight: the next
      // page is listed while this one publishes, and a page's bookkeeping never
      // holds up the publishing of the pages after it.
      const limit = pLimit(L.publishConcurrency);
      const publishing = new Set<Promise<unknown>>();
      const bookkeeping: Promise<void>[] = [];
      const failures: unknown[] = [];
      for (let page = 0; ; page++) {
        const withinBudget = deps.now().getTime() - started.getTime() < budget;
        const upcoming = handOn(record, page, listing.next, withinBudget);
        const published = publish(record, listing.keys, limit);
        // Settled, never rejected: a failure is kept and thrown once every page has settled.
        const release = (): void => void publishing.delete(slot);
        const slot: Promise<void> = published.then(release, release);
        publishing.add(slot);
        bookkeeping.push(published.then((outcome) => recordInlinePage(record, outcome)).catch((error: unknown) => void failures.push(error)));
        if (publishing.size >= L.pagesInFlight) await Promise.race(publishing);
        const next = await upcoming;
        if (!next) break;
        listing = next;
      }
      await Promise.all(bookkeeping);
      if (failures.length) throw failures[0];
      // Once, after every page of this request is counted and the total (if it was listed here) is set:
      // the pages finish out of order, and the last may finish before the total is known.
      await deps.store.finishIfComplete(record.project_id, record.execution_id, at());
      const current = await getRecord(caller.projectId, record.execution_id);
      return { view: toView(current), complete: current.status !== 'publishing' };
    },

    /** Continues an execution at one page, from the queue; a page already done, or of an ended execution, is skipped. */
    async continuePage(message: PageMessage): Promise<'published' | 'skipped' | 'unknown'> {
      const record = await deps.store.get(message.project_id, message.execution_id);
      if (!record) return 'unknown';
      // Ended (the sweeper gave up on it): a late page must not publish, nor move its counts.
      if (record.status !== 'publishing') return 'skipped';
      if (await deps.store.isPageDone(message.project_id, message.execution_id, message.page)) return 'skipped';
      const listing = await deps.lister.list(record.bucket, record.prefix, message.continuation_token);
      await handOn(record, message.page, listing.next, false);
      await recordPage(record, message.page, await publish(record, listing.keys));
      return 'published';
    },

    get: async (projectId: string, executionId: string) => toView(await getRecord(projectId, executionId)),

    async list(projectId: string, query: { limit: number; cursor?: string | undefined }) {
      const afterId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const page = await deps.store.list(projectId, { limit: query.limit, ...(afterId ? { afterId } : {}) });
      const last = page.items.at(-1);
      return { items: page.items.map(toView), next_cursor: page.hasMore && last ? encodeCursor(last.execution_id) : null };
    },

    /** Ends executions whose page chain stopped (a page message in the DLQ) as partial failures. */
    async sweep(): Promise<number> {
      const before = new Date(deps.now().getTime() - L.stallSeconds * 1000).toISOString();
      let touched = 0;
      for (const ref of await deps.store.stalled(before)) {
        const reason = `No page finished for ${L.stallSeconds / 60} minutes (a page message failed repeatedly: see the page queue's DLQ); counts are those of the pages that finished.`;
        if (await deps.store.markStalled(ref.project_id, ref.execution_id, reason, at())) touched++;
      }
      return touched;
    },
  };
}

export type DetachedReplayService = ReturnType<typeof createDetachedReplayService>;
