import pLimit from 'p-limit';
import { NotFoundError } from '../errors.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import type { RecordJobOutcome } from '../ledger/job-outcome.ts';
import { outcomeOf, toView, type ExecutionRecord, type ExecutionView, type PageMessage, type PageOutcome, type ResumeMessage } from './execution.ts';
import { detachedLimits as L, SIDECAR_SUFFIX } from './limits.ts';
import { unfinishedPages } from './page-chain.ts';
import type { BatchPublisher, ExecutionStore, ObjectLister, PageQueue, RouteDirectory } from './ports.ts';
import { sourcePrefix } from './prefix.ts';
import { publishPage, unpublished } from './publish-page.ts';
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
  /** Delay of the resume message (see `detachedLimits.resumeAfterSeconds`). */
  resumeAfterSeconds?: number;
  backoff?: (attempt: number) => Promise<void>;
  /** Told of a failure the request got past: the resume message hands on what it left. */
  onRecoverableError?: (what: string, error: unknown) => void;
  /** Writes an ended execution to its org's ledger (once, however often it is called). */
  recordOutcome?: RecordJobOutcome;
}

export interface StartInput {
  from_execution_id: string;
  from_stage: string;
  from_path?: string | null | undefined;
  to_route: string;
}

export interface Caller {
  orgId: string;
  projectId: string;
  keyId: string;
}

type Listing = Awaited<ReturnType<ObjectLister['list']>>;

/**
 * Detached replay's use cases, over ports. An execution is a chain of
 * listing pages; each page is published, then counted once (its done mark
 * and its counts in one conditional write). The request publishes the
 * first pages itself; past its budget, each page's message is sent before
 * that page publishes, and recorded as sent only once the send succeeded,
 * so a page done always has its successor sent or done. A crash anywhere
 * leaves a page whose message comes again (SQS redelivers what was not
 * acknowledged), or a page the request was publishing, which the resume
 * message sent at the start hands to the queue.
 */
