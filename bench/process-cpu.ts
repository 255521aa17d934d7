import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (ms) by part of the platform, from Linux's per-thread counters; empty elsewhere. */
export type CpuByPart = Record<string, number>;

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux Node supports). */
const TICKS_PER_SECOND = 100;

/**
 * Reads the CPU time of every thread of the given processes. Each process
 * gets its total under its own name, and each kind of thread a part
 * `<process> · <thread>`: the thread's name with its numbers as `#` (so a
 * pool's threads add up), `main` for the main thread, and, in this process,
 * `function threads` for the local platform's function workers (Node names
 * each after its handler's entry, `functions/…`).
 */
export function cpuByPart(processes: Record<string, number | undefined>): CpuByPart {
  const parts: CpuByPart = {};
  const add = (part: string, ms: number) => (parts[part] = (parts[part] ?? 0) + ms);
  for (const [name, pid] of Object.entries(processes)) {
    if (!pid) continue;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const ms = threadCpuMs(pid, tid);
      if (ms === undefined) continue;
      const thread = tid === String(pid) ? 'main' : threadName(pid, tid);
      add(name, ms);
      add(`${name} · ${thread.startsWith('functions/') ? 'function threads' : thread.replace(/[0-9]+/g, '#')}`, ms);
    }
  }
  return parts;
}

/** `after - before`, part by part (a thread started in between counts from zero). */
export function cpuSpent(before: CpuByPart, after: CpuByPart): CpuByPart {
  return Object.fromEntries(Object.entries(after).map(([part, ms]) => [part, ms - (before[part] ?? 0)]));
}

function threadCpuMs(pid: number, tid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function threadName(pid: number, tid: string): string {
  try {
    return readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}
