import { formatCount, formatJsonValue, plural } from '../format.ts';
import type { ProxySession, ReplaySpeed, ReplaySummary, SessionReplay } from './types.ts';

/** Locale and time zone are the browser's unless a test pins them. */
export interface FormatOptions {
  locale?: string | undefined;
  timeZone?: string | undefined;
}

/** A recorded request's path with its query: `/cart?user=7`. */
export function requestTarget(path: string, query: string): string {
  return query ? `${path}?${query}` : path;
}

/** A length of time as people say it: `350 ms`, `4.2 s`, `42 s`, `3 min 5 s`, `2 h 7 min`. */
export function formatDuration(ms: number, locale?: string): string {
  const value = Math.max(0, ms);
  if (value < 1_000) return `${formatCount(Math.round(value), locale)} ms`;
  if (value < 10_000) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(Math.floor(value / 100) / 10)} s`;
  const seconds = Math.floor(value / 1_000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${formatCount(hours, locale)} h ${minutes % 60} min` : `${formatCount(hours, locale)} h`;
}

/** How long after the session's first request a request came: `+0 ms`, `+1.2 s`. */
export function formatOffset(ms: number, locale?: string): string {
  return `+${formatDuration(ms, locale)}`;
}

/**
 * A session's time range in the reader's time: the day once when both ends
 * fall on it, and how long it spans. `Nov 25, 2026, 10:00:01 AM – 10:00:05 AM (4 s)`.
 */
export function formatTimeRange(firstIso: string, lastIso: string, options: FormatOptions = {}): string {
  const first = new Date(firstIso);
  const last = new Date(lastIso);
  if (Number.isNaN(first.getTime()) || Number.isNaN(last.getTime())) return `${firstIso} – ${lastIso}`;
  const zone = options.timeZone ? { timeZone: options.timeZone } : {};
  const day = (date: Date) => date.toLocaleDateString(options.locale, { year: 'numeric', month: 'short', day: 'numeric', ...zone });
  const time = (date: Date) => date.toLocaleTimeString(options.locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', ...zone });
  const span = last.getTime() - first.getTime();
  if (span === 0) return `${day(first)}, ${time(first)}`;
  const end = day(first) === day(last) ? time(last) : `${day(last)}, ${time(last)}`;
  return `${day(first)}, ${time(first)} – ${end} (${formatDuration(span, options.locale)})`;
}

/** What a replay speed does, as the dialog offers it. */
export const SPEED_LABELS: Record<ReplaySpeed, string> = {
  instant: 'Instant (all at once)',
  '0.5x': '0.5x (half speed)',
  '1x': '1x (original timing)',
  '2x': '2x (double speed)',
};

/** A session's name on its card: the client's own session id when it sent one. */
export function sessionTitle(session: Pick<ProxySession, 'id' | 'client_session_id' | 'grouped_by'>): string {
  if (session.client_session_id) return `Session ${session.client_session_id}`;
  return session.grouped_by === 'import' ? 'Imported HAR session' : 'Client session';
}

/** How the proxy grouped a session's requests. */
export function groupingText(session: Pick<ProxySession, 'grouped_by'>, sessionHeader: string): string {
  if (session.grouped_by === 'header') return `Grouped by the ${sessionHeader} header`;
  if (session.grouped_by === 'import') return 'Imported from a HAR file';
  return 'Grouped by client address and user agent';
}

/** Requests answered so far of all, and the share as a whole percentage (0 for an empty replay). */
export function replayProgress(summary: ReplaySummary): { done: number; total: number; percent: number } {
  const done = Math.min(summary.total, summary.passed + summary.failed);
  return { done, total: summary.total, percent: summary.total ? Math.floor((done * 100) / summary.total) : 0 };
}

/** One sentence on where a replay stands, for sight and for the live region. */
export function replayProgressText(replay: Pick<SessionReplay, 'status' | 'summary' | 'failure_reason'>, locale?: string): string {
  const { done, total } = replayProgress(replay.summary);
  const counts = `${formatCount(replay.summary.passed, locale)} passed, ${formatCount(replay.summary.failed, locale)} failed`;
  switch (replay.status) {
    case 'queued':
      return `Queued: ${plural(total, 'request', undefined, locale)} to send.`;
    case 'running':
      return `Running: ${formatCount(done, locale)} of ${plural(total, 'request', undefined, locale)} done (${counts}).`;
    case 'completed':
      return `Completed: ${plural(total, 'request', undefined, locale)}, ${counts}.`;
    case 'canceled':
      return `Canceled after ${formatCount(done, locale)} of ${plural(total, 'request', undefined, locale)} (${counts}).`;
    case 'failed':
      return `Failed after ${formatCount(done, locale)} of ${plural(total, 'request', undefined, locale)} (${counts})${replay.failure_reason ? `: ${replay.failure_reason}` : '.'}`;
  }
}

/** A value of a body difference as JSON text; a side that lacks the value says so. */
export function formatDiffValue(value: unknown): string {
  return value === undefined ? '(absent)' : formatJsonValue(value);
}

/** An HTTP status, or a dash when there was no answer. */
export function formatStatus(status: number | null): string {
  return status === null ? '—' : String(status);
}

/** A file size: `512 B`, `12 KiB`, `3.4 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
