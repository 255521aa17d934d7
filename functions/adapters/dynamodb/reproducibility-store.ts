import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AgentRecord } from '#core/reproducibility/agent.ts';
import type { AgentStore, RunStore, SessionQuery, SessionStore, StoredChunk } from '#core/reproducibility/ports.ts';
import type { AttemptRecord, RunRecord } from '#core/reproducibility/run.ts';
import type { SessionRecord } from '#core/reproducibility/session.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';
import { batchGetAll } from './batch-get.ts';
import { MAX_TRANSACTION_ATTEMPTS, transactionBackoff, unlessConditionFails, whenConditionHolds } from './conditional.ts';
import { queryBelow } from './query-below.ts';
import { queryUpTo } from './query-up-to.ts';
import { claimKey, claimPut, findClaim } from './run-claim.ts';

/*
 * Items of the reproducibility table (pk, sk), every key from the project id:
 *   PRJ#<project>                    SES#<session id>        a session (summary, replay context ref, counters)
 *   PRJ#<project>#SES#<session id>   C#<chunk id>            a chunk of its events (inline JSON, or the S3 key)
 *   PRJ#<project>#SES#<session id>   D#<dedupe key>          a chunk already stored for an OTLP export or Idempotency-Key (TTL)
 *   PRJ#<project>#Q#<word>           <started_at>#<session>  a session found by a word (search)
 *   PRJ#<project>                    AGT#<agent id>          an agent and its replay_url
 *   PRJ#<project>                    RUN#<run id>            a reproducibility run
 *   PRJ#<project>#RUN#<run id>       ATT#<index>             an attempt of it
 *   PRJ#<project>#IDEM#<sha256>      IDEM                    an Idempotency-Key of a run create (TTL)
 * Indexes (sparse):
 *   list (list_pk, list_sk)    sessions by replayable, and runs by session, newest first
 *   by_agent (agent_pk, …)     the same per agent
 *   sweep (sweep_pk, sweep_sk) attempts running (by deadline) and active runs (by stall deadline)
 */
const SES = 'SES#';
const AGT = 'AGT#';
const RUN = 'RUN#';
const DAY_SECONDS = 86_400;
const projectPk = (projectId: string) => `PRJ#${projectId}`;
const chunksPk = (projectId: string, sessionId: string) => `PRJ#${projectId}#SES#${sessionId}`;
const attemptsPk = (projectId: string, runId: string) => `PRJ#${projectId}#RUN#${runId}`;
const wordPk = (projectId: string, word: string) => `PRJ#${projectId}#Q#${word}`;
const listKey = (session: Pick<SessionRecord, 'started_at' | 'id'>) => `${session.started_at}#${session.id}`;
const flag = (replayable: boolean) => (replayable ? '1' : '0');
const SWEEP_ATTEMPT = 'repro-attempt';
const SWEEP_RUN = 'repro-run';

export type ReproducibilityStore = SessionStore & AgentStore & RunStore;

