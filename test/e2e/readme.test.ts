import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReadme, type ShellBlock } from '../support/readme.ts';
import { ReadmeSession, readerHas, type BlockRun } from '../support/readme-session.ts';

/**
 * Every shell block of the README, run in order with bash on a fresh copy of
 * the repository, as a reader would: the platform and the example servers in
 * terminals of their own (`# Terminal N` in a block; what runs there is stopped
 * with Ctrl-C when the README starts it again, and at the end), everything
 * else in one shell that keeps its variables. Each block must exit 0, every
 * curl it makes must get a 2xx or 3xx, and what a walkthrough promises is
 * checked below. Blocks whose fence says `skip:` (and `needs:` a command that
 * is not installed) are listed as skipped tests with the reason.
 */
const root = resolve(import.meta.dirname, '..', '..');
const readme = parseReadme(readFileSync(join(root, 'README.md'), 'utf8'));
const [startHere, ...walkthroughs] = readme.shellBlocks;
if (!startHere) throw new Error('README.md has no ```sh block: it must start with `npm install && npm start` and `npm test`');

/** What the README says a block prints or does, beyond exiting 0. */
const promises: Record<string, (run: BlockRun, session: ReadmeSession) => Promise<void> | void> = {
  'Try it #1': (run) => {
    expect(run.stdout).toMatch(/"project_id":"prj_[0-9a-z]+","project_name":"my-project"/);
    expect(run.http.find((call) => call.command.includes('/results'))?.status).toBe(201);
    expect(run.stdout).toContain('{"submissions":1,"actions_replayed":18,"divergences":2,"cost_saved":0.84}');
  },
  'Orgs, projects and keys #1': (run) => {
    expect(run.stdout).toMatch(/^prj_[0-9a-z]+ {2}checkout {2}\(created /m);
    expect(run.stdout).toContain('Revoked.');
  },
  'Reproducibility › Walkthrough #1': (run) => {
    expect(run.stdout).toMatch(/(?<!non)deterministic$/m);
    expect(run.stdout).toMatch(/path: 'id'/);
  },
  'Reproducibility › Walkthrough #2': (run) => {
    expect(run.stdout).toMatch(/nondeterministic$/m);
    expect(run.stdout).toContain("[ { path: 'choices[0].message.content', attempts: 4 } ]");
  },
  'Replay runs (/v2) #1': (run) => {
    expect(run.stdout).toMatch(/"replay_class":"tokenized_performance"/);
    expect(run.stdout).toMatch(/"evidence_digest":"sig_[0-9a-f]{64}"/);
  },
  'Replay runs (/v2) › Full-fidelity runs #1': (run) => {
    expect(run.stdout).toContain('"object":"replay_run_estimate"');
    expect(run.stdout).toMatch(/"recommended_profile":"either"/);
    expect(run.stdout).toMatch(/"exact_match_rate":0\b/);
    expect(run.stdout).toMatch(/"evidence_digest":"sig_[0-9a-f]{64}"/);
  },
  'Replay runs (/v2) › Full-fidelity runs #2': (run) => {
    expect(run.stdout.trim()).toBe('valid (HMAC-SHA256 signature)');
  },
  'Replay runs (/v2) › Full-fidelity runs #3': async (run, session) => {
    expect(run.stdout.trim()).toBe('valid');
    // The same snippet on a report whose metrics were changed: INVALID, exit 1.
    const reportFile = join(session.dir, 'report.json');
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    writeFileSync(reportFile, JSON.stringify({ ...report, metrics: { ...report.metrics, tampered: true } }));
    const tampered = await session.run(block('Replay runs (/v2) › Full-fidelity runs #3').text);
    expect([tampered.code, tampered.stdout.trim()]).toEqual([1, 'INVALID']);
  },
  'Detached replay #4': (run) => {
    expect(run.stdout).toContain('"name":"example-ingest"');
    expect(run.stdout).toMatch(/"objects_found":1,"objects_published":1,"objects_failed":0,"objects_skipped":0,"status":"publishing_complete"/);
  },
  'Session replay › Walkthrough #1': (run) => {
    // The last curl's answer, printed right after the others' (curl adds no newline).
    const replay = JSON.parse(run.stdout.slice(run.stdout.lastIndexOf('{"id":"srp_')));
    expect(replay).toMatchObject({ status: 'completed', summary: { total: 2, sent: 2, passed: 2, failed: 0, pending: 0 } });
    expect(replay.results.map((result: { path: string }) => result.path)).toEqual(['/cart?user=7', '/cart/items']);
  },
  'The local platform #1': (run) => {
    expect(run.stdout).toMatch(/\/boost\/compacted\/doc\.json$/m);
  },
};

function block(name: string): ShellBlock {
  const found = readme.shellBlocks.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`No README block named ${name}`);
  return found;
}

