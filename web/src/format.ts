/** Display formats; `locale` is the browser's unless a test pins one. */

/** US dollars with two decimals: `$1,234.50`. */
export function formatUsd(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

/** A whole number with grouping: `12,345`. */
export function formatCount(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** An instant in the reader's time zone, to the second. */
export function formatLocalTime(iso: string, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A UTC day (`YYYY-MM-DD`) as a short label: `Nov 25`. */
export function formatDay(day: string, locale?: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/**
 * A recorded or replayed value as JSON text (strings keep their quotes, so
 * `"42"` and `42` read differently); shown as text, never as markup.
 */
export function formatJsonValue(value: unknown): string {
  if (value === undefined) return '(not sent)';
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** `1 submission`, `2 submissions`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`, locale?: string): string {
  return `${formatCount(count, locale)} ${count === 1 ? singular : pluralForm}`;
}
