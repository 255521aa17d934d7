import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import pLimit from 'p-limit';
import { transactionFor } from '../functions/adapters/dynamodb/ledger-store.ts';
import { utcDayOf } from '../functions/core/ledger/daily.ts';
import { deploymentOf } from '../functions/core/ledger/history-filter.ts';
import { DEFAULT_KIND, usdToMicros, type Submission } from '../functions/core/ledger/submission.ts';
import { newUuidV7 } from '../functions/shared/ids.ts';
import { tables } from '../lib/catalogue.ts';
import type { Platform } from '../lib/local/platform.ts';
import { startHttpGateway } from '../lib/local/http-gateway.ts';
import { apiClient } from '../test/support/api-client.ts';
import { createKey } from '../test/support/tenants.ts';
import { benchClient } from './bench-client.ts';
import { medianLatency, row, throughput, type BenchRow } from './harness.ts';

const CONCURRENCY = 16;
const WRITES = 2_000;
const READS = 2_000;
const BIG_ORG_SUBMISSIONS = 100_000;
const SMALL_ORG_SUBMISSIONS = 10;
const DEEP = 10_000;
const DEEPEST = 90_000;

const body = { status: 'success' as const, actions_replayed: 9, actions_total: 10, divergences: 1, cost_savings: 0.05 };

/**
 * Ledger through the local HTTP server: write and read throughput, and the
 * cost of stats and of deep history pages at 10 and at 100,000 submissions.
 */
export async function benchLedger(platform: Platform): Promise<{ rows: BenchRow[]; notes: Record<string, unknown> }> {
  const ledgerTable = platform.endpoints.tables[tables.ledger.envName]!;
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.endpoints.dynamodb, region: platform.endpoints.region }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const newKey = (orgId: string) => benchClient(platform, orgId, 'bench');
  const rows: BenchRow[] = [];

  // Writes: the API (HTTP, authorizer, validation, one transaction) against the same transaction sent straight to DynamoDB.
  const writer = await newKey('bench-writes');
  const apiWrites = await throughput(WRITES, CONCURRENCY, (i) => writer.post(`/api/v1/replay/run-${i % 50}/results`, body));
  const directWrites = await throughput(WRITES, CONCURRENCY, (i) => doc.send(new TransactWriteCommand({ TransactItems: bareTransaction(ledgerTable, i) })));
  rows.push(row('POST …/results throughput', apiWrites, "the same transaction (the adapter's), SDK direct", directWrites, 'req/s'));

  // Reads: each endpoint against the same DynamoDB reads sent straight from the SDK.
  const statsKey = { pk: 'ORG#bench-writes', sk: 'STATS' };
  const pageQuery = new QueryCommand({
    TableName: ledgerTable,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
    ExpressionAttributeValues: { ':pk': 'ORG#bench-writes', ':sub': 'SUB#' },
    ScanIndexForward: false,
    Limit: 51,
  });
  const historyRate = await throughput(READS, CONCURRENCY, () => writer.get('/api/v1/replay/history?limit=50'));
  const directHistory = await throughput(READS, CONCURRENCY, () =>
    Promise.all([doc.send(pageQuery), doc.send(new GetCommand({ TableName: ledgerTable, Key: statsKey }))]),
  );
  const statsRate = await throughput(READS, CONCURRENCY, () => writer.get('/api/v1/replay/stats'));
  const directStats = await throughput(READS, CONCURRENCY, () => doc.send(new GetCommand({ TableName: ledgerTable, Key: statsKey })));
  rows.push(row('GET /history (50 items) throughput', historyRate, 'same reads, SDK direct', directHistory, 'req/s'));
  rows.push(row('GET /stats throughput', statsRate, 'same read, SDK direct', directStats, 'req/s'));

  // The local gateway reuses a key's authorizer answer (verdictTtlSeconds): against a gateway that asks every time, same functions.
  const asking = await startHttpGateway({ port: 0, functions: platform.functions!, verdictTtlSeconds: 0 });
  try {
    const key = await createKey('bench-writes', 'bench');
    const askingWriter = apiClient(asking.url, key);
    const reusingWriter = apiClient(platform.endpoints.api!, key);
    const askingP50 = await medianLatency(500, () => askingWriter.get('/api/v1/replay/stats'), 50);
    const reusingP50 = await medianLatency(500, () => reusingWriter.get('/api/v1/replay/stats'), 50);
    rows.push(row('GET /stats p50, authorizer answer reused per key', reusingP50, 'authorizer asked every time', askingP50, 'ms'));
  } finally {
    await asking.stop();
  }

  // Constant cost: the same reads at 10 and at 100,000 submissions.
  const small = await newKey('bench-small');
  for (let i = 0; i < SMALL_ORG_SUBMISSIONS; i++) await small.post('/api/v1/replay/r/results', body);
  const seedStarted = Date.now();
  await seedOrg(doc, ledgerTable, 'bench-big', BIG_ORG_SUBMISSIONS);
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  const big = await newKey('bench-big');
  const bigStats = await big.get('/api/v1/replay/stats');
  if (bigStats.body.submissions !== BIG_ORG_SUBMISSIONS) throw new Error(`seeded org reports ${bigStats.body.submissions} submissions`);

  const near1 = { target: '≤ 1.5', pass: (r: number) => r <= 1.5 };
  const statsSmall = await medianLatency(200, () => small.get('/api/v1/replay/stats'));
  const statsBig = await medianLatency(200, () => big.get('/api/v1/replay/stats'));
  rows.push(row('GET /stats p50 at 100,000 submissions', statsBig, 'at 10 submissions', statsSmall, 'ms', near1));

  const firstPage = await medianLatency(100, () => big.get('/api/v1/replay/history?limit=50'));
  for (const depth of [DEEP, DEEPEST]) {
    const cursor = await cursorAtDepth(big, depth);
    const atDepth = await medianLatency(100, () => big.get(`/api/v1/replay/history?limit=50&cursor=${cursor}`));
    rows.push(row(`GET /history p50, cursor at depth ${depth.toLocaleString('en')}`, atDepth, 'first page', firstPage, 'ms', near1));
  }
  const skipDeep = await medianLatency(10, () => big.get(`/api/v1/replay/history?limit=50&skip=${DEEP}`), 2);
  rows.push(row(`GET /history p50, skip=${DEEP.toLocaleString('en')}`, skipDeep, 'first page', firstPage, 'ms'));

  doc.destroy();
  return { rows, notes: { concurrency: CONCURRENCY, writes: WRITES, reads: READS, seeded: BIG_ORG_SUBMISSIONS, seedSeconds } };
}

