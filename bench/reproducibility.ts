import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { compareAttempts } from '../functions/core/reproducibility/compare.ts';
import type { Platform } from '../lib/local/platform.ts';
import { waitFor } from '../lib/local/wait-for.ts';
import { startReplayServer } from '../tools/replay-server/server.ts';
import { benchClient } from './bench-client.ts';
import { median, row, type BenchRow } from './harness.ts';

const ATTEMPTS = 20;
const TARGET_MS = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/**
 * A 20-attempt run at concurrency 20 against a local agent answering in
 * 100 ms, from POST to `completed` (through the attempt queue and workers),
 * set against the same 20 calls made directly at the same concurrency; and
 * the comparison of two 1 MB JSON answers, set against parsing them.
 */
export async function benchReproducibility(platform: Platform): Promise<{ rows: BenchRow[]; notes: Record<string, unknown> }> {
  const target = await startReplayServer({ mode: 'echo', delayMs: TARGET_MS });
  try {
    const api = await benchClient(platform, 'bench-repro', 'bench');
    const created = await api.post('/api/v1/sessions', {
      agent_id: 'bench-agent',
      events: [{ type: 'llm_request', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'How deterministic are you?' }] }],
    });
    if (created.status !== 201) throw new Error(`session create answered ${created.status}: ${JSON.stringify(created.body)}`);
    const payload = JSON.stringify((await api.get(`/api/v1/sessions/${created.body.id}`)).body.replay_payload);

    const direct = async () => {
      const limit = pLimit(ATTEMPTS);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: ATTEMPTS }, () => limit(async () => (await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload })).text())),
      );
      return performance.now() - started;
    };
    const viaRun = async () => {
      const started = performance.now();
      const run = await api.post('/api/v1/reproducibility/runs', { session_id: created.body.id, target_url: target.url, n: ATTEMPTS, concurrency: ATTEMPTS });
      if (run.status !== 202) throw new Error(`run create answered ${run.status}: ${JSON.stringify(run.body)}`);
      const ended = await waitFor(
        'the run to complete',
        async () => {
          const body = (await api.get(`/api/v1/reproducibility/runs/${run.body.id}`)).body;
          return body.status === 'completed' ? body : undefined;
        },
        60_000,
        10,
      );
      if (ended.verdict !== 'deterministic' || ended.counts.passed !== ATTEMPTS) throw new Error(`unexpected run outcome ${ended.verdict} ${JSON.stringify(ended.counts)}`);
      return performance.now() - started;
    };

    // A warm-up of each (module loading, connections), then interleaved rounds.
    await direct();
    await viaRun();
    const runs: number[] = [];
    const directs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      directs.push(await direct());
      runs.push(await viaRun());
    }

    const { a, b } = twoMegabyteAnswers();
    const compare: number[] = [];
    const parse: number[] = [];
    for (let i = 0; i < 5 + ROUNDS * 3; i++) {
      let started = performance.now();
      const result = compareAttempts([
        { index: 1, body: a },
        { index: 2, body: b },
      ]);
      const compareMs = performance.now() - started;
      if (result.attempts[1]?.result !== 'fail') throw new Error('the 1 MB answers were expected to differ');
      started = performance.now();
      JSON.parse(a);
      JSON.parse(b);
      const parseMs = performance.now() - started;
      if (i >= 5) {
        compare.push(compareMs);
        parse.push(parseMs);
      }
    }

    const rows = [
      row(`run of ${ATTEMPTS} attempts, concurrency ${ATTEMPTS}, target ${TARGET_MS} ms: create → completed (median)`, median(runs), `the same ${ATTEMPTS} calls made directly, same concurrency`, median(directs), 'ms', {
        target: '≤ 2',
        pass: (ratio) => ratio <= 2,
      }),
      row('comparison of two 1 MB JSON answers (median)', median(compare), 'parsing both (JSON.parse)', median(parse), 'ms'),
      row('comparison of two 1 MB JSON answers (median)', median(compare), 'the 50 ms aim', 50, 'ms', { target: '≤ 1', pass: (ratio) => ratio <= 1 }),
    ];
    return { rows, notes: { rounds: ROUNDS, runs_ms: runs, direct_ms: directs, compare_ms: compare, answer_bytes: a.length } };
  } finally {
    await target.stop();
  }
}

/** Two OpenAI-style answers of about 1 MB each that differ in one message and in their envelope. */
function twoMegabyteAnswers(): { a: string; b: string } {
  const answer = (id: string, last: string) =>
    JSON.stringify({
      id,
      created: 1_764_000_000,
      choices: Array.from({ length: 400 }, (_, i) => ({
        index: i,
        message: { role: 'assistant', content: `${'lorem ipsum dolor sit amet '.repeat(90)}${i === 399 ? last : ''}`, tool_calls: [{ id: `call_${i}`, function: { name: 'lookup', arguments: JSON.stringify({ item: i, tags: ['a', 'b', 'c'] }) } }] },
      })),
    });
  return { a: answer('chatcmpl-aaaaaaaaaaaaaaaa', 'end'), b: answer('chatcmpl-bbbbbbbbbbbbbbbb', 'END') };
}
