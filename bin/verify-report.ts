/**
 * Verifies a replay report offline: `npm run verify-report -- report.json`
 * (or the report on stdin). A `sig_` digest needs the signing key, from
 * REPORT_SIGNING_KEY or `--key-file`; a `sha256_` digest needs none.
 * Exits 0 when the digest matches, 1 when it does not, 2 on bad input.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { digestEvidence, EVIDENCE_DIGEST_PATTERN, EVIDENCE_FIELDS, evidenceOf, sameDigest, type EvidenceSubject } from '../functions/core/replay-runs/report.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'key-file': { type: 'string' } } });
const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};

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
const keyText = values['key-file'] ? readFileSync(values['key-file'], 'utf8').trim() : process.env.REPORT_SIGNING_KEY;
if (keyed && !keyText) fail('A sig_ digest needs the signing key: set REPORT_SIGNING_KEY or pass --key-file');

const expected = digestEvidence(evidenceOf(report! as EvidenceSubject), keyed ? Buffer.from(keyText!, 'utf8') : undefined);
const valid = sameDigest(expected, digest as string);
console.log(valid ? `valid (${keyed ? 'HMAC-SHA256 signature' : 'SHA-256 checksum'})` : 'INVALID: the report was changed, or signed with another key');
process.exit(valid ? 0 : 1);
