import { createHash } from 'node:crypto';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EndpointRecord, RecordingRecord, ReplayRecord, SessionRecord, TokenTarget, WindowMessage } from '#core/session-replay/model.ts';
import type { GroupKey, Page, ProxyStore } from '#core/session-replay/ports.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';
import { unlessConditionFails, whenConditionHolds } from './conditional.ts';
import { queryBelow } from './query-below.ts';
import { queryUpTo } from './query-up-to.ts';

/*
 * Items of the proxy table (pk, sk). Every key starts from the project, but
 * one: a token's hash, which is how a proxied request finds its endpoint (as
 * an API key's hash finds its project in the keys table).
 *   PRJ#<p>                      EP#<endpoint>              an endpoint
 *   TOKEN#<sha256 of token>      TOKEN                      → project, endpoint, and what the proxy needs of it
 *   PRJ#<p>#EP#<e>               SES#<session>              a session: count, first and last time
 *   PRJ#<p>#EP#<e>               GRP#<sha256 of group key>  which session a header value or client is in now
 *   PRJ#<p>#EP#<e>#SES#<s>       REC#<recording>            a recording (index `recordings`: rec_pk = PRJ#<p>#EP#<e>, rec_sk = id)
 *   PRJ#<p>#EP#<e>#SES#<s>       RPL#<replay>               a replay
 *   PRJ#<p>#EP#<e>#SES#<s>       WIN#<replay>#<window>      a window's claim
 * The sparse index `sweep` holds replays the sweeper may repair (queued by
 * creation, running by stall deadline) and deleted endpoints not yet purged.
 */
const projectPk = (p: string) => `PRJ#${p}`;
const endpointPk = (p: string, e: string) => `PRJ#${p}#EP#${e}`;
const sessionPk = (p: string, e: string, s: string) => `PRJ#${p}#EP#${e}#SES#${s}`;
const windowSk = (replayId: string, window: number) => `WIN#${replayId}#${String(window).padStart(6, '0')}`;
const tokenKey = (hash: string) => ({ pk: `TOKEN#${hash}`, sk: 'TOKEN' });
const SWEEP_INDEX = 'sweep';
const RECORDINGS_INDEX = 'recordings';

const TOKEN_FIELDS = ['upstream_url', 'recording', 'session_header', 'session_idle_seconds', 'redact_headers'] as const;

