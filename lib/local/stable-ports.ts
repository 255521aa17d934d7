import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { assertPortFree } from './free-port.ts';

/**
 * The ports the emulators listened on last time, kept in a file under
 * DATA_DIR, so that a restart gives the same endpoints: what an SDK or CLI
 * user took from endpoints.json stays valid. A remembered port that is taken
 * now is left out (the emulator then takes a new one, remembered next).
 */
export async function rememberedPorts<K extends string>(file: string, names: readonly K[]): Promise<Partial<Record<K, number>>> {
  if (!existsSync(file)) return {};
  let saved: Record<string, unknown>;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
  const ports: Partial<Record<K, number>> = {};
  for (const name of names) {
    const port = saved[name];
    if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65_536 && (await isFree(port))) ports[name] = port;
  }
  return ports;
}

/** Writes the ports the emulators listen on now, for the next start. */
export function rememberPorts(file: string, ports: Record<string, number>): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(ports, null, 2)}\n`);
}

/** The port of an `http://host:port` address. */
export const portOf = (address: string): number => Number(new URL(address).port);

function isFree(port: number): Promise<boolean> {
  return assertPortFree(port, '127.0.0.1').then(
    () => true,
    () => false,
  );
}
