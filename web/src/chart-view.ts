import type { ChartModel } from './chart-model.ts';
import { h, s, uniqueId } from './dom.ts';
import { formatCount, formatDay, plural } from './format.ts';

const PLOT = { left: 44, right: 8, top: 10, bottom: 28 };

/**
 * The divergences-over-time chart: one bar per UTC day, stacked by
 * deployment, drawn as inline SVG at `width` CSS pixels (so its text keeps
 * its size on a phone and on a wide screen). Each segment names its day,
 * deployment and counts on hover; the data table below it serves keyboard and
 * screen-reader users.
 */
export function renderChart(model: ChartModel, width: number): HTMLElement {
  const WIDTH = Math.round(Math.min(1200, Math.max(280, width)));
  const HEIGHT = WIDTH < 520 ? 170 : 220;
  const titleId = uniqueId('chart-title');
  const descriptionId = uniqueId('chart-description');
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const band = plotWidth / model.days.length;
  const barWidth = Math.max(1, Math.min(28, band * 0.72));
  const y = (value: number) => PLOT.top + plotHeight - (value / model.yMax) * plotHeight;

  const ticks = Number.isInteger(model.yMax / 2) ? [0, model.yMax / 2, model.yMax] : [0, model.yMax];
  const grid = ticks.map((value) =>
    s(
      'g',
      { class: 'chart-grid' },
      s('line', { x1: PLOT.left, x2: WIDTH - PLOT.right, y1: y(value), y2: y(value) }),
      s('text', { x: PLOT.left - 6, y: y(value), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, formatCount(value)),
    ),
  );
  const labelDays = new Set([0, Math.floor((model.days.length - 1) / 2), model.days.length - 1]);
  const xLabels = model.days.flatMap((day, i) =>
    labelDays.has(i)
      ? [s('text', { class: 'chart-axis', x: PLOT.left + band * (i + 0.5), y: HEIGHT - 8, 'text-anchor': i === 0 ? 'start' : i === model.days.length - 1 ? 'end' : 'middle' }, formatDay(day))]
      : [],
  );
  const bars = model.days.flatMap((day, i) => {
    let stacked = 0;
    return model.series.flatMap((series, k) => {
      const value = series.divergences[i]!;
      if (value === 0) return [];
      const top = y(stacked + value);
      const rect = s(
        'rect',
        { class: `series-${k}`, x: PLOT.left + band * i + (band - barWidth) / 2, y: top, width: barWidth, height: y(stacked) - top, 'data-deployment': series.label, 'data-day': day },
        s('title', {}, `${day} · ${series.label}: ${plural(value, 'divergence')} in ${plural(series.submissions[i]!, 'submission')}`),
      );
      stacked += value;
      return [rect];
    });
  });

  const svg = s(
    'svg',
    { class: 'chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT, role: 'img', 'aria-labelledby': `${titleId} ${descriptionId}` },
    s('title', { id: titleId }, `Divergences per UTC day, ${model.days[0]} to ${model.days.at(-1)}`),
    s('desc', { id: descriptionId }, describe(model)),
    ...grid,
    ...bars,
    s('line', { class: 'chart-baseline', x1: PLOT.left, x2: WIDTH - PLOT.right, y1: y(0), y2: y(0) }),
    ...xLabels,
  );
  return h(
    'figure',
    { class: 'chart-figure' },
    svg,
    h(
      'ul',
      { class: 'chart-legend', 'aria-label': 'Deployments' },
      ...model.series.map((series, k) =>
        h('li', {}, h('span', { class: `swatch series-${k}`, 'aria-hidden': 'true' }), h('span', { class: 'legend-label' }, series.label), ' ', h('span', { class: 'muted' }, `(${formatCount(series.totalDivergences)})`)),
      ),
    ),
    dataTable(model),
  );
}

function describe(model: ChartModel): string {
  if (model.series.length === 0) return 'No submissions in this window.';
  return model.series.map((series) => `${series.label}: ${plural(series.totalDivergences, 'divergence')} in ${plural(series.totalSubmissions, 'submission')}`).join('; ');
}

function dataTable(model: ChartModel): HTMLElement {
  const rows = model.days.flatMap((day, i) =>
    model.series.filter((series) => series.submissions[i]! > 0).map((series) => h('tr', {}, h('td', {}, day), h('th', { scope: 'row' }, series.label), h('td', { class: 'num' }, formatCount(series.divergences[i]!)), h('td', { class: 'num' }, formatCount(series.submissions[i]!)))),
  );
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, 'Chart data as a table'),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, 'Divergences and submissions per UTC day and deployment'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Day (UTC)'), h('th', { scope: 'col' }, 'Deployment'), h('th', { scope: 'col', class: 'num' }, 'Divergences'), h('th', { scope: 'col', class: 'num' }, 'Submissions'))),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}
