import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Platform } from '../lib/local/platform.ts';
import { waitFor } from '../lib/local/wait-for.ts';
import { benchClient } from './bench-client.ts';
import { median, row, runChild, type BenchRow } from './harness.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PROXY_CONNECTIONS = 16;
const INSTANT_REQUESTS = 5_000;
const INSTANT_CONCURRENCY = 50; // the replayer's in-flight bound for instant replays
const TIMED_SPAN_MS = 60_000;

interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

const load = (url: string, connections: number, run: string) => runChild<Load>('autocannon-child.ts', [url, String(connections), run]);

/** Starts bench/http-target-child.ts; resolves once it listens. */
function startTarget(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'http-target-child.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout!.once('data', (chunk: Buffer) => resolveStart({ url: (JSON.parse(chunk.toString().trim().split('\n')[0]!) as { url: string }).url, child }));
    child.once('exit', (code) => reject(new Error(`target exited ${code}`)));
  });
}

/** A HAR document of requests to /mark/<tag>/<i> at the given offsets. */
function har(tag: string, offsets: number[]) {
  const start = Date.parse('2026-01-01T00:00:00Z');
  return {
    log: {
      version: '1.2',
      creator: { name: 'bench', version: '1' },
      entries: offsets.map((offset, i) => ({
        startedDateTime: new Date(start + offset).toISOString(),
        time: 1,
        request: { method: 'GET', url: `https://api.example.com/mark/${tag}/${i}`, headers: [{ name: 'accept', value: 'application/json' }] },
        response: { status: 200, headers: [{ name: 'content-type', value: 'application/json' }], content: { size: 0 } },
      })),
    },
  };
}

