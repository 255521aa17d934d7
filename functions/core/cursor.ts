import { ValidationFailedError } from './errors.ts';

/**
 * What a cursor carries: a version tag and the key of the last item served,
 * which must match `pattern` (so a cursor can only ever be a position, never
 * a tenant or a query: it continues within the caller's own data).
 */
export interface CursorFormat {
  readonly version: string;
  readonly pattern: RegExp;
}

/** The ledger's submissions and the detached executions: UUID v7 ids. */
export const UUID_V7_CURSOR: CursorFormat = { version: 'c1', pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/ };

/** An opaque page cursor (base64url): the key of the last item served. */
export function encodeCursor(last: string, format: CursorFormat = UUID_V7_CURSOR): string {
  return Buffer.from(`${format.version}:${last}`, 'utf8').toString('base64url');
}

/** The key a cursor of this format carries; anything else is a 422 at `query.cursor`. */
export function decodeCursor(cursor: string, format: CursorFormat = UUID_V7_CURSOR): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const version = colon < 0 ? '' : text.slice(0, colon);
  const key = colon < 0 ? '' : text.slice(colon + 1);
  if (version !== format.version || !format.pattern.test(key)) {
    throw new ValidationFailedError([
      { loc: ['query', 'cursor'], msg: 'Invalid cursor: pass the next_cursor of a previous page unchanged', type: 'value_error', input: cursor },
    ]);
  }
  return key;
}
