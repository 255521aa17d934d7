import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../lib/local/wait-for.ts';
import { apiClient } from '../support/api-client.ts';
import { runNpm, startLocalProcess, tempDataDir, type LocalProcess } from '../support/local-process.ts';
import { resolve } from 'node:path';

describe('npm start', () => {
  const dataDir = tempDataDir();
  let running: LocalProcess | undefined;

  afterAll(async () => {
    await running?.interrupt();
  });

  it('serves the ledger, stops on Ctrl-C, and keeps data and pending schedules across a restart', async () => {
    // Prepare: a fresh platform and a key made the way the README says
    running = await startLocalProcess(dataDir);
    expect(running.output()).toContain(`Create an API key:  DATA_DIR=${dataDir} npm run api-key -- create --org my-org --project my-project`);
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
    // The scheduled run writes a submission of its own when it completes, which can be before this reads (on a slow restart).
    expect((await again.get('/api/v1/replay/history?kind=sdk')).body.items.map((i: { id: string }) => i.id)).toEqual([posted.body.id]);
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
    // The stats count both submissions: the SDK's kept across the restart, and the run's.
    const items = await waitFor(
      "the run's ledger submission",
      async () => {
        const history = (await again.get('/api/v1/replay/history')).body.items as { kind: string; actions_replayed: number; divergences: number; cost_savings: number }[];
        return history.length === 2 ? history : undefined;
      },
      30_000,
      250,
    );
    expect(items.map((item) => item.kind).sort()).toEqual(['replay_run', 'sdk']);
    const sum = (field: 'actions_replayed' | 'divergences' | 'cost_savings') => items.reduce((total, item) => total + item[field], 0);
    expect((await again.get('/api/v1/replay/stats')).body).toEqual({ submissions: 2, actions_replayed: sum('actions_replayed'), divergences: sum('divergences'), cost_saved: sum('cost_savings') });
  });

  it('refuses to create a key with a bad org name', async () => {
    const result = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--project', 'p', '--org', 'bad org!'], { DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--org');
  });

  it('prints the api-key command for its DATA_DIR, and that command, run as printed, makes a working key', async () => {
    running ??= await startLocalProcess(dataDir);
    const printed = /Create an API key: {2}(.+)$/m.exec(running.output())?.[1];

    const made = await shell(printed!);

    expect(printed).toBe(`DATA_DIR=${dataDir} npm run api-key -- create --org my-org --project my-project`);
    expect(made.code).toBe(0);
    const key = made.stdout.trim().split('\n').at(-1)!;
    expect((await apiClient(running.endpoints.api!, key).get('/api/v1/replay/stats')).status).toBe(200);
  });
});

/** The processes whose command line names this data directory (java's -dbPath, fauxqs's --data-dir). */
function processesUsing(dir: string): { pid: number; ppid: number; args: string }[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => Boolean(match) && match![3]!.includes(dir))
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3]! }));
}

function shell(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn('sh', ['-c', command], { cwd: resolve(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolveRun({ code, stdout, stderr }));
  });
}

describe('npm start leaves nothing behind', () => {
  it('on a port in use: one line, a non-zero exit, and no emulator started', async () => {
    // Prepare: something already listens on the port.
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolveListen) => squatter.listen(0, '127.0.0.1', resolveListen));
    const { port } = squatter.address() as { port: number };
    const dir = tempDataDir();

    try {
      // Act
      const result = await runNpm(['start', '--silent'], { PORT: String(port), DATA_DIR: dir });

      // Assess
      expect(result.code).not.toBe(0);
      expect(`${result.stdout}${result.stderr}`.trim()).toBe(`port ${port} is in use: is Reprise already running? set PORT`);
      expect(processesUsing(dir)).toEqual([]);
    } finally {
      await new Promise((resolveClose) => squatter.close(resolveClose));
    }
  });

  it('when the platform process is killed with SIGKILL: DynamoDB Local and both fauxqs processes end too', async () => {
    // Prepare
    const dir = tempDataDir();
    const platform = await startLocalProcess(dir);
    const emulators = processesUsing(dir);
    const java = emulators.find((p) => p.args.includes('DynamoDBLocal.jar'));
    expect(java).toBeDefined();
    expect(emulators.filter((p) => p.args.includes('fauxqs-server.mjs'))).toHaveLength(2);

    // Act: the process that started them (java's parent), without a chance to clean up.
    process.kill(java!.ppid, 'SIGKILL');

    // Assess
    await waitFor('every emulator of the killed platform to end', async () => processesUsing(dir).length === 0, 15_000, 100);
    await platform.interrupt();
  });
});
