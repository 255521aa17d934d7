import { v5 as uuidv5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { createDetachedReplayService } from '../../../../functions/core/detached-replay/detached-replay-service.ts';
import type { PageMessage } from '../../../../functions/core/detached-replay/execution.ts';
import type { BatchPublisher, ObjectLister, OutgoingMessage } from '../../../../functions/core/detached-replay/ports.ts';
import { fakeExecutionStore } from './fake-execution-store.ts';

const caller = { projectId: 'prj', keyId: 'key_1' };
const from = '0194c1a2-1111-7000-8000-000000000001';
const prefix = `prj/${from}/stage/`;
const request = { from_execution_id: from, from_stage: 'stage', to_route: 'ingest' };

/** `count` objects under the prefix, and a sidecar after every third one. */
function keysOf(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}doc-${String(i).padStart(4, '0')}.json`).flatMap((key, i) => (i % 3 === 0 ? [key, `${key}.meta.json`] : [key]));
}

/** Serves `keys` in pages of `pageSize`; the continuation token is the index of the next key. */
function pagedLister(keys: string[], pageSize: number): ObjectLister {
  return {
    async list(_bucket, listedPrefix, token) {
      const matching = keys.filter((key) => key.startsWith(listedPrefix));
      const start = token === undefined ? 0 : Number(token);
      const end = start + pageSize;
      return { keys: matching.slice(start, end), next: end < matching.length ? String(end) : undefined };
    },
  };
}

/** Records what was sent; `refuse` names keys SQS reports as failed with a sender fault. */
function recordingPublisher(refuse: (key: string) => boolean = () => false) {
  const sent: OutgoingMessage[] = [];
  const publisher: BatchPublisher = {
    async sendBatch(_queueUrl, entries) {
      const failed = entries.filter((entry) => refuse((JSON.parse(entry.body) as { object_key: string }).object_key));
      sent.push(...entries.filter((entry) => !failed.includes(entry)));
      return { failed: failed.map((entry) => ({ id: entry.id, code: 'InvalidParameterValue', message: 'refused', senderFault: true })) };
    },
  };
  return { publisher, sent };
}

function setup(options: { keys: string[]; pageSize: number; inlineBudgetMs?: number; refuse?: (key: string) => boolean; totalAfterPages?: boolean }) {
  const fake = fakeExecutionStore({ totalAfterPages: options.totalAfterPages ?? false });
  const { publisher, sent } = recordingPublisher(options.refuse);
  const enqueued: PageMessage[] = [];
  let ids = 0;
  const service = createDetachedReplayService({
    store: fake.store,
    lister: pagedLister(options.keys, options.pageSize),
    publisher,
    pages: { enqueue: async (message) => void enqueued.push(message) },
    routes: { all: () => [{ name: 'ingest', queueUrl: 'queue://ingest' }] },
    bucket: 'outputs',
    now: () => new Date('2026-11-25T10:00:00Z'),
    newId: () => `0194c1a2-2222-7000-8000-${String(++ids).padStart(12, '0')}`,
    ...(options.inlineBudgetMs === undefined ? {} : { inlineBudgetMs: options.inlineBudgetMs }),
    backoff: async () => {},
  });
  return { service, fake, sent, enqueued };
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

  it('counts each page it published with one plain update, and checks for completion once', async () => {
    const { service, fake } = setup({ keys: keysOf(95), pageSize: 10 });

    const { view } = await service.start(caller, request);

    expect(fake.pagesDone('prj', view.execution_id)).toBe(13);
    expect(fake.calls('addInlinePage')).toBe(13);
    expect(fake.calls('completePage')).toBe(0);
    expect(fake.calls('finishIfComplete')).toBe(1);
  });

  it('completes even when every page is counted before the total is stored', async () => {
    const { service } = setup({ keys: keysOf(40), pageSize: 10, totalAfterPages: true });

    const { view, complete } = await service.start(caller, request);

    expect(complete).toBe(true);
    expect(view).toMatchObject({ status: 'publishing_complete', objects_published: 40 });
  });

  it('ends partial_failure with the failed count and the first errors when SQS refuses some objects', async () => {
    const refused = (key: string) => /doc-00(0|1)7\.json$/.test(key);
    const { service } = setup({ keys: keysOf(30), pageSize: 10, refuse: refused });

    const { view, complete } = await service.start(caller, request);

    expect(complete).toBe(true);
    expect(view).toMatchObject({ status: 'partial_failure', objects_found: 30, objects_published: 28, objects_failed: 2 });
    expect(view.errors).toEqual([`${prefix}doc-0007.json: InvalidParameterValue: refused`, `${prefix}doc-0017.json: InvalidParameterValue: refused`]);
  });
});

describe('detached replay, past the request budget', () => {
  it('hands the next page to the queue, and the page messages finish the execution; a redelivered page publishes nothing', async () => {
    const keys = keysOf(45);
    const { service, sent, enqueued } = setup({ keys, pageSize: 10, inlineBudgetMs: 0 });

    const { view, complete } = await service.start(caller, request);
    expect(complete).toBe(false);
    expect(view.status).toBe('publishing');
    expect(enqueued.map((message) => message.page)).toEqual([1]);

    for (let i = 0; i < enqueued.length; i++) expect(await service.continuePage(enqueued[i]!)).toBe('published');
    const publishedBefore = sent.length;
    const redelivered = await service.continuePage(enqueued[2]!);

    expect(redelivered).toBe('skipped');
    expect(sent).toHaveLength(publishedBefore);
    expect(enqueued.map((message) => message.page)).toEqual([1, 2, 3, 4, 5]);
    expect(await service.get('prj', view.execution_id)).toMatchObject({ status: 'publishing_complete', objects_found: 45, objects_published: 45, objects_skipped: 15 });
    expect(new Set(sent.map(objectKeyOf)).size).toBe(45);
  });
});

describe('detached replay refuses', () => {
  it('an unknown route and a prefix with nothing but sidecars, with 404 errors', async () => {
    const { service } = setup({ keys: [`${prefix}a.json.meta.json`], pageSize: 10 });

    await expect(service.start(caller, { ...request, to_route: 'nowhere' })).rejects.toMatchObject({ code: 'route_not_found' });
    await expect(service.start(caller, request)).rejects.toMatchObject({ code: 'objects_not_found' });
  });
});
