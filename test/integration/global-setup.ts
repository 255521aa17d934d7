import type { TestProject } from 'vitest/node';
import { startPlatform, type Platform } from '../../lib/local/platform.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    platformEnv: Record<string, string>;
  }
}

let platform: Platform | undefined;

/**
 * Starts the embedded emulators once for the whole integration suite (in
 * memory, free ports) and hands their environment to every test worker.
 */
export async function setup(project: TestProject): Promise<void> {
  const before = { ...process.env };
  platform = await startPlatform({ serve: false });
  const platformEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && before[name] !== value) platformEnv[name] = value;
  }
  // Only integration workers get the platform's environment (through setup-env.ts);
  // workers of the other suites must not inherit it from this process.
  for (const name of Object.keys(platformEnv)) {
    if (before[name] === undefined) delete process.env[name];
    else process.env[name] = before[name];
  }
  project.provide('platformEnv', platformEnv);
}

export async function teardown(): Promise<void> {
  await platform?.stop();
}
