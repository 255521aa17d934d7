import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The page's colour tokens (`--name: #rrggbb` in :root). */
const css = readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'web', 'styles', 'page.css'), 'utf8');
const tokens = Object.fromEntries([...css.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})\b/gi)].map((m) => [m[1]!, m[2]!]));

/** WCAG 2.x contrast ratio of two sRGB colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

const textPairs: [string, string][] = [
  ['text', 'bg'],
  ['text', 'surface'],
  ['muted', 'surface'],
  ['muted', 'bg'],
  ['accent', 'surface'],
  ['accent', 'bg'],
  ['accent-hover', 'surface'],
  ['on-accent', 'accent'],
  ['on-accent', 'accent-hover'],
  ['badge-success-fg', 'badge-success-bg'],
  ['badge-partial-fg', 'badge-partial-bg'],
  ['badge-failed-fg', 'badge-failed-bg'],
  ['error-fg', 'error-bg'],
  ['text', 'notice-bg'],
  ['muted', 'notice-bg'],
  // The Proxy page: replay status and recording badges, the danger button, failed result rows, tabs.
  ['badge-running-fg', 'badge-running-bg'],
  ['badge-neutral-fg', 'badge-neutral-bg'],
  ['error-fg', 'surface'],
  ['badge-failed-fg', 'surface'],
  ['badge-failed-fg', 'error-bg'],
  ['text', 'error-bg'],
  ['accent-hover', 'bg'],
];
// Non-text contrast (WCAG 1.4.11): chart bars, the focus ring, input borders.
const graphicPairs: [string, string][] = [
  ...[0, 1, 2, 3, 4, 5].map((i): [string, string] => [`series-${i}`, 'surface']),
  ['focus', 'surface'],
  ['focus', 'bg'],
  ['muted', 'surface'],
  // The switch: its knob off and its track on.
  ['muted', 'badge-neutral-bg'],
  ['accent', 'surface'],
];

describe('the page colours', () => {
  it('are all defined', () => {
    for (const name of new Set([...textPairs, ...graphicPairs].flat())) expect(tokens[name], name).toMatch(/^#/);
  });

  it.each(textPairs)('give text in --%s on --%s a contrast of at least 4.5:1', (fg, bg) => {
    expect(contrast(tokens[fg]!, tokens[bg]!)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(graphicPairs)('give --%s on --%s a contrast of at least 3:1', (fg, bg) => {
    expect(contrast(tokens[fg]!, tokens[bg]!)).toBeGreaterThanOrEqual(3);
  });
});