export function createDetachedReplayService(deps: DetachedReplayDependencies) {
  const budget = deps.inlineBudgetMs ?? L.inlineBudgetMs;
  const resumeAfterSeconds = deps.resumeAfterSeconds ?? L.resumeAfterSeconds;
  const at = () => deps.now().toISOString();
  const recoverable = (what: string, error: unknown) => deps.onRecoverableError?.(what, error);

  /** Publishes to the route's queue as configured now: nothing stored or queued holds a queue URL. */
  function publish(record: ExecutionRecord, keys: string[], limit?: ReturnType<typeof pLimit>): Promise<PageOutcome> {
    const route = usableRoutes(deps.routes, record.project_id).find((candidate) => candidate.name === record.to_route);
    if (!route) return Promise.resolve(unpublished(keys, `route ${record.to_route} is no longer configured for this project`));
    return publishPage(keys, {
      ...(limit ? { limit } : {}),
      publisher: deps.publisher,
      queueUrl: route.queueUrl,
      bucket: record.bucket,
      executionId: record.execution_id,
      replayBatchId: record.replay_batch_id,
      fromExecutionId: record.from_execution_id,
      ...(deps.backoff ? { backoff: deps.backoff } : {}),
    });
  }

  /** Sends a page's message, then records the send: the record never claims a send that did not happen. */
  async function sendPage(record: ExecutionRecord, page: number, after: string | null): Promise<void> {
    await deps.pages.enqueue({ kind: 'page', project_id: record.project_id, execution_id: record.execution_id, page, after });
    await deps.store.markPageSent(record.project_id, record.execution_id, page, at());
  }

  /**
   * The pages the request publishes itself, listing ahead: page n + 1 is
   * listed (or, past the budget, handed to the queue) while page n
   * publishes, under one limit on SendMessageBatch calls in flight. Never
   * throws: a page it could not list, hand on or count is left to the
   * resume message.
   */
  async function publishInline(record: ExecutionRecord, first: Listing, started: Date): Promise<void> {
    const limit = pLimit(L.publishConcurrency);
    const publishing = new Set<Promise<void>>();
    const bookkeeping: Promise<void>[] = [];
    let errorsKept = 0;
    let listing: Listing | undefined = first;
    for (let page = 0; listing; page++) {
      const { keys, next } = listing;
      const withinBudget = deps.now().getTime() - started.getTime() < budget;
      const upcoming: Promise<Listing | undefined> =
        next === undefined ? Promise.resolve(undefined) : withinBudget ? listInline(record, next) : handOff(record, page + 1, next);
      const published = publish(record, keys, limit);
      const release = (): void => void publishing.delete(slot);
      const slot: Promise<void> = published.then(release, release);
      publishing.add(slot);
      bookkeeping.push(
        published
          .then((outcome) => {
            const withErrors = errorsKept < L.errorsPerExecution;
            if (withErrors) errorsKept += outcome.errors.length;
            return deps.store.completePage(record.project_id, record.execution_id, page, outcome, { next: next ?? null, withErrors }, at());
          })
          .then(
            () => undefined,
            (error: unknown) => recoverable(`counting page ${page}`, error),
          ),
      );
      if (publishing.size >= L.pagesInFlight) await Promise.race(publishing);
      listing = await upcoming;
    }
    await Promise.all(bookkeeping);
  }

  function listInline(record: ExecutionRecord, after: string): Promise<Listing | undefined> {
    return deps.lister.list(record.bucket, record.prefix, after).catch((error: unknown) => {
      recoverable('listing the next page', error);
      return undefined;
    });
  }

  async function handOff(record: ExecutionRecord, page: number, after: string): Promise<undefined> {
    await sendPage(record, page, after).catch((error: unknown) => recoverable(`handing page ${page} to the queue`, error));
    return undefined;
  }

  /**
   * Writes an ended execution to its org's ledger. Called by whatever ends
   * it, and again by every later message that finds it ended (the resume
   * message always comes), so a crash between the two writes loses nothing.
   */
  async function recordEnded(projectId: string, executionId: string, known?: ExecutionRecord): Promise<void> {
    if (!deps.recordOutcome) return;
    const record = known && known.status !== 'publishing' ? known : await deps.store.get(projectId, executionId);
    if (!record?.org_id || record.status === 'publishing' || !record.completed_at) return;
    await deps.recordOutcome(record.org_id, outcomeOf({ ...record, completed_at: record.completed_at }));
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
      // The first page and the execution replayed (for the lineage) at once: both come before the first message.
      const [first, parent] = await Promise.all([deps.lister.list(deps.bucket, prefix, undefined), deps.store.get(caller.projectId, input.from_execution_id)]);
      if (!first.next && !first.keys.some((key) => !key.endsWith(SIDECAR_SUFFIX))) {
        throw new NotFoundError(`No objects to replay under ${input.from_execution_id}/${input.from_stage}/${path ?? ''}`, 'objects_not_found');
      }

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
        org_id: caller.orgId,
        bucket: deps.bucket,
        prefix,
        pages_done: 0,
        pages_total: null,
      };
      // Sent before anything is stored: when the queue cannot take it, the request fails whole.
      await deps.pages.enqueue({ kind: 'resume', project_id: record.project_id, execution_id: record.execution_id }, resumeAfterSeconds);
      await deps.store.create(record);
      await publishInline(record, first, started);
      try {
        // Once, after every page of this request is counted: pages finish out of order.
        await deps.store.finishIfComplete(record.project_id, record.execution_id, at());
        const current = await getRecord(caller.projectId, record.execution_id);
        await recordEnded(record.project_id, record.execution_id, current).catch((error: unknown) => recoverable('recording the execution in the ledger', error));
        return { view: toView(current), complete: current.status !== 'publishing' };
      } catch (error) {
        recoverable('reading the execution back', error);
        return { view: toView(record), complete: false };
      }
    },

    /**
     * Publishes one page from its message. A page done, or of an ended
     * execution, is skipped. Throws (so SQS delivers the message again)
     * when the page cannot be listed, its successor cannot be sent, or it
     * cannot be counted.
     */
    async continuePage(message: PageMessage): Promise<'published' | 'skipped' | 'unknown'> {
      const record = await deps.store.get(message.project_id, message.execution_id);
      if (!record) return 'unknown';
      // Ended (the sweeper gave up on it): a late page must not publish, nor move its counts.
      if (record.status !== 'publishing') {
        await recordEnded(record.project_id, record.execution_id, record);
        return 'skipped';
      }
      const [page, successor] = await deps.store.pagePair(message.project_id, message.execution_id, message.page);
      if (page.done) return 'skipped';
      const listing = await deps.lister.list(record.bucket, record.prefix, message.after ?? undefined);
      // Sent before this page publishes (the next page lists meanwhile) and before it counts as done.
      if (listing.next !== undefined && !successor.sent && !successor.done) await sendPage(record, message.page + 1, listing.next);
      const outcome = await publish(record, listing.keys);
      const withErrors = (record.errors?.length ?? 0) < L.errorsPerExecution;
      const counted = await deps.store.completePage(record.project_id, record.execution_id, message.page, outcome, { next: listing.next ?? null, withErrors }, at());
      if (!counted) return 'skipped';
      if (await deps.store.finishIfComplete(record.project_id, record.execution_id, at())) await recordEnded(record.project_id, record.execution_id);
      return 'published';
    },

    /** Hands the pages the starting request left unfinished to the queue; finishes the execution when none is left. */
    async resume(message: ResumeMessage): Promise<'resumed' | 'finished' | 'nothing to resume' | 'skipped' | 'unknown'> {
      const record = await deps.store.get(message.project_id, message.execution_id);
      if (!record) return 'unknown';
      if (record.status !== 'publishing') {
        await recordEnded(record.project_id, record.execution_id, record);
        return 'skipped';
      }
      const missing = unfinishedPages(await deps.store.pages(message.project_id, message.execution_id));
      for (const { page, after } of missing) await sendPage(record, page, after);
      if (missing.length) return 'resumed';
      if (!(await deps.store.finishIfComplete(record.project_id, record.execution_id, at()))) return 'nothing to resume';
      await recordEnded(record.project_id, record.execution_id);
      return 'finished';
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
        if (!(await deps.store.markStalled(ref.project_id, ref.execution_id, reason, at()))) continue;
        touched++;
        // A page message of it may still come from the DLQ and record it again; a failure here is not the sweep's.
        await recordEnded(ref.project_id, ref.execution_id).catch((error: unknown) => recoverable('recording a stalled execution in the ledger', error));
      }
      return touched;
    },
  };
}

export type DetachedReplayService = ReturnType<typeof createDetachedReplayService>;
