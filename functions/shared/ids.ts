import { monotonicFactory } from 'ulid';
import { v7 as uuidv7 } from 'uuid';

/** A UUID v7: time-ordered, and monotonic within one process (same-millisecond ids keep their order). */
export function newUuidV7(): string {
  return uuidv7();
}

const ulid = monotonicFactory();

/** A replay run id: `rpl_` + a lower-case ULID (time-ordered, monotonic within one process). */
export function newRunId(): string {
  return `rpl_${ulid().toLowerCase()}`;
}
