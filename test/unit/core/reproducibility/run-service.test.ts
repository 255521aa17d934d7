import { describe, expect, it } from 'vitest';
import type { AttemptMessage, AttemptRecord, RunRecord } from '../../../../functions/core/reproducibility/run.ts';
import { createRunService } from '../../../../functions/core/reproducibility/run-service.ts';
import { TargetCallError, type RunStore } from '../../../../functions/core/reproducibility/ports.ts';

/** Runs and attempts in memory, with the conditions the DynamoDB store enforces. */
function memoryRuns(): RunStore & { runs: Map<string, RunRecord>; attemptsOf: Map<string, Map<number, AttemptRecord>>; kicks: number } {
  const runs = new Map<string, RunRecord>();
  const attemptsOf = new Map<string, Map<number, AttemptRecord>>();
  const of = (runId: string) => attemptsOf.get(runId) ?? attemptsOf.set(runId, new Map()).get(runId)!;
  const active = (run?: RunRecord) => run?.status === 'queued' || run?.status === 'running';
  const store = {
    runs,
    attemptsOf,
    kicks: 0,
    createRun: async (run: RunRecord) => (runs.set(run.id, structuredClone(run)), { created: true as const }),
    findClaim: async () => undefined,
    deleteRun: async (_p: string, id: string) => void runs.delete(id),
    getRun: async (_p: string, id: string) => structuredClone(runs.get(id)),
    listRuns: async () => ({ items: [...runs.values()], hasMore: false }),
    cancelRun: async (_p: string, id: string, at: string) => {
      const run = runs.get(id);
      if (!active(run)) return undefined;
      Object.assign(run!, { status: 'canceled', completed_at: at });
      return structuredClone(run);
    },
    markRunning: async (_p: string, id: string, startedAt: string) => {
      const run = runs.get(id);
      if (run?.status !== 'queued') return false;
      Object.assign(run, { status: 'running', started_at: startedAt });
      return true;
    },
    claimAttempt: async (_p: string, id: string, attempt: AttemptRecord) => (of(id).has(attempt.index) ? false : (of(id).set(attempt.index, { ...attempt }), true)),
    getAttempt: async (_p: string, id: string, index: number) => structuredClone(of(id).get(index)),
    attempts: async (_p: string, id: string) => [...of(id).values()].map((a) => structuredClone(a)),
    attemptSummaries: async (_p: string, id: string) => [...of(id).values()].map(({ body: _body, ...summary }) => structuredClone(summary)),
    endedAttempts: async (_p: string, id: string) => [...of(id).values()].filter((a) => a.status !== 'running').length,
    finishAttempt: async (_p: string, id: string, index: number, outcome: Partial<AttemptRecord>, token?: string) => {
      const attempt = of(id).get(index);
      if (attempt?.status !== 'running' || (token !== undefined && attempt.token !== token)) return false;
      Object.assign(attempt, outcome);
      return true;
    },
    abandonAttempt: async (_p: string, id: string, index: number, outcome: Partial<AttemptRecord>) =>
      of(id).has(index) ? false : (of(id).set(index, { index, token: 'none', started_at: outcome.finished_at!, deadline_at: outcome.finished_at!, ...outcome } as AttemptRecord), true),
    completeRun: async (_p: string, id: string, result: RunRecord['result'], verdict: RunRecord['verdict'], startedAt: string, at: string) => {
      const run = runs.get(id);
      if (!active(run)) return false;
      Object.assign(run!, { status: 'completed', verdict, result, started_at: startedAt, completed_at: at });
      return true;
    },
    failRun: async () => false,
    overdueAttempts: async (now: string) =>
      [...attemptsOf].flatMap(([runId, attempts]) => [...attempts.values()].filter((a) => a.status === 'running' && a.deadline_at < now).map((a) => ({ project_id: 'p', run_id: runId, index: a.index }))),
    stalledRuns: async () => [...runs.values()].filter((run) => active(run)).map((run) => ({ project_id: 'p', run_id: run.id })),
    watchRun: async (_p: string, id: string, _at: string, kicked: boolean) => {
      if (kicked) runs.get(id)!.kicks++;
    },
  };
  return store as never;
}