/** Sessions, agents, runs and attempts in one DynamoDB table; state moves by conditional writes. */
export function createDynamoReproducibilityStore(tableName: string): ReproducibilityStore {
  const get = async (key: { pk: string; sk: string }) => (await dynamoDb.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  function sessionItem(record: SessionRecord) {
    const replayable = flag(record.context !== null);
    return {
      pk: projectPk(record.project_id),
      sk: SES + record.id,
      ...record,
      list_pk: `${projectPk(record.project_id)}#SES#R#${replayable}`,
      list_sk: listKey(record),
      agent_pk: `${projectPk(record.project_id)}#SES#A#${record.agent_id}#R#${replayable}`,
      agent_sk: listKey(record),
    };
  }

  const chunkPut = (record: SessionRecord, chunk: StoredChunk) => ({
    Put: {
      TableName: tableName,
      Item: { pk: chunksPk(record.project_id, record.id), sk: `C#${chunk.id}`, id: chunk.id, time: chunk.time, count: chunk.count, bytes: chunk.bytes, events_json: chunk.eventsJson, events_key: chunk.eventsKey },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  const dedupePut = (record: SessionRecord, dedupeKey: string, at: string) => ({
    Put: {
      TableName: tableName,
      Item: { pk: chunksPk(record.project_id, record.id), sk: `D#${dedupeKey}`, expires_at: Math.floor(Date.parse(at) / 1000) + DAY_SECONDS },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  const wordPuts = (record: SessionRecord) =>
    record.words.map((word) => ({
      Put: { TableName: tableName, Item: { pk: wordPk(record.project_id, word), sk: listKey(record), session_id: record.id, agent_id: record.agent_id, words: record.words } },
    }));
  const wordsChanged = (a: readonly string[], b: readonly string[]) => a.length !== b.length || a.some((word, i) => word !== b[i]);

  async function transact(items: object[]): Promise<string[] | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        await dynamoDb.send(new TransactWriteCommand({ TransactItems: items as never }));
        return undefined;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
        if (codes.includes('ConditionalCheckFailed')) return codes;
        if (!codes.includes('TransactionConflict') || attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
        await transactionBackoff(attempt);
      }
    }
  }

  async function sessionsByKeys(projectId: string, ids: string[]): Promise<SessionRecord[]> {
    const items = await batchGetAll(tableName, ids.map((id) => ({ pk: projectPk(projectId), sk: SES + id })), 'sessions', { consistentRead: false });
    const found = new Map(items.map((item) => [String(item.id), toSession(item)] as const));
    return ids.map((id) => found.get(id)).filter((s): s is SessionRecord => Boolean(s));
  }

  /** One index partition, newest first, within the query's time range and below its cursor. */
  async function listPartition(indexName: string, pkName: string, skName: string, pk: string, query: SessionQuery | { before?: string | undefined }, count: number, filter?: Partial<QueryCommandInput>) {
    const range = sortRange(query);
    const names: Record<string, string> = { '#pk': pkName, ...(range.low !== undefined || range.high !== undefined ? { '#sk': skName } : {}) };
    const values: Record<string, unknown> = { ':pk': pk };
    let condition = '#pk = :pk';
    if (range.low !== undefined && range.high !== undefined) {
      condition += ' AND #sk BETWEEN :low AND :high';
      Object.assign(values, { ':low': range.low, ':high': range.high });
    } else if (range.high !== undefined) {
      condition += ' AND #sk <= :high';
      values[':high'] = range.high;
    } else if (range.low !== undefined) {
      condition += ' AND #sk >= :low';
      values[':low'] = range.low;
    }
    const { items } = await queryUpTo(
      dynamoDb,
      {
        TableName: tableName,
        ...(indexName ? { IndexName: indexName } : {}),
        KeyConditionExpression: condition,
        ScanIndexForward: false,
        ...filter,
        ExpressionAttributeNames: { ...names, ...filter?.ExpressionAttributeNames },
        ExpressionAttributeValues: { ...values, ...filter?.ExpressionAttributeValues },
      },
      count + 1,
    );
    return items.filter((item) => item[skName] !== query.before).slice(0, count);
  }

  return {
    async getSession(projectId, sessionId) {
      const item = await get({ pk: projectPk(projectId), sk: SES + sessionId });
      return item ? toSession(item) : undefined;
    },

    async createSession(record, chunk, dedupeKey) {
      const items: object[] = [{ Put: { TableName: tableName, Item: sessionItem(record), ConditionExpression: 'attribute_not_exists(pk)' } }];
      if (chunk) items.push(chunkPut(record, chunk));
      if (dedupeKey) items.push(dedupePut(record, dedupeKey, record.created_at));
      items.push(...wordPuts(record));
      return (await transact(items)) === undefined;
    },

    async appendChunk(record, previousVersion, chunk, dedupeKey) {
      const items: object[] = [
        { Put: { TableName: tableName, Item: sessionItem(record), ConditionExpression: 'version = :previous', ExpressionAttributeValues: { ':previous': previousVersion } } },
        chunkPut(record, chunk),
      ];
      if (dedupeKey) items.push(dedupePut(record, dedupeKey, record.updated_at));
      const before = await get({ pk: projectPk(record.project_id), sk: SES + record.id });
      if (before && wordsChanged((before.words as string[]) ?? [], record.words)) items.push(...wordPuts(record));
      const failed = await transact(items);
      if (!failed) return 'ok';
      return dedupeKey && failed[2] === 'ConditionalCheckFailed' ? 'duplicate' : 'conflict';
    },

    async chunks(projectId, sessionId) {
      const { items } = await queryUpTo(
        dynamoDb,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
          ExpressionAttributeValues: { ':pk': chunksPk(projectId, sessionId), ':c': 'C#' },
          ConsistentRead: true,
        },
        100_000,
      );
      return items.map(toChunk);
    },

    async chunk(projectId, sessionId, chunkId) {
      const item = await get({ pk: chunksPk(projectId, sessionId), sk: `C#${chunkId}` });
      return item ? toChunk(item) : undefined;
    },

    async listSessions(projectId, query) {
      const flags = query.replayable === undefined ? [true, false] : [query.replayable];
      const partitions = await Promise.all(
        flags.map((replayable) =>
          query.agentId
            ? listPartition('by_agent', 'agent_pk', 'agent_sk', `${projectPk(projectId)}#SES#A#${query.agentId}#R#${flag(replayable)}`, query, query.limit + 1)
            : listPartition('list', 'list_pk', 'list_sk', `${projectPk(projectId)}#SES#R#${flag(replayable)}`, query, query.limit + 1),
        ),
      );
      const merged = partitions.flat().sort((a, b) => (String(a.list_sk) < String(b.list_sk) ? 1 : -1));
      return { items: merged.slice(0, query.limit).map(toSession), hasMore: merged.length > query.limit };
    },

    async searchSessions(projectId, word, alsoWords, query) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const conditions: string[] = [];
      alsoWords.forEach((other, i) => {
        conditions.push(`contains(words, :w${i})`);
        values[`:w${i}`] = other;
      });
      if (query.agentId) {
        conditions.push('agent_id = :agent');
        values[':agent'] = query.agentId;
      }
      const filter = conditions.length ? { FilterExpression: conditions.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values } : undefined;
      const found: SessionRecord[] = [];
      let before = query.before;
      // Replayability is read from the sessions: keep reading the word's partition until the page is full.
      for (let round = 0; found.length <= query.limit && round < 20; round++) {
        const hits = await listPartition('', 'pk', 'sk', wordPk(projectId, word), { ...query, before }, query.limit + 1, filter);
        const sessions = await sessionsByKeys(projectId, hits.map((hit) => String(hit.session_id)));
        found.push(...sessions.filter((s) => query.replayable === undefined || (s.context !== null) === query.replayable));
        if (hits.length < query.limit + 1) break;
        before = String(hits.at(-1)!.sk);
      }
      return { items: found.slice(0, query.limit), hasMore: found.length > query.limit };
    },

    async getAgent(projectId, agentId) {
      const item = await get({ pk: projectPk(projectId), sk: AGT + agentId });
      return item ? toAgent(item) : undefined;
    },

    async listAgents(projectId, page) {
      const { items } = await queryUpTo(
        dynamoDb,
        {
          TableName: tableName,
          KeyConditionExpression: page.after ? 'pk = :pk AND sk BETWEEN :after AND :end' : 'pk = :pk AND begins_with(sk, :agt)',
          ExpressionAttributeValues: { ':pk': projectPk(projectId), ...(page.after ? { ':after': `${AGT}${page.after}\u0000`, ':end': `${AGT}\uffff` } : { ':agt': AGT }) },
        },
        page.limit + 1,
      );
      return { items: items.slice(0, page.limit).map(toAgent), hasMore: items.length > page.limit };
    },

    async sawSession(projectId, agentId, at) {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: projectPk(projectId), sk: AGT + agentId },
          UpdateExpression: 'SET agent_id = :id, first_seen_at = if_not_exists(first_seen_at, :at), last_seen_at = :at ADD session_count :one',
          ExpressionAttributeValues: { ':id': agentId, ':at': at, ':one': 1 },
        }),
      );
    },

    async updateAgent(projectId, agentId, change, at) {
      const sets = ['agent_id = :id', 'updated_at = :at'];
      const removes: string[] = [];
      const values: Record<string, unknown> = { ':id': agentId, ':at': at };
      if (change.replay_url === null) removes.push('replay_url');
      else if (change.replay_url !== undefined) {
        sets.push('replay_url = :url');
        values[':url'] = change.replay_url;
      }
      if (change.ignore_paths !== undefined) {
        sets.push('ignore_paths = :ignore');
        values[':ignore'] = change.ignore_paths;
      }
      const { Attributes } = await dynamoDb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: projectPk(projectId), sk: AGT + agentId },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toAgent(Attributes!);
    },

    async createRun(run, claim) {
      const putRun = { TableName: tableName, Item: runItem(run), ConditionExpression: 'attribute_not_exists(pk)' };
      if (!claim) {
        await dynamoDb.send(new PutCommand(putRun));
        return { created: true };
      }
      const failed = await transact([{ Put: putRun }, { Put: claimPut(tableName, run.project_id, run.id, claim) }]);
      if (!failed) return { created: true };
      const existing = await findClaim(tableName, run.project_id, claim);
      if (!existing) throw new Error('The Idempotency-Key claim failed but no claim is stored');
      return { existing };
    },

    findClaim: (projectId, claim) => findClaim(tableName, projectId, claim),

    async deleteRun(projectId, runId, keyHash) {
      await dynamoDb.send(new DeleteCommand({ TableName: tableName, Key: { pk: projectPk(projectId), sk: RUN + runId } }));
      if (keyHash) {
        await whenConditionHolds(() =>
          dynamoDb.send(new DeleteCommand({ TableName: tableName, Key: claimKey(projectId, keyHash), ConditionExpression: 'run_id = :run', ExpressionAttributeValues: { ':run': runId } })),
        );
      }
    },

    async getRun(projectId, runId) {
      const item = await get({ pk: projectPk(projectId), sk: RUN + runId });
      return item ? toRun(item) : undefined;
    },

    async listRuns(projectId, query) {
      const before = query.before;
      let items: Record<string, unknown>[];
      if (query.sessionId) {
        const filter = query.agentId ? { FilterExpression: 'agent_id = :agent', ExpressionAttributeValues: { ':agent': query.agentId } } : undefined;
        items = await listPartition('list', 'list_pk', 'list_sk', `${projectPk(projectId)}#RUN#S#${query.sessionId}`, { before }, query.limit + 1, filter);
      } else if (query.agentId) {
        items = await listPartition('by_agent', 'agent_pk', 'agent_sk', `${projectPk(projectId)}#RUN#A#${query.agentId}`, { before }, query.limit + 1);
      } else {
        items = await queryBelow(dynamoDb, { tableName, pk: projectPk(projectId), prefix: RUN, before: before ? RUN + before : undefined, count: query.limit + 1 });
      }
      return { items: items.slice(0, query.limit).map(toRun), hasMore: items.length > query.limit };
    },

    async cancelRun(projectId, runId, at) {
      const updated = await unlessConditionFails(() =>
        dynamoDb.send(activeRunUpdate(projectId, runId, 'SET #status = :canceled, completed_at = :at REMOVE sweep_pk, sweep_sk', { ':canceled': 'canceled', ':at': at }, 'ALL_NEW')),
      );
      return updated?.Attributes ? toRun(updated.Attributes) : undefined;
    },

    markRunning: (projectId, runId, startedAt) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: projectPk(projectId), sk: RUN + runId },
            ConditionExpression: '#status = :queued',
            UpdateExpression: 'SET #status = :running, started_at = :started',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':queued': 'queued', ':running': 'running', ':started': startedAt },
          }),
        ),
      ),

    claimAttempt: (projectId, runId, attempt) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...attemptKey(projectId, runId, attempt.index), project_id: projectId, run_id: runId, ...attempt, sweep_pk: SWEEP_ATTEMPT, sweep_sk: attempt.deadline_at },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),

    async getAttempt(projectId, runId, index) {
      const item = await get(attemptKey(projectId, runId, index));
      return item ? toAttempt(item) : undefined;
    },

    async attempts(projectId, runId) {
      const { items } = await queryUpTo(
        dynamoDb,
        { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': attemptsPk(projectId, runId) }, ConsistentRead: true },
        1_000,
      );
      return items.map(toAttempt);
    },

    async attemptSummaries(projectId, runId) {
      const { items } = await queryUpTo(
        dynamoDb,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': attemptsPk(projectId, runId) },
          ProjectionExpression: SUMMARY_FIELDS.map((_, i) => `#f${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(SUMMARY_FIELDS.map((field, i) => [`#f${i}`, field])),
          ConsistentRead: true,
        },
        1_000,
      );
      return items.map((item) => {
        const { body: _body, ...summary } = toAttempt(item);
        return summary;
      });
    },

    async endedAttempts(projectId, runId) {
      // Counted by DynamoDB: nothing but the count comes back.
      let ended = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamoDb.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: '#status <> :running',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pk': attemptsPk(projectId, runId), ':running': 'running' },
            Select: 'COUNT',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        ended += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return ended;
    },

    finishAttempt: (projectId, runId, index, outcome, token) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: attemptKey(projectId, runId, index),
            ConditionExpression: token === undefined ? '#status = :running' : '#status = :running AND #token = :token',
            UpdateExpression:
              'SET #status = :status, finished_at = :finished, http_status = :http, latency_ms = :latency, body = :body, body_bytes = :bytes, excerpt = :excerpt, #error = :error REMOVE sweep_pk, sweep_sk',
            ExpressionAttributeNames: { '#status': 'status', '#error': 'error', ...(token === undefined ? {} : { '#token': 'token' }) },
            ExpressionAttributeValues: {
              ':running': 'running',
              ':status': outcome.status,
              ':finished': outcome.finished_at,
              ':http': outcome.http_status,
              ':latency': outcome.latency_ms,
              ':body': outcome.body,
              ':bytes': outcome.body_bytes,
              ':excerpt': outcome.excerpt,
              ':error': outcome.error,
              ...(token === undefined ? {} : { ':token': token }),
            },
          }),
        ),
      ),

    abandonAttempt: (projectId, runId, index, outcome) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...attemptKey(projectId, runId, index), project_id: projectId, run_id: runId, index, token: 'none', started_at: outcome.finished_at, deadline_at: outcome.finished_at, ...outcome },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      ),

    completeRun: (projectId, runId, result, verdict, startedAt, at) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          activeRunUpdate(projectId, runId, 'SET #status = :completed, verdict = :verdict, #result = :result, started_at = :started, completed_at = :at REMOVE sweep_pk, sweep_sk', {
            ':completed': 'completed',
            ':verdict': verdict,
            ':result': result,
            ':started': startedAt,
            ':at': at,
          }),
        ),
      ),

    failRun: (projectId, runId, reason, at) =>
      whenConditionHolds(() =>
        dynamoDb.send(activeRunUpdate(projectId, runId, 'SET #status = :failed, failure_reason = :reason, completed_at = :at REMOVE sweep_pk, sweep_sk', { ':failed': 'failed', ':reason': reason, ':at': at })),
      ),

    async overdueAttempts(now) {
      const items = await sweepItems(SWEEP_ATTEMPT, now);
      return items.map((item) => ({ project_id: String(item.project_id), run_id: String(item.run_id), index: Number(item.index) }));
    },

    async stalledRuns(now) {
      const items = await sweepItems(SWEEP_RUN, now);
      return items.map((item) => ({ project_id: String(item.project_id), run_id: String(item.id) }));
    },

    async watchRun(projectId, runId, stallAt, kicked) {
      await whenConditionHolds(() => dynamoDb.send(activeRunUpdate(projectId, runId, 'SET sweep_sk = :stall ADD kicks :kicked', { ':stall': stallAt, ':kicked': kicked ? 1 : 0 })));
    },
  };

  /** An update of a run that is still queued or running (`#status` and `#result` name those attributes). */
  function activeRunUpdate(projectId: string, runId: string, expression: string, values: Record<string, unknown>, returnValues?: 'ALL_NEW') {
    return new UpdateCommand({
      TableName: tableName,
      Key: { pk: projectPk(projectId), sk: RUN + runId },
      ConditionExpression: '#status IN (:queued, :running)',
      UpdateExpression: expression,
      ExpressionAttributeNames: { '#status': 'status', ...(expression.includes('#result') ? { '#result': 'result' } : {}) },
      ExpressionAttributeValues: { ':queued': 'queued', ':running': 'running', ...values },
      ...(returnValues ? { ReturnValues: returnValues } : {}),
    });
  }

  async function sweepItems(kind: string, now: string) {
    const { items } = await queryUpTo(
      dynamoDb,
      { TableName: tableName, IndexName: 'sweep', KeyConditionExpression: 'sweep_pk = :kind AND sweep_sk < :now', ExpressionAttributeValues: { ':kind': kind, ':now': now } },
      1_000,
    );
    return items;
  }

  function runItem(run: RunRecord) {
    return {
      pk: projectPk(run.project_id),
      sk: RUN + run.id,
      ...run,
      list_pk: `${projectPk(run.project_id)}#RUN#S#${run.session_id}`,
      list_sk: run.id,
      agent_pk: `${projectPk(run.project_id)}#RUN#A#${run.agent_id}`,
      agent_sk: run.id,
      sweep_pk: SWEEP_RUN,
      sweep_sk: new Date(Date.parse(run.created_at) + (run.timeout_s + 150) * 1000).toISOString(),
    };
  }
}

