import { ValidationFailedError } from '../errors.ts';

const CURSOR_VERSION = 'c1';
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * An opaque page cursor: the id of the last item served. It carries no
 * tenant, so a cursor can only ever continue within the caller's own data.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`${CURSOR_VERSION}:${lastId}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const [version, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (version !== CURSOR_VERSION || !id || !ID_PATTERN.test(id)) {
    throw new ValidationFailedError([
      { loc: ['query', 'cursor'], msg: 'Invalid cursor: pass the next_cursor of a previous page unchanged', type: 'value_error', input: cursor },
    ]);
  }
  return id;
}
