import { describeExit, type ChildExit, type EmulatorProcess } from './child-process.ts';

export interface SupervisedEmulator {
  readonly name: string;
  /** The process running now (a new one after each restart, on the same port). */
  current(): EmulatorProcess;
  stop(): Promise<void>;
}

export interface SupervisionHooks {
  /** Runs after each restart, before the emulator counts as back (re-creating what an in-memory emulator lost). */
  restored: () => Promise<void>;
  /** The emulator cannot be kept running: the platform should stop, saying this one line. */
  fatal: (message: string) => void;
  /** One line per event (an exit, a restart). */
  log: (line: string) => void;
}

/** Restarts per emulator before the platform gives up. */
const RESTART_ATTEMPTS = 3;
/** This many unexpected exits within the window is a crash loop, not bad luck. */
const CRASH_LOOP = { exits: 5, windowMs: 5 * 60_000 };

/**
 * Starts an emulator and keeps it running: when its process ends without
 * being stopped (killed, crashed), it is started again on the same port, so
 * every client keeps its endpoint, and `restored` re-creates what it lost.
 * When it cannot be restarted (three attempts, 1, 2 and 3 s apart), or
 * keeps dying, `fatal` is told once, in one line.
 */
export async function superviseEmulator(
  name: string,
  start: (port?: number) => Promise<EmulatorProcess>,
  hooks: SupervisionHooks,
  backoffMs = 1_000,
): Promise<SupervisedEmulator> {
  let running = await start();
  const { port } = running;
  let stopping = false;
  const exits: number[] = [];

  const restart = async (exit: ChildExit): Promise<void> => {
    const now = Date.now();
    exits.push(now);
    while (exits.length && exits[0]! < now - CRASH_LOOP.windowMs) exits.shift();
    if (exits.length >= CRASH_LOOP.exits) {
      hooks.fatal(`${name} ${describeExit(exit)}, the ${exits.length}th time in ${CRASH_LOOP.windowMs / 60_000} minutes`);
      return;
    }
    hooks.log(`${name} ${describeExit(exit)}; restarting it on port ${port}`);
    const failure = await retried(async () => {
      const next = await start(port);
      if (stopping) return void (await next.stop());
      running = next;
      watch(next);
    });
    if (stopping) return;
    // Started, but an in-memory emulator comes back empty: re-create what the platform provisioned.
    const lost = failure ?? (await retried(hooks.restored, false));
    if (stopping) return;
    if (lost) {
      hooks.fatal(`${name} ${describeExit(exit)} and could not be restarted on port ${port}: ${shortReason(lost.error)}`);
      return;
    }
    hooks.log(`${name} is running again on port ${port}`);
  };

  /** Up to RESTART_ATTEMPTS tries, backing off (before the first too, unless told not to); the last error when none succeeded. */
  const retried = async (step: () => Promise<void>, waitFirst = true): Promise<{ error: unknown } | undefined> => {
    let error: unknown;
    for (let attempt = 1; attempt <= RESTART_ATTEMPTS; attempt++) {
      if (waitFirst || attempt > 1) await new Promise((resolve) => setTimeout(resolve, backoffMs * attempt));
      if (stopping) return undefined;
      try {
        await step();
        return undefined;
      } catch (caught) {
        error = caught;
      }
    }
    return { error };
  };

  const watch = (watched: EmulatorProcess) => {
    void watched.exited.then((exit) => {
      if (!stopping && watched === running) void restart(exit);
    });
  };
  watch(running);

  return {
    name,
    current: () => running,
    async stop() {
      stopping = true;
      await running.stop();
    },
  };
}

/** The line that says why: a Java exception's last `Caused by`, or an error's first line. */
function shortReason(error: unknown): string {
  const message = (error as Error | undefined)?.message ?? String(error);
  const causes = [...message.matchAll(/Caused by: (.+)/g)];
  return (causes.at(-1)?.[1] ?? message.split('\n').find((line) => line.trim()) ?? 'unknown error').trim();
}
