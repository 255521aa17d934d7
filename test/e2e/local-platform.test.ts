import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/local/wait-for.ts';
import { apiClient } from '../support/api-client.ts';
import { runNpm, startLocalProcess, tempDataDir, type LocalProcess } from '../support/local-process.ts';

describe('npm start', () => {
  const dataDir = tempDataDir();
  let running: LocalProcess | undefined;

  afterAll(async () => {
    await running?.interrupt();
  });

  it('serves the ledger, stops on Ctrl-C, and keeps data and pending schedules across a restart', async () => {
    // Prepare: a fresh platform and a key made the way the README says
    running = await startLocalProcess(dataDir);
    expect(running.output()).toContain('npm run api-key -- create');
    expect(running.endpoints).toMatchObject({
      region: 'us-east-1',
      dynamodb: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      sqs: expect.stringMatching(/^http:/),
      s3: expect.stringMatching(/^http:/),
      buckets: { outputs: expect.any(String), artifacts: expect.any(String) },
      queues: expect.objectContaining({ 'reprise-runs': expect.stringMatching(/\/reprise-runs$/) }),
    });
    const created = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--project', 'e2e-project', '--org', 'e2e-org'], { DATA_DIR: dataDir });
    expect(created.code).toBe(0);
    const apiKey = created.stdout.trim().split('\n').at(-1)!;
    expect(apiKey).toMatch(/^rpr_[A-Za-z0-9_-]{43}$/);
    const api = apiClient(running.endpoints.api!, apiKey);

    // Act
    const posted = await api.post('/api/v1/replay/e2e-run/results', {
      status: 'success',
      actions_replayed: 3,
      actions_total: 3,
      divergences: 0,
      cost_savings: 1.5,
    });
    // A replay run due after the restart: its schedule must survive it.
    const scheduledFor = new Date(Date.now() + 10_000);
    const scheduled = await api.post('/v2/replay-runs', {
      baseline: 'managed',
      candidate: 'managed_mini',
      replay_class: 'tokenized_performance',
      traces: [{ input_tokens: 1_000, output_tokens: 100, realized_reused_tokens: 400 }],
      scheduled_for: scheduledFor.toISOString(),
    });
    const firstRun = running;
    await firstRun.interrupt();
    const dynamoDbAfterStop = await fetch(firstRun.endpoints.dynamodb).then(
      () => 'still listening',
      () => 'stopped',
    );
    running = await startLocalProcess(dataDir);
    const again = apiClient(running.endpoints.api!, apiKey);

    // Assess
    expect(posted.status).toBe(201);
    expect(firstRun.output()).toContain('Stopping Reprise');
    expect(firstRun.output()).not.toMatch(/stop failed|Error/);
    expect(dynamoDbAfterStop).toBe('stopped');
    expect((await again.get('/api/v1/replay/history')).body.items.map((i: { id: string }) => i.id)).toEqual([posted.body.id]);
    expect((await again.get('/api/v1/replay/stats')).body).toEqual({ submissions: 1, actions_replayed: 3, divergences: 0, cost_saved: 1.5 });
    expect((await fetch(`${running.endpoints.api}/openapi.json`)).status).toBe(200);

    expect(scheduled.status).toBe(201);
    expect(scheduled.body).toMatchObject({ status: 'queued', scheduled_for: expect.any(String) });
    const completed = await waitFor(
      'the scheduled run to complete after the restart',
      async () => {
        const run = await again.get(`/v2/replay-runs/${scheduled.body.id}`);
        return run.body.status === 'completed' ? run.body : undefined;
      },
      60_000,
      250,
    );
    expect(Date.parse(completed.started_at)).toBeGreaterThanOrEqual(Math.floor(scheduledFor.getTime() / 1000) * 1000);
    expect(completed.metrics.metric_deltas.provider_cost_micros.baseline).toBeGreaterThan(0);
  });

  it('refuses to create a key with a bad org name', async () => {
    const result = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--project', 'p', '--org', 'bad org!'], { DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--org');
  });
});