/** Endpoints, sessions, recordings and replays in one DynamoDB table; state changes are conditional writes. */
export function createDynamoProxyStore(tableName: string): ProxyStore {
  const send = dynamoDb.send.bind(dynamoDb) as (command: unknown) => Promise<Record<string, unknown>>;
  const get = async (key: { pk: string; sk: string }) => (await dynamoDb.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  const page = async <T>(pk: string, prefix: string, limit: number, after: string | undefined, map: (item: Record<string, unknown>) => T, newestFirst = true): Promise<Page<T>> => {
    const items = newestFirst
      ? await queryBelow(dynamoDb, { tableName, pk, prefix, before: after ? prefix + after : undefined, count: limit + 1 })
      : (
          await queryUpTo(
            dynamoDb,
            {
              TableName: tableName,
              // BETWEEN is inclusive: one more is asked for, and the bound itself dropped.
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: { ':pk': pk, ':from': prefix + (after ?? ''), ':to': `${prefix}\uffff` },
              ConsistentRead: true,
            },
            limit + 2,
          )
        ).items.filter((item) => !after || item.sk !== prefix + after);
    const served = items.slice(0, limit);
    const last = served.at(-1);
    return { items: served.map(map), ...(items.length > limit && last ? { next: String(last.sk).slice(prefix.length) } : {}) };
  };

  return {
    async createEndpoint(endpoint, hash) {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: { pk: projectPk(endpoint.project_id), sk: `EP#${endpoint.id}`, ...endpoint, token_hash: hash }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: tableName, Item: { ...tokenKey(hash), ...tokenItem(endpoint) }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
    },

    async getEndpoint(projectId, endpointId) {
      const item = await get({ pk: projectPk(projectId), sk: `EP#${endpointId}` });
      return item && !item.deleted_at ? toEndpoint(item) : undefined;
    },

    async listEndpoints(projectId, { limit, after }) {
      // Deleted endpoints wait for their purge under the same prefix: read on past them.
      const out: EndpointRecord[] = [];
      let cursor = after;
      for (;;) {
        const found = await page(projectPk(projectId), 'EP#', limit, cursor, (item) => item);
        for (const item of found.items) if (!item.deleted_at && out.length < limit) out.push(toEndpoint(item));
        cursor = found.next;
        if (out.length >= limit || !cursor) {
          const last = out.at(-1);
          return { items: out, ...(cursor && last ? { next: last.id } : {}) };
        }
      }
    },

    async countEndpoints(projectId) {
      const result = await send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ep)',
          FilterExpression: 'attribute_not_exists(deleted_at)',
          ExpressionAttributeValues: { ':pk': projectPk(projectId), ':ep': 'EP#' },
          Select: 'COUNT',
        }),
      );
      return Number(result.Count ?? 0);
    },

    async updateEndpoint(projectId, endpointId, changes, at) {
      const current = await get({ pk: projectPk(projectId), sk: `EP#${endpointId}` });
      if (!current || current.deleted_at) return undefined;
      const fields = Object.entries(changes).filter(([, value]) => value !== undefined);
      const names = Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name]));
      const values = Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value]));
      const assignments = fields.map((_, i) => `#f${i} = :v${i}`);
      const tokenFields = fields.map(([name], i) => [name, i] as const).filter(([name]) => (TOKEN_FIELDS as readonly string[]).includes(name));
      const updated = await unlessConditionFails(() =>
        dynamoDb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: projectPk(projectId), sk: `EP#${endpointId}` },
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deleted_at)',
                  UpdateExpression: `SET ${[...assignments, 'updated_at = :at'].join(', ')}`,
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: { ...values, ':at': at },
                },
              },
              ...(tokenFields.length
                ? [
                    {
                      Update: {
                        TableName: tableName,
                        Key: tokenKey(String(current.token_hash)),
                        ConditionExpression: 'attribute_exists(pk)',
                        UpdateExpression: `SET ${tokenFields.map(([, i]) => `#f${i} = :v${i}`).join(', ')}`,
                        ExpressionAttributeNames: Object.fromEntries(tokenFields.map(([name, i]) => [`#f${i}`, name])),
                        ExpressionAttributeValues: Object.fromEntries(tokenFields.map(([, i]) => [`:v${i}`, values[`:v${i}`]])),
                      },
                    },
                  ]
                : []),
            ],
          }),
        ),
      );
      if (!updated) return undefined;
      const item = await get({ pk: projectPk(projectId), sk: `EP#${endpointId}` });
      return item && !item.deleted_at ? toEndpoint(item) : undefined;
    },

    markEndpointDeleted: (projectId, endpointId, hash, purgeAfter) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: projectPk(projectId), sk: `EP#${endpointId}` },
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deleted_at)',
                  UpdateExpression: 'SET deleted_at = :now, sweep_pk = :purge, sweep_sk = :after',
                  ExpressionAttributeValues: { ':now': new Date().toISOString(), ':purge': 'purge', ':after': purgeAfter },
                },
              },
              { Delete: { TableName: tableName, Key: tokenKey(hash) } },
            ],
          }),
        ),
      ),

    async unpurged(before) {
      const { items } = await queryUpTo(
        dynamoDb,
        {
          TableName: tableName,
          IndexName: SWEEP_INDEX,
          KeyConditionExpression: 'sweep_pk = :purge AND sweep_sk < :before',
          ExpressionAttributeValues: { ':purge': 'purge', ':before': before },
        },
        100,
      );
      return items.map((item) => ({ project_id: String(item.project_id), endpoint_id: String(item.id) }));
    },

    async purgeEndpoint(projectId, endpointId, budget) {
      let left = budget;
      const remove = async (keys: { pk: string; sk: string }[]) => {
        for (let i = 0; i < keys.length; i += 25) {
          let batch = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
          for (let attempt = 0; batch.length > 0; attempt++) {
            if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt)));
            const { UnprocessedItems } = await dynamoDb.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
            batch = (UnprocessedItems?.[tableName] ?? []) as typeof batch;
          }
        }
        left -= keys.length;
      };
      const keysOf = async (pk: string, count: number) =>
        (
          await queryUpTo(
            dynamoDb,
            { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ProjectionExpression: 'pk, sk' },
            count,
          )
        ).items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));

      const parent = endpointPk(projectId, endpointId);
      for (;;) {
        if (left <= 0) return { done: false };
        const children = await keysOf(parent, Math.min(left, 1_000));
        if (children.length === 0) break;
        for (const child of children) {
          if (child.sk.startsWith('SES#')) {
            // A session's own items first, its summary item last: a purge cut short finds the session again.
            for (;;) {
              if (left <= 0) return { done: false };
              const items = await keysOf(sessionPk(projectId, endpointId, child.sk.slice(4)), Math.min(left, 1_000));
              if (items.length === 0) break;
              await remove(items);
            }
          }
          if (left <= 0) return { done: false };
          await remove([child]);
        }
      }
      await dynamoDb.send(new DeleteCommand({ TableName: tableName, Key: { pk: projectPk(projectId), sk: `EP#${endpointId}` } }));
      return { done: true };
    },

    async endpointByToken(hash) {
      const item = (await dynamoDb.send(new GetCommand({ TableName: tableName, Key: tokenKey(hash) }))).Item;
      if (!item) return undefined;
      return {
        id: String(item.endpoint_id),
        project_id: String(item.project_id),
        upstream_url: String(item.upstream_url),
        recording: item.recording === true,
        session_header: String(item.session_header),
        session_idle_seconds: Number(item.session_idle_seconds),
        redact_headers: (item.redact_headers as string[] | undefined) ?? [],
      } satisfies TokenTarget;
    },

    async resolveSession(projectId, endpointId, key, atMs, idleMs, newSessionId) {
      const groupKey = { pk: endpointPk(projectId, endpointId), sk: `GRP#${groupHash(key)}` };
      const cutoff = atMs - idleMs;
      for (let attempt = 0; attempt < 5; attempt++) {
        // The current session, when there is one and (grouping by client) the idle gap has not passed.
        const joined = await unlessConditionFails(() =>
          dynamoDb.send(
            new UpdateCommand({
              TableName: tableName,
              Key: groupKey,
              ConditionExpression: key.kind === 'header' ? 'attribute_exists(session_id)' : 'attribute_exists(session_id) AND last_at_ms >= :cutoff',
              UpdateExpression: 'SET last_at_ms = :at',
              ExpressionAttributeValues: { ':at': atMs, ...(key.kind === 'header' ? {} : { ':cutoff': cutoff }) },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        if (joined?.Attributes) {
          const sessionId = String(joined.Attributes.session_id);
          await whenConditionHolds(() =>
            dynamoDb.send(
              new UpdateCommand({
                TableName: tableName,
                Key: { pk: endpointPk(projectId, endpointId), sk: `SES#${sessionId}` },
                ConditionExpression: 'attribute_exists(pk) AND last_at_ms < :at',
                UpdateExpression: 'SET last_at_ms = :at',
                ExpressionAttributeValues: { ':at': atMs },
              }),
            ),
          );
          return sessionId;
        }
        const sessionId = newSessionId();
        const session: SessionRecord = {
          id: sessionId,
          endpoint_id: endpointId,
          grouped_by: key.kind,
          client_session_id: key.kind === 'header' ? key.value : null,
          request_count: 0,
          first_at_ms: atMs,
          last_at_ms: atMs,
          created_at: new Date().toISOString(),
        };
        const opened = await whenConditionHolds(() =>
          dynamoDb.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: tableName,
                    Item: { ...groupKey, session_id: sessionId, last_at_ms: atMs },
                    ConditionExpression: key.kind === 'header' ? 'attribute_not_exists(pk)' : 'attribute_not_exists(pk) OR last_at_ms < :cutoff',
                    ...(key.kind === 'header' ? {} : { ExpressionAttributeValues: { ':cutoff': cutoff } }),
                  },
                },
                { Put: { TableName: tableName, Item: { pk: endpointPk(projectId, endpointId), sk: `SES#${sessionId}`, ...session } } },
              ],
            }),
          ),
        );
        if (opened) return sessionId;
      }
      throw new Error('Could not settle the session of a request after 5 attempts (concurrent writers)');
    },

    async putRecording(projectId, recording) {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: recordingItem(projectId, recording) } },
            {
              Update: {
                TableName: tableName,
                Key: { pk: endpointPk(projectId, recording.endpoint_id), sk: `SES#${recording.session_id}` },
                ConditionExpression: 'attribute_exists(pk)',
                UpdateExpression: 'ADD request_count :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      );
    },

    async putImportedSession(projectId, session, recordings) {
      const keys = recordings.map((r) => ({ pk: sessionPk(projectId, session.endpoint_id, session.id), sk: `REC#${r.id}` }));
      try {
        for (let i = 0; i < recordings.length; i += 25) {
          let batch = recordings.slice(i, i + 25).map((r) => ({ PutRequest: { Item: recordingItem(projectId, r) } }));
          for (let attempt = 0; batch.length > 0; attempt++) {
            if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt)));
            if (attempt > 8) throw new Error(`DynamoDB left ${batch.length} recordings unprocessed`);
            const { UnprocessedItems } = await dynamoDb.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
            batch = (UnprocessedItems?.[tableName] ?? []) as typeof batch;
          }
        }
        // The session last: until it exists, no session list shows a half-imported one.
        await dynamoDb.send(new PutCommand({ TableName: tableName, Item: { pk: endpointPk(projectId, session.endpoint_id), sk: `SES#${session.id}`, ...session } }));
      } catch (error) {
        for (let i = 0; i < keys.length; i += 25) {
          await dynamoDb.send(new BatchWriteCommand({ RequestItems: { [tableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) } })).catch(() => undefined);
        }
        throw error;
      }
    },

    async getSession(projectId, endpointId, sessionId) {
      const item = await get({ pk: endpointPk(projectId, endpointId), sk: `SES#${sessionId}` });
      return item ? toSession(item) : undefined;
    },

    listSessions: (projectId, endpointId, { limit, after }) => page(endpointPk(projectId, endpointId), 'SES#', limit, after, toSession),

    sessionRecordings: (projectId, endpointId, sessionId, { limit, after }) =>
      page(sessionPk(projectId, endpointId, sessionId), 'REC#', limit, after, toRecording, false),

    async getRecording(projectId, endpointId, sessionId, recordingId) {
      const item = await get({ pk: sessionPk(projectId, endpointId, sessionId), sk: `REC#${recordingId}` });
      return item ? toRecording(item) : undefined;
    },

    async listRecordings(projectId, endpointId, { limit, after }) {
      const { items } = await queryUpTo(
        dynamoDb,
        {
          TableName: tableName,
          IndexName: RECORDINGS_INDEX,
          KeyConditionExpression: after ? 'rec_pk = :pk AND rec_sk < :after' : 'rec_pk = :pk',
          ExpressionAttributeValues: { ':pk': endpointPk(projectId, endpointId), ...(after ? { ':after': after } : {}) },
          ScanIndexForward: false,
        },
        limit + 1,
      );
      const served = items.slice(0, limit);
      return { items: served.map(toRecording), ...(items.length > limit ? { next: String(served.at(-1)!.rec_sk) } : {}) };
    },

    async createReplay(replay) {
      await dynamoDb.send(new PutCommand({ TableName: tableName, Item: replayItem(replay), ConditionExpression: 'attribute_not_exists(pk)' }));
    },

    async deleteReplay(projectId, endpointId, sessionId, replayId) {
      await dynamoDb.send(new DeleteCommand({ TableName: tableName, Key: { pk: sessionPk(projectId, endpointId, sessionId), sk: `RPL#${replayId}` } }));
    },

    async getReplay(projectId, endpointId, sessionId, replayId) {
      const item = await get({ pk: sessionPk(projectId, endpointId, sessionId), sk: `RPL#${replayId}` });
      return item ? toReplay(item) : undefined;
    },

    listReplays: (projectId, endpointId, sessionId, { limit, after }) => page(sessionPk(projectId, endpointId, sessionId), 'RPL#', limit, after, toReplay),

    async startReplay(ref, startedAtMs, deadlineAt) {
      const updated = await unlessConditionFails(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: replayKey(ref),
            ConditionExpression: '#status = :queued',
            UpdateExpression: 'SET #status = :running, started_at_ms = :started, sweep_pk = :running, sweep_sk = :deadline',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':queued': 'queued', ':running': 'running', ':started': startedAtMs, ':deadline': deadlineAt },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return updated?.Attributes ? toReplay(updated.Attributes) : undefined;
    },

    claimWindow: (ref, claimedAt, deadlineAt) =>
      whenConditionHolds(() =>
        dynamoDb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: sessionPk(ref.project_id, ref.endpoint_id, ref.session_id), sk: windowSk(ref.replay_id, ref.window), state: 'claimed', claimed_at: claimedAt },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: replayKey(ref),
                  ConditionExpression: '#status = :running',
                  UpdateExpression: 'SET sweep_sk = :deadline',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':running': 'running', ':deadline': deadlineAt },
                },
              },
            ],
          }),
        ),
      ),

    async windowState(ref) {
      const item = await get({ pk: sessionPk(ref.project_id, ref.endpoint_id, ref.session_id), sk: windowSk(ref.replay_id, ref.window) });
      return item ? (item.state === 'done' ? 'done' : 'claimed') : undefined;
    },

    async addProgress(ref, delta) {
      await whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: replayKey(ref),
            ConditionExpression: 'attribute_exists(pk)',
            UpdateExpression: 'ADD sent :sent, passed :passed, failed :failed',
            ExpressionAttributeValues: { ':sent': delta.sent, ':passed': delta.passed, ':failed': delta.failed },
          }),
        ),
      );
    },

    async finishWindow(ref, delta, at) {
      await whenConditionHolds(() =>
        dynamoDb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: sessionPk(ref.project_id, ref.endpoint_id, ref.session_id), sk: windowSk(ref.replay_id, ref.window) },
                  ConditionExpression: '#state = :claimed',
                  UpdateExpression: 'SET #state = :done, done_at = :at',
                  ExpressionAttributeNames: { '#state': 'state' },
                  ExpressionAttributeValues: { ':claimed': 'claimed', ':done': 'done', ':at': at },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: replayKey(ref),
                  ConditionExpression: 'attribute_exists(pk)',
                  UpdateExpression: 'ADD sent :sent, passed :passed, failed :failed, windows_done :one',
                  ExpressionAttributeValues: { ':sent': delta.sent, ':passed': delta.passed, ':failed': delta.failed, ':one': 1 },
                },
              },
            ],
          }),
        ),
      );
      const item = await get(replayKey(ref));
      return item ? toReplay(item) : undefined;
    },

    async endReplay(ref, to, from, at, reason) {
      const values = Object.fromEntries(from.map((status, i) => [`:from${i}`, status]));
      const updated = await unlessConditionFails(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: replayKey(ref),
            ConditionExpression: `#status IN (${Object.keys(values).join(', ')})`,
            UpdateExpression: `SET #status = :to, completed_at = :at${reason ? ', failure_reason = :reason' : ''} REMOVE sweep_pk, sweep_sk`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ...values, ':to': to, ':at': at, ...(reason ? { ':reason': reason } : {}) },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return updated?.Attributes ? toReplay(updated.Attributes) : undefined;
    },

    async overdueReplays(now, queuedBefore) {
      const due = async (state: 'running' | 'queued', before: string): Promise<WindowMessage[]> => {
        const { items } = await queryUpTo(
          dynamoDb,
          {
            TableName: tableName,
            IndexName: SWEEP_INDEX,
            KeyConditionExpression: 'sweep_pk = :state AND sweep_sk < :before',
            ExpressionAttributeValues: { ':state': state, ':before': before },
          },
          1_000,
        );
        return items.map((item) => ({
          type: 'window' as const,
          project_id: String(item.project_id),
          endpoint_id: String(item.endpoint_id),
          session_id: String(item.session_id),
          replay_id: String(item.id),
          window: 0,
        }));
      };
      return { running: await due('running', now), queued: await due('queued', queuedBefore) };
    },

    async postponeSweep(ref, until) {
      await whenConditionHolds(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: replayKey(ref),
            ConditionExpression: '#status = :queued',
            UpdateExpression: 'SET sweep_sk = :until',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':queued': 'queued', ':until': until },
          }),
        ),
      );
    },
  };
}

