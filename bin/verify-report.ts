/**
 * Verifies a replay report offline: `npm run verify-report -- report.json`
 * (or the report on stdin). A `sig_` digest needs the signing key: from
 * `--key-file`, REPORT_SIGNING_KEY, or the local platform's key in
 * DATA_DIR/report-signing-key; a `sha256_` digest needs none.
 * Exits 0 when the digest matches, 1 when it does not, 2 on bad input.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fail, parseCli } from '../lib/cli-args.ts';
import { digestEvidence, EVIDENCE_DIGEST_PATTERN, EVIDENCE_FIELDS, evidenceOf, sameDigest, type EvidenceSubject } from '../functions/core/replay-runs/report.ts';

const usage = `Usage: npm run verify-report -- [report.json] [--key-file <file>]

Checks a replay report's evidence_digest (the report from the file, or stdin).
A sig_ digest needs the key it was signed with, taken from the first of:
  --key-file <file>
  REPORT_SIGNING_KEY
  DATA_DIR/report-signing-key   (the local platform's key; DATA_DIR defaults to .data)
Exits 0 when the report is valid, 1 when it is not, 2 on bad input.`;

const options = { 'key-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
const { positionals, values } = parseCli(options, usage);

let report: Partial<EvidenceSubject> & { evidence_digest?: unknown };
try {
  report = JSON.parse(readFileSync(positionals[0] ?? 0, 'utf8')) as typeof report;
} catch (error) {
  fail(`Cannot read the report: ${(error as Error).message}`);
}
const digest = report!.evidence_digest;
if (typeof digest !== 'string' || !EVIDENCE_DIGEST_PATTERN.test(digest)) fail('The report has no evidence_digest (is the run completed?)');
const missing = EVIDENCE_FIELDS.filter((field) => report![field] === undefined);
if (missing.length > 0) fail(`The report lacks ${missing.join(', ')}: is it a whole report of this platform's version?`);
const keyed = (digest as string).startsWith('sig_');
const localKeyFile = resolve(process.env.DATA_DIR ?? '.data', 'report-signing-key');
const keyText = values['key-file']
  ? readFileSync(values['key-file'], 'utf8').trim()
  : process.env.REPORT_SIGNING_KEY || (existsSync(localKeyFile) ? readFileSync(localKeyFile, 'utf8').trim() : undefined);
if (keyed && !keyText) fail(`A sig_ digest needs the signing key: pass --key-file, set REPORT_SIGNING_KEY, or set DATA_DIR to the local platform's (${localKeyFile} does not exist)`);

const expected = digestEvidence(evidenceOf(report! as EvidenceSubject), keyed ? Buffer.from(keyText!, 'utf8') : undefined);
const valid = sameDigest(expected, digest as string);
console.log(valid ? `valid (${keyed ? 'HMAC-SHA256 signature' : 'SHA-256 checksum'})` : 'INVALID: the report was changed, or signed with another key');
process.exit(valid ? 0 : 1);
