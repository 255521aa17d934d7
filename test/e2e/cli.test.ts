import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestEvidence, EVIDENCE_FIELDS, evidenceOf, type EvidenceSubject } from '../../functions/core/replay-runs/report.ts';
import { runNpm, tempDataDir } from '../support/local-process.ts';

const STACK_FRAME = /^\s+at /m;

describe('the command-line tools', () => {
  it.each([
    ['api-key', /^Usage:\n {2}npm run api-key -- create/],
    ['verify-report', /^Usage: npm run verify-report --/],
  ])('npm run %s -- --help prints its usage, and exits 0', async (tool, usage) => {
    const result = await runNpm(['run', '--silent', tool, '--', '--help'], {});

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(usage);
    expect(result.stdout).toContain('DATA_DIR');
    expect(result.stderr).toBe('');
  });

  it('npm start -- --help prints its settings and starts nothing', async () => {
    const dataDir = tempDataDir();

    const result = await runNpm(['start', '--silent', '--', '--help'], { DATA_DIR: dataDir, PORT: '0' });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm start\n/);
    expect(result.stdout).toContain('DATA_DIR');
    expect(existsSync(join(dataDir, 'endpoints.json'))).toBe(false);
  });

  it('api-key with an unknown option prints what is wrong and the usage, without a stack trace', async () => {
    const result = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--projekt', 'x'], {});

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--projekt'");
    expect(result.stderr).toContain('Usage:');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('api-key names the DATA_DIR it searched when no platform runs there', async () => {
    const dataDir = tempDataDir();

    const result = await runNpm(['run', '--silent', 'api-key', '--', 'create', '--org', 'o', '--project', 'p'], { DATA_DIR: dataDir });

    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `No local platform found in DATA_DIR ${dataDir} (no endpoints.json there): start it with \`npm start\`, set DATA_DIR to the one it uses, or set REPRISE_API_KEYS_TABLE to use AWS.`,
    );
  });

  it('verify-report takes the signing key of the local platform in DATA_DIR', async () => {
    // Prepare: a report signed with one platform's key, and two data directories.
    const signedWith = tempDataDir();
    const other = tempDataDir();
    writeFileSync(join(signedWith, 'report-signing-key'), 'the-local-key\n');
    writeFileSync(join(other, 'report-signing-key'), 'another-key\n');
    const subject = Object.fromEntries(EVIDENCE_FIELDS.map((field) => [field, `${field}-value`])) as EvidenceSubject;
    const reportDir = tempDataDir();
    mkdirSync(reportDir, { recursive: true });
    const reportFile = join(reportDir, 'report.json');
    writeFileSync(reportFile, JSON.stringify({ ...subject, evidence_digest: digestEvidence(evidenceOf(subject), Buffer.from('the-local-key')) }));
    const env = { REPORT_SIGNING_KEY: '' };

    // Act
    const valid = await runNpm(['run', '--silent', 'verify-report', '--', reportFile], { ...env, DATA_DIR: signedWith });
    const invalid = await runNpm(['run', '--silent', 'verify-report', '--', reportFile], { ...env, DATA_DIR: other });
    const keyless = await runNpm(['run', '--silent', 'verify-report', '--', reportFile], { ...env, DATA_DIR: reportDir });

    // Assess
    expect([valid.code, valid.stdout.trim()]).toEqual([0, 'valid (HMAC-SHA256 signature)']);
    expect([invalid.code, invalid.stdout.trim()]).toEqual([1, 'INVALID: the report was changed, or signed with another key']);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain(join(reportDir, 'report-signing-key'));
  });
});