function replayKey(ref: { project_id: string; endpoint_id: string; session_id: string; replay_id: string }) {
  return { pk: sessionPk(ref.project_id, ref.endpoint_id, ref.session_id), sk: `RPL#${ref.replay_id}` };
}

/** Header values and client addresses never become keys: their hash does. */
function groupHash(key: GroupKey): string {
  const text = key.kind === 'header' ? `h\n${key.value}` : `c\n${key.address}\n${key.userAgent}`;
  return createHash('sha256').update(text).digest('hex');
}

function tokenItem(endpoint: EndpointRecord) {
  return { project_id: endpoint.project_id, endpoint_id: endpoint.id, ...Object.fromEntries(TOKEN_FIELDS.map((field) => [field, endpoint[field]])) };
}

function recordingItem(projectId: string, recording: RecordingRecord) {
  return {
    pk: sessionPk(projectId, recording.endpoint_id, recording.session_id),
    sk: `REC#${recording.id}`,
    rec_pk: endpointPk(projectId, recording.endpoint_id),
    rec_sk: recording.id,
    ...recording,
  };
}

function replayItem(replay: ReplayRecord) {
  return {
    pk: sessionPk(replay.project_id, replay.endpoint_id, replay.session_id),
    sk: `RPL#${replay.id}`,
    ...replay,
    // Queued replays are swept by creation time: one whose first message got lost is sent again.
    sweep_pk: 'queued',
    sweep_sk: replay.created_at,
  };
}

