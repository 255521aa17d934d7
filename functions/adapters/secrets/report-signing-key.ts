import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/**
 * The key reports are signed with: on AWS the Secrets Manager secret the
 * stack creates (cached for five minutes), locally `REPORT_SIGNING_KEY`.
 * Without either, reports carry an unkeyed checksum instead of a signature.
 */
export async function reportSigningKey(): Promise<Buffer | undefined> {
  const local = process.env.REPORT_SIGNING_KEY;
  if (local) return Buffer.from(local, 'utf8');
  const secretArn = process.env.REPORT_SIGNING_SECRET_ARN;
  if (!secretArn) return undefined;
  const value = await getSecret(secretArn, { maxAge: 300 });
  if (typeof value !== 'string' || !value) throw new Error('The report signing secret is empty');
  return Buffer.from(value, 'utf8');
}