/** The sort-key range of a list query: the time window, and strictly below the cursor (the bound itself is dropped after the query). */
function sortRange(query: { from?: string | undefined; to?: string | undefined; before?: string | undefined }): { low?: string; high?: string } {
  const highs = [query.before, query.to ? `${query.to}#\uffff` : undefined].filter((v): v is string => v !== undefined).sort();
  return { ...(query.from ? { low: query.from } : {}), ...(highs[0] ? { high: highs[0] } : {}) };
}

const attemptKey = (projectId: string, runId: string, index: number) => ({ pk: attemptsPk(projectId, runId), sk: `ATT#${String(index).padStart(3, '0')}` });

const SESSION_FIELDS = ['id', 'project_id', 'agent_id', 'source', 'started_at', 'created_at', 'updated_at', 'event_count', 'bytes', 'metadata', 'model', 'user_input', 'context', 'recorded', 'words', 'fingerprint', 'version'] as const;
function toSession(item: Record<string, unknown>): SessionRecord {
  const record = Object.fromEntries(SESSION_FIELDS.map((field) => [field, item[field] ?? null])) as unknown as SessionRecord;
  return { ...record, recorded: record.recorded ?? {}, words: record.words ?? [], event_count: Number(record.event_count), bytes: Number(record.bytes), version: Number(record.version) };
}

