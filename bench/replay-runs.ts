import { performance } from 'node:perf_hooks';
import type { Platform } from '../lib/local/platform.ts';
import { waitFor } from '../lib/local/wait-for.ts';
import { benchClient } from './bench-client.ts';
import { row, runChild, type BenchRow } from './harness.ts';
import { REPETITIONS, TRACES, benchAliases, benchManifest } from './tokenized-manifest.ts';

interface ChildResult {
  ms: number;
  maxRssMb: number;
  totals: number[];
}

/** Runs one measurement of bench/tokenized-child.ts in a fresh Node (the pinned one), for an honest peak RSS. */
function measure(mode: 'compute' | 'bare' | 'floor' | 'idle'): Promise<ChildResult> {
  return runChild<ChildResult>('tokenized-child.ts', [mode]);
}

/**
 * tokenized_performance over 5,000 traces × 1,000 repetitions (5 M samples,
 * routed through a 3-way alias): the metric computation against a bare
 * typed-array loop over the same number of samples, peak memory against a
 * process that computes nothing, and create → completed on the local platform.
 */
export async function benchReplayRuns(platform: Platform): Promise<{ rows: BenchRow[]; notes: Record<string, unknown> }> {
  const idle = await measure('idle');
  const bare = await measure('bare');
  const floor = await measure('floor');
  const compute = await measure('compute');
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
  return { rows, notes: { traces: TRACES, repetitions: REPETITIONS, createMs: createdMs, totalsMicros: compute.totals, samples: run.metrics.confidence_intervals.per_request_cost_savings_micros.n } };
}