function setup(answer: (index: number) => Promise<{ status: number; body: string }> = async () => ({ status: 200, body: '{"a":1}' })) {
  const runs = memoryRuns();
  const sent: AttemptMessage[] = [];
  const recorded: unknown[] = [];
  const logs: { message: string; fields: Record<string, unknown> }[] = [];
  const queue = { send: async (messages: AttemptMessage[]) => void sent.push(...messages) };
  let clock = Date.parse('2026-11-30T10:00:00Z');
  const service = createRunService({
    runs,
    agents: { getAgent: async () => undefined } as never,
    sessions: { getSession: async () => undefined },
    sessionEvents: { eventAt: async () => ({ type: 'user_input', input: 'x' }) },
    blobs: { put: async () => undefined, get: async () => '', delete: async () => undefined },
    queue,
    target: { post: async (_url, _body, { headers }) => ({ ...(await answer(Number(headers['x-reprise-attempt']))), latencyMs: 5 }) },
    recordOutcome: async (_org, outcome) => void recorded.push(outcome),
    now: () => new Date(clock),
    newRunId: () => 'rep_x',
    newToken: () => `t${Math.random()}`,
    log: (message, fields) => void logs.push({ message, fields }),
  });
  const run = (n: number, concurrency: number): RunRecord => {
    const record: RunRecord = {
      id: 'rep_00000000000000000000000001', project_id: 'p', org_id: 'o', session_id: 's', agent_id: 'a', target_url: 'https://agent.example.com/', n, concurrency, timeout_s: 10, ignore_paths: [],
      status: 'queued', verdict: null, created_at: new Date(clock).toISOString(), started_at: null, completed_at: null, failure_reason: null, payload_kind: 'user',
      payload: { inline: '{"input":"x","is_replay":true}' }, recorded: null, kicks: 0, result: null,
    };
    runs.runs.set(record.id, record);
    return record;
  };
  return { runs, sent, recorded, logs, queue, service, run, advance: (ms: number) => (clock += ms) };
}

/** Waits (without a fixed sleep) until `condition` holds, for at most 2 s. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A target whose answer to attempt `held` waits for `release`; the others answer at once. */
function answerHeldAt(held: number) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const answer = async (index: number) => {
    if (index === held) await released;
    return { status: 200, body: '{"a":1}' };
  };
  return { answer, release };
}

const message = (index: number): AttemptMessage => ({ project_id: 'p', run_id: 'rep_00000000000000000000000001', index });

