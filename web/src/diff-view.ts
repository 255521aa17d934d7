import { diffLines } from 'diff';
import { h } from './dom.ts';

/** An answer as lines to compare: JSON pretty-printed (so a diff shows the field), anything else as it came. */
export function comparableText(output: string | null): string {
  if (output === null) return '';
  try {
    return `${JSON.stringify(JSON.parse(output), null, 2)}\n`;
  } catch {
    return output.endsWith('\n') ? output : `${output}\n`;
  }
}

/**
 * Two answers side by side, line by line: lines only on the left were
 * removed, lines only on the right added (marked in text too, not by colour alone).
 */
export function sideBySide(left: { label: string; text: string }, right: { label: string; text: string }): HTMLElement {
  const rows: HTMLElement[] = [];
  const line = (text: string | undefined, kind: 'same' | 'removed' | 'added' | 'empty') =>
    h('td', { class: `diff-cell diff-cell--${kind}` }, kind === 'removed' ? h('span', { class: 'visually-hidden' }, 'removed: ') : kind === 'added' ? h('span', { class: 'visually-hidden' }, 'added: ') : null, text ?? '');
  const parts = diffLines(left.text, right.text);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (!part.added && !part.removed) {
      for (const text of lines) rows.push(h('tr', {}, line(text, 'same'), line(text, 'same')));
      continue;
    }
    // A removal followed by an addition is a change: pair their lines on one row.
    const next = part.removed && parts[i + 1]?.added ? parts[++i]!.value.replace(/\n$/, '').split('\n') : [];
    const removed = part.removed ? lines : [];
    const added = part.added ? lines : next;
    for (let j = 0; j < Math.max(removed.length, added.length); j++) {
      rows.push(h('tr', {}, j < removed.length ? line(removed[j], 'removed') : line('', 'empty'), j < added.length ? line(added[j], 'added') : line('', 'empty')));
    }
  }
  return h(
    'div',
    { class: 'table-scroll diff' },
    h('table', { class: 'diff-table' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, left.label), h('th', { scope: 'col' }, right.label))), h('tbody', {}, ...rows)),
  );
}
