import { describe, expect, it } from 'vitest';
import type { ChatBroker, ChatRequest, ChatResult } from '../../../../functions/core/replay-runs/full-fidelity/broker.ts';
import { requestEstimateMicros } from '../../../../functions/core/replay-runs/full-fidelity/budget.ts';
import { executeChunk, type ChunkWork } from '../../../../functions/core/replay-runs/full-fidelity/execute-chunk.ts';
import { fullFidelityLimits } from '../../../../functions/core/replay-runs/full-fidelity/options.ts';
import { priceCatalogue } from '../../../../functions/core/replay-runs/price-catalogue.ts';
import { resolveSide } from '../../../../functions/core/replay-runs/routing.ts';

const side = (name: string) => resolveSide('baseline', name, new Map(), priceCatalogue);
const traces = Array.from({ length: 10 }, (_, i) => ({ input_tokens: 100, output_tokens: 10, messages: [{ role: 'user', content: `question ${i}` }] }));
const gpt4o = priceCatalogue.models['openai/gpt-4o'];
const estimate = requestEstimateMicros(gpt4o, 100, 10);

/** A broker that answers from `answer`, after a tick, counting requests in flight. */
function broker(answer: (request: ChatRequest, seen: number) => ChatResult = () => ok(100, 5)) {
  const requests: ChatRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const api: ChatBroker = {
    async complete(request) {
      requests.push(request);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return answer(request, requests.length);
    },
  };
  return { api, requests, max: () => maxInFlight };
}
const ok = (input: number, output: number): ChatResult => ({ ok: true, content: 'same answer', usage: { inputTokens: input, outputTokens: output, cachedInputTokens: 0 }, ttftMs: 5, latencyMs: 10, servedModel: 'gpt-4o' });
const failure = (reason: string, retryable: boolean, retryAfterMs?: number): ChatResult => ({ ok: false, reason, retryable, message: `${reason} happened`, latencyMs: 1, retryAfterMs });

