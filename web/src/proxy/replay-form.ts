import {
  HEADER_NAME,
  IGNORE_PATH_PATTERN,
  REDACTED_VALUE,
  REPLAY_SPEEDS,
  sessionReplayLimits as L,
  type EndpointRequest,
  type ReplayRequest,
  type ReplaySpeed,
  type SessionReplay,
} from './types.ts';

/**
 * The forms of the Proxy page as plain data, and their checks: the same
 * limits the API enforces, said next to the field before anything is sent
 * (the API's own answer is still shown in place when it refuses).
 */

/** One Header Overrides row of the replay dialog. */
export interface HeaderRow {
  name: string;
  value: string;
  /** Prefilled from a secret header whose value the API never shows again: a value must be entered. */
  secret?: boolean | undefined;
}

/** What the replay dialog holds. */
export interface ReplayForm {
  target_url: string;
  speed: ReplaySpeed;
  headers: HeaderRow[];
  /** Compare bodies too (`status_and_body`), not only statuses. */
  compare_bodies: boolean;
  /** One JSON path per line. */
  ignore_paths: string;
}

/** A field that needs fixing: `target_url`, `speed`, `ignore_paths`, `headers`, or `header-<row>-name` / `header-<row>-value`. */
export interface FieldError {
  field: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const headerField = (row: number, part: 'name' | 'value') => `header-${row}-${part}`;

/** Why a URL the API would refuse is refused (absolute http(s), no credentials, the length limit), or undefined. */
export function urlProblem(text: string): string | undefined {
  if (!text) return 'Enter a URL.';
  if (text.length > L.maxUpstreamUrlChars) return `Use at most ${L.maxUpstreamUrlChars.toLocaleString('en-US')} characters.`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Enter an absolute URL, such as https://api.example.com.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Use an http:// or https:// URL.';
  if (url.username || url.password) return 'Leave credentials out of the URL: send them as a header override.';
  return undefined;
}

/** The Header Overrides rows as the API takes them; blank rows are skipped, names kept as typed. */
export function headerOverridesOf(rows: readonly HeaderRow[]): Checked<Record<string, string>> {
  const errors: FieldError[] = [];
  const overrides: Record<string, string> = {};
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const name = row.name.trim();
    if (!name && !row.value && !row.secret) return;
    const label = `Row ${index + 1}`;
    if (!name) errors.push({ field: headerField(index, 'name'), message: `${label}: enter a header name.` });
    else if (!HEADER_NAME.test(name)) errors.push({ field: headerField(index, 'name'), message: `${label}: “${name}” is not a header name (letters, digits and !#$%&'*+.^_\`|~- only).` });
    else if (seen.has(name.toLowerCase())) errors.push({ field: headerField(index, 'name'), message: `${label}: ${name} is already set in row ${seen.get(name.toLowerCase())! + 1}.` });
    if (name) seen.set(name.toLowerCase(), seen.get(name.toLowerCase()) ?? index);
    if (row.secret && !row.value) errors.push({ field: headerField(index, 'value'), message: `${label}: the value of ${name || 'this header'} is not kept; enter it again.` });
    else if (/[\r\n\0]/.test(row.value)) errors.push({ field: headerField(index, 'value'), message: `${label}: a header value cannot hold line breaks.` });
    else if (row.value.length > L.maxHeaderValueChars) errors.push({ field: headerField(index, 'value'), message: `${label}: use at most ${L.maxHeaderValueChars.toLocaleString('en-US')} characters.` });
    if (name) overrides[name] = row.value;
  });
  if (Object.keys(overrides).length > L.maxHeaderOverrides) errors.push({ field: 'headers', message: `At most ${L.maxHeaderOverrides} header overrides.` });
  return errors.length ? { ok: false, errors } : { ok: true, value: overrides };
}

/** The ignore paths of the text area, one a line (blank lines skipped). */
export function ignorePathsOf(text: string): Checked<string[]> {
  const paths = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const bad = paths.filter((path) => path.length > L.maxIgnorePathChars || !IGNORE_PATH_PATTERN.test(path));
  if (bad.length) return { ok: false, errors: [{ field: 'ignore_paths', message: `Not a JSON path this replay can ignore: ${bad.join(', ')}. Use paths such as $.id or $.items[*].updated_at.` }] };
  if (paths.length > L.maxIgnorePaths) return { ok: false, errors: [{ field: 'ignore_paths', message: `At most ${L.maxIgnorePaths} paths.` }] };
  return { ok: true, value: paths };
}

/** The dialog's form as a replay request, or every field that needs fixing, in the order they appear. */
export function checkReplayForm(form: ReplayForm): Checked<ReplayRequest> {
  const errors: FieldError[] = [];
  const target = form.target_url.trim();
  const problem = urlProblem(target);
  if (problem) errors.push({ field: 'target_url', message: problem });
  if (!REPLAY_SPEEDS.includes(form.speed)) errors.push({ field: 'speed', message: 'Choose a replay speed.' });
  const headers = headerOverridesOf(form.headers);
  if (!headers.ok) errors.push(...headers.errors);
  const ignore: Checked<string[]> = form.compare_bodies ? ignorePathsOf(form.ignore_paths) : { ok: true, value: [] };
  if (!ignore.ok) errors.push(...ignore.errors);
  if (errors.length || !headers.ok || !ignore.ok) return { ok: false, errors };
  return {
    ok: true,
    value: { target_url: target, speed: form.speed, header_overrides: headers.value, compare: form.compare_bodies ? 'status_and_body' : 'status', ignore_paths: ignore.value },
  };
}

/** A fresh dialog: instant, no overrides, statuses only. */
export function newReplayForm(targetUrl = ''): ReplayForm {
  return { target_url: targetUrl, speed: 'instant', headers: [], compare_bodies: false, ignore_paths: '' };
}

/**
 * The dialog prefilled from a replay (Run Again): its settings, with the
 * overrides the API shows as `[redacted]` left empty to be entered again.
 */
export function replayFormOf(replay: Pick<SessionReplay, 'target_url' | 'speed' | 'header_overrides' | 'compare' | 'ignore_paths'>): ReplayForm {
  return {
    target_url: replay.target_url,
    speed: replay.speed,
    headers: Object.entries(replay.header_overrides).map(([name, value]) => (value === REDACTED_VALUE ? { name, value: '', secret: true } : { name, value })),
    compare_bodies: replay.compare === 'status_and_body',
    ignore_paths: replay.ignore_paths.join('\n'),
  };
}

/** The create form of an endpoint: name, upstream URL and the recording switch. */
export function checkEndpointForm(form: EndpointRequest): Checked<EndpointRequest> {
  const errors: FieldError[] = [];
  const name = form.name.trim();
  if (!name) errors.push({ field: 'name', message: 'Enter a name.' });
  else if (name.length > L.maxEndpointNameChars) errors.push({ field: 'name', message: `Use at most ${L.maxEndpointNameChars} characters.` });
  const upstream = form.upstream_url.trim();
  const problem = urlProblem(upstream);
  if (problem) errors.push({ field: 'upstream_url', message: problem });
  return errors.length ? { ok: false, errors } : { ok: true, value: { name, upstream_url: upstream, recording: form.recording } };
}
