import { v5 as uuidv5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { createDetachedReplayService, type DetachedReplayService } from '../../../../functions/core/detached-replay/detached-replay-service.ts';
import type { PageMessage, PageQueueMessage, ResumeMessage } from '../../../../functions/core/detached-replay/execution.ts';
import type { BatchPublisher, ObjectLister, OutgoingMessage, RouteDirectory } from '../../../../functions/core/detached-replay/ports.ts';
import { unfinishedPages } from '../../../../functions/core/detached-replay/page-chain.ts';
import type { JobOutcome } from '../../../../functions/core/ledger/job-outcome.ts';
import { fakeExecutionStore } from './fake-execution-store.ts';

const caller = { orgId: 'acme', projectId: 'prj', keyId: 'key_1' };
const from = '0194c1a2-1111-7000-8000-000000000001';
const prefix = `prj/${from}/stage/`;
const request = { from_execution_id: from, from_stage: 'stage', to_route: 'ingest' };

/** `count` objects under the prefix, and a sidecar after every third one. */
function keysOf(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}doc-${String(i).padStart(4, '0')}.json`).flatMap((key, i) => (i % 3 === 0 ? [key, `${key}.meta.json`] : [key]));
}

/** Serves `keys` in key order, in pages of `pageSize` starting after a key, as ListObjectsV2 with StartAfter does. */
function pagedLister(keys: string[], pageSize: number): ObjectLister & { calls: number } {
  const sorted = [...keys].sort();
  const lister = {
    calls: 0,
    async list(_bucket: string, listedPrefix: string, after: string | undefined) {
      lister.calls++;
      const matching = sorted.filter((key) => key.startsWith(listedPrefix) && (after === undefined || key > after));
      const page = matching.slice(0, pageSize);
      return { keys: page, next: matching.length > pageSize ? page.at(-1) : undefined };
    },
  };
  return lister;
}

/** Records what was sent; `refuse` names keys SQS reports as failed with a sender fault; `hold` keeps a batch waiting until released. */
function recordingPublisher(options: { refuse?: (key: string) => boolean; hold?: (keys: string[]) => Promise<void> | undefined } = {}) {
  const sent: OutgoingMessage[] = [];
  const publisher: BatchPublisher = {
    async sendBatch(_queueUrl, entries) {
      const keys = entries.map(objectKeyOf);
      await options.hold?.(keys);
      const failed = entries.filter((entry) => options.refuse?.(objectKeyOf(entry)));
      sent.push(...entries.filter((entry) => !failed.includes(entry)));
      return { failed: failed.map((entry) => ({ id: entry.id, code: 'InvalidParameterValue', message: 'refused', senderFault: true })) };
    },
  };
  return { publisher, sent };
}

/** The page queue: what was sent, with its delay; `failNext` makes the next sends throw, as an SQS outage would. */
function fakePageQueue() {
  const sent: { message: PageQueueMessage; delaySeconds: number | undefined }[] = [];
  let failing = 0;
  return {
    sent,
    failNext: (times = 1) => void (failing = times),
    pages: () => sent.filter((s) => s.message.kind === 'page').map((s) => s.message as PageMessage),
    resumes: () => sent.filter((s) => s.message.kind === 'resume'),
    async enqueue(message: PageQueueMessage, delaySeconds?: number) {
      if (failing > 0) {
        failing--;
        throw Object.assign(new Error('injected SendMessage failure'), { name: 'ServiceUnavailable' });
      }
      sent.push({ message: structuredClone(message), delaySeconds });
    },
  };
}

interface SetupOptions {
  keys: string[];
  pageSize: number;
  inlineBudgetMs?: number;
  publisher?: ReturnType<typeof recordingPublisher>;
  routes?: RouteDirectory;
  /** Makes the ledger refuse the next writes, as an outage would. */
  ledgerFailures?: number;
}

function setup(options: SetupOptions) {
  const fake = fakeExecutionStore();
  const queue = fakePageQueue();
  const lister = pagedLister(options.keys, options.pageSize);
  const { publisher, sent } = options.publisher ?? recordingPublisher();
  let ids = 0;
  const newId = () => `0194c1a2-2222-7000-8000-${String(++ids).padStart(12, '0')}`;
  const recovered: string[] = [];
  // The ledger as the job-outcome recorder keeps it: one entry per job, however often it is recorded.
  const ledger = new Map<string, { orgId: string; outcome: JobOutcome }>();
  let ledgerFailures = options.ledgerFailures ?? 0;
  const recordOutcome = async (orgId: string, outcome: JobOutcome) => {
    if (ledgerFailures > 0) {
      ledgerFailures--;
      throw new Error('ledger unavailable');
    }
    ledger.set(`${outcome.kind}:${outcome.runId}`, { orgId, outcome });
  };
  /** A service over the same store, queue and lister: another process, as after a restart. */
  const instance = (publisherOf: BatchPublisher = publisher, at = new Date('2026-11-25T10:00:00Z')) =>
    createDetachedReplayService({
      store: fake.store,
      lister,
      publisher: publisherOf,
      pages: queue,
      routes: options.routes ?? { all: () => [{ name: 'ingest', queueUrl: 'queue://ingest' }] },
      bucket: 'outputs',
      now: () => at,
      newId,
      ...(options.inlineBudgetMs === undefined ? {} : { inlineBudgetMs: options.inlineBudgetMs }),
      backoff: async () => {},
      onRecoverableError: (what) => void recovered.push(what),
      recordOutcome,
    });
  return { service: instance(), instance, fake, sent, queue, lister, recovered, ledger };
}

/** Plays the page worker: handles page messages in order until none is left; returns each outcome. */
async function drainPages(service: DetachedReplayService, queue: ReturnType<typeof fakePageQueue>, fromIndex = 0): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = fromIndex; i < queue.pages().length; i++) outcomes.push(await service.continuePage(queue.pages()[i]!));
  return outcomes;
}

const objectKeyOf = (message: OutgoingMessage) => (JSON.parse(message.body) as { object_key: string }).object_key;

describe('detached replay, inside the request', () => {
  it('publishes every object of a many-page prefix once, skips sidecars, and completes with exact counts', async () => {
    const keys = keysOf(95);
    const { service, sent } = setup({ keys, pageSize: 10 });

    const { view, complete } = await service.start(caller, request);

    expect(complete).toBe(true);
    expect(view).toMatchObject({ status: 'publishing_complete', objects_found: 95, objects_published: 95, objects_failed: 0, objects_skipped: 32, errors: null });
    expect(sent.map(objectKeyOf).sort()).toEqual(keys.filter((key) => !key.endsWith('.meta.json')));
    expect(new Set(sent.map((message) => message.attributes.correlation_id)).size).toBe(95);
    for (const message of sent) expect(message.attributes.correlation_id).toBe(uuidv5(objectKeyOf(message), view.execution_id));
  });

  it('counts each page once with its done mark, checks for completion once, and sends only the resume message, delayed', async () => {
    const { service, fake, queue } = setup({ keys: keysOf(95), pageSize: 10 });

    const { view } = await service.start(caller, request);

    expect(fake.calls('completePage')).toBe(13);
    expect(fake.calls('finishIfComplete')).toBe(1);
    expect(fake.pageStates('prj', view.execution_id).map((state) => state.done)).toEqual(Array(13).fill(true));
    expect(queue.sent).toEqual([{ message: { kind: 'resume', project_id: 'prj', execution_id: view.execution_id }, delaySeconds: 60 }]);
  });

  it('completes when the last page is counted before the pages listed earlier', async () => {
    // Page 0's sends wait until the last page (page 3) has published.
    const keys = keysOf(40);
    let lastPagePublished!: () => void;
    const lastPage = new Promise<void>((resolve) => (lastPagePublished = resolve));
    const publisher = recordingPublisher({
      hold: (batch) => {
        if (batch.some((key) => key.endsWith('doc-0039.json'))) setImmediate(lastPagePublished);
        return batch.some((key) => key.endsWith('doc-0000.json')) ? lastPage : undefined;
      },
    });
    const { service } = setup({ keys, pageSize: 14, publisher });

    const { view, complete } = await service.start(caller, request);

    expect(complete).toBe(true);
    expect(view).toMatchObject({ status: 'publishing_complete', objects_published: 40 });
  });

  it('ends partial_failure with the failed count and the first errors when SQS refuses some objects', async () => {
    const refused = (key: string) => /doc-00(0|1)7\.json$/.test(key);
    const { service } = setup({ keys: keysOf(30), pageSize: 10, publisher: recordingPublisher({ refuse: refused }) });

    const { view, complete } = await service.start(caller, request);

    expect(complete).toBe(true);
    expect(view).toMatchObject({ status: 'partial_failure', objects_found: 30, objects_published: 28, objects_failed: 2 });
    expect(view.errors).toEqual([`${prefix}doc-0007.json: InvalidParameterValue: refused`, `${prefix}doc-0017.json: InvalidParameterValue: refused`]);
  });

  it('sends nothing and stores nothing when the page queue cannot take the resume message', async () => {
    const { service, fake, queue, sent } = setup({ keys: keysOf(30), pageSize: 10 });
    queue.failNext();

    await expect(service.start(caller, request)).rejects.toThrow('injected SendMessage failure');
    expect(fake.calls('create')).toBe(0);
    expect(sent).toEqual([]);
  });
});

describe('detached replay, past the request budget', () => {
  it('hands the next page to the queue, and the page messages finish the execution; a redelivered page publishes nothing', async () => {
    const keys = keysOf(45);
    const { service, sent, queue } = setup({ keys, pageSize: 10, inlineBudgetMs: 0 });

    const { view, complete } = await service.start(caller, request);
    expect(complete).toBe(false);
    expect(view.status).toBe('publishing');
    expect(queue.pages().map((message) => message.page)).toEqual([1]);

    expect(await drainPages(service, queue)).toEqual(Array(5).fill('published'));
    const publishedBefore = sent.length;
    const redelivered = await service.continuePage(queue.pages()[2]!);

    expect(redelivered).toBe('skipped');
    expect(sent).toHaveLength(publishedBefore);
    // Each page starts after the last key of the page before it.
    const sorted = [...keys].sort();
    expect(queue.pages().map((message) => [message.page, message.after])).toEqual([1, 2, 3, 4, 5].map((page) => [page, sorted[page * 10 - 1]]));
    expect(await service.get('prj', view.execution_id)).toMatchObject({ status: 'publishing_complete', objects_found: 45, objects_published: 45, objects_skipped: 15 });
    expect(new Set(sent.map(objectKeyOf)).size).toBe(45);
  });

  it('sends the successor when the retried page runs, after the send failed the first time', async () => {
    const keys = keysOf(45);
    const { service, queue, fake } = setup({ keys, pageSize: 10, inlineBudgetMs: 0 });
    const { view } = await service.start(caller, request);
    const page1 = queue.pages()[0]!;

    // Act: page 1's send of page 2 fails (SQS outage): the page fails, so SQS delivers it again.
    queue.failNext();
    await expect(service.continuePage(page1)).rejects.toThrow('injected SendMessage failure');
    const afterFailure = fake.pageStates('prj', view.execution_id).find((state) => state.page === 2);
    expect(await service.continuePage(page1)).toBe('published');
    const outcomes = await drainPages(service, queue, 1);

    // Assess
    expect(afterFailure).toBeUndefined();
    expect(queue.pages().map((message) => message.page)).toEqual([1, 2, 3, 4, 5]);
    expect(outcomes).toEqual(Array(4).fill('published'));
    expect(await service.get('prj', view.execution_id)).toMatchObject({ status: 'publishing_complete', objects_found: 45, objects_published: 45, objects_failed: 0 });
  });

  it('re-sends the successor when a page died between the send and its record, and counts every page once', async () => {
    const keys = keysOf(45);
    const { service, queue, fake, sent } = setup({ keys, pageSize: 10, inlineBudgetMs: 0 });
    const { view } = await service.start(caller, request);
    const page1 = queue.pages()[0]!;

    // Page 1 sent page 2, then died before recording the send; its message comes again.
    fake.failNext('markPageSent');
    await expect(service.continuePage(page1)).rejects.toThrow('injected markPageSent failure');
    expect(await service.continuePage(page1)).toBe('published');
    const outcomes = await drainPages(service, queue, 1);

    // Page 2 was sent twice: the copy that came second found it done.
    expect(queue.pages().map((message) => message.page)).toEqual([1, 2, 2, 3, 4, 5]);
    expect(outcomes).toEqual(['published', 'skipped', 'published', 'published', 'published']);
    expect(await service.get('prj', view.execution_id)).toMatchObject({ status: 'publishing_complete', objects_found: 45, objects_published: 45, objects_failed: 0 });
    expect(new Set(sent.map(objectKeyOf)).size).toBe(45);
  });

  it('publishes a page again when it died before it was counted, without sending its successor twice', async () => {
    const keys = keysOf(45);
    const { service, queue, fake, sent } = setup({ keys, pageSize: 10, inlineBudgetMs: 0 });
    const { view } = await service.start(caller, request);
    const page1 = queue.pages()[0]!;

    fake.failNext('completePage');
    await expect(service.continuePage(page1)).rejects.toThrow('injected completePage failure');
    const sentBeforeRetry = sent.length;
    expect(await service.continuePage(page1)).toBe('published');
    await drainPages(service, queue, 1);

    // Pages 1 to 5 hold 38 objects (page 0, published by the request, holds 7).
    expect(sent.length - sentBeforeRetry).toBe(38);
    expect(queue.pages().map((message) => message.page)).toEqual([1, 2, 3, 4, 5]);
    expect(await service.get('prj', view.execution_id)).toMatchObject({ status: 'publishing_complete', objects_found: 45, objects_published: 45, objects_failed: 0 });
  });

  it('counts the failed objects of a route that was removed while the replay ran', async () => {
    const keys = keysOf(20);
    let routes = [{ name: 'ingest', queueUrl: 'queue://ingest' }];
    const { service, queue } = setup({ keys, pageSize: 10, inlineBudgetMs: 0, routes: { all: () => routes } });
    const { view } = await service.start(caller, request);

    routes = [];
    await drainPages(service, queue);

    // Page 0 (7 objects) went out with the request; pages 1 and 2 (13 objects) found no route.
    expect(await service.get('prj', view.execution_id)).toMatchObject({
      status: 'partial_failure',
      objects_found: 20,
      objects_published: 7,
      objects_failed: 13,
      errors: Array(2).fill('route ingest is no longer configured for this project'),
    });
  });
});

describe('detached replay, when the starting request dies', () => {
  it('answers 202 when listing or counting fails after the execution is stored, and the resume message hands the rest on', async () => {
    // Prepare: 90 objects and 30 sidecars are 12 pages; one page is not counted, and the listing of page 4 fails.
    const keys = keysOf(90);
    const { service, queue, fake, lister, recovered } = setup({ keys, pageSize: 10 });
    const list = lister.list.bind(lister);
    let failed = false;
    lister.list = async (...args) => {
      if (lister.calls === 4 && !failed) {
        failed = true;
        throw Object.assign(new Error('injected ListObjectsV2 failure'), { name: 'ServiceUnavailable' });
      }
      return list(...args);
    };
    fake.failNext('completePage');

    // Act
    const { view, complete } = await service.start(caller, request);
    const notCounted = Number(recovered.find((what) => what.startsWith('counting page'))?.slice('counting page '.length));
    const resumed = await service.resume(queue.resumes()[0]!.message as ResumeMessage);
    const outcomes = await drainPages(service, queue);

    // Assess
    expect(complete).toBe(false);
    expect(view.status).toBe('publishing');
    expect(recovered.sort()).toEqual([`counting page ${notCounted}`, 'listing the next page']);
    expect(resumed).toBe('resumed');
    expect(queue.pages().map((message) => message.page)).toEqual([notCounted, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(outcomes).toEqual(Array(9).fill('published'));
    expect(await service.get('prj', view.execution_id)).toMatchObject({ status: 'publishing_complete', objects_found: 90, objects_published: 90, objects_skipped: 30 });
  });

  it('finishes, through another process, an execution whose request died mid-way, with exact counts', async () => {
    // Prepare: the first process never gets an answer to any send from page 3 on (it is gone).
    const keys = keysOf(90);
    const sorted = [...keys].sort();
    const held = new Promise<never>(() => {});
    const dying = recordingPublisher({ hold: (batch) => (batch.some((key) => key >= sorted[30]!) ? held : undefined) });
    const { instance, queue, fake, sent } = setup({ keys, pageSize: 10 });
    void instance(dying.publisher).start(caller, request);
    const executionId = await until(() => fake.pageStates('prj', '0194c1a2-2222-7000-8000-000000000001').filter((state) => state.done).length >= 3 && '0194c1a2-2222-7000-8000-000000000001');

    // Act: the resume message reaches another process.
    const restarted = instance();
    const resumed = await restarted.resume(queue.resumes()[0]!.message as ResumeMessage);
    const outcomes = await drainPages(restarted, queue);

    // Assess
    expect(resumed).toBe('resumed');
    expect(queue.pages()[0]).toMatchObject({ page: 3, after: sorted[29] });
    expect(outcomes).toEqual(Array(9).fill('published'));
    expect(await restarted.get('prj', executionId)).toMatchObject({ status: 'publishing_complete', objects_found: 90, objects_published: 90, objects_failed: 0 });
    expect(new Set([...dying.sent, ...sent].map(objectKeyOf)).size).toBe(90);
  });

  it('finishes an execution whose request died after the last page was counted', async () => {
    const { service, queue, fake } = setup({ keys: keysOf(30), pageSize: 10 });
    fake.failNext('finishIfComplete');
    const { view, complete } = await service.start(caller, request);

    const resumed = await service.resume(queue.resumes()[0]!.message as ResumeMessage);

    expect(complete).toBe(false);
    expect(resumed).toBe('finished');
    expect(queue.pages()).toEqual([]);
    expect(await service.get('prj', view.execution_id)).toMatchObject({ status: 'publishing_complete', objects_published: 30 });
  });

  it('does nothing for an execution that ended or was never stored', async () => {
    const { service, queue } = setup({ keys: keysOf(30), pageSize: 10 });
    const { view } = await service.start(caller, request);

    expect(await service.resume(queue.resumes()[0]!.message as ResumeMessage)).toBe('skipped');
    expect(await service.resume({ kind: 'resume', project_id: 'prj', execution_id: '0194c1a2-2222-7000-8000-0000000000ff' })).toBe('unknown');
    expect(queue.pages()).toEqual([]);
    expect((await service.get('prj', view.execution_id)).status).toBe('publishing_complete');
  });
});

describe("an ended execution in its org's ledger", () => {
  it('is recorded once when the request finishes it, and not again when its resume message comes', async () => {
    const { service, queue, ledger } = setup({ keys: keysOf(25), pageSize: 10 });

    const { view } = await service.start(caller, request);
    await service.resume(queue.resumes()[0]!.message as ResumeMessage);

    expect([...ledger.values()]).toEqual([
      {
        orgId: 'acme',
        outcome: {
          kind: 'detached_replay',
          runId: view.execution_id,
          status: 'success',
          actions_total: 25,
          actions_replayed: 25,
          divergences: 0,
          started_at: view.created_at,
          finished_at: view.completed_at,
        },
      },
    ]);
  });

  it('is recorded by the page that finishes it, with failed objects as divergences', async () => {
    const publisher = recordingPublisher({ refuse: (key) => key.endsWith('0003.json') });
    const { service, queue, ledger } = setup({ keys: keysOf(30), pageSize: 10, inlineBudgetMs: 0, publisher });

    const { view } = await service.start(caller, request);
    await drainPages(service, queue);

    expect(ledger.get(`detached_replay:${view.execution_id}`)?.outcome).toMatchObject({ status: 'partial', actions_total: 30, actions_replayed: 29, divergences: 1 });
  });

  it('is recorded by the resume message when the ledger failed as the request finished it', async () => {
    const { service, queue, ledger, recovered } = setup({ keys: keysOf(5), pageSize: 10, ledgerFailures: 1 });

    const { view, complete } = await service.start(caller, request);
    expect(complete).toBe(true);
    expect(ledger.size).toBe(0);
    expect(recovered).toContain('recording the execution in the ledger');

    expect(await service.resume(queue.resumes()[0]!.message as ResumeMessage)).toBe('skipped');
    expect(ledger.get(`detached_replay:${view.execution_id}`)?.outcome).toMatchObject({ status: 'success', actions_total: 5 });
  });

  it('is recorded when the sweeper ends a stalled execution', async () => {
    const { service, instance, ledger } = setup({ keys: keysOf(30), pageSize: 10, inlineBudgetMs: 0 });
    const { view } = await service.start(caller, request);
    expect(view.status).toBe('publishing');

    // The page messages never come (they wait in the DLQ); the sweep runs an hour later.
    expect(await instance(undefined, new Date('2026-11-25T11:00:00Z')).sweep()).toBe(1);

    expect(ledger.get(`detached_replay:${view.execution_id}`)?.outcome).toMatchObject({ status: 'partial', actions_total: 7, actions_replayed: 7, divergences: 0 });
  });
});

describe('unfinishedPages', () => {
  const page = (n: number, state: { sent?: boolean; done?: boolean; next?: string | null }) => ({ page: n, sent: state.sent ?? false, done: state.done ?? false, ...('next' in state ? { next: state.next } : {}) });

  it.each([
    ['nothing known: page 0', [], [{ page: 0, after: null }]],
    ['page 0 sent: nothing', [page(0, { sent: true })], []],
    ['a done page whose successor is unknown', [page(0, { done: true, next: 'k9' })], [{ page: 1, after: 'k9' }]],
    ['a done page whose successor was sent', [page(0, { done: true, next: 'k9' }), page(1, { sent: true })], []],
    ['the last page done', [page(0, { done: true, next: 'k9' }), page(1, { done: true, next: null })], []],
    [
      'gaps after done pages, not after pages not done',
      [page(0, { done: true, next: 'a' }), page(2, { done: true, next: 'c' }), page(4, { sent: true }), page(6, { done: true, next: 'g' })],
      [
        { page: 1, after: 'a' },
        { page: 3, after: 'c' },
        { page: 7, after: 'g' },
      ],
    ],
  ])('%s', (_case, pages, expected) => {
    expect(unfinishedPages(pages)).toEqual(expected);
  });
});

/** Waits (a macrotask at a time) until `value` is truthy. */
async function until<T>(value: () => T | false): Promise<T> {
  for (let i = 0; i < 10_000; i++) {
    const current = value();
    if (current) return current;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}
