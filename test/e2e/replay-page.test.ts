import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.ts';
import { runNpm, startLocalProcess, tempDataDir, type LocalProcess } from '../support/local-process.ts';
import { CHROMIUM, openWatchedPage, type OpenOptions } from './chromium.ts';

const root = resolve(import.meta.dirname, '..', '..');
const artifacts = resolve(root, 'test', 'artifacts');
const STATUSES = ['success', 'partial', 'failed'] as const;
const DEPLOYMENTS = ['prod-eu', 'prod-us', undefined] as const;
/** Markup in recorded values: the page must show it as text. */
const HOSTILE = '<img src=x onerror="window.__injected=1">';

interface Posted {
  id: string;
  run_id: string;
  status: (typeof STATUSES)[number];
  actions_replayed: number;
  actions_total: number;
  divergences: number;
  cost_savings: number;
  deployment?: string;
  submitted_at: string;
  divergence_details?: { action_id: string; field: string; recorded?: unknown; replayed?: unknown }[];
}

const eventually = <T>(probe: () => Promise<T>) => expect.poll(probe, { timeout: 20_000, interval: 100 });
const runIds = (page: Page) => page.locator('table.submissions tbody th a').allTextContents();
const summary = (page: Page) => page.locator('#table-summary').textContent();
const tile = (page: Page, name: string) => page.locator(`[data-tile="${name}"]`).textContent();
const usd = (value: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 }).format(value);

