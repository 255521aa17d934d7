import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { stopChild } from './child-process.ts';

export interface EmulatorProcess {
  address: string;
  stop(): Promise<void>;
}

export interface FauxqsOptions {
  /** Persist here; in memory without it. */
  dataDir?: string;
  /** Listen on this port (default: any free port). */
  port?: number;
  /**
   * Queues whose messages in flight at start are made visible at once: the
   * consumer that held them was the platform process that stopped, so they
   * need not wait out their visibility timeout.
   */
  releaseInFlight?: readonly string[];
}

/**
 * Starts fauxqs (SQS and S3 API) in a child process of its own, so that the
 * emulator's work (a ListObjectsV2 page sorts the whole prefix) never blocks
 * the handlers' event loop, and S3 and SQS each get a process.
 */
export function startFauxqsProcess({ dataDir, port, releaseInFlight = [] }: FauxqsOptions = {}): Promise<EmulatorProcess> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, [resolve(import.meta.dirname, 'fauxqs-server.mjs'), ...(dataDir ? [dataDir] : [])], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, REPRISE_FAUXQS_PORT: String(port ?? 0), REPRISE_RELEASE_IN_FLIGHT: releaseInFlight.join(',') },
  });
  return new Promise((resolveStart, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      child.stdout?.off('data', onData);
      resolveStart({ address: (JSON.parse(line) as { address: string }).address, stop: () => stopChild(child) });
    };
    child.stdout?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fauxqs exited with code ${code} before it was ready`)));
  });
}
