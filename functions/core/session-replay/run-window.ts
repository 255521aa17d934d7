import pLimit from 'p-limit';
import { inlineBytes } from './bodies.ts';
import { compareBodies } from './compare.ts';
import { replayHeaders } from './headers.ts';
import { sessionReplayLimits as L } from './limits.ts';
import { isoTime, type PlannedRequest, type PlannedWindow, type ReplayRecord, type ReplayResult, type ReplaySpeed, type StoredBody, type WindowMessage } from './model.ts';
import { planKey, resultsKey } from './object-keys.ts';
import type { RecordReplayEnd } from './outcome.ts';
import type { ObjectStore, Outbound, ProxyStore, ReplayQueue } from './ports.ts';
import { upstreamUrl } from './proxy.ts';

export interface WindowDependencies {
  store: ProxyStore;
  objects: ObjectStore;
  queue: ReplayQueue;
  target: Outbound;
  nowMs: () => number;
  describeFailure: (error: unknown) => { code: string; message: string } | undefined;
  /** Records the ledger submission of a replay that ended (written once however often it is called). */
  onEnded?: RecordReplayEnd;
  log: (message: string, fields: Record<string, unknown>) => void;
}

export type WindowOutcome = 'sent' | 'deferred' | 'duplicate' | 'ignored' | 'stalled';

const ENDED = new Set(['completed', 'failed', 'canceled']);

/**
 * Sends one window of a replay, at most once: the window is claimed with a
 * conditional write before its first request, so a redelivered message finds
 * it claimed and sends nothing (but does again what follows a finished
 * window, in case its worker stopped before: see `resumeAfterWindow`). Requests are due at the replay's start plus
 * their planned offset (never relative to the previous request); a window's
 * worker arrives ahead of its first request, and a message that comes too early
 * goes back to the queue with a delay. Results and counts are written as they
 * come (every `flushEveryMs`); the window that finishes the set completes the replay.
 */
