import { describe, expect, it } from 'vitest';
import { checkEndpointForm, checkReplayForm, headerOverridesOf, ignorePathsOf, newReplayForm, replayFormOf, urlProblem, type ReplayForm } from '../../../web/src/proxy/replay-form.ts';
import { sessionReplayLimits as L } from '../../../web/src/proxy/types.ts';

const form = (changes: Partial<ReplayForm> = {}): ReplayForm => ({ ...newReplayForm('https://staging.example.com'), ...changes });
const fields = (result: { ok: boolean; errors?: { field: string }[] }) => (result.ok ? [] : result.errors!.map((e) => e.field));

describe('the replay dialog’s checks', () => {
  it('turn a filled form into the request the API takes', () => {
    expect(
      checkReplayForm(
        form({
          target_url: '  https://staging.example.com/v2  ',
          speed: '2x',
          headers: [
            { name: ' Authorization ', value: 'Bearer new' },
            { name: '', value: '' },
            { name: 'X-Env', value: '' },
          ],
          compare_bodies: true,
          ignore_paths: '$.id\n\n  $.items[*].updated_at  \n',
        }),
      ),
    ).toEqual({
      ok: true,
      value: { target_url: 'https://staging.example.com/v2', speed: '2x', header_overrides: { Authorization: 'Bearer new', 'X-Env': '' }, compare: 'status_and_body', ignore_paths: ['$.id', '$.items[*].updated_at'] },
    });
  });

  it('send statuses only, and no ignore paths, when bodies are not compared (whatever the hidden text area holds)', () => {
    expect(checkReplayForm(form({ ignore_paths: 'not a path' }))).toEqual({
      ok: true,
      value: { target_url: 'https://staging.example.com', speed: 'instant', header_overrides: {}, compare: 'status', ignore_paths: [] },
    });
  });

  it('refuse target URLs the API would refuse, each with its reason', () => {
    expect(urlProblem('')).toBe('Enter a URL.');
    expect(urlProblem('staging.example.com')).toMatch(/^Enter an absolute URL/);
    expect(urlProblem('ftp://example.com')).toBe('Use an http:// or https:// URL.');
    expect(urlProblem('https://user:pw@example.com')).toMatch(/^Leave credentials out/);
    expect(urlProblem(`https://example.com/${'a'.repeat(L.maxUpstreamUrlChars)}`)).toMatch(/^Use at most 2,048 characters/);
    expect(urlProblem('http://127.0.0.1:8081')).toBeUndefined();
    expect(fields(checkReplayForm(form({ target_url: '   ' })))).toEqual(['target_url']);
  });

  it('list every problem in the order of the fields', () => {
    const result = checkReplayForm(form({ target_url: 'nope', speed: '3x' as never, headers: [{ name: 'Bad Name', value: 'x' }], compare_bodies: true, ignore_paths: '$[?(@.a)]' }));
    expect(fields(result)).toEqual(['target_url', 'speed', 'header-0-name', 'ignore_paths']);
  });
});