function toChunk(item: Record<string, unknown>): StoredChunk {
  return {
    id: String(item.id),
    time: String(item.time),
    count: Number(item.count),
    bytes: Number(item.bytes),
    ...(typeof item.events_json === 'string' ? { eventsJson: item.events_json } : {}),
    ...(typeof item.events_key === 'string' ? { eventsKey: item.events_key } : {}),
  };
}

function toAgent(item: Record<string, unknown>): AgentRecord {
  return {
    agent_id: String(item.agent_id),
    replay_url: (item.replay_url as string | undefined) ?? null,
    ignore_paths: (item.ignore_paths as string[] | undefined) ?? [],
    session_count: Number(item.session_count ?? 0),
    first_seen_at: (item.first_seen_at as string | undefined) ?? null,
    last_seen_at: (item.last_seen_at as string | undefined) ?? null,
    updated_at: (item.updated_at as string | undefined) ?? null,
  };
}

const RUN_FIELDS = [
  'id', 'project_id', 'org_id', 'session_id', 'agent_id', 'target_url', 'n', 'concurrency', 'timeout_s', 'ignore_paths', 'status', 'verdict', 'created_at',
  'started_at', 'completed_at', 'failure_reason', 'payload_kind', 'payload', 'recorded', 'kicks', 'result',
] as const;
function toRun(item: Record<string, unknown>): RunRecord {
  const run = Object.fromEntries(RUN_FIELDS.map((field) => [field, item[field] ?? null])) as unknown as RunRecord;
  return { ...run, n: Number(run.n), concurrency: Number(run.concurrency), timeout_s: Number(run.timeout_s), kicks: Number(run.kicks ?? 0), ignore_paths: run.ignore_paths ?? [] };
}

/** An attempt item's attributes but its answer (`body`). */
const SUMMARY_FIELDS = ['index', 'status', 'token', 'started_at', 'deadline_at', 'finished_at', 'http_status', 'latency_ms', 'body_bytes', 'excerpt', 'error'] as const;

function toAttempt(item: Record<string, unknown>): AttemptRecord {
  return {
    index: Number(item.index),
    status: item.status as AttemptRecord['status'],
    token: String(item.token),
    started_at: String(item.started_at),
    deadline_at: String(item.deadline_at),
    finished_at: (item.finished_at as string | null) ?? null,
    http_status: item.http_status === null || item.http_status === undefined ? null : Number(item.http_status),
    latency_ms: item.latency_ms === null || item.latency_ms === undefined ? null : Number(item.latency_ms),
    body: (item.body as AttemptRecord['body']) ?? null,
    body_bytes: item.body_bytes === null || item.body_bytes === undefined ? null : Number(item.body_bytes),
    excerpt: (item.excerpt as string | null) ?? null,
    error: (item.error as string | null) ?? null,
  };
}