export async function runWindow(deps: WindowDependencies, ref: WindowMessage): Promise<WindowOutcome> {
  let replay = await deps.store.getReplay(ref.project_id, ref.endpoint_id, ref.session_id, ref.replay_id);
  if (replay && ENDED.has(replay.status)) {
    // A copy of a message of an ended replay: record the outcome again (it is written once), in case whatever ended it stopped before.
    await deps.onEnded?.(replay);
    return 'ignored';
  }
  if (!replay || ref.window >= replay.window_count) return 'ignored';
  if (replay.status === 'queued' && ref.window !== 0) return 'ignored';

  const window = await deps.objects.getPlan(planKey(replay, ref.window));
  if (replay.started_at_ms !== null) {
    const leadMs = replay.started_at_ms + window.spec.start_offset_ms - deps.nowMs() - L.windowLeadMs;
    if (leadMs > 5_000) {
      await deps.queue.send(ref, delaySeconds(leadMs));
      return 'deferred';
    }
  }
  const plan = window.requests;
  const bodies = await loadBodies(deps.objects, plan, replay.compare === 'status_and_body');

  if (replay.status === 'queued') {
    // The schedule starts just after the writes that start it, so its first request is not late by their time.
    const startedAt = deps.nowMs() + L.startLeadMs;
    replay = await deps.store.startReplay(ref, startedAt, isoTime(stallDeadline(replay.speed, window, startedAt, startedAt)));
    if (!replay) return 'duplicate';
  }
  const startMs = replay.started_at_ms!;
  const hasNext = window.next_start_offset_ms !== null;
  const timed = replay.speed !== 'instant';
  // Before the claim, so a send that fails leaves the window unclaimed for the retry (a copy too many is harmless: windows are claimed).
  if (timed && hasNext) {
    await deps.queue.send({ ...ref, window: ref.window + 1 }, delaySeconds(startMs + window.next_start_offset_ms! - L.windowLeadMs - deps.nowMs()));
  }
  const claimedAt = deps.nowMs();
  if (!(await deps.store.claimWindow(ref, isoTime(claimedAt), isoTime(stallDeadline(replay.speed, window, startMs, claimedAt))))) {
    await resumeAfterWindow(deps, ref, window);
    return 'duplicate';
  }

  const results: ReplayResult[] = [];
  const counted = { sent: 0, passed: 0, failed: 0 };
  const flushed = { sent: 0, passed: 0, failed: 0 };
  let stopped = false;
  let flushing: Promise<void> = Promise.resolve();
  const flush = async () => {
    const delta = { sent: counted.sent - flushed.sent, passed: counted.passed - flushed.passed, failed: counted.failed - flushed.failed };
    if (delta.sent === 0 && delta.passed === 0 && delta.failed === 0) return;
    await deps.objects.putResults(resultsKey(replay!, ref.window), [...results]);
    await deps.store.addProgress(ref, delta);
    Object.assign(flushed, { sent: flushed.sent + delta.sent, passed: flushed.passed + delta.passed, failed: flushed.failed + delta.failed });
  };
  const timer = setInterval(() => {
    flushing = flushing
      .then(async () => {
        await flush();
        const current = await deps.store.getReplay(ref.project_id, ref.endpoint_id, ref.session_id, ref.replay_id);
        if (!current || current.status !== 'running') stopped = true;
      })
      .catch((error: unknown) => deps.log('Replay progress not written', { replay_id: ref.replay_id, error: (error as Error).message }));
  }, L.flushEveryMs);

  const send = async (request: PlannedRequest) => {
    counted.sent++;
    const result = await sendOne(deps, replay!, request, bodies, startMs);
    results.push(result);
    if (result.passed) counted.passed++;
    else counted.failed++;
  };
  try {
    if (timed) {
      const limit = pLimit(L.timedConcurrency);
      const inFlight: Promise<void>[] = [];
      for (const request of plan) {
        await sleepUntil(deps.nowMs, startMs + request.offset_ms);
        if (stopped) break;
        inFlight.push(limit(() => send(request)));
      }
      await Promise.all(inFlight);
    } else {
      const limit = pLimit(L.instantConcurrency);
      await Promise.all(plan.map((request) => limit(() => (stopped ? undefined : send(request)))));
    }
  } finally {
    clearInterval(timer);
    await flushing;
  }

  await deps.objects.putResults(resultsKey(replay, ref.window), results);
  const delta = { sent: counted.sent - flushed.sent, passed: counted.passed - flushed.passed, failed: counted.failed - flushed.failed };
  const after = await deps.store.finishWindow(ref, delta, isoTime(deps.nowMs()));
  if (!after) return 'sent';
  if (after.status !== 'running') {
    // Canceled (or failed) while this window ran: its outcome was recorded then; again in case that write failed.
    await deps.onEnded?.(after);
    return 'sent';
  }
  if (!timed && hasNext) await deps.queue.send({ ...ref, window: ref.window + 1 });
  await completeWhenAllDone(deps, ref, after);
  return 'sent';
}

/**
 * A copy of a window's message that finds the window claimed: when the window
 * is done, its worker may have stopped (or failed) between marking it done and
 * what follows, so this copy does that again. An instant replay's next window
 * is sent unless it was claimed already (a copy too many is harmless: windows
 * are claimed), and the replay completes once every window is done. A timed
 * replay sent its next window when it claimed this one.
 */
async function resumeAfterWindow(deps: WindowDependencies, ref: WindowMessage, window: PlannedWindow): Promise<void> {
  if ((await deps.store.windowState(ref)) !== 'done') return;
  const replay = await deps.store.getReplay(ref.project_id, ref.endpoint_id, ref.session_id, ref.replay_id);
  if (replay?.status !== 'running') return;
  const next = { ...ref, window: ref.window + 1 };
  if (replay.speed === 'instant' && window.next_start_offset_ms !== null && (await deps.store.windowState(next)) === undefined) await deps.queue.send(next);
  await completeWhenAllDone(deps, ref, replay);
}

/** The window that finds every window done completes the replay (conditional: once) and records its outcome. */
async function completeWhenAllDone(deps: WindowDependencies, ref: WindowMessage, replay: ReplayRecord): Promise<void> {
  if (replay.windows_done !== replay.window_count) return;
  const completed = await deps.store.endReplay(ref, 'completed', ['running'], isoTime(deps.nowMs()));
  if (completed) await deps.onEnded?.(completed);
}

