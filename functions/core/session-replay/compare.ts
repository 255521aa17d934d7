import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { JSONPath } from 'jsonpath-plus';
import diff from 'microdiff';
import { sessionReplayLimits as L } from './limits.ts';
import type { BodyDifference } from './model.ts';

/**
 * Compares a recorded answer body with a replayed one: as JSON (with the
 * `ignore_paths` removed from both) when both parse, else byte for byte.
 * Compressed bodies are compared decompressed. Returns the first differences.
 */
export function compareBodies(
  expected: { bytes: Buffer; encoding: string | null },
  actual: { bytes: Buffer; encoding: string | null },
  ignorePaths: readonly string[],
): BodyDifference[] {
  const left = decode(expected.bytes, expected.encoding);
  const right = decode(actual.bytes, actual.encoding);
  const leftJson = parseJson(left);
  const rightJson = parseJson(right);
  if (leftJson.ok && rightJson.ok) {
    const a = without(leftJson.value, ignorePaths);
    const b = without(rightJson.value, ignorePaths);
    if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
      return Object.is(a, b) ? [] : [{ path: '$', expected: clip(a), actual: clip(b) }];
    }
    return diff(a as Record<string, unknown>, b as Record<string, unknown>)
      .slice(0, L.maxDiffEntries)
      .map((change) => ({
        path: toPath(change.path),
        ...(change.type !== 'CREATE' ? { expected: clip(change.oldValue) } : {}),
        ...(change.type !== 'REMOVE' ? { actual: clip(change.value) } : {}),
      }));
  }
  if (left.equals(right)) return [];
  return [{ path: '$', expected: clip(left.toString('utf8')), actual: clip(right.toString('utf8')) }];
}

function decode(bytes: Buffer, encoding: string | null): Buffer {
  try {
    switch (encoding?.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(bytes);
      case 'deflate':
        return inflateSync(bytes);
      case 'br':
        return brotliDecompressSync(bytes);
      default:
        return bytes;
    }
  } catch {
    return bytes;
  }
}

function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (bytes.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** A copy of `value` without the nodes the paths select. */
function without(value: unknown, paths: readonly string[]): unknown {
  if (paths.length === 0 || typeof value !== 'object' || value === null) return value;
  const copy = structuredClone(value) as Record<string, unknown>;
  // Every path is resolved before anything is removed; then the deepest and last go first, so a
  // removed array element never shifts one still to remove.
  const pointers = new Set(paths.flatMap((path) => JSONPath({ path, json: copy, resultType: 'pointer', eval: false, wrap: true }) as string[]));
  for (const pointer of [...pointers].sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))) removeAt(copy, pointer);
  return copy;
}

function removeAt(root: Record<string, unknown>, pointer: string): void {
  const steps = pointer.split('/').slice(1).map((step) => step.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = steps.pop();
  if (last === undefined) return;
  let node: unknown = root;
  for (const step of steps) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Record<string, unknown>)[step];
  }
  if (Array.isArray(node)) node.splice(Number(last), 1);
  else if (typeof node === 'object' && node !== null) delete (node as Record<string, unknown>)[last];
}

function toPath(steps: (string | number)[]): string {
  return `$${steps.map((step) => (typeof step === 'number' ? `[${step}]` : /^[A-Za-z_$][\w$]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`)).join('')}`;
}

function clip(value: unknown): unknown {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined || text.length <= L.maxDiffValueChars) return value;
  return `${text.slice(0, L.maxDiffValueChars)}…`;
}