/** Uneven gaps over exactly `spanMs`: mostly 20–400 ms, bursts 1 ms apart, some pauses of seconds (seeded, the same every run). */
function unevenOffsets(spanMs: number): number[] {
  let seed = 12_345;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const offsets = [0];
  while (offsets.at(-1)! < spanMs - 3_000) {
    const roll = random();
    const gap = roll < 0.1 ? 1 : roll < 0.95 ? 20 + Math.floor(random() * 380) : 1_000 + Math.floor(random() * 2_000);
    offsets.push(offsets.at(-1)! + gap);
  }
  offsets.push(spanMs);
  return offsets;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;

/**
 * Session replay: (1) the proxy's overhead against the same upstream called
 * directly, (2) an instant replay of 5,000 requests against autocannon at the
 * same concurrency on the same target, (3) a 1x replay of a 60 s session with
 * uneven gaps: how far each request lands from its scheduled offset, and the
 * replay's wall time against the session's span.
 */
export async function benchSessionReplay(platform: Platform): Promise<{ rows: BenchRow[]; notes: Record<string, unknown> }> {
  const target = await startTarget();
  try {
    const api = await benchClient(platform, 'bench-session-replay');
    const endpointOf = async (recording: boolean) => {
      const created = await api.post('/api/v1/proxy-endpoints', { name: `bench-${recording ? 'on' : 'off'}`, upstream_url: target.url, recording });
      if (created.status !== 201) throw new Error(`endpoint: ${JSON.stringify(created.body)}`);
      return created.body as { id: string; proxy_url: string };
    };
    const rows: BenchRow[] = [];

    // (1) Proxy overhead, recording on and off, against the upstream straight.
    const recordingOn = await endpointOf(true);
    const recordingOff = await endpointOf(false);
    await load(`${recordingOn.proxy_url}/warm`, 4, '2');
    const direct = await load(`${target.url}/bench`, PROXY_CONNECTIONS, String(SECONDS));
    const viaOff = await load(`${recordingOff.proxy_url}/bench`, PROXY_CONNECTIONS, String(SECONDS));
    const viaOn = await load(`${recordingOn.proxy_url}/bench`, PROXY_CONNECTIONS, String(SECONDS));
    for (const [name, via] of [['recording off', viaOff], ['recording on', viaOn]] as const) {
      if (via.errors || via.non2xx) throw new Error(`proxy (${name}): ${via.errors} errors, ${via.non2xx} non-2xx`);
      rows.push(row(`proxy throughput, ${name} (${PROXY_CONNECTIONS} connections)`, via.rps, 'upstream direct', direct.rps, 'req/s'));
      rows.push(row(`proxy latency p50, ${name}`, via.p50, 'upstream direct p50', direct.p50, 'ms'));
      rows.push(row(`proxy latency p99, ${name}`, via.p99, 'upstream direct p99', direct.p99, 'ms'));
    }

    // (2) Instant replay of 5,000 requests against autocannon at the same concurrency on the same target.
    const imported = await api.post(`/api/v1/proxy-endpoints/${recordingOff.id}/sessions/import`, har('instant', Array.from({ length: INSTANT_REQUESTS }, (_, i) => i)));
    if (imported.status !== 201) throw new Error(`import: ${JSON.stringify(imported.body).slice(0, 300)}`);
    const sessionPath = `/api/v1/proxy-endpoints/${recordingOff.id}/sessions/${imported.body.id}`;
    const replayWall = async (speed: string, timeoutMs: number) => {
      const created = await api.post(`${sessionPath}/replays`, { target_url: target.url, speed });
      if (created.status !== 202) throw new Error(`replay: ${JSON.stringify(created.body)}`);
      const done = await waitFor(
        `${speed} replay`,
        async () => {
          const replay = (await api.get(`${sessionPath}/replays/${created.body.id}?limit=1`)).body;
          return ['completed', 'failed', 'canceled'].includes(replay.status) ? replay : undefined;
        },
        timeoutMs,
        50,
      );
      if (done.status !== 'completed' || done.summary.failed) throw new Error(`${speed} replay ended ${done.status}: ${JSON.stringify(done.summary)} ${done.failure_reason ?? ''}`);
      return Date.parse(done.completed_at) - Date.parse(done.started_at);
    };
    const instantMs: number[] = [];
    const autocannonRps: number[] = [];
    for (let round = 0; round < Number(process.env.BENCH_ROUNDS ?? 3); round++) {
      instantMs.push(await replayWall('instant', 120_000));
      autocannonRps.push((await load(`${target.url}/bench`, INSTANT_CONCURRENCY, `amount=${INSTANT_REQUESTS}`)).rps);
    }
    rows.push(
      row(`instant replay, ${INSTANT_REQUESTS.toLocaleString('en')} requests, median`, INSTANT_REQUESTS / (median(instantMs) / 1000), `autocannon, ${INSTANT_CONCURRENCY} connections`, median(autocannonRps), 'req/s', {
        target: '≥ 0.5',
        pass: (ratio) => ratio >= 0.5,
      }),
    );

    // (3) 1x replay of a 60 s session with uneven gaps.
    const offsets = unevenOffsets(TIMED_SPAN_MS);
    const timed = await api.post(`/api/v1/proxy-endpoints/${recordingOff.id}/sessions/import`, har('timed', offsets));
    if (timed.status !== 201) throw new Error(`import: ${JSON.stringify(timed.body).slice(0, 300)}`);
    const timedCreated = await api.post(`/api/v1/proxy-endpoints/${recordingOff.id}/sessions/${timed.body.id}/replays`, { target_url: target.url, speed: '1x' });
    const timedPath = `/api/v1/proxy-endpoints/${recordingOff.id}/sessions/${timed.body.id}/replays/${timedCreated.body.id}`;
    const timedDone = await waitFor(
      '1x replay',
      async () => {
        const replay = (await api.get(`${timedPath}?limit=1`)).body;
        return ['completed', 'failed', 'canceled'].includes(replay.status) ? replay : undefined;
      },
      TIMED_SPAN_MS + 60_000,
      100,
    );
    if (timedDone.status !== 'completed') throw new Error(`1x replay ended ${timedDone.status}`);
    const arrivals = ((await (await fetch(`${target.url}/__arrivals?tag=timed`)).json()) as { index: number; at: number }[]).sort((a, b) => a.index - b.index);
    if (arrivals.length !== offsets.length) throw new Error(`the target saw ${arrivals.length} of ${offsets.length} requests`);
    // Offsets measured from the replay's start, as the replayer schedules them (not from the first arrival).
    const startMs = Date.parse(timedDone.started_at);
    const errors = arrivals.map((arrival) => Math.abs(arrival.at - startMs - offsets[arrival.index]!));
    const wallMs = Date.parse(timedDone.completed_at) - Date.parse(timedDone.started_at);
    const aim5 = { target: '≤ 1', pass: (ratio: number) => ratio <= 1 };
    rows.push(row(`1x replay: |actual − scheduled offset| p50 (${offsets.length} requests over 60 s)`, percentile(errors, 50), 'aim', 5, 'ms', aim5));
    rows.push(row('1x replay: |actual − scheduled offset| p99', percentile(errors, 99), 'aim', 5, 'ms', aim5));
    rows.push(row('1x replay: wall time, start to completed', wallMs, "session's span", TIMED_SPAN_MS, 'ms', { target: '≤ 1.01', pass: (ratio) => ratio <= 1.01 }));

    return {
      rows,
      notes: {
        seconds_per_proxy_run: SECONDS,
        proxy_connections: PROXY_CONNECTIONS,
        instant_rounds_ms: instantMs,
        autocannon_rounds_rps: autocannonRps,
        timed_requests: offsets.length,
        timed_max_offset_error_ms: Math.max(...errors),
      },
    };
  } finally {
    target.child.stdin!.end();
  }
}
