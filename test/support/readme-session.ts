import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { freePort } from '../../lib/local/free-port.ts';
import { waitFor } from '../../lib/local/wait-for.ts';
import { isClosed } from './local-process.ts';
import type { EndpointsFile } from '../../lib/local/platform.ts';

/**
 * A reader working through the README on a fresh clone: a copy of the
 * repository's files (what `git clone` gives, sharing this checkout's
 * node_modules, as `npm install` would make them), one shell that keeps its
 * variables from block to block, and the other terminals the README opens
 * (the platform, example servers), each in a process group of its own.
 *
 * The README's fixed ports become free ones: 3000 is the running platform's
 * (started with PORT=0), and every other port a block names (`--port 5001`,
 * `listen(8081)`, `127.0.0.1:5002`) gets a free port of its own, the same one
 * wherever it appears.
 */
export interface BlockRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Every curl the block made, in order, with the status it got (the last of a redirect chain). */
  http: { command: string; status: number | undefined }[];
  /** Processes the block left behind in its process group (killed since). */
  leftBehind: boolean;
}

interface OpenTerminal {
  label: string;
  child: ChildProcess;
  output: () => string;
  /** README ports it serves; `3000` for the platform. */
  serves: number[];
}

const PLATFORM_PORT = 3000;
const HOSTED_PORT = /\b(127\.0\.0\.1|localhost):(\d{2,5})\b/g;
const SERVED_PORT = /(--port[ =]|\.listen\()(\d{2,5})\b/g;
const STARTS_PLATFORM = /(^|[\s;&|(])npm start\b/m;
/** Variables of this test's own process that a reader's terminal would not have. */
const NOT_THE_READERS = /^(npm_|VITEST|AWS_|REPRISE_|POWERTOOLS_)|^(INIT_CWD|NODE|NODE_ENV|NODE_OPTIONS|TEST|PORT|HOST|DATA_DIR|LOG_LEVEL|REPORT_SIGNING_KEY|DETACHED_.*|SESSION_REPLAY_.*)$/;

export class ReadmeSession {
  /** The fresh copy the blocks run in (their working directory). */
  readonly dir: string;
  private readonly harness: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly ports = new Map<number, number>();
  private readonly terminals: OpenTerminal[] = [];
  private readonly groups: { label: string; pid: number }[] = [];

  private constructor(repositoryRoot: string) {
    const base = mkdtempSync(join(tmpdir(), 'reprise-readme-'));
    this.dir = join(base, 'reprise');
    this.harness = join(base, 'harness');
    mkdirSync(join(this.harness, 'http'), { recursive: true });
    copyCheckout(repositoryRoot, this.dir);
    this.env = readersEnvironment(this.harness);
  }

  static create(repositoryRoot: string): ReadmeSession {
    return new ReadmeSession(repositoryRoot);
  }

  /** The README's port of the platform, as here. */
  get api(): string {
    return `http://127.0.0.1:${this.portFor(PLATFORM_PORT)}`;
  }

  /** A block's text with the README's ports replaced by this run's. */
  async localize(text: string): Promise<string> {
    for (const match of [...text.matchAll(HOSTED_PORT), ...text.matchAll(SERVED_PORT)]) {
      const port = Number(match[2]);
      if (port !== PLATFORM_PORT && !this.ports.has(port)) this.ports.set(port, await freePort());
    }
    return text
      .replaceAll(HOSTED_PORT, (_all, host: string, port: string) => `${host}:${this.portFor(Number(port))}`)
      .replaceAll(SERVED_PORT, (_all, prefix: string, port: string) => `${prefix}${this.portFor(Number(port))}`);
  }

  /**
   * Opens a terminal that keeps running what it starts, as the reader would in
   * another window (Ctrl-C first in the one that runs the same server), and
   * waits until that server answers.
   */
  async openTerminal(label: string, text: string): Promise<void> {
    const startsPlatform = STARTS_PLATFORM.test(text);
    const serves = startsPlatform ? [PLATFORM_PORT] : [...text.matchAll(SERVED_PORT)].map((match) => Number(match[2]));
    if (serves.length === 0) throw new Error(`The README test cannot tell what "${label}" serves: it starts neither \`npm start\` nor a server with --port or .listen(port)`);
    for (const running of this.terminals.filter((terminal) => terminal.serves.some((port) => serves.includes(port)))) await this.stop(running);

    const script = join(this.harness, `terminal-${this.groups.length + 1}.sh`);
    writeFileSync(script, `set -euo pipefail\n${await this.localize(text)}\n`);
    const child = spawn('bash', [script], { cwd: this.dir, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const terminal: OpenTerminal = { label, child, output: () => output, serves };
    this.terminals.push(terminal);
    this.groups.push({ label, pid: child.pid! });

    const ended = () => child.exitCode !== null || child.signalCode !== null;
    const serving = startsPlatform
      ? await waitFor(
          `the platform of "${label}" to answer /health`,
          async () => {
            if (ended()) return 'ended';
            const endpointsFile = join(this.dir, '.data', 'endpoints.json');
            if (!existsSync(endpointsFile)) return undefined;
            const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as EndpointsFile;
            // endpoints.json of an earlier start may still be there: wait for this start's.
            if (!endpoints.api || !output.includes(endpoints.api)) return undefined;
            const health = await fetch(`${endpoints.api}/health`).catch(() => undefined);
            return health?.status === 200 ? endpoints.api : undefined;
          },
          90_000,
          200,
        )
      : await waitFor(
          `"${label}" to listen on ${serves.map((port) => this.portFor(port)).join(', ')}`,
          async () => (ended() ? 'ended' : (await Promise.all(serves.map((port) => isClosed(`http://127.0.0.1:${this.portFor(port)}`)))).every((closed) => !closed) && 'serving'),
          60_000,
          100,
        );
    if (serving === 'ended') throw new Error(`"${label}" ended (${child.exitCode ?? child.signalCode}) before it served:\n${output}`);
    if (startsPlatform) this.ports.set(PLATFORM_PORT, Number(new URL(serving).port));
  }

  /** Runs a block in the reader's shell, which keeps its variables and functions from the blocks before. */
  async run(text: string, timeoutMs = 120_000): Promise<BlockRun> {
    const script = join(this.harness, `block-${this.groups.length + 1}.sh`);
    writeFileSync(script, `${prelude(this.harness)}\n${await this.localize(text)}\n__readme_keep_state\n`);
    const child = spawn('bash', [script], { cwd: this.dir, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.groups.push({ label: `block ${script}`, pid: child.pid! });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(child.pid!, 'SIGKILL');
    }, timeoutMs);
    const code = await new Promise<number | null>((resolveExit) => child.once('close', (exitCode) => resolveExit(exitCode)));
    clearTimeout(timer);
    const leftBehind = !(await groupEnds(child.pid!, 2_000));
    if (leftBehind) signalGroup(child.pid!, 'SIGKILL');
    return { code, stdout, stderr, timedOut, http: this.takeHttpLog(), leftBehind };
  }

  /** The output of the terminals still open, for a failure message. */
  terminalOutput(): string {
    return this.terminals.map((terminal) => `--- ${terminal.label}\n${terminal.output().slice(-4_000)}`).join('\n');
  }

  /**
   * Ctrl-C in every open terminal. Answers the process groups this session
   * started that still had a process after it (none is left running: they are
   * killed).
   */
  async close(): Promise<string[]> {
    for (const terminal of [...this.terminals]) await this.stop(terminal);
    const orphans: string[] = [];
    for (const group of this.groups) {
      if (await groupEnds(group.pid, 0)) continue;
      orphans.push(group.label);
      signalGroup(group.pid, 'SIGKILL');
    }
    return orphans;
  }

  /** Removes the copy (kept when a test failed, to look at). */
  remove(): void {
    rmSync(dirname(this.dir), { recursive: true, force: true });
  }

  private async stop(terminal: OpenTerminal): Promise<void> {
    this.terminals.splice(this.terminals.indexOf(terminal), 1);
    signalGroup(terminal.child.pid!, 'SIGINT');
    if (!(await groupEnds(terminal.child.pid!, 30_000))) {
      signalGroup(terminal.child.pid!, 'SIGKILL');
      throw new Error(`Ctrl-C did not end everything "${terminal.label}" started:\n${terminal.output()}`);
    }
    if (terminal.serves.includes(PLATFORM_PORT)) this.ports.delete(PLATFORM_PORT);
  }

  private portFor(readmePort: number): number {
    const port = this.ports.get(readmePort);
    if (port === undefined) throw new Error(`The README names 127.0.0.1:${readmePort} while no platform runs: start it first (npm start)`);
    return port;
  }

  private takeHttpLog(): BlockRun['http'] {
    const directory = join(this.harness, 'http');
    const calls = readdirSync(directory)
      .filter((name) => name.endsWith('.command'))
      .sort()
      .map((name) => {
        const base = join(directory, name.slice(0, -'.command'.length));
        const headers = existsSync(`${base}.headers`) ? readFileSync(`${base}.headers`, 'utf8') : '';
        const statuses = [...headers.matchAll(/^HTTP\/[\d.]+ (\d{3})/gm)].map((match) => Number(match[1]));
        return { command: readFileSync(`${base}.command`, 'utf8').trim(), status: statuses.at(-1) };
      });
    rmSync(directory, { recursive: true });
    mkdirSync(directory);
    return calls;
  }
}

/**
 * What the reader's shell does before each block: stop at the first failing
 * command, note what each curl got (its headers go to a file, so what it
 * prints is unchanged), and take back the variables and functions of the
 * blocks before.
 */
function prelude(harness: string): string {
  const state = join(harness, 'shell-state.sh');
  return `set -euo pipefail
trap 'echo "README command failed (exit $?): $BASH_COMMAND" >&2' ERR
curl() { local f="${harness}/http/\${EPOCHREALTIME/./}-$BASHPID-$RANDOM"; printf '%s\\n' "$*" > "$f.command"; command curl -D "$f.headers" "$@"; }
__readme_baseline=" $(compgen -v | tr '\\n' ' ') "
__readme_keep_state() {
  local name
  { for name in $(compgen -v); do
      case "$__readme_baseline" in *" $name "*) continue ;; esac
      case "$name" in BASH*|_|PIPESTATUS|FUNCNAME|LINENO|RANDOM|SECONDS|SRANDOM|EPOCH*|COMP*|OPT*|__readme_*|name) continue ;; esac
      declare -p "$name"
    done
    declare -f
  } > '${state}'
}
if [ -f '${state}' ]; then source '${state}'; fi`;
}

/** Whether `command` is on a reader's PATH (node_modules/.bin not counted). */
export function readerHas(command: string): boolean {
  try {
    execFileSync('bash', ['-c', `command -v ${command}`], { env: readersEnvironment(tmpdir()), stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The repository's files as a clone has them (tracked, or new and not ignored), with this checkout's node_modules. */
function copyCheckout(root: string, target: string): void {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(root, file)));
  for (const file of files) cpSync(join(root, file), join(target, file), { recursive: false });
  symlinkSync(join(root, 'node_modules'), join(target, 'node_modules'), 'dir');
}

/** A terminal's environment: no npm or test variables, no AWS credentials but the README's, Node as installed, PORT=0. */
function readersEnvironment(harness: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!NOT_THE_READERS.test(name)) env[name] = value;
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.includes(`node_modules${'/'}.bin`))
    .join(delimiter);
  const noAwsFiles = join(harness, 'no-aws-files');
  Object.assign(env, { AWS_CONFIG_FILE: noAwsFiles, AWS_SHARED_CREDENTIALS_FILE: noAwsFiles, PORT: '0' });
  return env;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group has ended.
  }
}

/** Whether no process of the group is left within `withinMs`. */
async function groupEnds(pid: number, withinMs: number): Promise<boolean> {
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    await waitFor(`process group ${pid} to end`, async () => !alive() || undefined, withinMs, 50);
    return true;
  } catch {
    return !alive();
  }
}