function skipReason(candidate: ShellBlock): string | undefined {
  if (candidate.skip) return candidate.skip;
  if (candidate.needs && !readerHas(candidate.needs)) return `${candidate.needs} is not installed here`;
  return undefined;
}

const skipped: string[] = [
  `Start here #1 (line ${startHere.line}): npm install — the test runs in the installed checkout (its copy shares node_modules)`,
  `Start here #1 (line ${startHere.line}): npm test — the suite this test is part of`,
];

describe('the README, run as written on a fresh copy of the repository', () => {
  let session: ReadmeSession;
  let broken: string | undefined;

  beforeAll(() => {
    session = ReadmeSession.create(root);
  });

  afterAll(async () => {
    const orphans = await session.close();
    console.log(`README blocks not run:\n${skipped.map((line) => `  - ${line}`).join('\n')}`);
    if (broken === undefined && orphans.length === 0) session.remove();
    else console.log(`The README's copy is kept at ${session.dir}`);
    expect(orphans, 'processes the README started and Ctrl-C left running').toEqual([]);
  }, 120_000);

  it('has a shell fence for every shell command, and a block for every promise checked here', () => {
    expect(readme.fences.filter((fence) => !/^(sh\b.*|json|)$/.test(fence.info))).toEqual([]);
    expect(Object.keys(promises).filter((name) => !readme.shellBlocks.some((candidate) => candidate.name === name))).toEqual([]);
  });

  it(`starts with the two commands a newcomer runs, and npm start serves (line ${startHere.line})`, async () => {
    const commands = startHere.text.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim());
    expect(readme.fences[0]?.line).toBe(startHere.line);
    expect(commands).toEqual(['npm install && npm start', 'npm test']);

    await session.openTerminal('Start here: npm start', 'npm start');

    expect((await fetch(`${session.api}/health`)).status).toBe(200);
  });

  for (const candidate of walkthroughs) {
    const title = `${candidate.name} (line ${candidate.line})`;
    const reason = skipReason(candidate);
    if (reason) {
      skipped.push(`${title}: ${reason}`);
      it.skip(`${title} — not run: ${reason}`, () => {});
      continue;
    }
    it(title, async (context) => {
      if (broken) context.skip(`an earlier block failed: ${broken}`);
      broken = title;
      for (const terminal of candidate.terminals.filter((t) => t.keepsRunning)) await session.openTerminal(`${candidate.name}: ${terminal.label}`, terminal.text);
      const run = await session.run(candidate.terminals.at(-1)!.text);

      const report = `exit ${run.code}${run.timedOut ? ' (timed out)' : ''}\n--- stdout\n${run.stdout.slice(-6_000)}\n--- stderr\n${run.stderr.slice(-4_000)}\n${session.terminalOutput()}`;
      expect(run.code, report).toBe(0);
      expect(run.leftBehind, 'the block left a process running').toBe(false);
      expect(run.http.filter((call) => call.status === undefined || call.status >= 400), report).toEqual([]);
      await promises[candidate.name]?.(run, session);
      broken = undefined;
    }, 300_000);
  }

  it('links pages of the platform that it serves', async (context) => {
    if (broken) context.skip(`an earlier block failed: ${broken}`);
    const pages = readme.links.map((link) => link.href).filter((href) => href.startsWith('http://127.0.0.1:3000/'));
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) {
      const response = await fetch(page.replace('http://127.0.0.1:3000', session.api));
      expect([page, response.status]).toEqual([page, 200]);
    }
  });
});