function toEndpoint(item: Record<string, unknown>): EndpointRecord {
  return {
    id: String(item.id),
    project_id: String(item.project_id),
    name: String(item.name),
    upstream_url: String(item.upstream_url),
    recording: item.recording === true,
    session_header: String(item.session_header),
    session_idle_seconds: Number(item.session_idle_seconds),
    redact_headers: (item.redact_headers as string[] | undefined) ?? [],
    token: String(item.token),
    created_at: String(item.created_at),
    updated_at: String(item.updated_at),
  };
}

function toSession(item: Record<string, unknown>): SessionRecord {
  return {
    id: String(item.id),
    endpoint_id: String(item.endpoint_id),
    grouped_by: item.grouped_by as SessionRecord['grouped_by'],
    client_session_id: (item.client_session_id as string | null | undefined) ?? null,
    request_count: Number(item.request_count ?? 0),
    first_at_ms: Number(item.first_at_ms),
    last_at_ms: Number(item.last_at_ms),
    created_at: String(item.created_at),
  };
}

function toRecording(item: Record<string, unknown>): RecordingRecord {
  const { pk: _pk, sk: _sk, rec_pk: _rp, rec_sk: _rs, ...rest } = item;
  return rest as unknown as RecordingRecord;
}

function toReplay(item: Record<string, unknown>): ReplayRecord {
  const { pk: _pk, sk: _sk, sweep_pk: _a, sweep_sk: _b, ...rest } = item;
  return {
    ...(rest as unknown as ReplayRecord),
    started_at_ms: item.started_at_ms === undefined || item.started_at_ms === null ? null : Number(item.started_at_ms),
    completed_at: (item.completed_at as string | null | undefined) ?? null,
    failure_reason: (item.failure_reason as string | null | undefined) ?? null,
  };
}
