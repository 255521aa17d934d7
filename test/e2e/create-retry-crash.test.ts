import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/local/wait-for.ts';
import { apiClient } from '../support/api-client.ts';
import { runNpm, startLocalProcess, tempDataDir, type LocalProcess } from '../support/local-process.ts';

const TRIALS = 6;
const traces = [
  { input_tokens: 10_000, output_tokens: 500, realized_reused_tokens: 6_000 },
  { input_tokens: 8_000, output_tokens: 400, realized_reused_tokens: 4_000 },
];
const body = (i: number) => ({ baseline: 'managed', candidate: 'managed_mini', replay_class: 'tokenized_performance', traces, repetitions: i + 1 });

/*
 * A client creates runs, the platform is killed (-9) while the creates are
 * in flight, and the client retries each with its Idempotency-Key once the
 * platform is back: whatever each first request got to before the kill,
 * there is never more than one run per key, and every run completes.
 */
describe('a create retried after a crash', () => {
  const dataDir = tempDataDir();
  let running: LocalProcess | undefined;
  afterAll(() => running?.interrupt());

  it('leaves exactly one run per Idempotency-Key, and each run completes', async () => {
    // Prepare
    running = await startLocalProcess(dataDir);
    const created = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--org', 'crash-org', '--project', 'crash'], { DATA_DIR: dataDir });
    const key = created.stdout.trim().split('\n').at(-1)!;
    const api = () => apiClient(running!.endpoints.api!, key);
    const create = (i: number) => api().request('POST', '/v2/replay-runs', { body: body(i), headers: { 'idempotency-key': `crash-${i}` } });

    // Act: creates leave a few milliseconds apart; the kill lands among them
    // Settled at once, so that a connection the kill cuts is an outcome of the trial, not an unhandled rejection.
    const first = Array.from({ length: TRIALS }, (_, i) =>
      new Promise((resolve) => setTimeout(resolve, i * 4))
        .then(() => create(i))
        .then(
          (value) => ({ status: 'fulfilled' as const, value }),
          () => ({ status: 'rejected' as const }),
        ),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    await running.kill();
    const answers = await Promise.all(first);
    running = await startLocalProcess(dataDir);
    const retries: Awaited<ReturnType<typeof create>>[] = [];
    for (let i = 0; i < TRIALS; i++) retries.push(await create(i));

    // Assess: one run per key, the retry's; a first answer that was a 201 names that run (unless the emulator lost its write)
    expect(retries.map((r) => r.status)).toEqual(Array(TRIALS).fill(201));
    const runs = (await api().get('/v2/replay-runs?limit=100')).body.data as { id: string; repetitions: number }[];
    expect(runs.map((run) => run.id).sort()).toEqual(retries.map((r) => r.body.id).sort());
    for (const [i, answer] of answers.entries()) {
      if (answer.status === 'fulfilled' && answer.value.status === 201) expect([retries[i]!.body.id]).toContain(answer.value.body.id);
    }
    expect(runs.map((run) => run.repetitions).sort()).toEqual(Array.from({ length: TRIALS }, (_, i) => i + 1));
    await waitFor(
      'every run to complete',
      async () => {
        const statuses = await Promise.all(retries.map(async (r) => (await api().get(`/v2/replay-runs/${r.body.id}`)).body.status));
        return statuses.every((status) => status === 'completed') ? statuses : undefined;
      },
      60_000,
      200,
    );
  });
});
