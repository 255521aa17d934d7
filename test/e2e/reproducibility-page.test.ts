import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayServer, type ReplayServer } from '../../tools/replay-server/server.ts';
import { apiClient } from '../support/api-client.ts';
import { runNpm, startLocalProcess, tempDataDir, type LocalProcess } from '../support/local-process.ts';

const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};
const root = resolve(import.meta.dirname, '..', '..');
const artifacts = resolve(root, 'test', 'artifacts');
const eventually = <T>(probe: () => Promise<T>) => expect.poll(probe, { timeout: 30_000, interval: 100 });

describe('the Reproducibility page in Chromium', () => {
  let running: LocalProcess;
  let browser: Browser;
  let base: string;
  let apiKey: string;
  let echo: ReplayServer;
  let random: ReplayServer;
  const problems: string[] = [];

  async function open(path: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 1000 } });
    await context.addInitScript((key) => localStorage.setItem('reprise.apiKey', key), apiKey);
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Trusted Type|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    await page.goto(base + path);
    return page;
  }

  beforeAll(async () => {
    // The platform as `npm start` runs it for an agent on this laptop, and the example replay servers.
    const dataDir = tempDataDir();
    running = await startLocalProcess(dataDir, { REPRISE_ALLOW_LOOPBACK_TARGETS: 'true' });
    base = running.endpoints.api!;
    apiKey = (await runNpm(['run', '--silent', 'api-key', '--', 'create', '--project', 'repro', '--org', 'repro-org'], { DATA_DIR: dataDir })).stdout.trim().split('\n').at(-1)!;
    echo = await startReplayServer({ mode: 'echo' });
    random = await startReplayServer({ mode: 'random' });
    const api = apiClient(base, apiKey);
    const sessions = [
      { agent_id: 'booking-agent', session_id: 'booking-1', started_at: '2026-11-29T10:00:00Z', events: [{ type: 'user_input', input: 'Book a table for two <img src=x onerror="window.__injected=1">' }, { type: 'llm_request', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Book a table for two <img src=x onerror="window.__injected=1">' }] }, { type: 'llm_response', output: 'You said: Book a table for two <img src=x onerror="window.__injected=1">' }] },
      { agent_id: 'poet-agent', session_id: 'poem-1', started_at: '2026-11-29T11:00:00Z', events: [{ type: 'user_input', input: 'Write a haiku about autumn' }] },
      { agent_id: 'silent-agent', session_id: 'silent-1', started_at: '2026-11-29T12:00:00Z', events: [{ type: 'agent_output', output: 'hello' }] },
    ];
    for (const session of sessions) expect((await api.post('/api/v1/sessions', session)).status).toBe(201);
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch(CHROMIUM);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([echo?.stop(), random?.stop()]);
    await running?.interrupt();
  });

  it('finds a session, saves its agent’s Target URL, runs it N times and shows a deterministic verdict', async () => {
    // Prepare
    const page = await open('/reproducibility');
    expect(await page.locator('#sections a[aria-current="page"]').textContent()).toBe('Reproducibility');

    // Act: search, then Test Reproducibility
    await page.getByRole('searchbox', { name: 'Search sessions' }).fill('table');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually(() => page.locator('table.sessions tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: 'Test Reproducibility of session booking-1' }).click();

    // Assess: the payload, and Run disabled while no URL is set
    await eventually(() => page.locator('#payload-preview').textContent()).toContain('"is_replay": true');
    expect(new URL(page.url()).search).toBe('?sessionId=booking-1&agentId=booking-agent');
    expect(await page.getByRole('heading', { name: 'Replay payload (LLM path)' }).count()).toBe(1);
    expect(await page.locator('#payload-preview').textContent()).toContain('<img src=x onerror');
    expect(await page.locator('#run-warning').textContent()).toMatch(/Set the Target URL \(replay_url\)/);
    expect(await page.locator('#run-button').isDisabled()).toBe(true);

    // Act: save the URL, reload (pre-filled for the agent), run 3 times
    await page.getByLabel('Target URL (replay_url)').fill(`${echo.url}/replay`);
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(() => page.locator('#target-url-help').textContent()).toBe('Saved for agent booking-agent.');
    await page.reload();
    await eventually(() => page.getByLabel('Target URL (replay_url)').inputValue()).toBe(`${echo.url}/replay`);
    expect(await page.locator('#run-button').isDisabled()).toBe(false);
    await page.getByLabel('N runs (1–20)').fill('3');
    await page.getByRole('button', { name: 'Run' }).click();

    // Assess
    await eventually(() => page.locator('#verdict').getAttribute('data-verdict')).toBe('deterministic');
    expect(await page.locator('table.attempts tbody [data-result]').allTextContents()).toEqual(['pass', 'pass', 'pass']);
    expect(await page.locator('table.attempts tbody tr td:nth-child(3)').allTextContents()).toEqual(['200', '200', '200']);
    expect(new URL(page.url()).searchParams.get('runId')).toMatch(/^rep_/);
    expect(await page.evaluate(() => (globalThis as { __injected?: number }).__injected)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('shows where a nondeterministic agent diverges, side by side with attempt 1', async () => {
    const api = apiClient(base, apiKey);
    expect((await api.put('/api/v1/agents/poet-agent/replay-url', { replay_url: random.url })).status).toBe(200);
    const page = await open('/reproducibility?sessionId=poem-1&agentId=poet-agent');

    await eventually(() => page.getByLabel('Target URL (replay_url)').inputValue()).toBe(random.url);
    expect(await page.getByRole('heading', { name: 'Replay payload (User path)' }).count()).toBe(1);
    await page.getByLabel('N runs (1–20)').fill('4');
    await page.getByRole('button', { name: 'Run' }).click();

    await eventually(() => page.locator('#verdict').getAttribute('data-verdict')).toBe('nondeterministic');
    expect(await page.locator('table.attempts tbody [data-result]').allTextContents()).toEqual(['pass', 'fail', 'fail', 'fail']);
    expect(await page.locator('#run-summary').textContent()).toContain('choices[0].message.content (3 attempts)');
    await eventually(() => page.locator('.diff-cell--removed').count()).toBeGreaterThan(0);
    expect(await page.locator('.diff-table thead th').allTextContents()).toEqual(['Attempt 1', 'Attempt 2']);
    expect((await page.locator('.diff-cell--added').allTextContents()).some((text) => text.includes('"content"'))).toBe(true);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: resolve(artifacts, 'reproducibility-page.png'), fullPage: true });
    if (process.env.REPRISE_DOCS_SCREENSHOT === '1') await page.screenshot({ path: resolve(root, 'docs', 'reproducibility-page.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('says why a session is not replayable and keeps Run disabled', async () => {
    const page = await open('/reproducibility?sessionId=silent-1');

    await eventually(() => page.locator('#run-warning').textContent()).toMatch(/not replayable \(no_replay_context\)/);
    expect(await page.locator('#run-button').isDisabled()).toBe(true);
    const missing = await open('/reproducibility?sessionId=nope');
    await eventually(() => missing.getByRole('alert').first().textContent()).toMatch(/logs not found/);
  });
});
