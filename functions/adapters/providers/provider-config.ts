import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { z } from 'zod';
import { secrets } from '#lib/catalogue.ts';

/**
 * The model providers a deployment lets full-fidelity runs call, keyed by the
 * provider part of a target (`openai` of `openai/gpt-4o`): an
 * OpenAI-compatible API's base URL and its key. Set by the operator — on AWS
 * in the providers secret, locally in `DATA_DIR/providers.json` — never by an
 * API caller.
 */
export type ProviderConfig = Record<string, { base_url: string; api_key: string }>;

const providerName = /^[a-z0-9][a-z0-9-]{0,62}$/;
const baseUrl = z
  .string()
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.search && !url.hash;
    } catch {
      return false;
    }
  }, 'base_url must be an http(s) URL without credentials, query or fragment, e.g. https://api.openai.com/v1');

const configSchema = z.record(z.string(), z.strictObject({ base_url: baseUrl, api_key: z.string().max(4096) }));

/** Parses and checks a providers document; the error says where it is wrong (never a key). */
export function parseProviderConfig(text: string, source: string): ProviderConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  const parsed = configSchema.safeParse(json);
  const badName = parsed.success ? Object.keys(parsed.data).find((name) => !providerName.test(name)) : undefined;
  if (badName !== undefined) throw new Error(`${source}: ${JSON.stringify(badName)}: provider names are those of targets (openai of openai/gpt-4o): a-z 0-9 -, at most 63`);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join('.') || '(document)'}: ${issue.message}`);
  }
  return parsed.data;
}

const PROVIDERS_ENV = { local: secrets.providers.localValueEnvName, secretArn: secrets.providers.envName } as const;

let cached: { text: string; config: ProviderConfig } | undefined;

/** This function's providers: the local value, or the secret by ARN (cached five minutes); none when it has neither. */
export async function providerConfigFromEnv(): Promise<ProviderConfig> {
  const local = process.env[PROVIDERS_ENV.local];
  const arn = process.env[PROVIDERS_ENV.secretArn];
  let text: string;
  if (local !== undefined && local !== '') text = local;
  else if (arn) {
    const value = await getSecret(arn, { maxAge: 300 });
    if (typeof value !== 'string') throw new Error('The providers secret holds no text');
    text = value;
  } else return {};
  if (cached?.text !== text) cached = { text, config: parseProviderConfig(text, local ? PROVIDERS_ENV.local : 'the providers secret') };
  return cached.config;
}
