import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every Reprise API key starts with this, so leaked keys are easy to spot and scan for. */
export const API_KEY_PREFIX = 'rpr_';
const API_KEY_PATTERN = /^rpr_[A-Za-z0-9_-]{43}$/;

/** What is stored for a key: never the key itself, only its SHA-256. */
export interface ApiKeyRecord {
  keyHash: string;
  keyId: string;
  orgId: string;
  /** The project's generated id (`prj_…`): what every project-scoped key starts from. */
  projectId: string;
  /** The project's name within its org, as shown to people. */
  projectName: string;
  createdAt: string;
  label?: string;
  revokedAt?: string;
}

/** A fresh key: 256 random bits, shown once to its owner, stored only as a hash. */
export function generateApiKey(): { key: string; keyHash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, keyHash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function isWellFormedApiKey(key: string): boolean {
  return API_KEY_PATTERN.test(key);
}

/** Constant-time comparison of two digests, byte for byte as written (no hex decoding that could drop characters). */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Extracts the key from an `Authorization: Bearer <key>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Names a tenant (org or project) may have: what fits in a key prefix and a log line. */
export const TENANT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
