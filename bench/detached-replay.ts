import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { DETACHED_ROUTES_ENV } from '../lib/catalogue.ts';
import { detachedRoutes, routeQueueName } from '../lib/deployment-config.ts';
import type { Platform } from '../lib/local/platform.ts';
import { localQueueUrl } from '../lib/local/provision.ts';
import { waitFor } from '../lib/local/wait-for.ts';
import { newUuidV7 } from '../functions/shared/ids.ts';
import { apiClient } from '../test/support/api-client.ts';
import { createTenantKey } from '../test/support/tenants.ts';
import { median, row, runChild, type BenchRow } from './harness.ts';

const SMALL = 20_000;
const LARGE = 100_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/**
 * Objects each measuring process publishes, to a queue of its own, before it
 * is timed: enough for its JIT and its heap to reach their steady state (a
 * fresh process's RSS still climbs through its first ~50,000 objects).
 */
const WARM_UP = 20_000;

interface ChildResult {
  ms: number;
  /** The measuring process's own CPU time while timed. */
  cpuMs: number;
  objects: number;
  maxRssMb: number;
  heapAfterGcMb: number;
}

const profiles = resolve(import.meta.dirname, 'results', 'profiles');

/**
 * One measurement of bench/detached-child.ts in a fresh Node (with `gc()`, for the heap after GC); with
 * BENCH_CPU_PROFILE set, the child writes a CPU profile of its timed part to bench/results/profiles/<label>.cpuprofile.
 */
function child(label: string, args: string[], env: Record<string, string>): Promise<ChildResult> {
  if (process.env.BENCH_CPU_PROFILE) mkdirSync(profiles, { recursive: true });
  const profile: Record<string, string> = process.env.BENCH_CPU_PROFILE ? { BENCH_CPU_PROFILE: join(profiles, `${label}.cpuprofile`) } : {};
  return runChild<ChildResult>('detached-child.ts', args, { nodeArgs: ['--expose-gc'], env: { POWERTOOLS_LOG_LEVEL: 'SILENT', ...env, ...profile } });
}

/** Writes `count` objects (and a sidecar for every fourth) under <project id>/<execution>/stage/. */
async function seed(platform: Platform, projectId: string, executionId: string, count: number): Promise<void> {
  const s3 = new S3Client({ endpoint: platform.endpoints.s3, region: platform.endpoints.region, forcePathStyle: true });
  const limit = pLimit(64);
  const prefix = `${projectId}/${executionId}/stage/`;
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      limit(async () => {
        await s3.send(new PutObjectCommand({ Bucket: platform.endpoints.buckets.outputs, Key: `${prefix}doc-${String(i).padStart(7, '0')}.json`, Body: '{}' }));
        if (i % 4 === 0) {
          await s3.send(new PutObjectCommand({ Bucket: platform.endpoints.buckets.outputs, Key: `${prefix}doc-${String(i).padStart(7, '0')}.json.meta.json`, Body: '{}' }));
        }
      }),
    ),
  );
  s3.destroy();
}

/**
 * Detached replay: objects per second from a 20,000-object prefix to a
 * route's queue against a bare SendMessageBatch loop (the ceiling) of the
 * same round, as the median, worst and best of five interleaved rounds of
 * warm processes (`BENCH_ROUNDS` changes the count), the CPU time each
 * spends, peak memory at 20,000 and 100,000 objects, and the asynchronous
 * path (202, page messages, local page workers) end to end.
 */
