import { bearerToken, hashApiKey, isWellFormedApiKey, sameHash, type ApiKeyRecord } from './api-key.ts';
import { PROJECT_ID_PATTERN } from './project.ts';

/**
 * The authorizer's verdict, handed to handlers in the request context
 * (simple-response context values must be strings, numbers or booleans).
 */
export type AuthVerdict =
  | { authenticated: true; orgId: string; projectId: string; projectName: string; keyId: string }
  | { authenticated: false; reason: 'missing' | 'malformed' | 'unknown' | 'revoked' | 'legacy' | 'unavailable' };

export interface ApiKeyLookup {
  (keyHash: string): Promise<ApiKeyRecord | undefined>;
}

/**
 * Decides who is calling from the Authorization header. A missing, malformed,
 * unknown or revoked key gives `authenticated: false` (a 401 downstream),
 * never an exception: bad credentials are not a server error. A key store
 * that cannot be read gives reason `unavailable` (a 503 downstream): the
 * route answers in its own shape, which an authorizer that threw could not.
 */
export async function authorize(header: string | undefined, lookup: ApiKeyLookup, onLookupError?: (error: unknown) => void): Promise<AuthVerdict> {
  const key = bearerToken(header);
  if (!key) return { authenticated: false, reason: 'missing' };
  if (!isWellFormedApiKey(key)) return { authenticated: false, reason: 'malformed' };
  const keyHash = hashApiKey(key);
  let record: ApiKeyRecord | undefined;
  try {
    record = await lookup(keyHash);
  } catch (error) {
    onLookupError?.(error);
    return { authenticated: false, reason: 'unavailable' };
  }
  if (!record || !sameHash(record.keyHash, keyHash)) return { authenticated: false, reason: 'unknown' };
  if (record.revokedAt) return { authenticated: false, reason: 'revoked' };
  // A key made before projects had ids names its project instead: honouring it would share that name's data across orgs.
  if (!PROJECT_ID_PATTERN.test(record.projectId)) return { authenticated: false, reason: 'legacy' };
  return { authenticated: true, orgId: record.orgId, projectId: record.projectId, projectName: record.projectName, keyId: record.keyId };
}