/** The transaction the API sends for submission `i` (the adapter's own), for an org of the bench's. */
function bareTransaction(table: string, i: number) {
  const at = new Date();
  const submission: Submission = { id: newUuidV7(), run_id: `run-${i % 50}`, submitted_at: at.toISOString(), ...body, kind: DEFAULT_KIND };
  return transactionFor(table, { orgId: 'bench-direct', submission, costSavedMicros: usdToMicros(body.cost_savings), day: utcDayOf(at), deployment: deploymentOf(submission) });
}

/** Writes `count` submissions and matching counters straight into the table (the API would take minutes). */
async function seedOrg(doc: DynamoDBDocumentClient, table: string, orgId: string, count: number): Promise<void> {
  const limit = pLimit(16);
  const batches = Math.ceil(count / 25);
  await Promise.all(
    Array.from({ length: batches }, () =>
      limit(async () => {
        let requests = Array.from({ length: 25 }, () => {
          const id = newUuidV7();
          return { PutRequest: { Item: { pk: `ORG#${orgId}`, sk: `SUB#${id}`, id, run_id: 'seed', submitted_at: new Date().toISOString(), ...body } } };
        });
        while (requests.length) {
          const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }),
    ),
  );
  await doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: table,
            Item: { pk: `ORG#${orgId}`, sk: 'STATS', submissions: batches * 25, actions_replayed: batches * 25 * 9, divergences: batches * 25, cost_saved_micros: batches * 25 * 50_000 },
          },
        },
      ],
    }),
  );
}

async function cursorAtDepth(api: ReturnType<typeof apiClient>, depth: number): Promise<string> {
  // Skip to just before the depth (one slow read), then take a real cursor from there.
  const page = await api.get(`/api/v1/replay/history?limit=1&skip=${depth - 1}`);
  return page.body.next_cursor;
}