export async function benchDetachedReplay(platform: Platform): Promise<{ rows: BenchRow[]; notes: Record<string, unknown> }> {
  const route = detachedRoutes.find((r) => r.name === 'example-ingest')!;
  const queueUrl = platform.endpoints.queues[routeQueueName(route)]!;
  const sqs = new SQSClient({ endpoint: platform.endpoints.sqs, region: platform.endpoints.region });
  // Every measuring process first replays a warm-up prefix to a queue of its own (the bare loop sends as
  // many messages there), so each figure is that of a warm process, as in a warm Lambda container.
  await sqs.send(new CreateQueueCommand({ QueueName: 'reprise-bench-warm-up' }));
  const warmUpQueueUrl = localQueueUrl(platform.endpoints.sqs, 'reprise-bench-warm-up');
  const routes = JSON.parse(process.env[DETACHED_ROUTES_ENV] ?? '{}') as Record<string, unknown>;
  // One project for every measurement: its outputs, its executions, and the key of the API path.
  const tenant = await createTenantKey('bench', 'bench');
  const childEnv = { BENCH_PROJECT_ID: tenant.projectId, [DETACHED_ROUTES_ENV]: JSON.stringify({ ...routes, 'bench-warm-up': { queue_url: warmUpQueueUrl } }) };
  const purge = () => Promise.all([queueUrl, warmUpQueueUrl].map((url) => sqs.send(new PurgeQueueCommand({ QueueUrl: url }))));

  const warmUp = newUuidV7();
  const small = newUuidV7();
  const large = newUuidV7();
  const seedStarted = performance.now();
  await seed(platform, tenant.projectId, warmUp, WARM_UP);
  await seed(platform, tenant.projectId, small, SMALL);
  await seed(platform, tenant.projectId, large, LARGE);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  // Rounds interleave the configurations so drift on the machine reaches them all; each figure is a median.
  const runs: Record<'bare' | 'replaySmall' | 'prelisted' | 'replayLarge', ChildResult[]> = { bare: [], replaySmall: [], prelisted: [], replayLarge: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.bare.push(await child(`bare-${round}`, ['bare', String(SMALL), String(WARM_UP)], childEnv));
    await purge();
    runs.replaySmall.push(await child(`replay-${round}`, ['replay', small, String(SMALL), warmUp], childEnv));
    await purge();
    runs.prelisted.push(await child(`prelisted-${round}`, ['prelisted', small, String(SMALL), warmUp], childEnv));
    await purge();
    runs.replayLarge.push(await child(`replay-large-${round}`, ['replay', large, String(LARGE), warmUp], childEnv));
    await purge();
  }
  const rate = (r: ChildResult) => r.objects / (r.ms / 1000);
  const medianOf = (results: ChildResult[], of: (r: ChildResult) => number) => median(results.map(of));
  const bare = { rate: medianOf(runs.bare, rate), cpuMs: medianOf(runs.bare, (r) => r.cpuMs) };
  const replaySmall = { rate: medianOf(runs.replaySmall, rate), cpuMs: medianOf(runs.replaySmall, (r) => r.cpuMs), maxRssMb: medianOf(runs.replaySmall, (r) => r.maxRssMb), heapAfterGcMb: medianOf(runs.replaySmall, (r) => r.heapAfterGcMb) };
  const replayLarge = { rate: medianOf(runs.replayLarge, rate), maxRssMb: medianOf(runs.replayLarge, (r) => r.maxRssMb), heapAfterGcMb: medianOf(runs.replayLarge, (r) => r.heapAfterGcMb) };
  // Each round's replay against the bare loop of the same round; the rounds ranked by that ratio.
  const byRatio = (of: ChildResult[]) => runs.bare.map((b, i) => ({ figure: rate(of[i]!), baseline: rate(b) })).sort((x, y) => x.figure / x.baseline - y.figure / y.baseline);
  const spread = byRatio(runs.replaySmall);
  const prelistedSpread = byRatio(runs.prelisted);
  const medianRound = (rounds: typeof spread) => rounds[Math.floor(rounds.length / 2)]!;
  const smallName = `detached replay, ${SMALL.toLocaleString('en')} objects (list + skip sidecars + publish)`;
  const bareName = 'bare SendMessageBatch loop, same concurrency, same round';
  const rows: BenchRow[] = [
    row(`${smallName}: median of ${ROUNDS} rounds`, medianRound(spread).figure, bareName, medianRound(spread).baseline, 'obj/s', { target: '≥ 0.85', pass: (ratio) => ratio >= 0.85 }),
    row(`same: worst round`, spread[0]!.figure, bareName, spread[0]!.baseline, 'obj/s', { target: '≥ 0.8', pass: (ratio) => ratio >= 0.8 }),
    row(`same: best round`, spread.at(-1)!.figure, bareName, spread.at(-1)!.baseline, 'obj/s'),
    row(`same, listing served from memory (publishing pipeline alone): median round`, medianRound(prelistedSpread).figure, bareName, medianRound(prelistedSpread).baseline, 'obj/s'),
    row(`CPU time of the measuring process, ${SMALL.toLocaleString('en')} objects (median)`, replaySmall.cpuMs, 'of the bare loop', bare.cpuMs, 'ms'),
    row(`peak RSS at ${LARGE.toLocaleString('en')} objects`, replayLarge.maxRssMb, `at ${SMALL.toLocaleString('en')} objects`, replaySmall.maxRssMb, 'MB', {
      target: '≤ 1.1',
      pass: (ratio) => ratio <= 1.1,
    }),
    row(`heap in use after GC at ${LARGE.toLocaleString('en')} objects`, replayLarge.heapAfterGcMb, `at ${SMALL.toLocaleString('en')} objects`, replaySmall.heapAfterGcMb, 'MB'),
    row(`detached replay, ${LARGE.toLocaleString('en')} objects`, replayLarge.rate, `at ${SMALL.toLocaleString('en')} objects`, replaySmall.rate, 'obj/s'),
  ];

  // The path users take for a large prefix: 202, then page messages through the local page workers.
  const api = apiClient(platform.endpoints.api!, tenant.apiKey);
  const started = performance.now();
  const response = await api.post('/api/v1/replay', { from_execution_id: small, from_stage: 'stage', to_route: route.name });
  const done = await waitFor(
    'the execution to finish',
    async () => {
      const current = await api.get(`/api/v1/replay/executions/${response.body.execution_id}`);
      return current.body.status === 'publishing' ? undefined : current.body;
    },
    300_000,
    100,
  );
  const apiRate = done.objects_published / ((performance.now() - started) / 1000);
  rows.push(row(`POST /api/v1/replay, ${SMALL.toLocaleString('en')} objects, ${response.status} then page workers`, apiRate, 'bare SendMessageBatch loop (median round)', bare.rate, 'obj/s'));
  await purge();
  sqs.destroy();
  return { rows, notes: { warmUpObjects: WARM_UP, rounds: runs, seedSeconds, firstResponse: response.status, asyncStatus: done.status, published: done.objects_published, skipped: done.objects_skipped } };
}