describe('the attempt chain', () => {
  it('starts the attempt `concurrency` after each one that ends, and completes once when the last ends', async () => {
    const { service, run, sent, recorded, runs } = setup();
    run(5, 2);

    for (const index of [1, 2]) await service.executeAttempt(message(index));
    expect(sent.map((m) => m.index)).toEqual([3, 4]);
    for (const index of [3, 4]) await service.executeAttempt(message(index));
    expect(sent.map((m) => m.index)).toEqual([3, 4, 5]);
    expect(await service.executeAttempt(message(5))).toBe('answered');

    expect(runs.runs.get('rep_00000000000000000000000001')).toMatchObject({ status: 'completed', verdict: 'deterministic' });
    expect(recorded).toHaveLength(1);
    expect(await service.executeAttempt(message(5))).toBe('run_ended');
    expect(recorded).toHaveLength(2);
  });

  it('never calls the target twice for an index: a copy while it runs is in flight, one after it ended only moves the chain on', async () => {
    let calls = 0;
    let release!: () => void;
    const { service, run, sent } = setup(async () => {
      calls++;
      await new Promise<void>((resolve) => (release = resolve));
      return { status: 200, body: 'ok' };
    });
    run(2, 1);

    const first = service.executeAttempt(message(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await service.executeAttempt(message(1))).toBe('in_flight');
    release();
    await first;
    expect(await service.executeAttempt(message(1))).toBe('already_ended');

    expect(calls).toBe(1);
    expect(sent.map((m) => m.index)).toEqual([2, 2]);
  });

  it('ends an attempt whose worker died when its message comes back past the deadline', async () => {
    const { service, run, runs, advance } = setup();
    run(1, 1);
    await runs.claimAttempt('p', 'rep_00000000000000000000000001', { index: 1, status: 'running', token: 'dead', started_at: '2026-11-30T10:00:00.000Z', deadline_at: '2026-11-30T10:00:40.000Z' } as AttemptRecord);

    expect(await service.executeAttempt(message(1))).toBe('in_flight');
    advance(60_000);
    expect(await service.executeAttempt(message(1))).toBe('already_ended');

    expect(runs.runs.get('rep_00000000000000000000000001')).toMatchObject({ status: 'completed', verdict: 'error' });
    expect(runs.attemptsOf.get('rep_00000000000000000000000001')!.get(1)!.error).toMatch(/worker stopped/);
  });

  it('turns a refused call and a 5xx into error attempts and the verdict error', async () => {
    const { service, run, runs } = setup(async (index) => {
      if (index === 2) throw new TargetCallError('blocked_address', 'not public', 1);
      return index === 3 ? { status: 502, body: 'bad gateway' } : { status: 200, body: 'same' };
    });
    run(3, 3);

    for (const index of [1, 2, 3]) await service.executeAttempt(message(index));

    const attempts = runs.attemptsOf.get('rep_00000000000000000000000001')!;
    expect(attempts.get(2)).toMatchObject({ status: 'error', error: 'blocked_address: not public' });
    expect(attempts.get(3)).toMatchObject({ status: 'error', http_status: 502, error: 'The target answered 502' });
    expect(runs.runs.get('rep_00000000000000000000000001')).toMatchObject({ verdict: 'error' });
  });

  it('starts nothing more after a cancel', async () => {
    const { service, run, sent } = setup();
    run(3, 1);
    await service.cancel('p', 'rep_00000000000000000000000001');

    expect(await service.executeAttempt(message(1))).toBe('canceled');
    expect(sent).toEqual([]);
  });
});

describe('the run status', () => {
  it('moves queued → running once, when the first attempt is claimed and before any attempt ends, stamped with its start', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { service, run, runs, advance } = setup(async () => {
      await held;
      return { status: 200, body: 'ok' };
    });
    run(2, 1);
    let marks = 0;
    const markRunning = runs.markRunning;
    runs.markRunning = (...args) => (marks++, markRunning(...args));
    advance(1_000);

    const first = service.executeAttempt(message(1));
    const stored = () => runs.runs.get('rep_00000000000000000000000001')!;
    await waitUntil(() => stored().status === 'running');
    expect(stored()).toMatchObject({ status: 'running', started_at: '2026-11-30T10:00:01.000Z', completed_at: null });
    expect(runs.attemptsOf.get('rep_00000000000000000000000001')!.get(1)!.status).toBe('running');
    release();
    expect(await first).toBe('answered');
    expect(await service.executeAttempt(message(2))).toBe('answered');

    expect(marks).toBe(1);
    expect(stored()).toMatchObject({ status: 'completed', started_at: '2026-11-30T10:00:01.000Z' });
  });

  it('is not written again by a later attempt of this container that read the run before the move', async () => {
    const { service, run, runs } = setup();
    run(2, 1);
    let marks = 0;
    const markRunning = runs.markRunning;
    runs.markRunning = (...args) => (marks++, markRunning(...args));

    expect(await service.executeAttempt(message(1))).toBe('answered');
    // What a read made before the move would have said.
    runs.runs.get('rep_00000000000000000000000001')!.status = 'queued';
    expect(await service.executeAttempt(message(2))).toBe('answered');

    expect(marks).toBe(1);
  });

  it('is tried again by the next attempt when it failed', async () => {
    const { service, run, runs } = setup();
    run(2, 1);
    const tried: boolean[] = [];
    const markRunning = runs.markRunning;
    runs.markRunning = async (...args) => {
      if (tried.push(true) === 1) throw new Error('throttled');
      return markRunning(...args);
    };
    let seen: string | undefined;
    const finishAttempt = runs.finishAttempt;
    runs.finishAttempt = async (...args) => ((seen ??= args[2] === 2 ? runs.runs.get('rep_00000000000000000000000001')!.status : undefined), finishAttempt(...args));

    expect(await service.executeAttempt(message(1))).toBe('answered');
    expect(await service.executeAttempt(message(2))).toBe('answered');

    expect(tried).toHaveLength(2);
    expect(seen).toBe('running');
  });

  it('still ends the attempt when the move fails, and logs why', async () => {
    const { service, run, runs, logs } = setup();
    run(1, 1);
    runs.markRunning = async () => {
      throw new Error('throttled');
    };

    expect(await service.executeAttempt(message(1))).toBe('answered');

    expect(runs.runs.get('rep_00000000000000000000000001')).toMatchObject({ status: 'completed', verdict: 'deterministic' });
    expect(logs).toEqual([{ message: 'Reproducibility run not marked running', fields: { run_id: 'rep_00000000000000000000000001', error: 'throttled' } }]);
  });
});

