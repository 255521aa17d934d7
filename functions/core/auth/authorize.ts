import { bearerToken, hashApiKey, isWellFormedApiKey, sameHash, type ApiKeyRecord } from './api-key.ts';
import { PROJECT_ID_PATTERN } from './project.ts';

/**
 * The authorizer's verdict, handed to handlers in the request context
 * (simple-response context values must be strings, numbers or booleans).
 */
export type AuthVerdict =
  | { authenticated: true; orgId: string; projectId: string; projectName: string; keyId: string }
  | { authenticated: false; reason: 'missing' | 'malformed' | 'unknown' | 'revoked' | 'legacy' };

export interface ApiKeyLookup {
  (keyHash: string): Promise<ApiKeyRecord | undefined>;
}

/**
 * Decides who is calling from the Authorization header. A missing, malformed,
 * unknown or revoked key gives `authenticated: false` (a 401 downstream),
 * never an exception: bad credentials are not a server error.
 */
export async function authorize(header: string | undefined, lookup: ApiKeyLookup): Promise<AuthVerdict> {
  const key = bearerToken(header);
  if (!key) return { authenticated: false, reason: 'missing' };
  if (!isWellFormedApiKey(key)) return { authenticated: false, reason: 'malformed' };
  const keyHash = hashApiKey(key);
  const record = await lookup(keyHash);
  if (!record || !sameHash(record.keyHash, keyHash)) return { authenticated: false, reason: 'unknown' };
  if (record.revokedAt) return { authenticated: false, reason: 'revoked' };
  // A key made before projects had ids names its project instead: honouring it would share that name's data across orgs.
  if (!PROJECT_ID_PATTERN.test(record.projectId)) return { authenticated: false, reason: 'legacy' };
  return { authenticated: true, orgId: record.orgId, projectId: record.projectId, projectName: record.projectName, keyId: record.keyId };
}
