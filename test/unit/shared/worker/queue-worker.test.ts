import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { queueWorker, type JobContext } from '../../../../functions/shared/worker/queue-worker.ts';
import { fakeLambdaContext } from '../../support/api-gateway-event.ts';

const record = (messageId: string, body: unknown, receiveCount = 1): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1', SenderId: 's', ApproximateFirstReceiveTimestamp: '1' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:jobs',
  awsRegion: 'eu-west-1',
});
const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** Log lines the worker printed, parsed. */
let lines: Record<string, unknown>[];
let logger: Logger;
beforeEach(() => {
  lines = [];
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  };
  // Powertools writes INFO lines to stdout and ERROR lines to stderr.
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  logger = new Logger({ serviceName: 'worker-test' });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const job = z.object({ thing_id: z.string().regex(/^t\d+$/), size: z.number().int().default(1) });

function worker(run: (message: z.output<typeof job>, context: JobContext) => Promise<string>) {
  return queueWorker(
    { name: 'thing', message: job, correlationId: (m) => `corr-${m.thing_id}`, logKeys: (m) => ({ thing_id: m.thing_id }), run },
    { logger },
  );
}

describe('queueWorker', () => {
  it('hands each job its validated message (defaults applied) and its receive count', async () => {
    const seen: [unknown, number, string][] = [];
    const handler = worker(async (message, context) => {
      seen.push([message, context.receiveCount, context.correlationId]);
      return 'done';
    });

    const result = await handler(event(record('m1', { thing_id: 't1' }, 3), record('m2', { thing_id: 't2', size: 4, extra: 'ignored' })), fakeLambdaContext());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([
      [{ thing_id: 't1', size: 1 }, 3, 'corr-t1'],
      [{ thing_id: 't2', size: 4 }, 1, 'corr-t2'],
    ]);
  });

  it('fails only the record whose job threw, and answers (not throws) when every record failed', async () => {
    const handler = worker(async (message) => {
      if (message.thing_id !== 't2') throw new Error(`cannot do ${message.thing_id}`);
      return 'done';
    });

    const some = await handler(event(record('m1', { thing_id: 't1' }), record('m2', { thing_id: 't2' }), record('m3', { thing_id: 't3' })), fakeLambdaContext());
    const all = await handler(event(record('m4', { thing_id: 't4' })), fakeLambdaContext());

    expect(some.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm3' }]);
    expect(all.batchItemFailures).toEqual([{ itemIdentifier: 'm4' }]);
    const failure = lines.find((line) => line.message === 'thing failed; SQS delivers it again' && line.message_id === 'm1');
    expect(failure).toMatchObject({ level: 'ERROR', correlation_id: 'corr-t1', thing_id: 't1', error: expect.objectContaining({ message: 'cannot do t1' }) });
  });

  it.each([
    ['a body that is not JSON', 'not json {', 'the body is not JSON'],
    ['a body the schema refuses', { thing_id: 'x9', size: 'big' }, 'thing_id: Invalid string: must match pattern /^t\\d+$/; size: Invalid input: expected number, received string'],
    ['an empty body', '', 'the body is not JSON'],
  ])('fails %s as poison without running the job, and logs why but not the body', async (_case, body, reason) => {
    const run = vi.fn(async () => 'done');
    const handler = worker(run);

    const result = await handler(event(record('poison', body), record('fine', { thing_id: 't7' })), fakeLambdaContext());

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }]);
    expect(run).toHaveBeenCalledTimes(1);
    const logged = lines.find((line) => line.message_id === 'poison');
    expect(logged).toMatchObject({ level: 'ERROR', message: 'Poison message: it fails until it reaches the DLQ', reason, job: 'thing', correlation_id: 'poison' });
    if (typeof body === 'object') expect(JSON.stringify(logged)).not.toContain('big');
  });

  it("logs each record with its own correlation id, message id, keys and the invocation's context, even when jobs interleave", async () => {
    // t1 waits until t2 has logged, so the two records' work overlaps.
    let t2Logged!: () => void;
    const t2Done = new Promise<void>((resolve) => (t2Logged = resolve));
    const handler = worker(async (message, context) => {
      if (message.thing_id === 't1') await t2Done;
      context.log.info('working');
      if (message.thing_id === 't2') t2Logged();
      return `did ${message.thing_id}`;
    });

    await handler(event(record('m1', { thing_id: 't1' }), record('m2', { thing_id: 't2' }, 2)), fakeLambdaContext('invocation-9'));

    const of = (message: string, id: string) => lines.find((line) => line.message === message && line.message_id === id);
    for (const [id, thing, receives] of [['m1', 't1', 1], ['m2', 't2', 2]] as const) {
      const expected = { correlation_id: `corr-${thing}`, thing_id: thing, job: 'thing', receive_count: receives, function_request_id: 'invocation-9' };
      expect(of('working', id)).toMatchObject(expected);
      expect(of('thing handled', id)).toMatchObject({ ...expected, outcome: `did ${thing}` });
    }
    expect(lines.findIndex((line) => line.message_id === 'm2')).toBeLessThan(lines.findIndex((line) => line.message_id === 'm1'));
  });

  it('takes the SQS message id as the correlation id when the job names none', async () => {
    const handler = queueWorker({ name: 'plain', message: z.object({}), run: async () => 'ok' }, { logger });
    await handler(event(record('m-plain', {})), fakeLambdaContext());
    expect(lines.find((line) => line.message === 'plain handled')).toMatchObject({ correlation_id: 'm-plain', message_id: 'm-plain' });
  });
});