describe('reads and writes that do not depend on each other', () => {
  it("counts the ended attempts while the next attempt's message is being sent", async () => {
    const { service, run, runs, sent, queue } = setup();
    run(3, 1);
    let releaseSend!: () => void;
    const sending = new Promise<void>((resolve) => (releaseSend = resolve));
    const send = queue.send;
    queue.send = async (messages) => (await sending, send(messages));
    let counts = 0;
    const endedAttempts = runs.endedAttempts;
    runs.endedAttempts = async (...args) => (counts++, endedAttempts(...args));

    const first = service.executeAttempt(message(1));
    await waitUntil(() => counts === 1);
    releaseSend();

    expect(await first).toBe('answered');
    expect(sent.map((m) => m.index)).toEqual([2]);
  });

  it('reads a run and its attempts at once for GET', async () => {
    const { service, run, runs } = setup();
    run(1, 1);
    const asked: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { getRun, attemptSummaries } = runs;
    runs.getRun = async (...args) => (asked.push('run'), await held, getRun(...args));
    runs.attemptSummaries = async (...args) => (asked.push('attempts'), await held, attemptSummaries(...args));

    const view = service.get('p', 'rep_00000000000000000000000001');
    await waitUntil(() => asked.length === 2);
    release();

    expect(asked.sort()).toEqual(['attempts', 'run']);
    expect((await view).status).toBe('queued');
  });
});