function work(overrides: Partial<ChunkWork> & { broker: ChatBroker }, grant = Number.POSITIVE_INFINITY) {
  const asked: number[] = [];
  const sleeps: number[] = [];
  let left = grant;
  const chunk: ChunkWork = {
    runId: 'rpl_test',
    chunk: 0,
    traces,
    repetitions: 1,
    sides: { baseline: side('managed'), candidate: side('managed') },
    seed: 1,
    options: { maxSpendMicros: 1e9, budgetSource: 'request', maxOutputTokens: 10, retryPolicy: { max_attempts: 3, timeout_ms: 1_000 } },
    range: { start: 0, end: 10 },
    inFlight: 3,
    costRatio: 1,
    budget: {
      granted: 0,
      topUp: async (want) => {
        asked.push(want);
        const given = Math.min(want, left);
        left -= given;
        return given;
      },
    },
    clock: { remainingMs: () => 300_000, now: () => 0, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    ...overrides,
  };
  return { chunk, asked, sleeps };
}

describe('a chunk of a full-fidelity run', () => {
  it('sends every pair once per side, never more than its requests in flight, and compares the answers', async () => {
    const b = broker();
    const { chunk, asked } = work({ broker: b.api });

    const outcome = await executeChunk(chunk);

    expect(b.requests).toHaveLength(20);
    expect(new Set(b.requests.map((r) => r.requestId)).size).toBe(20);
    expect(b.max()).toBeLessThanOrEqual(3);
    expect(outcome).toMatchObject({ ok: 10, failures: 0, dropped: 0, budgetStopped: false, requests: { sent: 20, failed: 0, retried: 0, without_usage: 0 } });
    expect(outcome.pairs.every((p) => p.exact_match === true && p.similarity === 1)).toBe(true);
    // The first pair asks for the whole chunk's estimate at once.
    expect(asked).toEqual([20 * estimate]);
    expect(outcome.spentMicros).toBeCloseTo(20 * ((100 * gpt4o.input + 5 * gpt4o.output) / 1e6), 6);
  });

  it('drops the pairs its budget cannot cover, sending none of them: the spend stays within the grant', async () => {
    const b = broker();
    // Enough for 4 pairs at their estimate, and the run has nothing more.
    const { chunk } = work({ broker: b.api, inFlight: 1 }, 4 * 2 * estimate);

    const outcome = await executeChunk(chunk);

    expect(outcome).toMatchObject({ ok: 4, dropped: 6, budgetStopped: true });
    expect(outcome.pairs.slice(4).every((p) => p.status === 'dropped' && p.reason === 'budget')).toBe(true);
    expect(b.requests).toHaveLength(8);
    expect(outcome.spentMicros).toBeLessThanOrEqual(outcome.blockMicros);
  });

  it('reserves later pairs at the cost actually seen, so a provider counting more tokens than recorded cannot overspend', async () => {
    // Each request really costs 10× its estimate; the run holds 25 estimates' worth.
    const b = broker(() => ok(1_000 + 90, 5 + 4));
    const grant = 25 * estimate;
    const { chunk } = work({ broker: b.api, inFlight: 1 }, grant);

    const outcome = await executeChunk(chunk);

    expect(outcome.budgetStopped).toBe(true);
    expect(outcome.spentMicros).toBeLessThanOrEqual(grant);
    expect(outcome.ok).toBe(Math.floor(outcome.spentMicros / (2 * ((1_090 * gpt4o.input + 9 * gpt4o.output) / 1e6))));
    expect(outcome.actualDoneMicros / outcome.estimatedDoneMicros).toBeGreaterThan(5);
  });

  it('retries what may pass on a later attempt, waiting the backoff or the provider\'s Retry-After, and gives up on the rest', async () => {
    const b = broker((request) => {
      const attempt = Number(request.requestId.split(':').at(-1));
      if (request.requestId.includes(':0:0:baseline')) return attempt < 3 ? failure('http_429', true, 2_000) : ok(100, 5);
      if (request.requestId.includes(':1:0:candidate')) return failure('http_400', false);
      return ok(100, 5);
    });
    const { chunk, sleeps } = work({ broker: b.api, range: { start: 0, end: 2 } });

    const outcome = await executeChunk(chunk);

    expect(outcome.pairs[0]).toMatchObject({ status: 'ok', baseline: { attempts: 3 } });
    expect(outcome.pairs[1]).toMatchObject({ status: 'failed', reason: 'candidate: http_400', candidate: { attempts: 1, message: 'http_400 happened' } });
    expect(outcome.requests).toMatchObject({ sent: 6, retried: 2, failed: 1 });
    expect(sleeps).toEqual([2_000, 2_000]);
  });

  it('counts a timed-out request at its estimate (it may have been billed) and a refused one at nothing', async () => {
    const b = broker((request) => (request.requestId.includes('baseline') ? failure('timeout', true) : failure('http_500', true)));
    const { chunk } = work({ broker: b.api, range: { start: 0, end: 1 }, options: { ...work({ broker: b.api }).chunk.options, retryPolicy: { max_attempts: 1, timeout_ms: 1_000 } } });

    const outcome = await executeChunk(chunk);

    expect(outcome.pairs[0]).toMatchObject({ status: 'failed', reason: 'baseline: timeout', baseline: { cost_micros: estimate }, candidate: { cost_micros: 0 } });
    expect(outcome.spentMicros).toBeCloseTo(estimate, 9);
  });

  it('sends nothing when the invocation has less time left than one attempt needs', async () => {
    const b = broker();
    const { chunk } = work({ broker: b.api, clock: { remainingMs: () => 1_000 + fullFidelityLimits.timeMarginMs - 1, now: () => 0, sleep: async () => {}, random: () => 0 } });

    const outcome = await executeChunk(chunk);

    expect(b.requests).toEqual([]);
    expect(outcome).toMatchObject({ ok: 0, dropped: 10 });
    expect(outcome.pairs.every((p) => p.reason === 'invocation_time')).toBe(true);
  });
});
