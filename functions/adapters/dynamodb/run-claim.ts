import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { claimExpired, type IdempotencyClaim } from '#core/idempotency.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';

/**
 * The Idempotency-Key claim of a run create, beside the run in its project's
 * table (replay runs and reproducibility runs alike): which run the key made
 * and the fingerprint of the request that made it.
 */
export const claimKey = (projectId: string, keyHash: string) => ({ pk: `PRJ#${projectId}#IDEM#${keyHash}`, sk: 'IDEM' });

/** The Put that claims the key for `runId`, in the transaction that stores the run. */
export function claimPut(tableName: string, projectId: string, runId: string, claim: IdempotencyClaim) {
  return {
    TableName: tableName,
    Item: { ...claimKey(projectId, claim.keyHash), run_id: runId, fingerprint: claim.fingerprint, expires_at: claim.expiresAtEpochSeconds },
    // TTL deletion lags, so an expired claim counts as absent (at exactly expires_at too: see claimExpired).
    ConditionExpression: 'attribute_not_exists(pk) OR expires_at <= :now',
    ExpressionAttributeValues: { ':now': claim.nowEpochSeconds },
  };
}

/** The run a key still claims, if any. */
export async function findClaim(tableName: string, projectId: string, claim: Pick<IdempotencyClaim, 'keyHash' | 'nowEpochSeconds'>) {
  const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName, Key: claimKey(projectId, claim.keyHash), ConsistentRead: true }));
  if (!Item || claimExpired(Number(Item.expires_at), claim.nowEpochSeconds)) return undefined;
  return { runId: String(Item.run_id), fingerprint: String(Item.fingerprint) };
}
