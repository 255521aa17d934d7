import { envNamesOf, secrets, type FunctionSpec } from '../catalogue.ts';

/**
 * The environment of one function on the local platform: what every function
 * gets (region, credentials, the emulators' endpoints, logging and local
 * settings), plus, for each thing its catalogue entry uses, exactly the
 * variables the stack sets for that use (`envNamesOf`), with local values.
 * The one difference: a secret is given by value (`localValueEnvName`), as
 * there is no Secrets Manager to read its ARN from.
 */
export function functionEnvironment(spec: FunctionSpec, common: Record<string, string>, resources: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...common };
  for (const access of spec.uses) {
    const names = 'secret' in access ? [secrets[access.secret].localValueEnvName] : envNamesOf(access);
    for (const name of names) {
      const value = resources[name];
      if (value === undefined) throw new Error(`The local platform has no value for ${name}, which ${spec.entry} uses`);
      env[name] = value;
    }
  }
  return env;
}
