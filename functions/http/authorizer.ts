import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { LRUCache } from 'lru-cache';
import { createDynamoApiKeyStore } from '#adapters/dynamodb/api-key-store.ts';
import type { ApiKeyRecord } from '#core/auth/api-key.ts';
import { authorize, type AuthVerdict } from '#core/auth/authorize.ts';
import { authorizer as authorizerSpec, tables } from '#lib/catalogue.ts';
import { requireEnv } from '#shared/config.ts';
import { logger } from '#shared/logger.ts';

const store = createDynamoApiKeyStore(requireEnv(tables.apiKeys.envName));

/*
 * API Gateway's own authorizer cache is off (it would need the header as an
 * identity source, and then a request without one gets API Gateway's 401 body
 * instead of ours), so verdicts are cached here, by key hash, per container.
 * A revoked key stops working within the catalogue's `verdictTtlSeconds`.
 */
const records = new LRUCache<string, ApiKeyRecord | 'none'>({ max: 10_000, ttl: authorizerSpec.verdictTtlSeconds * 1000 });

async function lookup(keyHash: string): Promise<ApiKeyRecord | undefined> {
  const cached = records.get(keyHash);
  if (cached !== undefined) return cached === 'none' ? undefined : cached;
  const record = await store.find(keyHash);
  records.set(keyHash, record ?? 'none');
  return record;
}

/**
 * Always authorizes, handing its verdict to the route in the context: the
 * route answers 401 itself, in its API's error shape, or 503 when the key
 * table could not be read (a thrown error would be API Gateway's bare 500).
 */
export async function handler(event: APIGatewayRequestAuthorizerEventV2): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthVerdict>> {
  const verdict = await authorize(event.headers?.authorization ?? event.headers?.Authorization, lookup, (error) =>
    logger.warn('The API keys table could not be read', { route: event.routeKey, error: error as Error }),
  );
  if (!verdict.authenticated) logger.info('Unauthenticated request', { reason: verdict.reason, route: event.routeKey });
  return { isAuthorized: true, context: verdict };
}
