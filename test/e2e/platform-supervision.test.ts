import { createServer, type Server } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../functions/core/auth/api-key.ts';
import { tables } from '../../lib/catalogue.ts';
import { startPlatform, type EndpointsFile, type Platform } from '../../lib/local/platform.ts';
import { waitFor } from '../../lib/local/wait-for.ts';
import { apiClient } from '../support/api-client.ts';
import { tempDataDir } from '../support/local-process.ts';

/*
 * The platform in this process (as `npm start` runs it, without npm), with
 * its emulators killed under it: each comes back on its port, or the
 * platform says in one line why it must stop.
 */
let platform: Platform | undefined;
const told: string[] = [];
const fatal: string[] = [];
afterEach(async () => {
  await platform?.stop();
  platform = undefined;
  told.length = 0;
  fatal.length = 0;
});

const start = async (options: { dataDir?: string; sweepIntervalSeconds?: number } = {}) => {
  platform = await startPlatform({ port: 0, ...options, log: (line) => told.push(line), onFatal: (message) => fatal.push(message) });
  return platform;
};

function documents(endpoints: EndpointsFile) {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
}

const PROJECT_ID = `prj_${'0'.repeat(26)}`;

/** A key stored straight into the platform's key table (its own client: the endpoint differs per platform). */
async function newKey(endpoints: EndpointsFile): Promise<string> {
  const { key, keyHash } = generateApiKey();
  const client = documents(endpoints);
  await client.send(
    new PutCommand({
      TableName: endpoints.tables[tables.apiKeys.envName],
      Item: { key_hash: keyHash, key_id: 'key_supervision', org_id: 'org-supervision', project_id: PROJECT_ID, project_name: 'supervision', created_at: new Date().toISOString() },
    }),
  );
  client.destroy();
  return key;
}

const isGone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};
const health = async (api: string) => {
  const response = await fetch(`${api}/health`);
  return { status: response.status, body: (await response.json()) as { dependencies: Record<string, { status: string; reason?: string }> } };
};
const tokenizedRun = { baseline: 'managed', candidate: 'managed_mini', replay_class: 'tokenized_performance', traces: [{ input_tokens: 1_000, output_tokens: 100 }] };

