import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LRUCache } from 'lru-cache';

/** A simple-response Lambda authorizer's answer. */
export interface AuthorizerAnswer {
  isAuthorized?: boolean;
  context?: Record<string, unknown>;
}

export interface VerdictCache {
  /** The cached answer for this request's key, or the authorizer's (cached when it is a verdict on the key). */
  answer(event: APIGatewayProxyEventV2, authorize: () => Promise<AuthorizerAnswer>): Promise<AuthorizerAnswer>;
}

/**
 * The local gateway's cache of authorizer answers, per `Authorization`
 * value (kept as its SHA-256), for `ttlSeconds`: the route skips the
 * authorizer's invocation for a key seen within that time. An answer that
 * says the key table could not be read is no verdict on the key and is not
 * kept.
 */
export function createVerdictCache(ttlSeconds: number, max = 10_000): VerdictCache {
  const answers = ttlSeconds > 0 ? new LRUCache<string, AuthorizerAnswer>({ max, ttl: ttlSeconds * 1000 }) : undefined;
  return {
    async answer(event, authorize) {
      if (!answers) return authorize();
      const key = createHash('sha256').update(event.headers.authorization ?? '').digest('base64url');
      const cached = answers.get(key);
      if (cached) return cached;
      const answer = await authorize();
      if (answer?.isAuthorized && answer.context?.reason !== 'unavailable') answers.set(key, answer);
      return answer;
    },
  };
}
