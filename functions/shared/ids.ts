import { v7 as uuidv7 } from 'uuid';

/** A UUID v7: time-ordered, and monotonic within one process (same-millisecond ids keep their order). */
export function newUuidV7(): string {
  return uuidv7();
}