describe('the Replay Hub page in Chromium', () => {
  const dataDir = tempDataDir();
  let running: LocalProcess;
  let base: string;
  let apiKey: string;
  let browser: Browser;
  /** Every submission posted, oldest first (the idempotent retry once). */
  const posted: Posted[] = [];
  const problems: string[] = [];

  const newestFirst = (keep: (p: Posted) => boolean = () => true) => posted.filter(keep).reverse();

  /** A fresh browser context, optionally already holding the key, watching for script errors and CSP violations. */
  const openPage = (path: string, options: OpenOptions = {}) => openWatchedPage(browser, base + path, problems, options);

  async function post(runId: string, body: Record<string, unknown>, headers?: Record<string, string>) {
    const response = await apiClient(base, apiKey).post(`/api/v1/replay/${runId}/results`, body, headers);
    expect(response.status).toBe(201);
    return response.body as Posted;
  }

  beforeAll(async () => {
    // Prepare: the platform as `npm start` runs it, a key as the README makes one, and 23 submissions
    running = await startLocalProcess(dataDir);
    base = running.endpoints.api!;
    const created = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--project', 'page', '--org', 'page-org'], { DATA_DIR: dataDir });
    apiKey = created.stdout.trim().split('\n').at(-1)!;
    for (let i = 0; i < 22; i++) {
      // Every status in every deployment: runs of three per deployment, statuses cycling within.
      const deployment = DEPLOYMENTS[Math.floor(i / 3) % 3];
      const divergences = i % 4;
      // run-05 gets a second submission at the end: a run page lists every one.
      const runId = i === 21 ? 'run-05' : `run-${String(i).padStart(2, '0')}`;
      posted.push(
        await post(runId, {
          status: STATUSES[i % 3],
          actions_replayed: 10 + i,
          actions_total: 20 + i,
          divergences,
          cost_savings: 0.5 + i * 0.25,
          ...(deployment ? { deployment } : {}),
          sdk_version: '1.4.0',
          ...(divergences ? { divergence_details: [{ action_id: `act-${i}`, field: i % 2 ? 'input' : 'output', recorded: { text: HOSTILE, n: i }, replayed: '41' }] } : {}),
        }),
      );
    }
    // An SDK retrying its post: counted once.
    const body = { status: 'success', actions_replayed: 5, actions_total: 5, divergences: 0, cost_savings: 1, deployment: 'prod-eu' };
    const first = await post('run-idem', body, { 'Idempotency-Key': 'attempt-1' });
    const retry = await post('run-idem', body, { 'Idempotency-Key': 'attempt-1' });
    expect(retry.id).toBe(first.id);
    posted.push(first);

    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch(CHROMIUM);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await running?.interrupt();
  });

  it('serves the page, deep links and assets with their types, caching and a strict policy', async () => {
    const page = await fetch(`${base}/replay`);
    const html = await page.text();
    const deepLink = await fetch(`${base}/replay/runs/run-01`);
    const assets = [...html.matchAll(/(?:src|href)="(\/replay\/assets\/[^"]+)"/g)].map((m) => m[1]!);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';.*connect-src 'self'/);
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toBe(html);
    expect(new Set(assets.map((a) => a.split('.').pop()))).toEqual(new Set(['js', 'css', 'svg']));
    for (const asset of new Set(assets)) {
      const response = await fetch(base + asset);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('cache-control'), asset).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-type'), asset).toMatch(asset.endsWith('.js') ? /^text\/javascript/ : asset.endsWith('.css') ? /^text\/css/ : /^image\/svg\+xml/);
    }
    expect((await fetch(`${base}/replay/assets/app-NOTBUILT.js`)).status).toBe(404);
    expect((await fetch(`${base}/replay`, { headers: { 'if-none-match': page.headers.get('etag')! } })).status).toBe(304);
  });

  it('asks for a key, says clearly when one is refused, keeps an accepted one, and forgets it', async () => {
    // Prepare
    const { context, page } = await openPage('/replay');
    const keyField = page.getByRole('textbox', { name: 'API key' });

    // Act: a wrong key first
    await keyField.fill(`rpr_${'A'.repeat(43)}`);
    await page.getByRole('button', { name: 'Continue' }).click();

    // Assess
    await eventually(() => page.getByRole('alert').textContent()).toMatch(/not accepted \(401\).*enter another key/);
    expect(await keyField.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => localStorage.getItem('reprise.apiKey'))).toBeNull();

    // Act: the right one
    await keyField.fill(apiKey);
    await keyField.press('Enter');
    await eventually(() => tile(page, 'submissions')).toBe(String(posted.length));
    expect(await page.evaluate(() => localStorage.getItem('reprise.apiKey'))).toBe(apiKey);

    // A reload asks nothing; "Forget API key" asks again
    await page.reload();
    await eventually(() => tile(page, 'submissions')).toBe(String(posted.length));
    expect(await keyField.count()).toBe(0);
    await page.getByRole('button', { name: 'Forget API key' }).click();
    await keyField.waitFor();
    expect(await page.getByText('The API key was forgotten on this browser.').isVisible()).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem('reprise.apiKey'))).toBeNull();
    await context.close();
  });

  it('shows the totals, the newest submissions first with their badges, and pages through the whole history', async () => {
    // Prepare
    const { context, page } = await openPage('/replay', { key: apiKey });
    const sum = (pick: (p: Posted) => number) => posted.reduce((total, p) => total + pick(p), 0);

    // Act: ten rows a page
    await page.getByLabel('Rows per page').selectOption('10');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/limit=10/);

    // Assess: the header and the four tiles
    await eventually(() => summary(page)).toBe(`Showing 1–10 of ${posted.length} submissions.`);
    expect(await page.locator('#submission-count').textContent()).toBe(`${posted.length} submissions`);
    expect(await tile(page, 'submissions')).toBe(String(posted.length));
    expect(await tile(page, 'actions-replayed')).toBe(String(sum((p) => p.actions_replayed)));
    expect(await tile(page, 'divergences')).toBe(String(sum((p) => p.divergences)));
    expect(await tile(page, 'cost-saved')).toBe(usd(sum((p) => p.cost_savings)));

    // Newest first, each with its badge (colour class and text), link and timestamps
    const expected = newestFirst();
    expect(await runIds(page)).toEqual(expected.slice(0, 10).map((p) => p.run_id));
    const rows = page.locator('table.submissions tbody tr');
    for (let i = 0; i < 10; i++) {
      const row = rows.nth(i);
      const badge = row.locator('.badge');
      expect(await badge.textContent()).toBe(expected[i]!.status);
      expect(await badge.getAttribute('class')).toBe(`badge badge--${expected[i]!.status}`);
      expect(await row.locator('time').getAttribute('title')).toBe(expected[i]!.submitted_at);
      expect(await row.locator('a').getAttribute('href')).toBe(`/replay/runs/${expected[i]!.run_id}`);
      expect(await row.locator('td').nth(0).textContent()).toBe('SDK');
      expect(await row.locator('td').nth(2).textContent()).toBe(`${expected[i]!.actions_replayed} / ${expected[i]!.actions_total}`);
      expect(await row.locator('td').nth(4).textContent()).toBe(usd(expected[i]!.cost_savings));
    }
    expect(await page.locator('table.submissions th[scope="col"]').allTextContents()).toEqual([
      'Run ID',
      'Kind',
      'Status',
      'Replayed / Total',
      'Divergences',
      'Saved (USD)',
      'Submitted',
      'Deployment',
    ]);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: resolve(artifacts, 'replay-page.png'), fullPage: true });
    if (process.env.REPRISE_DOCS_SCREENSHOT === '1') await page.screenshot({ path: resolve(root, 'docs', 'replay-page.png'), fullPage: true });

    // Act and assess: older pages to the end, and back
    const older = page.getByRole('button', { name: 'Older →' });
    await older.click();
    await eventually(() => summary(page)).toBe(`Showing 11–20 of ${posted.length} submissions.`);
    expect(await runIds(page)).toEqual(expected.slice(10, 20).map((p) => p.run_id));
    expect(await page.locator('#page-label').textContent()).toBe('Page 2 of 3');
    await older.click();
    await eventually(() => summary(page)).toBe(`Showing 21–${posted.length} of ${posted.length} submissions.`);
    expect(await runIds(page)).toEqual(expected.slice(20).map((p) => p.run_id));
    expect(await older.isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await eventually(() => runIds(page)).toEqual(expected.slice(10, 20).map((p) => p.run_id));
    await context.close();
  });

  it("links each run to its page, with every submission and the divergence details as text; deep links load; an unknown run says so", async () => {
    // Prepare
    const { context, page } = await openPage('/replay', { key: apiKey });
    const run = posted.filter((p) => p.run_id === 'run-05').reverse();

    // Act
    await page.getByRole('link', { name: 'run-05', exact: true }).first().click();
    await page.waitForURL(`${base}/replay/runs/run-05`);

    // Assess
    await eventually(() => page.locator('#run-summary').textContent()).toBe('2 submissions, newest first.');
    expect(await page.locator('h1').textContent()).toBe('Run run-05');
    const cards = page.locator('article.submission');
    expect(await cards.evaluateAll((all) => all.map((a) => a.getAttribute('data-submission')))).toEqual(run.map((p) => p.id));
    const detail = run.find((p) => p.divergence_details)!.divergence_details![0]!;
    const detailRow = page.locator(`tr[data-action="${detail.action_id}"]`);
    expect(await detailRow.locator('th').textContent()).toBe(detail.action_id);
    const [field, recorded, replayed] = await detailRow.locator('td').allTextContents();
    expect(field).toBe(detail.field);
    expect(JSON.parse(recorded!)).toEqual(detail.recorded);
    expect(recorded).toContain(JSON.stringify(HOSTILE));
    expect(replayed).toBe('"41"');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate('window.__injected')).toBeUndefined();
    await page.screenshot({ path: resolve(artifacts, 'replay-run-page.png'), fullPage: true });

    // A deep link loads the run page itself
    await page.goto(`${base}/replay/runs/run-05`);
    await eventually(() => page.locator('article.submission').count()).toBe(2);
    const missing = await openPage('/replay/runs/never-ran', { key: apiKey });
    await eventually(() => missing.page.getByRole('heading', { name: 'Run not found' }).count()).toBe(1);
    expect(await missing.page.getByText('No replay results were submitted for run').textContent()).toContain('never-ran');
    await missing.context.close();
    await context.close();
  });

  it('filters by status and by deployment, alone and together', async () => {
    // Prepare
    const { context, page } = await openPage('/replay?limit=10', { key: apiKey });
    await eventually(() => summary(page)).toMatch(/^Showing 1–10 of/);

    // Act: failed only
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/status=failed/);

    // Assess
    const failed = newestFirst((p) => p.status === 'failed');
    await eventually(() => summary(page)).toBe(`Showing 1–${failed.length} of ${failed.length} submissions with status failed.`);
    expect(await runIds(page)).toEqual(failed.map((p) => p.run_id));
    expect(new Set(await page.locator('table.submissions .badge').allTextContents())).toEqual(new Set(['failed']));

    // Act and assess: failed in prod-eu
    await page.getByLabel('Deployment', { exact: true }).fill('prod-eu');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/deployment=prod-eu/);
    const both = newestFirst((p) => p.status === 'failed' && p.deployment === 'prod-eu');
    await eventually(() => runIds(page)).toEqual(both.map((p) => p.run_id));
    expect(await summary(page)).toContain(`of ${both.length} submission${both.length === 1 ? '' : 's'} with status failed and deployment prod-eu`);

    // Act and assess: every status of prod-us
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByLabel('Deployment', { exact: true }).fill('prod-us');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => url.search === '?deployment=prod-us&limit=10');
    const prodUs = newestFirst((p) => p.deployment === 'prod-us');
    await eventually(() => runIds(page)).toEqual(prodUs.map((p) => p.run_id));
    expect(new Set(await page.locator('table.submissions .badge').allTextContents())).toEqual(new Set(STATUSES));

    // Act and assess: the submissions sent without a deployment, then clear
    await page.getByLabel('Deployment', { exact: true }).fill('(none)');
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(() => runIds(page)).toEqual(newestFirst((p) => p.deployment === undefined).map((p) => p.run_id));
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await page.waitForURL((url) => url.search === '?limit=10');
    await eventually(() => summary(page)).toBe(`Showing 1–10 of ${posted.length} submissions.`);
    await context.close();
  });

  it('draws the divergences per day, stacked by deployment', async () => {
    // Prepare
    const { context, page } = await openPage('/replay', { key: apiKey });
    const chart = page.locator('svg.chart');

    // Act
    await chart.waitFor();

    // Assess
    const divergencesOf = (deployment: string | undefined) => posted.filter((p) => p.deployment === deployment).reduce((sum, p) => sum + p.divergences, 0);
    expect(new Set(await page.locator('.chart-legend .legend-label').allTextContents())).toEqual(new Set(['prod-eu', 'prod-us', '(none)']));
    expect(await chart.getAttribute('role')).toBe('img');
    const bars = await chart.locator('rect').evaluateAll((rects) => rects.map((r) => [r.getAttribute('data-deployment'), r.getAttribute('data-day')]));
    const today = new Date().toISOString().slice(0, 10);
    expect(new Set(bars.map(([deployment]) => deployment))).toEqual(new Set(['prod-eu', 'prod-us', '(none)'].filter((d) => divergencesOf(d === '(none)' ? undefined : d) > 0)));
    expect(new Set(bars.map(([, day]) => day))).toEqual(new Set([today]));
    expect(await chart.locator('rect title').first().textContent()).toMatch(new RegExp(`^${today} · `));
    await page.getByText('Chart data as a table').click();
    expect(await page.locator('.chart-data tbody tr').count()).toBe(3);
    await context.close();
  });

  it('shows a submission posted after the page loaded when Refresh is pressed', async () => {
    // Prepare
    const { context, page } = await openPage('/replay', { key: apiKey });
    await eventually(() => tile(page, 'submissions')).toBe(String(posted.length));

    // Act
    const late = await post('run-late', { status: 'partial', actions_replayed: 1, actions_total: 2, divergences: 1, cost_savings: 2, deployment: 'canary' });
    posted.push(late);
    await page.getByRole('button', { name: 'Refresh' }).click();

    // Assess
    await eventually(async () => (await runIds(page))[0]).toBe('run-late');
    expect(await tile(page, 'submissions')).toBe(String(posted.length));
    expect(await page.locator('table.submissions tbody tr').first().locator('.badge').textContent()).toBe('partial');
    await eventually(() => page.locator('.chart-legend .legend-label').allTextContents()).toContain('canary');
    await context.close();
  });

  it('is operable with the keyboard, with a visible focus', async () => {
    // Prepare
    const { context, page } = await openPage('/replay', { key: apiKey });
    await eventually(() => summary(page)).toMatch(/^Showing/);

    // Act: tab through the page from the top
    const reached: { name: string; outline: string }[] = [];
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.locator(':focus').evaluate((element) => {
          const document = element.ownerDocument;
          const label = element.id ? document.querySelector(`label[for="${element.id}"]`)?.textContent : undefined;
          return { name: String(label ?? element.getAttribute('aria-label') ?? element.textContent ?? '').trim(), outline: String(document.defaultView.getComputedStyle(element).outlineStyle) };
        }),
      );
    }

    // Assess
    const names = reached.map((r) => r.name);
    for (const expected of ['Skip to content', 'Forget API key', 'Refresh', 'Window', 'Status', 'Deployment', 'Rows per page', 'Apply']) expect(names, expected).toContain(expected);
    expect(names).toContain(newestFirst()[0]!.run_id);
    for (const { name, outline } of reached) expect(outline, name).not.toBe('none');

    // Enter on a focused run link opens its page
    const link = page.getByRole('link', { name: newestFirst()[0]!.run_id, exact: true });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/replay\/runs\//);
    await context.close();
  });

  it('fits a phone: the table scrolls inside the page, which does not', async () => {
    const { context, page } = await openPage('/replay', { key: apiKey, viewport: { width: 390, height: 844 } });
    await eventually(() => summary(page)).toMatch(/^Showing/);
    const widths = await page.locator('table.submissions').evaluate((table) => {
      const region = table.parentElement;
      return { page: table.ownerDocument.documentElement.scrollWidth, viewport: table.ownerDocument.defaultView.innerWidth, region: region.clientWidth, table: region.scrollWidth };
    });
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.table).toBeGreaterThan(widths.region);
    await page.screenshot({ path: resolve(artifacts, 'replay-page-phone.png'), fullPage: true });
    await context.close();
  });

  it('tells a new org how to post its first result', async () => {
    // Prepare: another org, with nothing posted
    const created = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--project', 'fresh', '--org', 'fresh-org'], { DATA_DIR: dataDir });
    const freshKey = created.stdout.trim().split('\n').at(-1)!;

    // Act
    const { context, page } = await openPage('/replay', { key: freshKey });

    // Assess
    await page.getByRole('heading', { name: 'No replay results yet' }).waitFor();
    expect(await tile(page, 'submissions')).toBe('0');
    expect(await tile(page, 'cost-saved')).toBe('$0.00');
    const command = await page.locator('pre.command').textContent();
    expect(command).toContain(`curl -X POST '${base}/api/v1/replay/my-first-run/results'`);
    expect(await page.locator('table.submissions').count()).toBe(0);
    await context.close();
  });

  it("filters by kind, names each row's kind, and marks its section in the one navigation bar", async () => {
    // Prepare: another org with an SDK submission and a replay run's outcome
    const created = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--project', 'kinds', '--org', 'kinds-org'], { DATA_DIR: dataDir });
    const kindsApi = apiClient(base, created.stdout.trim().split('\n').at(-1)!);
    const result = { status: 'success', actions_replayed: 3, actions_total: 3, divergences: 0, cost_savings: 0 };
    expect((await kindsApi.post('/api/v1/replay/sdk-run/results', result)).status).toBe(201);
    expect((await kindsApi.post('/api/v1/replay/rpl_kind/results', { ...result, kind: 'replay_run' })).status).toBe(201);
    const key = created.stdout.trim().split('\n').at(-1)!;
    const { context, page } = await openPage('/replay', { key });
    await eventually(() => summary(page)).toBe('Showing 1–2 of 2 submissions.');

    // Act
    await page.getByLabel('Kind').selectOption('replay_run');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/kind=replay_run/);

    // Assess
    await eventually(() => summary(page)).toBe('Showing 1–1 of 1 submission with kind Replay run.');
    expect(await runIds(page)).toEqual(['rpl_kind']);
    expect(await page.locator('table.submissions tbody td[data-kind]').allTextContents()).toEqual(['Replay run']);
    const navigation = page.getByRole('navigation', { name: 'Sections' });
    expect(await navigation.getByRole('link', { name: 'Replay Hub' }).getAttribute('aria-current')).toBe('page');
    await context.close();
  });

  it('raised no script error and no Content-Security-Policy violation on any page', () => {
    expect(problems).toEqual([]);
  });
});
