import { decodeCursor, encodeCursor, type CursorFormat } from '../cursor.ts';
import { ConflictError, DomainError, NotFoundError } from '../errors.ts';
import { freshReads } from '../fresh-reads.ts';
import { idempotencyClaim, type IdempotencyClaim } from '../idempotency.ts';
import type { JobOutcome, RecordJobOutcome } from '../ledger/job-outcome.ts';
import { compareAttempts, compareWithRecorded, excerptOf } from './compare.ts';
import { reproducibilityLimits as L } from './limits.ts';
import { TargetCallError, type AgentStore, type AttemptQueue, type BlobStore, type ReplayTarget, type RunStore, type StoredClaim } from './ports.ts';
import type { AttemptMessage, AttemptOutcome, RunRecord, RunResult, StoredText, Verdict } from './run.ts';
import { runSummary, runView } from './run.ts';
import { replayPayloadOf, type SessionRecord } from './session.ts';
import { sessionNotFound, type SessionService } from './session-service.ts';

export interface RunDependencies {
  runs: RunStore;
  agents: AgentStore;
  sessions: { getSession(projectId: string, sessionId: string): Promise<SessionRecord | undefined> };
  sessionEvents: Pick<SessionService, 'eventAt'>;
  blobs: BlobStore;
  queue: AttemptQueue;
  target: ReplayTarget;
  recordOutcome: RecordJobOutcome;
  now: () => Date;
  newRunId: () => string;
  newToken: () => string;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface CreateRunInput {
  session_id: string;
  agent_id?: string | undefined;
  target_url?: string | undefined;
  n: number;
  concurrency?: number | undefined;
  timeout_s: number;
  ignore_paths?: string[] | undefined;
}

export interface Caller {
  orgId: string;
  projectId: string;
}

/** What handling one attempt message did (logged by the worker). */
export type AttemptOutcomeWord = 'ignored' | 'run_ended' | 'canceled' | 'in_flight' | 'already_ended' | 'claimed_elsewhere' | 'answered' | 'error' | 'superseded' | 'run_failed';

export function runNotFound(runId: string): NotFoundError {
  return new NotFoundError(`No reproducibility run ${runId} in this project`, 'run_not_found');
}

/**
 * Reproducibility runs: N calls of an agent's replay endpoint with a
 * session's replay payload, one queue message per attempt, at most
 * `concurrency` in flight (each attempt that ends sends the message of the
 * attempt `concurrency` after it). Safe under at-least-once delivery: an
 * attempt is claimed by a conditional write before the target is called, so
 * no index is ever called twice; an attempt that ends counts the run's ended
 * attempts (no write to the run item, which every attempt would contend for),
 * and the verdict is stored once, by a conditional write, when all have ended.
 *
 * The attempts one container runs at once share their reads of the run and
 * of its count (`freshReads`: each still sees the writes made before it
 * asked), and one computation of the verdict: a batch of 5 attempts makes
 * one read of the run instead of 5. An attempt that ends while another of
 * its run still runs in the container reads no count (the run cannot have
 * ended; the last one to end there counts), nor one that ends the last of
 * a run whose every attempt ended there.
 */
export function createRunService(deps: RunDependencies) {
  const { runs, blobs } = deps;
  const runKey = (projectId: string, runId: string) => `${projectId}/${runId}`;
  const sharedRunReads = freshReads<RunRecord | undefined>();
  const sharedCounts = freshReads<number>();
  /** Verdicts computed or being computed in this container, by run: an attempt that finds one joins it. */
  const finalizing = new Map<string, Promise<boolean>>();
  /** The indexes this container saw end, by run (the latest 1,000 runs): all of a run's, and its count need not be read. */
  const endedHere = new Map<string, Set<number>>();
  /** How many attempts this container has claimed and not yet ended, by run: while one runs, the run has not ended, and no count is read. */
  const runningHere = new Map<string, number>();
  /** Runs moved (or being moved) queued → running by this container, the latest 1,000: its other attempts skip the write. */
  const starting = new Map<string, Promise<void>>();
  const readRun = (projectId: string, runId: string) => sharedRunReads(runKey(projectId, runId), () => runs.getRun(projectId, runId));
  const endedCount = (run: RunRecord) => sharedCounts(runKey(run.project_id, run.id), () => runs.endedAttempts(run.project_id, run.id));
  const iso = () => deps.now().toISOString();
  const stallAt = (run: Pick<RunRecord, 'timeout_s'>) => new Date(deps.now().getTime() + (run.timeout_s + L.stallGraceSeconds) * 1000).toISOString();

  async function storeText(key: string, text: string, inlineBytes: number): Promise<StoredText> {
    if (Buffer.byteLength(text) <= inlineBytes) return { inline: text };
    await blobs.put(key, text);
    return { key };
  }
  const readText = async (stored: StoredText) => stored.inline ?? (stored.key ? await blobs.get(stored.key) : '');

  async function runOfClaim(projectId: string, claim: IdempotencyClaim, stored: StoredClaim): Promise<RunRecord> {
    if (stored.fingerprint !== claim.fingerprint) throw new ConflictError('This Idempotency-Key was already used with a different request body', 'idempotency_key_reused');
    const run = await runs.getRun(projectId, stored.runId);
    if (!run) throw new ConflictError('The first request with this Idempotency-Key did not complete: retry it', 'idempotency_key_in_flight');
    return run;
  }

  /** Writes the run's outcome to its org's ledger (once: writing it again writes nothing). */
  async function recordOutcome(run: RunRecord): Promise<void> {
    if ((run.status !== 'completed' && run.status !== 'failed') || !run.completed_at) return;
    const compared = run.result?.comparison.attempts ?? [];
    const failing = compared.filter((a) => a.result === 'fail').length;
    const status: JobOutcome['status'] = run.status === 'failed' || run.verdict === 'error' ? 'failed' : run.verdict === 'nondeterministic' ? 'partial' : 'success';
    await deps.recordOutcome(run.org_id, {
      kind: 'reproducibility',
      runId: run.id,
      status,
      actions_total: run.n,
      actions_replayed: compared.length,
      divergences: failing,
      divergence_details: (run.result?.comparison.divergent_paths ?? []).map((p) => ({
        action_id: p.path,
        field: 'output' as const,
        replayed: `differs from attempt ${run.result?.comparison.reference} in ${p.attempts} of ${compared.length - 1} attempts`,
      })),
      ...(run.started_at ? { started_at: run.started_at } : {}),
      finished_at: run.completed_at,
    });
  }

  /** Computes and stores the verdict once every attempt has ended (the sweeper's way in: the run read afresh). */
  async function finalize(projectId: string, runId: string): Promise<void> {
    const run = await runs.getRun(projectId, runId);
    if (!run) return;
    if (run.status === 'completed' || run.status === 'failed') return recordOutcome(run);
    if (run.status === 'canceled') return;
    await complete(run);
  }

  /**
   * Computes the verdict of `run` (as read before: only its settings are
   * used) from its attempts and stores it if the run is still active. The
   * writer that stores it records the outcome from what it wrote; one whose
   * conditional write fails reads the run, and records the outcome if the
   * run ended (a crash of the writer between its two writes loses nothing).
   * Resolves to whether the run has ended: false when not every attempt has.
   */
  async function complete(run: RunRecord): Promise<boolean> {
    const { project_id: projectId, id: runId } = run;
    const attempts = await runs.attempts(projectId, runId);
    if (attempts.filter((a) => a.status !== 'running').length < run.n) return false;
    const answered = await Promise.all(attempts.filter((a) => a.status === 'answered' && a.body).map(async (a) => ({ index: a.index, body: await readText(a.body!) })));
    const comparison = compareAttempts(answered, run.ignore_paths);
    const first = answered.find((a) => a.index === 1);
    let recorded: RunResult['recorded_output'] = null;
    if (run.recorded && first) {
      recorded = { attempt: 1, ...compareWithRecorded(JSON.parse(await readText(run.recorded)) as unknown, first.body, run.ignore_paths) };
    }
    const failing = comparison.attempts.some((a) => a.result === 'fail');
    const errored = attempts.some((a) => a.status !== 'answered');
    const verdict: Verdict = answered.length === 0 ? 'error' : failing ? 'nondeterministic' : errored ? 'error' : 'deterministic';
    const startedAt = attempts.map((a) => a.started_at).sort()[0] ?? iso();
    const result: RunResult = { comparison, recorded_output: recorded };
    const completedAt = iso();
    if (await runs.completeRun(projectId, runId, result, verdict, startedAt, completedAt)) {
      await recordOutcome({ ...run, status: 'completed', verdict, result, started_at: startedAt, completed_at: completedAt });
      return true;
    }
    const ended = await runs.getRun(projectId, runId);
    if (ended) await recordOutcome(ended);
    return true;
  }

  /**
   * The verdict of `run`, computed once in this container however many of
   * its attempts find that all have ended, also after it is stored (a run
   * that ended stays known, among the latest 1,000); a computation that
   * found an attempt still running, or failed, is forgotten.
   */
  async function completeOnce(run: RunRecord): Promise<void> {
    const key = runKey(run.project_id, run.id);
    let completing = finalizing.get(key);
    if (!completing) {
      if (finalizing.size >= 1_000) finalizing.delete(finalizing.keys().next().value!);
      completing = complete(run).then(
        (ended) => {
          endedHere.delete(key);
          if (!ended) finalizing.delete(key);
          return ended;
        },
        (error: unknown) => {
          finalizing.delete(key);
          throw error;
        },
      );
      finalizing.set(key, completing);
    }
    await completing;
  }

  /**
   * Moves a run read as queued to running, stamped with the start of the
   * attempt just claimed: one conditional write, which only the first
   * attempt claimed wins. It runs beside the call of the target (the call
   * does not wait for it), and a failure is logged, not thrown: the status
   * is the only thing it changes, and the run's view reads `running` from
   * its attempts until then.
   */
  function markRunning(run: RunRecord, startedAt: string): Promise<void> {
    const key = runKey(run.project_id, run.id);
    let marking = starting.get(key);
    if (!marking) {
      if (starting.size >= 1_000) starting.delete(starting.keys().next().value!);
      marking = runs.markRunning(run.project_id, run.id, startedAt).then(
        () => undefined,
        (error: unknown) => {
          // Forgotten: the next attempt read as queued tries again.
          starting.delete(key);
          deps.log?.('Reproducibility run not marked running', { run_id: run.id, error: (error as Error).message });
        },
      );
      starting.set(key, marking);
    }
    return marking;
  }

  /**
   * Notes that attempt `index` of `run` has ended (its outcome is stored) and
   * says how many of the run's attempts this container has seen end. When
   * that is all of them (every attempt ran here, as in a batch), the count
   * need not be read: the verdict's own consistent read of the attempts
   * checks again that every one has ended.
   */
  function sawEnd(run: RunRecord, index: number): number {
    const key = runKey(run.project_id, run.id);
    let seen = endedHere.get(key);
    if (!seen) {
      if (endedHere.size >= 1_000) endedHere.delete(endedHere.keys().next().value!);
      endedHere.set(key, (seen = new Set()));
    }
    seen.add(index);
    return seen.size;
  }

  /** Counts an attempt claimed here as running here until the returned release is called (once). */
  function holdRunning(run: RunRecord): () => void {
    const key = runKey(run.project_id, run.id);
    runningHere.set(key, (runningHere.get(key) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = runningHere.get(key)! - 1;
      if (left > 0) runningHere.set(key, left);
      else runningHere.delete(key);
    };
  }

  /** What follows an attempt's end, idempotently: start the attempt `concurrency` after it, finalize when all have ended. */
  async function afterEnd(run: RunRecord, index: number, startNext = true): Promise<void> {
    const next = index + run.concurrency;
    const seenHere = sawEnd(run, index);
    // An attempt of the run still running here has not ended: no need to count (it counts when it ends).
    const countNeeded = seenHere < run.n && !runningHere.has(runKey(run.project_id, run.id));
    // The next message and the count at once: the count does not depend on it, and the next attempt starts sooner.
    const [, ended] = await Promise.all([
      startNext && next <= run.n ? deps.queue.send([{ project_id: run.project_id, run_id: run.id, index: next }]) : undefined,
      countNeeded ? endedCount(run) : seenHere,
    ]);
    if (ended >= run.n) await completeOnce(run);
  }

  const errorOutcome = (error: string, extra: Partial<AttemptOutcome> = {}): AttemptOutcome => ({
    status: 'error',
    finished_at: iso(),
    http_status: null,
    latency_ms: null,
    body: null,
    body_bytes: null,
    excerpt: null,
    error,
    ...extra,
  });

  /** Calls the target once for a claimed attempt and says how it went. */
  async function call(run: RunRecord, index: number, payload: string): Promise<AttemptOutcome> {
    try {
      const answer = await deps.target.post(run.target_url, payload, {
        timeoutMs: run.timeout_s * 1000,
        headers: {
          'content-type': 'application/json',
          'x-reprise-run-id': run.id,
          'x-reprise-session-id': run.session_id,
          'x-reprise-attempt': String(index),
          'x-reprise-attempts': String(run.n),
          'idempotency-key': `${run.id}-${index}`,
        },
      });
      const body = await storeText(`${run.project_id}/reproducibility/${run.id}/attempts/${index}.txt`, answer.body, L.inlineResponseBytes);
      const common = { finished_at: iso(), http_status: answer.status, latency_ms: Math.round(answer.latencyMs), body, body_bytes: Buffer.byteLength(answer.body), excerpt: excerptOf(answer.body) };
      if (answer.status >= 200 && answer.status < 300) return { status: 'answered', error: null, ...common };
      return { status: 'error', error: `The target answered ${answer.status}`, ...common };
    } catch (error) {
      if (error instanceof TargetCallError) return errorOutcome(`${error.code}: ${error.message}`, { latency_ms: Math.round(error.latencyMs) });
      throw error;
    }
  }

  return {
    async create(caller: Caller, input: CreateRunInput, idempotencyKey?: string): Promise<{ run: ReturnType<typeof runView>; replayed: boolean }> {
      const { projectId } = caller;
      const now = deps.now();
      const claim = idempotencyKey === undefined ? undefined : idempotencyClaim(idempotencyKey, input, now, L.idempotencyWindowHours);
      if (claim) {
        const earlier = await runs.findClaim(projectId, claim);
        if (earlier) return { run: runView(await runOfClaim(projectId, claim, earlier), []), replayed: true };
      }
      const session = await deps.sessions.getSession(projectId, input.session_id);
      if (!session) throw sessionNotFound(input.session_id);
      if (!session.context) {
        throw new DomainError(409, 'session_not_replayable', `Session ${session.id} is not replayable (no_replay_context): it has no llm_request and no user_input to replay`);
      }
      // At most n: the request's contract refuses more.
      const concurrency = input.concurrency ?? 1;
      const agentId = input.agent_id ?? session.agent_id;
      const recordedRef = session.context.kind === 'llm' ? session.recorded.llm_response : (session.recorded.agent_output ?? session.recorded.llm_response);
      const [agent, context, recordedEvent] = await Promise.all([
        deps.agents.getAgent(projectId, agentId),
        deps.sessionEvents.eventAt(projectId, session.id, session.context),
        recordedRef ? deps.sessionEvents.eventAt(projectId, session.id, recordedRef) : undefined,
      ]);
      const targetUrl = input.target_url ?? agent?.replay_url ?? undefined;
      if (!targetUrl) {
        throw new DomainError(400, 'replay_url_missing', `No target_url given and agent ${agentId} has no saved replay_url: pass target_url, or save one with PUT /api/v1/agents/{agent_id}/replay-url`);
      }
      const id = deps.newRunId();
      const prefix = `${projectId}/reproducibility/${id}`;
      const payload = await storeText(`${prefix}/payload.json`, JSON.stringify(replayPayloadOf(context)), L.inlineResponseBytes);
      const recorded = recordedEvent && 'output' in recordedEvent ? await storeText(`${prefix}/recorded.json`, JSON.stringify(recordedEvent.output ?? null), L.inlineResponseBytes) : null;
      const run: RunRecord = {
        id,
        project_id: projectId,
        org_id: caller.orgId,
        session_id: session.id,
        agent_id: agentId,
        target_url: targetUrl,
        n: input.n,
        concurrency,
        timeout_s: input.timeout_s,
        ignore_paths: [...new Set([...(agent?.ignore_paths ?? []), ...(input.ignore_paths ?? [])])],
        status: 'queued',
        verdict: null,
        created_at: now.toISOString(),
        started_at: null,
        completed_at: null,
        failure_reason: null,
        payload_kind: session.context.kind,
        payload,
        recorded,
        kicks: 0,
        result: null,
      };
      const cleanUp = () => Promise.allSettled([payload, recorded].filter((t): t is StoredText => Boolean(t?.key)).map((t) => blobs.delete(t.key!)));
      const outcome = await runs.createRun({ ...run }, claim).catch(async (error: unknown) => {
        await cleanUp();
        throw error;
      });
      if ('existing' in outcome) {
        await cleanUp();
        return { run: runView(await runOfClaim(projectId, claim!, outcome.existing), []), replayed: true };
      }
      try {
        const first = Array.from({ length: concurrency }, (_, i): AttemptMessage => ({ project_id: projectId, run_id: id, index: i + 1 }));
        await deps.queue.send(first);
      } catch (error) {
        await Promise.allSettled([runs.deleteRun(projectId, id, claim?.keyHash), cleanUp()]);
        throw error;
      }
      return { run: runView(run, []), replayed: false };
    },

    async get(projectId: string, runId: string) {
      // Both at once: the attempts' key holds the project, so another project's run id reads none.
      const [run, attempts] = await Promise.all([runs.getRun(projectId, runId), runs.attemptSummaries(projectId, runId)]);
      if (!run) throw runNotFound(runId);
      return runView(run, attempts);
    },

    async attemptOutput(projectId: string, runId: string, index: number) {
      const [run, stored] = await Promise.all([runs.getRun(projectId, runId), runs.getAttempt(projectId, runId, index)]);
      if (!run) throw runNotFound(runId);
      const attempt = index <= run.n ? stored : undefined;
      if (!attempt) throw new NotFoundError(`Attempt ${index} of run ${runId} has not started`, 'attempt_not_found');
      const view = runView(run, [attempt]).attempts[index - 1]!;
      return { ...view, run_id: runId, output: attempt.body ? await readText(attempt.body) : null, output_bytes: attempt.body_bytes };
    },

    async list(projectId: string, query: { session_id?: string | undefined; agent_id?: string | undefined; cursor?: string | undefined; limit: number }) {
      const before = query.cursor === undefined ? undefined : runCursor(query.cursor);
      const page = await runs.listRuns(projectId, { sessionId: query.session_id, agentId: query.agent_id, before, limit: query.limit });
      const last = page.items.at(-1);
      return { items: page.items.map(runSummary), next_cursor: page.hasMore && last ? encodeCursor(last.id, RUN_CURSOR) : null };
    },

    async cancel(projectId: string, runId: string) {
      const canceled = await runs.cancelRun(projectId, runId, iso());
      if (!canceled) {
        const run = await runs.getRun(projectId, runId);
        if (!run) throw runNotFound(runId);
        throw new ConflictError(`Run ${runId} has already ended (${run.status}): there is nothing to cancel`, 'run_ended');
      }
      return runView(canceled, await runs.attemptSummaries(projectId, runId));
    },

    /** Handles one attempt message (at least once: see the service's comment). */
    async executeAttempt(message: AttemptMessage): Promise<AttemptOutcomeWord> {
      const { project_id: projectId, run_id: runId, index } = message;
      const run = await readRun(projectId, runId);
      if (!run || index < 1 || index > run.n) return 'ignored';
      if (run.status === 'completed' || run.status === 'failed') {
        await recordOutcome(run);
        return 'run_ended';
      }
      if (run.status === 'canceled') return 'canceled';

      const startedAt = deps.now();
      const token = deps.newToken();
      const claimed = await runs.claimAttempt(projectId, runId, {
        index,
        status: 'running',
        token,
        started_at: startedAt.toISOString(),
        deadline_at: new Date(startedAt.getTime() + (run.timeout_s + L.attemptGraceSeconds) * 1000).toISOString(),
        finished_at: null,
        http_status: null,
        latency_ms: null,
        body: null,
        body_bytes: null,
        excerpt: null,
        error: null,
      });
      if (!claimed) {
        // Claimed before: by a worker still at it, by one that died, or it has ended.
        const existing = await runs.getAttempt(projectId, runId, index);
        if (!existing) return 'claimed_elsewhere';
        if (existing.status === 'running') {
          if (Date.parse(existing.deadline_at) > deps.now().getTime()) return 'in_flight';
          // Its worker stopped: this copy of the message (redelivered) ends the attempt.
          await runs.finishAttempt(projectId, runId, index, errorOutcome(`The worker stopped during this attempt: no result within ${run.timeout_s} s + ${L.attemptGraceSeconds} s`));
        }
        await afterEnd(run, index);
        return 'already_ended';
      }

      const release = holdRunning(run);
      try {
        let payload: string;
        try {
          payload = await readText(run.payload);
        } catch (error) {
          deps.log?.('Reproducibility run payload unreadable', { run_id: runId, error: (error as Error).message });
          await runs.finishAttempt(projectId, runId, index, errorOutcome('The replay payload could not be read'), token);
          if (await runs.failRun(projectId, runId, 'The replay payload of this run could not be read', iso())) {
            const failed = await runs.getRun(projectId, runId);
            if (failed) await recordOutcome(failed);
          }
          return 'run_failed';
        }
        const marking = run.status === 'queued' ? markRunning(run, startedAt.toISOString()) : undefined;
        const outcome = await call(run, index, payload);
        await marking;
        const stored = await runs.finishAttempt(projectId, runId, index, outcome, token);
        release();
        // Superseded: ended by the sweeper or a redelivered copy past its deadline, which sent the next message;
        // its end is followed here too, since the attempts that ended here meanwhile left the count to this one.
        await afterEnd(run, index, stored);
        return stored ? outcome.status : 'superseded';
      } finally {
        release();
      }
    },

    /**
     * Repairs what dead workers and lost messages leave: attempts running past
     * their deadline end as errors; a run without progress past its stall
     * deadline gets the messages of its next attempts again, and after
     * `maxKicks` such re-sends its attempts that never started end as errors.
     */
    async sweep(): Promise<number> {
      const now = iso();
      let touched = 0;
      for (const ref of await runs.overdueAttempts(now)) {
        const run = await runs.getRun(ref.project_id, ref.run_id);
        if (!run) continue;
        const reason = `The worker stopped during this attempt: no result within ${run.timeout_s} s + ${L.attemptGraceSeconds} s`;
        if (await runs.finishAttempt(ref.project_id, ref.run_id, ref.index, errorOutcome(reason))) touched++;
        await afterEnd(run, ref.index);
      }
      for (const ref of await runs.stalledRuns(now)) {
        const run = await runs.getRun(ref.project_id, ref.run_id);
        if (!run || (run.status !== 'queued' && run.status !== 'running')) continue;
        const attempts = await runs.attemptSummaries(run.project_id, run.id);
        const window = (run.timeout_s + L.stallGraceSeconds) * 1000;
        const progress = Math.max(Date.parse(run.created_at), ...attempts.flatMap((a) => [Date.parse(a.started_at), a.finished_at ? Date.parse(a.finished_at) : 0]));
        if (progress + window > Date.parse(now)) {
          // It moved since its deadline was set: look again one window after its last progress.
          await runs.watchRun(run.project_id, run.id, new Date(progress + window).toISOString(), false);
          continue;
        }
        touched++;
        const started = new Set(attempts.map((a) => a.index));
        const unstarted = Array.from({ length: run.n }, (_, i) => i + 1).filter((index) => !started.has(index));
        await runs.watchRun(run.project_id, run.id, stallAt(run), true);
        if (run.kicks >= L.maxKicks) {
          for (const index of unstarted) await runs.abandonAttempt(run.project_id, run.id, index, errorOutcome(`This attempt never started: its message was lost ${L.maxKicks} times`));
          await finalize(run.project_id, run.id);
          continue;
        }
        const resend = unstarted.slice(0, run.concurrency).map((index) => ({ project_id: run.project_id, run_id: run.id, index }));
        if (resend.length) await deps.queue.send(resend);
        else await finalize(run.project_id, run.id);
      }
      return touched;
    },
  };
}

export type RunService = ReturnType<typeof createRunService>;

const RUN_CURSOR: CursorFormat = { version: 'r1', pattern: /^rep_[0-9a-z]{26}$/ };
const runCursor = (cursor: string) => decodeCursor(cursor, RUN_CURSOR);
