/**
 * Reads that concurrent callers share without ever being handed a stale
 * answer: each caller gets the result of a read of its key that started after
 * it asked. Callers that ask before the key's read has started share it (a
 * read starts once the current turn of the event loop is done, so the records
 * of one batch that ask together make one read); callers that ask while a read
 * is in flight share the next one, which starts when that one settles.
 *
 * So the attempts of a run that each store their outcome and then ask "how
 * many have ended?" make one or two reads between them instead of one each,
 * and every answer still counts the write its caller made before asking. A
 * failed read fails every caller that shared it.
 */
export function freshReads<V>(): (key: string, read: () => Promise<V>) => Promise<V> {
  interface KeyState {
    /** The read in flight, if any. */
    running?: Promise<V> | undefined;
    /** The read that has not started yet, which new callers join. */
    queued?: Promise<V> | undefined;
  }
  const states = new Map<string, KeyState>();

  return (key, read) => {
    let state = states.get(key);
    if (!state) states.set(key, (state = {}));
    if (state.queued) return state.queued;
    const own = state;
    const start = async (): Promise<V> => {
      own.queued = undefined;
      const reading = read();
      own.running = reading;
      try {
        return await reading;
      } finally {
        if (own.running === reading) own.running = undefined;
        if (!own.running && !own.queued && states.get(key) === own) states.delete(key);
      }
    };
    const running = own.running;
    own.queued = running
      ? running.then(start, start)
      : new Promise<void>((resolve) => setImmediate(resolve)).then(start);
    return own.queued;
  };
}