/**
 * When a running replay has stalled if nothing moved: after this window's
 * last request could have finished, or the next window's start, plus a grace.
 */
export function stallDeadline(speed: ReplaySpeed, window: PlannedWindow, startMs: number, nowMs: number): number {
  const concurrency = speed === 'instant' ? L.instantConcurrency : L.timedConcurrency;
  const work = Math.ceil(window.spec.count / concurrency) * L.replayRequestTimeoutMs;
  const nextStart = window.next_start_offset_ms === null ? 0 : startMs + window.next_start_offset_ms;
  return Math.max(Math.max(nowMs, startMs + window.spec.end_offset_ms) + work, nextStart) + L.stallGraceMs;
}

async function sendOne(deps: WindowDependencies, replay: ReplayRecord, request: PlannedRequest, bodies: Map<string, Buffer>, startMs: number): Promise<ReplayResult> {
  const path = request.query ? `${request.path}?${request.query}` : request.path;
  const base = {
    index: request.index,
    recording_id: request.recording_id,
    method: request.method,
    path,
    expected_status: request.expected_status,
    scheduled_offset_ms: request.offset_ms,
  };
  const sentAt = deps.nowMs();
  try {
    const body = request.body ? bytesOf(request.body, bodies) : undefined;
    const response = await deps.target.request(upstreamUrl(replay.target_url, request.path, request.query), {
      method: request.method,
      headers: replayHeaders(request.headers, request.redacted_headers, replay.header_overrides),
      ...(body?.length ? { body } : {}),
      redirect: 'manual',
    });
    let passed = response.status === request.expected_status;
    let bodyDiff: ReplayResult['body_diff'];
    if (passed && replay.compare === 'status_and_body' && !request.expected_body?.truncated) {
      const expected = request.expected_body ? bytesOf(request.expected_body, bodies) : Buffer.alloc(0);
      bodyDiff = compareBodies(
        { bytes: expected, encoding: request.expected_content_encoding },
        { bytes: response.body, encoding: response.headers['content-encoding'] ?? null },
        replay.ignore_paths,
      );
      passed = bodyDiff.length === 0;
    }
    return {
      ...base,
      passed,
      actual_status: response.status,
      response_time_ms: Math.round(response.elapsedMs),
      error: passed ? null : bodyDiff?.length ? 'The response body differs from the recorded one' : `Expected status ${request.expected_status}, got ${response.status}`,
      sent_offset_ms: sentAt - startMs,
      ...(bodyDiff?.length ? { body_diff: bodyDiff } : {}),
    };
  } catch (error) {
    const described = deps.describeFailure(error);
    if (!described) throw error;
    return { ...base, passed: false, actual_status: null, response_time_ms: null, error: `${described.code}: ${described.message}`, sent_offset_ms: sentAt - startMs };
  }
}

function bytesOf(body: StoredBody, loaded: Map<string, Buffer>): Buffer {
  return inlineBytes(body) ?? loaded.get(body.objectKey!) ?? Buffer.alloc(0);
}

async function loadBodies(objects: ObjectStore, plan: PlannedRequest[], withExpected: boolean): Promise<Map<string, Buffer>> {
  const keys = new Set<string>();
  for (const request of plan) {
    if (request.body?.objectKey) keys.add(request.body.objectKey);
    if (withExpected && request.expected_body?.objectKey) keys.add(request.expected_body.objectKey);
  }
  const limit = pLimit(16);
  const loaded = new Map<string, Buffer>();
  await Promise.all([...keys].map((key) => limit(async () => loaded.set(key, await objects.getBody(key)))));
  return loaded;
}

function delaySeconds(ms: number): number {
  return Math.max(0, Math.min(L.maxQueueDelaySeconds, Math.floor(ms / 1000)));
}

async function sleepUntil(nowMs: () => number, dueMs: number): Promise<void> {
  const wait = dueMs - nowMs();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
