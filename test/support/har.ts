/** A HAR 1.2 document of `entries` (method, path, status, offset from the first in ms), as dev tools export it. */
export function harOf(
  baseUrl: string,
  entries: { method?: string; path: string; status?: number; offsetMs: number; body?: string; responseBody?: string; headers?: Record<string, string> }[],
  startMs = Date.parse('2026-01-01T00:00:00.000Z'),
) {
  return {
    log: {
      version: '1.2',
      creator: { name: 'test', version: '1' },
      entries: entries.map((entry) => ({
        startedDateTime: new Date(startMs + entry.offsetMs).toISOString(),
        time: 5,
        request: {
          method: entry.method ?? 'GET',
          url: `${baseUrl}${entry.path}`,
          httpVersion: 'HTTP/1.1',
          headers: Object.entries(entry.headers ?? {}).map(([name, value]) => ({ name, value })),
          cookies: [],
          queryString: [],
          ...(entry.body === undefined ? {} : { postData: { mimeType: 'application/json', text: entry.body } }),
          headersSize: -1,
          bodySize: entry.body?.length ?? 0,
        },
        response: {
          status: entry.status ?? 200,
          statusText: '',
          httpVersion: 'HTTP/1.1',
          headers: [{ name: 'Content-Type', value: 'application/json' }],
          cookies: [],
          content: { size: entry.responseBody?.length ?? 0, mimeType: 'application/json', ...(entry.responseBody === undefined ? {} : { text: entry.responseBody }) },
          redirectURL: '',
          headersSize: -1,
          bodySize: -1,
        },
        cache: {},
        timings: { send: 0, wait: 5, receive: 0 },
      })),
    },
  };
}
