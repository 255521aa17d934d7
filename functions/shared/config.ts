/** Reads a required environment variable; a missing one is a deployment error, said plainly. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Environment variable ${name} is not set`);
  }
  return value;
}

/** Reads an optional boolean environment variable (`true` / `false`). */
export function envFlag(name: string): boolean {
  return process.env[name] === 'true';
}
