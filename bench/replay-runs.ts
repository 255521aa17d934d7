import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { secrets } from '../lib/catalogue.ts';
import { freePort } from '../lib/local/free-port.ts';
import type { Platform } from '../lib/local/platform.ts';
import { waitFor } from '../lib/local/wait-for.ts';
import { conversations } from '../test/support/conversations.ts';
import { benchClient } from './bench-client.ts';
import { row, runChild, type BenchRow } from './harness.ts';
import { REPETITIONS, TRACES, benchAliases, benchManifest } from './tokenized-manifest.ts';

interface ChildResult {
  ms: number;
  maxRssMb: number;
  totals: number[];
}

/** Runs one measurement of bench/tokenized-child.ts in a fresh Node (the pinned one), for an honest peak RSS. */
function measure(mode: 'compute' | 'synthetic' | 'bare' | 'floor' | 'idle'): Promise<ChildResult> {
  return runChild<ChildResult>('tokenized-child.ts', [mode]);
}

/**
 * tokenized_performance over 5,000 traces × 1,000 repetitions (5 M samples,
 * routed through a 3-way alias): the metric computation against a bare
 * typed-array loop over the same number of samples, peak memory against a
 * process that computes nothing, and create → completed on the local platform;
 * synthetic_performance over the same manifest and sides (5 M synthetic
 * requests) against the same bare loop; and a full_fidelity_evaluation of
 * 2,000 traces against the fake provider (50 ms answers, in a process of its
 * own) at concurrency 50, against the ideal wall time 2,000 × 2 × 50 ms / 50.
 */
export async function benchReplayRuns(platform: Platform): Promise<{ rows: BenchRow[]; notes: Record<string, unknown> }> {
  const idle = await measure('idle');
  const bare = await measure('bare');
  const floor = await measure('floor');
  const compute = await measure('compute');
  const synthetic = await measure('synthetic');
  // The bare loop must compute the very sums the platform does, or the comparison means nothing.
  if (bare.totals[0] !== compute.totals[0] || bare.totals[1] !== compute.totals[1]) {
    throw new Error(`bare loop totals ${bare.totals.slice(0, 2)} differ from the computation's ${compute.totals}`);
  }
  const samples = `${TRACES.toLocaleString('en')} × ${REPETITIONS.toLocaleString('en')}`;
  const rows: BenchRow[] = [
    row(`tokenized_performance ${samples}, median`, compute.ms, 'bare loop routing and summing the same samples', bare.ms, 'ms', {
      target: '≤ 3',
      pass: (ratio) => ratio <= 3,
    }),
    row(`tokenized_performance ${samples}, median`, compute.ms, 'summing 5 M pre-materialised costs (memory floor)', floor.ms, 'ms'),
    row('peak RSS of that computation', compute.maxRssMb, 'same process computing nothing', idle.maxRssMb, 'MB'),
    row(`synthetic_performance ${samples}, median`, synthetic.ms, 'bare loop routing and summing the same samples', bare.ms, 'ms'),
    row('peak RSS of synthetic_performance', synthetic.maxRssMb, 'same process computing nothing', idle.maxRssMb, 'MB'),
    row('peak RSS of the memory-floor loop', floor.maxRssMb, 'same process computing nothing', idle.maxRssMb, 'MB'),
  ];

  // End to end: POST the run through the local API, the worker takes it from SQS, poll until completed.
  const api = await benchClient(platform, 'bench', 'bench-runs');
  const [alias] = benchAliases.values();
  await api.put(`/v2/aliases/${alias!.name}`, { releases: alias!.releases });
  const started = performance.now();
  const created = await api.post('/v2/replay-runs', {
    baseline: alias!.name,
    candidate: 'byoc_us_east',
    replay_class: 'tokenized_performance',
    repetitions: REPETITIONS,
    traces: benchManifest(),
  });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const createdMs = performance.now() - started;
  const run = await waitFor(
    'the run to complete',
    async () => {
      const current = await api.get(`/v2/replay-runs/${created.body.id}`);
      if (current.body.status === 'failed') throw new Error(`run failed: ${current.body.failure_reason}`);
      return current.body.status === 'completed' ? current.body : undefined;
    },
    120_000,
    50,
  );
  const endToEnd = performance.now() - started;
  rows.push(row('create → completed on the local platform', endToEnd, 'the metric computation alone', compute.ms, 'ms'));

  const full = await benchFullFidelity(api);
  rows.push(
    row(
      `full_fidelity_evaluation ${FF.traces.toLocaleString('en')} traces, create → completed`,
      full.ms,
      `ideal: ${FF.traces.toLocaleString('en')} × 2 × ${FF.latencyMs} ms / ${FF.concurrency} in flight`,
      (FF.traces * 2 * FF.latencyMs) / FF.concurrency,
      'ms',
      { target: '≤ 1.5', pass: (ratio) => ratio <= 1.5 },
    ),
  );
  return {
    rows,
    notes: {
      traces: TRACES,
      repetitions: REPETITIONS,
      createMs: createdMs,
      totalsMicros: compute.totals,
      samples: run.metrics.confidence_intervals.per_request_cost_savings_micros.n,
      syntheticTotalsMicros: synthetic.totals,
      fullFidelity: full.notes,
    },
  };
}

/** The full-fidelity workload: the fake provider answers each request in this time, this many in flight. */
const FF = { traces: 2_000, latencyMs: 50, concurrency: 50, apiKey: 'sk-bench-fake' } as const;

/**
 * Starts the fake provider in a process of its own (so its answers do not
 * share the platform's event loop) and configures it as the platform's
 * `openai` provider; runs before the platform starts, which reads its providers then.
 */
export async function startBenchProvider(): Promise<() => Promise<void>> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(import.meta.dirname, '../bin/fake-provider.ts'), '--port', String(port), '--latency-ms', String(FF.latencyMs), '--tokens-per-second', '0', '--api-key', FF.apiKey],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await waitFor('the fake provider to listen', async () => out.includes('Fake OpenAI-compatible provider at'), 30_000, 20);
  process.env[secrets.providers.localValueEnvName] = JSON.stringify({ openai: { base_url: `http://127.0.0.1:${port}/v1`, api_key: FF.apiKey } });
  return async () => {
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
}

async function benchFullFidelity(api: Awaited<ReturnType<typeof benchClient>>) {
  const started = performance.now();
  const created = await api.post('/v2/replay-runs', {
    baseline: 'managed',
    candidate: 'managed_mini',
    replay_class: 'full_fidelity_evaluation',
    traces: conversations(FF.traces, 8),
    concurrency: FF.concurrency,
    max_output_tokens: 16,
    max_spend_usd: 100,
  });
  if (created.status !== 201) throw new Error(`full-fidelity create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const run = await waitFor(
    'the full-fidelity run to complete',
    async () => {
      const current = await api.get(`/v2/replay-runs/${created.body.id}`);
      if (current.body.status === 'failed') throw new Error(`run failed: ${current.body.failure_reason}`);
      return current.body.status === 'completed' ? current.body : undefined;
    },
    300_000,
    20,
  );
  const ms = performance.now() - started;
  if (run.metrics.failures || run.metrics.dropped) throw new Error(`full-fidelity bench run lost pairs: ${JSON.stringify(run.metrics.failure_reasons)}`);
  return {
    ms,
    notes: {
      requests: run.metrics.requests,
      chunks: run.progress.chunks_total,
      maxInFlightInOneChunk: run.metrics.max_in_flight_in_one_chunk,
      latencyP50Ms: run.metrics.metric_deltas.latency_ms.baseline.p50,
    },
  };
}