describe('Header Overrides rows', () => {
  it('become an object, blank rows skipped, names as typed', () => {
    expect(headerOverridesOf([{ name: 'Authorization', value: 'Bearer a' }, { name: ' ', value: '' }, { name: 'x-b', value: 'v' }])).toEqual({ ok: true, value: { Authorization: 'Bearer a', 'x-b': 'v' } });
    expect(headerOverridesOf([])).toEqual({ ok: true, value: {} });
  });

  it('refuse a value without a name, a name that is no header name, and a name set twice in any case', () => {
    const result = headerOverridesOf([
      { name: '', value: 'orphan' },
      { name: 'Bad:Name', value: 'x' },
      { name: 'Authorization', value: 'a' },
      { name: 'authorization', value: 'b' },
    ]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      { field: 'header-0-name', message: 'Row 1: enter a header name.' },
      { field: 'header-1-name', message: expect.stringMatching(/^Row 2: “Bad:Name” is not a header name/) },
      { field: 'header-3-name', message: 'Row 4: authorization is already set in row 3.' },
    ]);
  });

  it('refuse line breaks and over-long values, and more overrides than the API takes', () => {
    expect(fields(headerOverridesOf([{ name: 'X-A', value: 'a\r\nInjected: 1' }]))).toEqual(['header-0-value']);
    expect(fields(headerOverridesOf([{ name: 'X-A', value: 'v'.repeat(L.maxHeaderValueChars) }]))).toEqual([]);
    expect(fields(headerOverridesOf([{ name: 'X-A', value: 'v'.repeat(L.maxHeaderValueChars + 1) }]))).toEqual(['header-0-value']);
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `X-${i}`, value: 'v' }));
    expect(headerOverridesOf(rows(L.maxHeaderOverrides)).ok).toBe(true);
    expect(fields(headerOverridesOf(rows(L.maxHeaderOverrides + 1)))).toEqual(['headers']);
  });

  it('ask again for a secret the API never shows back', () => {
    expect(fields(headerOverridesOf([{ name: 'authorization', value: '', secret: true }]))).toEqual(['header-0-value']);
    expect(headerOverridesOf([{ name: 'authorization', value: 'Bearer fresh', secret: true }])).toEqual({ ok: true, value: { authorization: 'Bearer fresh' } });
  });
});

describe('ignore paths', () => {
  it('take one JSON path a line, by the API’s own rule', () => {
    expect(ignorePathsOf("$.id\n$['x-y']\n$..ts\n$.a[0]")).toEqual({ ok: true, value: ['$.id', "$['x-y']", '$..ts', '$.a[0]'] });
    const refused = ignorePathsOf('$.ok\nid\n$[?(@.a)]');
    expect(!refused.ok && refused.errors[0]!.message).toMatch(/^Not a JSON path this replay can ignore: id, \$\[\?\(@\.a\)\]\./);
  });

  it('refuse more paths, or longer ones, than the API takes', () => {
    expect(ignorePathsOf(Array.from({ length: L.maxIgnorePaths }, (_, i) => `$.f${i}`).join('\n')).ok).toBe(true);
    expect(ignorePathsOf(Array.from({ length: L.maxIgnorePaths + 1 }, (_, i) => `$.f${i}`).join('\n')).ok).toBe(false);
    expect(ignorePathsOf(`$.${'a'.repeat(L.maxIgnorePathChars)}`).ok).toBe(false);
  });
});

describe('Run Again', () => {
  it('prefills the dialog from a replay, leaving redacted overrides to enter again', () => {
    expect(
      replayFormOf({ target_url: 'https://t.example', speed: '0.5x', header_overrides: { authorization: '[redacted]', 'x-env': 'staging' }, compare: 'status_and_body', ignore_paths: ['$.id', '$.ts'] }),
    ).toEqual({
      target_url: 'https://t.example',
      speed: '0.5x',
      headers: [
        { name: 'authorization', value: '', secret: true },
        { name: 'x-env', value: 'staging' },
      ],
      compare_bodies: true,
      ignore_paths: '$.id\n$.ts',
    });
  });

  it('gives back the same request from a prefilled dialog once secrets are entered again', () => {
    const replay = { target_url: 'https://t.example', speed: '1x' as const, header_overrides: { 'x-env': 'staging' }, compare: 'status' as const, ignore_paths: [] };
    const checked = checkReplayForm(replayFormOf(replay));
    expect(checked).toEqual({ ok: true, value: { ...replay, header_overrides: { 'x-env': 'staging' } } });
  });
});

describe('the create form of an endpoint', () => {
  it('trims and checks the name and the upstream URL', () => {
    expect(checkEndpointForm({ name: '  shop-api ', upstream_url: ' https://api.example.com ', recording: false })).toEqual({ ok: true, value: { name: 'shop-api', upstream_url: 'https://api.example.com', recording: false } });
    expect(fields(checkEndpointForm({ name: ' ', upstream_url: 'api.example.com', recording: true }))).toEqual(['name', 'upstream_url']);
    expect(fields(checkEndpointForm({ name: 'n'.repeat(L.maxEndpointNameChars + 1), upstream_url: 'https://a.example', recording: true }))).toEqual(['name']);
  });
});