describe('one container running many attempts of a run at once', () => {
  /** Counts the store calls a batch makes. */
  function counting(store: ReturnType<typeof memoryRuns>) {
    const calls = { getRun: 0, endedAttempts: 0, attempts: 0, completeRun: 0, markRunning: 0 };
    for (const name of Object.keys(calls) as (keyof typeof calls)[]) {
      const original = store[name] as (...args: unknown[]) => Promise<unknown>;
      (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        calls[name]++;
        return original(...args);
      };
    }
    return calls;
  }

  it('reads the run once for a batch of 5 attempts, and computes the verdict once when several find that all have ended', async () => {
    const { service, run, runs, recorded } = setup();
    run(5, 5);
    const calls = counting(runs);

    const outcomes = await Promise.all([1, 2, 3, 4, 5].map((index) => service.executeAttempt(message(index))));

    expect(outcomes).toEqual(['answered', 'answered', 'answered', 'answered', 'answered']);
    expect(calls.getRun).toBe(1);
    expect(calls.endedAttempts).toBeLessThanOrEqual(2);
    expect(calls).toMatchObject({ attempts: 1, completeRun: 1, markRunning: 1 });
    expect(runs.runs.get('rep_00000000000000000000000001')).toMatchObject({ status: 'completed', verdict: 'deterministic' });
    expect(recorded).toHaveLength(1);
  });

  it('reads no count for the attempt that ends the last of a run whose every attempt ended in this container', async () => {
    const { service, run, runs } = setup();
    run(3, 1);
    const calls = counting(runs);

    for (const index of [1, 2, 3]) expect(await service.executeAttempt(message(index))).toBe('answered');

    // Attempts 1 and 2 cannot know what other containers did: they count; attempt 3 saw all three end here.
    expect(calls).toMatchObject({ endedAttempts: 2, attempts: 1, completeRun: 1 });
    expect(runs.runs.get('rep_00000000000000000000000001')).toMatchObject({ status: 'completed', verdict: 'deterministic' });
  });

  it('still counts when an attempt of the run ended elsewhere', async () => {
    const { service, run, runs } = setup();
    run(2, 2);
    // Attempt 2 claimed and ended by another container.
    await runs.claimAttempt('p', 'rep_00000000000000000000000001', { index: 2, status: 'running', token: 'other', started_at: '2026-11-30T10:00:00.000Z', deadline_at: '2026-11-30T10:01:00.000Z' } as AttemptRecord);
    await runs.finishAttempt('p', 'rep_00000000000000000000000001', 2, { status: 'answered', finished_at: '2026-11-30T10:00:01.000Z', body: { inline: '{"a":1}' }, error: null } as never, 'other');
    const calls = counting(runs);

    expect(await service.executeAttempt(message(1))).toBe('answered');

    expect(calls).toMatchObject({ endedAttempts: 1, attempts: 1, completeRun: 1 });
    expect(runs.runs.get('rep_00000000000000000000000001')).toMatchObject({ status: 'completed', verdict: 'deterministic' });
  });

  it('reads no count while another attempt of the run still runs in this container; the last one to end here counts', async () => {
    const { answer, release: releaseSecond } = answerHeldAt(2);
    const { service, run, runs } = setup(answer);
    run(3, 3);
    const calls = counting(runs);

    const [first, held] = [service.executeAttempt(message(1)), service.executeAttempt(message(2))];
    expect(await first).toBe('answered');
    expect(calls.endedAttempts).toBe(0);
    releaseSecond();
    expect(await held).toBe('answered');

    expect(calls.endedAttempts).toBe(1);
    expect(runs.runs.get('rep_00000000000000000000000001')!.status).not.toBe('completed');
  });

  it('completes the run when the attempt still running here was ended elsewhere meanwhile (superseded)', async () => {
    const { answer, release: releaseFirst } = answerHeldAt(1);
    const { service, run, runs } = setup(answer);
    run(2, 2);

    const held = service.executeAttempt(message(1));
    await waitUntil(() => runs.attemptsOf.get('rep_00000000000000000000000001')?.get(1)?.status === 'running');
    // The sweeper (or a redelivered copy past the deadline) ends attempt 1 (its count, before attempt 2 ends, finds 1 of 2).
    await runs.finishAttempt('p', 'rep_00000000000000000000000001', 1, { status: 'error', finished_at: '2026-11-30T10:05:00.000Z', error: 'The worker stopped' } as never);
    // Attempt 2 ends while attempt 1 still runs here: it leaves the count to attempt 1.
    expect(await service.executeAttempt(message(2))).toBe('answered');
    expect(runs.runs.get('rep_00000000000000000000000001')!.status).not.toBe('completed');
    releaseFirst();

    expect(await held).toBe('superseded');
    expect(runs.runs.get('rep_00000000000000000000000001')).toMatchObject({ status: 'completed', verdict: 'error' });
  });

  it('still starts nothing after a cancel that comes while other attempts of the batch run', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { service, run } = setup(async () => {
      await held;
      return { status: 200, body: 'ok' };
    });
    run(3, 3);

    const first = service.executeAttempt(message(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await service.cancel('p', 'rep_00000000000000000000000001');

    expect(await service.executeAttempt(message(2))).toBe('canceled');
    release();
    expect(await first).toBe('answered');
  });
});

describe('the sweeper', () => {
  it('re-sends the first unstarted attempts of a run without progress, then ends them as errors after 3 re-sends', async () => {
    const { service, run, runs, sent, advance, recorded } = setup();
    run(4, 2);
    await service.executeAttempt(message(1));
    sent.length = 0;
    advance(10 * 60_000);

    for (let kick = 0; kick < 3; kick++) await service.sweep();
    expect(sent.map((m) => m.index)).toEqual([2, 3, 2, 3, 2, 3]);
    await service.sweep();

    const ended = runs.runs.get('rep_00000000000000000000000001')!;
    expect(ended).toMatchObject({ status: 'completed', verdict: 'error', kicks: 4 });
    expect(runs.attemptsOf.get('rep_00000000000000000000000001')!.get(2)!.error).toMatch(/never started/);
    expect(recorded).toHaveLength(1);
  });

  it('leaves a run alone while its attempts make progress', async () => {
    const { service, run, sent } = setup();
    run(2, 1);
    await service.executeAttempt(message(1));
    sent.length = 0;

    await service.sweep();

    expect(sent).toEqual([]);
  });
});