describe('the local platform, when an emulator dies', () => {
  it('restarts DynamoDB Local on its port with its data, answering 503 in the family shape meanwhile', async () => {
    // Prepare: a platform with data, and a submission in the ledger.
    const { endpoints, processes } = await start({ dataDir: tempDataDir() });
    const api = apiClient(endpoints.api!, await newKey(endpoints));
    const posted = await api.post('/api/v1/replay/run_1/results', { status: 'success', actions_replayed: 2, actions_total: 2, divergences: 0, cost_savings: 0.5 });
    expect(posted.status).toBe(201);
    // DynamoDB Local answers a TransactWriteItems before it is on disk (killed at once, 5 of 10 were lost here); a
    // plain write after it is committed with it. This test is about the restart, not about that emulator's durability.
    await newKey(endpoints);
    const killed = processes().dynamodb!;

    // Act
    process.kill(killed, 'SIGKILL');
    const down = await waitFor('/health to report DynamoDB down', async () => {
      const seen = await health(endpoints.api!);
      return seen.status === 503 && seen;
    }, 10_000, 50);
    const duringOutage = await api.get('/api/v1/replay/stats');
    await waitFor('DynamoDB Local to be back, and /health ok', async () => told.some((line) => line.includes('running again')) && (await health(endpoints.api!)).status === 200, 30_000, 200);

    // Assess
    expect(down.body.dependencies.dynamodb).toEqual({ status: 'down', reason: 'connection refused' });
    expect([200, 503]).toContain(duringOutage.status);
    if (duringOutage.status === 503) expect(duringOutage.body).toMatchObject({ error_code: 'service_unavailable', correlation_id: expect.any(String) });
    expect(processes().dynamodb).not.toBe(killed);
    expect(new URL(endpoints.dynamodb).port).toBe(told.find((line) => line.includes('running again'))?.match(/port (\d+)/)?.[1]);
    expect(told[0]).toMatch(/^DynamoDB Local was killed by SIGKILL; restarting it on port \d+$/);
    expect((await api.get('/api/v1/replay/stats')).body).toEqual({ submissions: 1, actions_replayed: 2, divergences: 0, cost_saved: 0.5 });
    expect(fatal).toEqual([]);
  });

  it('restarts the SQS emulator on its port: a run created afterwards is run by the workers', async () => {
    const { endpoints, processes } = await start();
    const api = apiClient(endpoints.api!, await newKey(endpoints));
    const killed = processes().sqs!;

    process.kill(killed, 'SIGKILL');
    await waitFor('the SQS emulator to be back', async () => told.some((line) => line.startsWith('the SQS emulator (fauxqs) is running again')), 20_000);
    const created = await api.post('/v2/replay-runs', tokenizedRun);
    const run = await waitFor('the run to complete', async () => {
      const current = (await api.get(`/v2/replay-runs/${created.body.id}`)).body;
      return ['completed', 'failed'].includes(current.status) && current;
    }, 20_000, 200);

    expect(created.status).toBe(201);
    expect(run).toMatchObject({ status: 'completed', attempt: 1 });
    expect(told[0]).toMatch(/^the SQS emulator \(fauxqs\) was killed by SIGKILL; restarting it on port \d+$/);
    expect(fatal).toEqual([]);
  });

  it('says in one line why it must stop when an emulator cannot be restarted', async () => {
    // Prepare: something else takes DynamoDB Local's port the moment it is free.
    const { endpoints, processes } = await start();
    const port = Number(new URL(endpoints.dynamodb).port);
    const killed = processes().dynamodb!;
    let squatter: Server | undefined;

    // Act
    process.kill(killed, 'SIGKILL');
    await waitFor('DynamoDB Local to be gone', async () => isGone(killed), 10_000, 10);
    // Accepts and drops every connection: a port that is taken, not a service that hangs.
    squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter!.listen(port, '0.0.0.0', resolve));
    try {
      await waitFor('the platform to give up', async () => fatal.length > 0, 40_000, 100);
    } finally {
      await new Promise((resolve) => squatter?.close(resolve));
    }

    // Assess
    expect(fatal).toEqual([`DynamoDB Local was killed by SIGKILL and could not be restarted on port ${port}: java.net.BindException: Address already in use`]);
  });
});

describe('the local sweeper', () => {
  it('runs at start, not only minutes later: a run left running past its deadline by a crash fails at once', async () => {
    // Prepare: a run whose worker "died" while the platform was down (its deadline long past).
    const dataDir = tempDataDir();
    const first = await start({ dataDir });
    const key = await newKey(first.endpoints);
    const created = await apiClient(first.endpoints.api!, key).post('/v2/replay-runs', { ...tokenizedRun, scheduled_for: new Date(Date.now() + 3_600_000).toISOString() });
    const client = documents(first.endpoints);
    const past = new Date(Date.now() - 600_000).toISOString();
    await client.send(
      new UpdateCommand({
        TableName: first.endpoints.tables[tables.replay.envName],
        Key: { pk: `PRJ#${PROJECT_ID}`, sk: `RUN#${created.body.id}` },
        UpdateExpression: 'SET #status = :running, attempt = :one, started_at = :past, deadline_at = :past, sweep_pk = :running, sweep_sk = :past',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running', ':one': 1, ':past': past },
      }),
    );
    client.destroy();
    await first.stop();
    platform = undefined;

    // Act: start again, with the catalogue's sweep interval (5 minutes).
    const second = await start({ dataDir });
    const api = apiClient(second.endpoints.api!, key);
    const run = await waitFor('the sweeper to fail the run', async () => {
      const current = (await api.get(`/v2/replay-runs/${created.body.id}`)).body;
      return current.status === 'failed' && current;
    }, 20_000, 200);

    // Assess
    expect(run.failure_reason).toMatch(/did not finish/);
  });
});
