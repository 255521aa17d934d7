import { sessionReplayLimits as L } from './limits.ts';
import type { StoredBody } from './model.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * How a body is kept: cut at the recording cap (flagged), as text when its
 * bytes are valid UTF-8 and as base64 otherwise, in the item when small and
 * as an object (`objectKey`, whose bytes the caller writes) when not.
 */
export function storeBody(bytes: Buffer | null, objectKey: string): { body: StoredBody | null; object?: { key: string; bytes: Buffer } } {
  if (!bytes || bytes.length === 0) return { body: null };
  const kept = bytes.length > L.maxRecordedBodyBytes ? bytes.subarray(0, L.maxRecordedBodyBytes) : bytes;
  const text = decodeText(kept);
  const encoding = text === undefined ? 'base64' : 'utf8';
  const base = { size: bytes.length, truncated: kept.length < bytes.length, encoding } as const;
  if (kept.length <= L.maxInlineBodyBytes) return { body: { ...base, inline: text ?? kept.toString('base64') } };
  return { body: { ...base, objectKey }, object: { key: objectKey, bytes: Buffer.from(kept) } };
}

/** The kept bytes of a body stored inline (`undefined` when they live in an object). */
export function inlineBytes(body: StoredBody): Buffer | undefined {
  if (body.inline === undefined) return undefined;
  return Buffer.from(body.inline, body.encoding === 'utf8' ? 'utf8' : 'base64');
}

/** The body as the API shows it: `data` in its encoding, or null when it is in an object and not loaded. */
export function bodyView(body: StoredBody | null, loaded?: Buffer) {
  if (!body) return null;
  const bytes = loaded ?? inlineBytes(body);
  return {
    size: body.size,
    truncated: body.truncated,
    encoding: body.encoding,
    data: bytes === undefined ? null : body.encoding === 'utf8' ? bytes.toString('utf8') : bytes.toString('base64'),
  };
}

function decodeText(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
