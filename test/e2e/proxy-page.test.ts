import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.ts';
import { harOf } from '../support/har.ts';
import { runNpm, startLocalProcess, tempDataDir, type LocalProcess } from '../support/local-process.ts';
import { startServer, type LocalServer, type Received } from '../support/local-server.ts';
import { CHROMIUM, openWatchedPage } from './chromium.ts';

const root = resolve(import.meta.dirname, '..', '..');
const artifacts = resolve(root, 'test', 'artifacts');
/** Markup in recorded values: the page must show it as text. */
const HOSTILE = '<img src=x onerror="window.__injected=1">';

const eventually = <T>(probe: () => Promise<T>) => expect.poll(probe, { timeout: 20_000, interval: 100 });
const json = (response: import('node:http').ServerResponse, status: number, body: unknown) => {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
};

describe('the Proxy page in Chromium', () => {
  const dataDir = tempDataDir();
  let running: LocalProcess;
  let base: string;
  let apiKey: string;
  let browser: Browser;
  /** The API as the page's user, for what the test sets up or checks behind the page. */
  let api: ReturnType<typeof apiClient>;
  /** The recorded API: GET answers 200 with `items: 1`, POST 201. */
  let upstream: LocalServer;
  /** Where replays go: GET answers 200 with `items: 2` (a body that differs), POST 500 (a status that differs); `/slow` waits for `gate`. */
  let target: LocalServer;
  let gate = Promise.withResolvers<void>();
  const problems: string[] = [];
  /** What the flow creates, in the order the tests run. */
  const made = { endpointId: '', proxyUrl: '', sessionId: '', firstReplayId: '' };

  /** A fresh browser context holding the key (unless told otherwise) and the clipboard, watching for script errors and CSP violations. */
  const openPage = (path: string, options: { key?: string | null; viewport?: { width: number; height: number } } = {}) =>
    openWatchedPage(browser, base + path, problems, { key: options.key === null ? undefined : (options.key ?? apiKey), viewport: options.viewport, permissions: ['clipboard-read', 'clipboard-write'] });

  /** The focused element's id, else its text. */
  const focused = (page: Page) => page.evaluate<string>('document.activeElement?.id || document.activeElement?.textContent?.trim() || document.activeElement?.tagName');
  const focusedText = (page: Page) => page.evaluate<string>('document.activeElement?.textContent');
  const card = (page: Page, title: string) => page.locator('li.session-card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
  const resultCells = (page: Page) =>
    page.locator('dialog table.results > tbody > tr:not(.diff-row)').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td, th')].map((cell) => cell.textContent?.trim())));

  beforeAll(async () => {
    // Prepare: the platform as `npm start` runs it, allowed to reach servers on this machine; a key as the README makes one
    running = await startLocalProcess(dataDir, { REPRISE_ALLOW_LOOPBACK_TARGETS: 'true' });
    base = running.endpoints.api!;
    const created = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--project', 'proxy-page', '--org', 'proxy-org'], { DATA_DIR: dataDir });
    apiKey = created.stdout.trim().split('\n').at(-1)!;
    api = apiClient(base, apiKey);
    upstream = await startServer((request: Received, response) =>
      json(response, request.method === 'POST' ? 201 : 200, { path: request.url, items: 1, ts: request.at, note: HOSTILE }),
    );
    target = await startServer((request: Received, response) => {
      const answer = () => (request.method === 'POST' ? json(response, 500, { error: 'boom' }) : json(response, 200, { path: request.url, items: 2, ts: request.at, note: HOSTILE }));
      if (request.url.startsWith('/slow')) void gate.promise.then(answer);
      else answer();
    });
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch(CHROMIUM);
  }, 180_000);

  afterAll(async () => {
    gate.resolve();
    await browser?.close();
    await running?.interrupt();
    await upstream?.stop();
    await target?.stop();
  });

  it('is served at exactly /proxy, and every path below it stays the recording proxy’s', async () => {
    const page = await fetch(`${base}/proxy`);
    const slash = await fetch(`${base}/proxy/`);
    const proxied = await fetch(`${base}/proxy/not-a-token/cart`);
    const posted = await fetch(`${base}/proxy`, { method: 'POST' });

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("require-trusted-types-for 'script'");
    expect(await page.text()).toContain('/replay/assets/app-');
    expect(slash.status).toBe(200);
    expect(proxied.status).toBe(404);
    expect(proxied.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await proxied.json()) as { detail: unknown }).detail).toEqual(expect.any(String));
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET');
  });

  it('asks for a key on /proxy under its own name, and marks its section in the one navigation bar', async () => {
    const { context, page } = await openPage('/proxy', { key: null });
    await page.getByRole('textbox', { name: 'API key' }).fill(apiKey);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { level: 1, name: 'Proxy endpoints' }).waitFor();
    expect(await page.title()).toBe('Proxy endpoints · Reprise');
    const navigation = page.getByRole('navigation', { name: 'Sections' });
    expect(await navigation.getByRole('link', { name: 'Proxy', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(await navigation.getByRole('link', { name: 'Replay Hub' }).getAttribute('aria-current')).toBeNull();
    await eventually(() => page.locator('#no-endpoints').isVisible()).toBe(true);
    await context.close();
  });

  it('loads its code only when it opens, in place from another section, focus on its heading', async () => {
    // Prepare: the Replay Hub, the requests it makes, and a mark that a reload would lose
    const { context, page } = await openPage('/replay');
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await page.getByRole('heading', { level: 1, name: 'Replay Hub' }).waitFor();
    expect(scripts.filter((path) => path.includes('proxy-view-'))).toEqual([]);
    await page.evaluate('window.__stayed = true');

    // Act
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Proxy', exact: true }).click();

    // Assess
    await page.waitForURL(`${base}/proxy`);
    await eventually(() => focused(page)).toBe('Proxy endpoints');
    expect(scripts.filter((path) => path.includes('proxy-view-'))).toHaveLength(1);
    expect(await page.evaluate('window.__stayed')).toBe(true);
    await context.close();
  });

  it('checks the create form in place, shows the API’s refusal in place, then creates an endpoint and opens it with its proxy URL to copy', async () => {
    // Prepare
    const { context, page } = await openPage('/proxy');
    const name = page.getByRole('textbox', { name: 'Name', exact: true });
    const upstreamField = page.getByRole('textbox', { name: 'Upstream URL' });
    const create = page.getByRole('button', { name: 'Create endpoint' });
    await eventually(() => page.locator('#endpoint-count').textContent()).toBe('0 endpoints');

    // Act and assess: nothing filled in
    await create.click();
    expect(await page.locator('#endpoint-name-error').textContent()).toBe('Enter a name.');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await focused(page)).toBe('endpoint-name');

    // Act and assess: an upstream the API refuses (the instance metadata address), in the API's own words
    await name.fill('shop-api');
    await upstreamField.fill('http://169.254.169.254/latest/meta-data');
    await create.click();
    const refusal = page.locator('form.endpoint-form [role="alert"]');
    await eventually(() => refusal.textContent()).toMatch(/^Error 400: upstream_url .+/);
    expect(await page.evaluate('document.activeElement?.getAttribute("role")')).toBe('alert');

    // Act: a real upstream, recording on (the default)
    expect(await page.getByRole('switch', { name: 'Record traffic' }).isChecked()).toBe(true);
    await upstreamField.fill(upstream.url);
    await create.click();
    await page.waitForURL(/\/proxy\?endpoint=pep_/);

    // Assess: the endpoint's page, its state in the query string only
    made.endpointId = new URL(page.url()).searchParams.get('endpoint')!;
    await eventually(() => page.locator('h1').textContent()).toBe('shop-api');
    expect(await focused(page)).toBe('shop-api');
    expect(new URL(page.url()).pathname).toBe('/proxy');
    made.proxyUrl = (await page.locator('#proxy-url').textContent())!;
    expect(made.proxyUrl).toMatch(new RegExp(`^${base}/proxy/[A-Za-z0-9_-]{40,}$`));
    expect(await page.locator('#upstream-url').textContent()).toBe(upstream.url);
    expect(await page.locator('.header-badge .badge').textContent()).toBe('Recording');
    expect(await page.getByRole('link', { name: 'Recordings' }).getAttribute('aria-current')).toBe('page');

    // Act and assess: the copy button
    await page.getByRole('button', { name: 'Copy proxy URL' }).click();
    await eventually(() => page.locator('#announcer').textContent()).toBe('The proxy URL was copied.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(made.proxyUrl);

    // The list links it
    await page.getByRole('link', { name: '← Proxy endpoints' }).click();
    await eventually(() => page.locator('#endpoint-count').textContent()).toBe('1 endpoint');
    expect(await page.getByRole('link', { name: 'shop-api' }).getAttribute('href')).toBe(`/proxy?endpoint=${made.endpointId}`);
    await page.screenshot({ path: resolve(artifacts, 'proxy-page-endpoints.png'), fullPage: true });
    await context.close();
  });

  it('shows the traffic sent through the proxy URL, newest first, and by session as cards that expand to their recordings in order', async () => {
    // Prepare: two requests in session "demo" (the client's own Authorization goes upstream), one in another
    const headers = { 'x-session-id': 'demo', authorization: 'Bearer old-token' };
    expect((await fetch(`${made.proxyUrl}/cart?user=7`, { headers })).status).toBe(200);
    expect((await fetch(`${made.proxyUrl}/cart/items`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"sku":"A1"}' })).status).toBe(201);
    expect((await fetch(`${made.proxyUrl}/health`, { headers: { 'x-session-id': 'other' } })).status).toBe(200);
    expect(upstream.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /cart?user=7', 'POST /cart/items', 'GET /health']);
    const { context, page } = await openPage(`/proxy?endpoint=${made.endpointId}`);

    // Assess: Flat, newest first
    await eventually(() => page.locator('#recordings-summary').textContent()).toBe('Recordings 1–3, newest first.');
    const flat = await page.locator('table.recordings tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(1, 4).map((cell) => cell.textContent)));
    expect(flat).toEqual([
      ['GET', '/health', '200'],
      ['POST', '/cart/items', '201'],
      ['GET', '/cart?user=7', '200'],
    ]);
    expect(await page.locator('#view-flat').getAttribute('aria-pressed')).toBe('true');

    // Act: By Session, with the keyboard
    await page.locator('#view-sessions').focus();
    await page.keyboard.press('Enter');

    // Assess: the view in the URL (a history entry), focus kept on the toggle, a card per session
    await page.waitForURL(/view=sessions/);
    expect(await page.locator('#view-sessions').getAttribute('aria-pressed')).toBe('true');
    expect(await focused(page)).toBe('view-sessions');
    await eventually(() => page.locator('#sessions-summary').textContent()).toBe('2 sessions, newest first.');
    const demo = card(page, 'Session demo');
    expect(await demo.locator('[data-fact="requests"]').textContent()).toBe('2');
    expect(await demo.locator('[data-fact="time-range"]').textContent()).toMatch(/^\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M – \d{1,2}:\d{2}:\d{2} [AP]M \(\d+ ms\)$/);
    expect(await card(page, 'Session other').locator('[data-fact="requests"]').textContent()).toBe('1');
    expect(await demo.locator('.session-grouping').textContent()).toBe('Grouped by the x-session-id header');

    // Act: expand
    const show = demo.getByRole('button', { name: 'Show recordings' });
    await show.click();

    // Assess: its recordings in arrival order, with their offsets; the session in the URL
    expect(await demo.getByRole('button', { name: 'Hide recordings' }).getAttribute('aria-expanded')).toBe('true');
    await eventually(() => demo.locator('table.session-recordings tbody tr').count()).toBe(2);
    const ordered = await demo.locator('table.session-recordings tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    expect(ordered.map((cells) => cells.slice(2, 5))).toEqual([
      ['GET', '/cart?user=7', '200'],
      ['POST', '/cart/items', '201'],
    ]);
    expect(ordered[0]![1]).toBe('+0 ms');
    made.sessionId = (await demo.getAttribute('data-session'))!;
    expect(new URL(page.url()).searchParams.get('session')).toBe(made.sessionId);
    // The session's replays arrive by a request of their own (its function may be starting, as on Lambda).
    await eventually(() => demo.getByText('Not replayed yet.').isVisible()).toBe(true);
    await page.screenshot({ path: resolve(artifacts, 'proxy-page-sessions.png'), fullPage: true });

    // Back returns to Flat
    await page.goBack();
    await eventually(() => page.locator('#view-flat').getAttribute('aria-pressed')).toBe('true');
    await context.close();
  });

  it('replays a session at instant with a header override: progress, then one pass and one fail with expected vs actual', async () => {
    // Prepare
    const { context, page } = await openPage(`/proxy?endpoint=${made.endpointId}&view=sessions`);
    const demo = card(page, 'Session demo');
    const replay = demo.getByRole('button', { name: 'Replay', exact: true });
    await replay.waitFor();
    target.received.length = 0;

    // Act: open the dialog with the keyboard
    await replay.focus();
    await page.keyboard.press('Enter');

    // Assess: modal, focus in its first field; a missing target is said in place
    const dialog = page.getByRole('dialog', { name: 'Replay session' });
    await dialog.waitFor();
    expect(await focused(page)).toBe('replay-target_url');
    expect(await dialog.getByRole('radio', { name: 'Instant (all at once)' }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Start Replay' }).click();
    expect(await page.locator('#replay-target_url-error').textContent()).toBe('Enter a URL.');

    // Act: a target, and an override of the redacted Authorization
    await dialog.getByRole('textbox', { name: 'Target URL' }).fill(target.url);
    await dialog.getByRole('button', { name: 'Add header' }).click();
    expect(await focused(page)).toBe('header-0-name');
    await dialog.getByRole('textbox', { name: 'Header 1 name' }).fill('Authorization');
    await dialog.getByRole('textbox', { name: 'Header 1 value' }).fill('Bearer new-token');
    await dialog.getByRole('button', { name: 'Start Replay' }).click();

    // Assess: the summary and the per-request table
    const results = page.getByRole('dialog', { name: 'Replay results' });
    await eventually(() => results.getByRole('status').textContent()).toBe('Completed: 2 requests, 1 passed, 1 failed.');
    const tiles = Object.fromEntries(await results.locator('[data-tile]').evaluateAll((all) => all.map((tile) => [tile.getAttribute('data-tile'), tile.textContent])));
    expect(tiles).toEqual({ total: '2', passed: '1', failed: '1', status: 'completed' });
    expect(await results.locator('progress').evaluate((bar) => [bar.getAttribute('value'), bar.getAttribute('max')])).toEqual(['2', '2']);
    expect(await resultCells(page)).toEqual([
      ['Pass', '1', 'GET', '/cart?user=7', '200', '200', expect.stringMatching(/^\d+$/), ''],
      ['Fail', '2', 'POST', '/cart/items', '201', '500', expect.stringMatching(/^\d+$/), 'Expected status 201, got 500'],
    ]);
    expect(await results.locator('tr.failed-row [data-cell="actual"]').getAttribute('class')).toContain('status-changed');
    expect(target.received.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['GET', '/cart?user=7', 'Bearer new-token'],
      ['POST', '/cart/items', 'Bearer new-token'],
    ]);
    made.firstReplayId = new URL(page.url()).searchParams.get('replay')!;
    expect(made.firstReplayId).toMatch(/^srp_/);
    await page.screenshot({ path: resolve(artifacts, 'proxy-page-replay.png') });
    if (process.env.REPRISE_DOCS_SCREENSHOT === '1') await page.screenshot({ path: resolve(root, 'docs', 'proxy-page.png') });

    // Act and assess: Run Again opens the settings prefilled, secrets included (this dialog sent them)
    await results.getByRole('button', { name: 'Run Again' }).click();
    const again = page.getByRole('dialog', { name: 'Replay session' });
    expect(await again.getByRole('textbox', { name: 'Target URL' }).inputValue()).toBe(target.url);
    expect(await again.getByRole('radio', { name: 'Instant (all at once)' }).isChecked()).toBe(true);
    expect(await again.getByRole('textbox', { name: 'Header 1 name' }).inputValue()).toBe('Authorization');
    expect(await again.getByRole('textbox', { name: 'Header 1 value' }).inputValue()).toBe('Bearer new-token');
    expect(new URL(page.url()).searchParams.get('replay')).toBeNull();

    // Act: compare bodies this time, ignoring the timestamps
    await again.getByRole('checkbox', { name: 'Also compare response bodies' }).check();
    await again.getByRole('textbox', { name: 'Ignore paths (one JSON path a line)' }).fill('$.ts\n$[bad');
    await again.getByRole('button', { name: 'Start Replay' }).click();
    expect(await page.locator('#replay-ignore_paths-error').textContent()).toContain('$[bad');
    await again.getByRole('textbox', { name: 'Ignore paths (one JSON path a line)' }).fill('$.ts');
    await again.getByRole('button', { name: 'Start Replay' }).click();

    // Assess: the GET now fails on its body, with the difference shown as text
    await eventually(() => results.getByRole('status').textContent()).toBe('Completed: 2 requests, 0 passed, 2 failed.');
    expect((await resultCells(page)).map((cells) => cells[0])).toEqual(['Fail', 'Fail']);
    const diff = results.locator('tr.diff-row[data-diff-of="0"] table.body-diff tbody tr');
    expect(await diff.evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)))).toEqual([['$.items', '1', '2']]);
    expect(await results.locator('.replay-settings').textContent()).toContain('statuses and bodies compared, ignoring $.ts');

    // Act and assess: Close returns focus to the Replay button; the session lists both replays, newest first
    await results.getByRole('button', { name: 'Close', exact: true }).click();
    await eventually(() => page.getByRole('dialog').count()).toBe(0);
    await eventually(() => focused(page)).toBe('Replay');
    await eventually(async () => new URL(page.url()).searchParams.get('replay')).toBeNull();
    const past = demo.locator('table.past-replays-table tbody tr');
    await eventually(() => past.count()).toBe(2);
    const pastCells = await past.evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(1, 7).map((cell) => cell.textContent)));
    expect(pastCells).toEqual([
      ['completed', target.url, 'instant', '0', '2', '2'],
      ['completed', target.url, 'instant', '1', '1', '2'],
    ]);
    expect(await page.evaluate('window.__injected')).toBeUndefined();

    // Act and assess: a past replay's results; Escape closes them and focus returns to where it was
    const older = past.nth(1).getByRole('button', { name: /^Results of the replay/ });
    await older.click();
    await eventually(() => results.getByRole('status').textContent()).toBe('Completed: 2 requests, 1 passed, 1 failed.');
    expect(new URL(page.url()).searchParams.get('replay')).toBe(made.firstReplayId);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate('Boolean(document.activeElement?.closest("dialog"))')).toBe(true);
    await page.keyboard.press('Escape');
    await eventually(() => page.getByRole('dialog').count()).toBe(0);
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toMatch(/^Results of the replay/);
    await context.close();
  });

  it('opens the URL of a replay on its results, with Run Again prefilled from it (a secret override to enter again)', async () => {
    // Prepare: a replay started through the API with a secret override and a custom one
    const started = await api.post(`/api/v1/proxy-endpoints/${made.endpointId}/sessions/${made.sessionId}/replays`, {
      target_url: target.url,
      speed: '2x',
      header_overrides: { Authorization: 'Bearer api-token', 'X-Env': 'staging' },
    });
    expect(started.status).toBe(202);

    // Act
    const { context, page } = await openPage(`/proxy?endpoint=${made.endpointId}&view=sessions&session=${made.sessionId}&replay=${started.body.id}`);

    // Assess
    const results = page.getByRole('dialog', { name: 'Replay results' });
    await eventually(() => results.getByRole('status').textContent()).toBe('Completed: 2 requests, 1 passed, 1 failed.');
    expect(await card(page, 'Session demo').getByRole('button', { name: 'Hide recordings' }).isVisible()).toBe(true);
    await results.getByRole('button', { name: 'Run Again' }).click();
    const again = page.getByRole('dialog', { name: 'Replay session' });
    expect(await again.getByRole('radio', { name: '2x (double speed)' }).isChecked()).toBe(true);
    const rows = await again.locator('li.header-row').evaluateAll((all) => all.map((row) => [...row.querySelectorAll('input')].map((input) => input.value || input.placeholder)));
    // Names as the API keeps them (lower case)
    expect(new Set(rows.map((row) => row.join(': ')))).toEqual(new Set(['authorization: Not kept: enter it again', 'x-env: staging']));
    const secretRow = rows.findIndex(([name]) => name === 'authorization');
    await again.getByRole('button', { name: 'Start Replay' }).click();
    expect(await page.locator(`#header-${secretRow}-value-error`).textContent()).toBe(`Row ${secretRow + 1}: the value of authorization is not kept; enter it again.`);
    expect(await focused(page)).toBe(`header-${secretRow}-value`);
    // A row removed: focus moves to the row that took its place (or the one before)
    await again.getByRole('button', { name: `Remove header row ${secretRow + 1}` }).click();
    expect(await focused(page)).toBe('header-0-name');
    expect(await again.getByRole('textbox', { name: 'Header 1 name' }).inputValue()).toBe('x-env');
    await context.close();
  });

  it('imports a HAR file as a session, and shows the API’s refusal of a bad one in place', async () => {
    // Prepare
    const bad = join(dataDir, 'bad.har');
    const good = join(dataDir, 'checkout.har');
    writeFileSync(bad, JSON.stringify({ log: { version: '1.2', entries: [{ startedDateTime: 'yesterday' }] } }));
    writeFileSync(good, JSON.stringify(harOf(upstream.url, [{ path: '/a', offsetMs: 0 }, { method: 'POST', path: '/b', status: 201, offsetMs: 1_500, body: '{}' }, { path: '/c', offsetMs: 2_000 }])));
    const { context, page } = await openPage(`/proxy?endpoint=${made.endpointId}`);
    const file = page.getByLabel('HAR file', { exact: true });
    const importButton = page.getByRole('button', { name: 'Import HAR' });

    // Act and assess: no file, then a bad one
    await importButton.click();
    expect(await page.locator('#har-file-error').textContent()).toBe('Choose a HAR file first.');
    await file.setInputFiles(bad);
    await importButton.click();
    const refusal = page.locator('form.har-upload [role="alert"]');
    await eventually(() => refusal.textContent()).toMatch(/^Error 422: log\.(creator|entries)/);

    // Act: a good one
    await file.setInputFiles(good);
    await importButton.click();

    // Assess: the new session, shown expanded in By Session
    await page.waitForURL(/view=sessions&session=ses_/);
    const imported = card(page, 'Imported HAR session');
    await eventually(() => imported.locator('table.session-recordings tbody tr').count()).toBe(3);
    expect(await imported.locator('[data-fact="requests"]').textContent()).toBe('3');
    expect(await imported.locator('[data-fact="time-range"]').textContent()).toMatch(/ \(2 s\)$/);
    expect(await imported.locator('table.session-recordings tbody tr td:nth-child(2)').allTextContents()).toEqual(['+0 ms', '+1.5 s', '+2 s']);
    await eventually(() => focusedText(page)).toBe('Imported HAR session');
    await context.close();
  });

  it('fills the progress in while a replay runs, and cancels one', async () => {
    // Prepare: a session of a quick request and one the target holds until the test lets it go
    const imported = await api.post(`/api/v1/proxy-endpoints/${made.endpointId}/sessions/import`, harOf(upstream.url, [{ path: '/fast', offsetMs: 0 }, { path: '/slow', offsetMs: 10 }]));
    expect(imported.status).toBe(201);
    const { context, page } = await openPage(`/proxy?endpoint=${made.endpointId}&view=sessions&session=${imported.body.id}`);
    const held = card(page, 'Imported HAR session').and(page.locator(`[data-session="${imported.body.id}"]`));
    await held.getByRole('button', { name: 'Replay', exact: true }).click();
    const settings = page.getByRole('dialog', { name: 'Replay session' });
    await settings.getByRole('textbox', { name: 'Target URL' }).fill(target.url);
    const results = page.getByRole('dialog', { name: 'Replay results' });
    const progress = () => results.locator('progress').evaluate((bar) => `${bar.getAttribute('value')}/${bar.getAttribute('max')}`);

    // Act
    await settings.getByRole('button', { name: 'Start Replay' }).click();

    // Assess: one answered, one held: the live region, the bar and the table say so while it runs
    await eventually(() => results.getByRole('status').textContent()).toBe('Running: 1 of 2 requests done (1 passed, 0 failed).');
    expect(await progress()).toBe('1/2');
    expect(await results.locator('[data-tile="status"]').textContent()).toBe('running');
    expect((await resultCells(page)).map((cells) => cells.slice(0, 4))).toEqual([['Pass', '1', 'GET', '/fast']]);
    expect(await results.getByRole('button', { name: 'Run Again' }).isHidden()).toBe(true);

    // Act and assess: let it go
    gate.resolve();
    await eventually(() => results.getByRole('status').textContent()).toBe('Completed: 2 requests, 2 passed, 0 failed.');
    expect(await progress()).toBe('2/2');
    expect(await focused(page)).toBe('Run Again');

    // Act and assess: again, canceled while the second is held
    gate = Promise.withResolvers<void>();
    await results.getByRole('button', { name: 'Run Again' }).click();
    await settings.getByRole('button', { name: 'Start Replay' }).click();
    await eventually(() => results.getByRole('status').textContent()).toBe('Running: 1 of 2 requests done (1 passed, 0 failed).');
    await results.getByRole('button', { name: 'Cancel replay' }).click();
    await eventually(() => results.getByRole('status').textContent()).toMatch(/^Canceled after [12] of 2 requests/);
    expect(await results.locator('[data-tile="status"]').textContent()).toBe('canceled');
    gate.resolve();
    await context.close();
  });

  it('pages through the flat list with the API’s cursors', async () => {
    // Prepare: another endpoint with 55 recordings, from a HAR
    const endpoint = await api.post('/api/v1/proxy-endpoints', { name: 'paging', upstream_url: upstream.url, recording: true });
    const entries = Array.from({ length: 55 }, (_, i) => ({ path: `/item/${i}`, offsetMs: i * 10 }));
    expect((await api.post(`/api/v1/proxy-endpoints/${endpoint.body.id}/sessions/import`, harOf(upstream.url, entries))).status).toBe(201);
    const { context, page } = await openPage(`/proxy?endpoint=${endpoint.body.id}`);
    const paths = () => page.locator('table.recordings tbody td.request-target').allTextContents();

    // Act and assess
    await eventually(() => page.locator('#recordings-summary').textContent()).toBe('Recordings 1–50, newest first.');
    expect((await paths())[0]).toBe('/item/54');
    await page.getByRole('button', { name: 'Older →' }).click();
    await eventually(() => page.locator('#recordings-summary').textContent()).toBe('Recordings 51–55, newest first.');
    expect(await paths()).toEqual(['/item/4', '/item/3', '/item/2', '/item/1', '/item/0']);
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await eventually(() => page.locator('#recordings-summary').textContent()).toBe('Recordings 1–50, newest first.');
    await context.close();
  });

  it('fits a phone: the page never scrolls sideways, the dialog fits the screen', async () => {
    const { context, page } = await openPage(`/proxy?endpoint=${made.endpointId}&view=sessions&session=${made.sessionId}&replay=${made.firstReplayId}`, { viewport: { width: 390, height: 844 } });
    const results = page.getByRole('dialog', { name: 'Replay results' });
    await eventually(() => results.getByRole('status').textContent()).toMatch(/^Completed/);
    const widths = await page.evaluate<{ page: number; viewport: number; dialog: number }>("({ page: document.documentElement.scrollWidth, viewport: innerWidth, dialog: document.querySelector('dialog').getBoundingClientRect().width })");
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.dialog).toBeLessThanOrEqual(widths.viewport);
    await page.screenshot({ path: resolve(artifacts, 'proxy-page-phone-dialog.png') });
    await results.getByRole('button', { name: 'Close', exact: true }).click();
    expect(await page.evaluate('document.documentElement.scrollWidth <= innerWidth')).toBe(true);
    await page.screenshot({ path: resolve(artifacts, 'proxy-page-phone.png'), fullPage: true });
    await context.close();
  });

  it('changes the settings, and deletes only with the name the API asks for, its refusal shown in place', async () => {
    // Prepare
    const { context, page } = await openPage(`/proxy?endpoint=${made.endpointId}`);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/tab=settings/);
    const name = page.getByRole('textbox', { name: 'Name', exact: true });
    await eventually(() => name.inputValue()).toBe('shop-api');

    // Act: rename, recording off
    await name.fill('shop-api-v2');
    await page.getByRole('switch', { name: 'Record traffic' }).uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();

    // Assess
    await eventually(() => page.locator('h1').textContent()).toBe('shop-api-v2');
    expect(await page.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    expect(await page.locator('.header-badge .badge').textContent()).toBe('Not recording');
    const saved = await api.get(`/api/v1/proxy-endpoints/${made.endpointId}`);
    expect([saved.body.name, saved.body.recording]).toEqual(['shop-api-v2', false]);

    // Act and assess: a wrong name, in the API's words
    const confirm = page.getByRole('textbox', { name: 'Endpoint name' });
    await confirm.fill('shop-api');
    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    const refusal = page.locator('form.panel--danger [role="alert"]');
    await eventually(() => refusal.textContent()).toMatch(/^Error 400: /);
    expect((await api.get(`/api/v1/proxy-endpoints/${made.endpointId}`)).status).toBe(200);

    // Act and assess: the right one
    await confirm.fill('shop-api-v2');
    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.waitForURL((url) => url.pathname === '/proxy' && url.search === '');
    await eventually(() => page.locator('#endpoint-count').textContent()).toBe('1 endpoint');
    expect(await page.getByRole('link', { name: 'shop-api-v2' }).count()).toBe(0);
    expect((await fetch(`${made.proxyUrl}/cart`)).status).toBe(404);
    await page.goto(`${base}/proxy?endpoint=${made.endpointId}`);
    await page.getByRole('heading', { name: 'Endpoint not found' }).waitFor();
    await context.close();
  });

  it('serves an upstream’s page through the proxy without scripts and without the origin’s storage, where the pages keep the key', async () => {
    const hostile = await startServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.setHeader('content-security-policy', "script-src 'unsafe-inline'");
      response.end("<title>upstream</title><script>document.title = 'ran:' + localStorage.getItem('reprise.apiKey')</script>");
    });
    const endpoint = (await api.post('/api/v1/proxy-endpoints', { name: 'hostile', upstream_url: hostile.url, recording: false })).body;
    const context = await browser.newContext();
    await context.addInitScript(`if (location.pathname === '/replay') localStorage.setItem('reprise.apiKey', ${JSON.stringify(apiKey)})`);
    const page = await context.newPage();
    try {
      // Control: the same markup straight from the upstream runs its script.
      await page.goto(`${hostile.url}/page.html`);
      expect(await page.title()).toBe('ran:null');
      await page.goto(`${base}/replay`);
      expect(await page.evaluate<string>("localStorage.getItem('reprise.apiKey')")).toBe(apiKey);

      await page.goto(`${endpoint.proxy_url}/page.html`);

      expect(await page.title()).toBe('upstream');
      expect(await page.evaluate('[window.origin, (() => { try { return localStorage.length; } catch (error) { return error.name; } })()]')).toEqual(['null', 'SecurityError']);
    } finally {
      await context.close();
      await hostile.stop();
    }
  });

  it('raised no script error and no Content-Security-Policy violation on any page', () => {
    expect(problems).toEqual([]);
  });
});
