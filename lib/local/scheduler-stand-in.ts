import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/** A one-time schedule as EventBridge Scheduler stores it (the fields Reprise uses). */
interface StoredSchedule {
  name: string;
  groupName: string;
  arn: string;
  expression: string;
  dueAt: number;
  target: { arn: string; input: string; roleArn?: string; deadLetterArn?: string };
  deleteAfterCompletion: boolean;
  state: 'ENABLED' | 'DISABLED';
  createdAt: string;
}

export interface SchedulerStandIn {
  endpoint: string;
  /** Schedules waiting to fire, for tests and status output. */
  pending(): StoredSchedule[];
  stop(): Promise<void>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const DELIVERY_ATTEMPTS = 3;

/**
 * No npm package emulates EventBridge Scheduler, so this serves the part of
 * its REST API Reprise uses — CreateSchedule, GetSchedule, DeleteSchedule for
 * one-time `at(...)` schedules with an SQS target — to the real
 * `@aws-sdk/client-scheduler` (via `AWS_ENDPOINT_URL_SCHEDULER`). Schedules
 * are persisted to `stateFile` and re-armed on start; one that fell due
 * while the platform was down fires at once.
 */
export async function startSchedulerStandIn(options: {
  stateFile?: string;
  /** Where and as whom to deliver (explicit credentials: the platform's own clients never depend on the environment). */
  sqs: { region: string; endpoint: string; credentials?: { accessKeyId: string; secretAccessKey: string } };
  queueUrlOfArn: (arn: string) => string | undefined;
  port?: number;
  /** The wall clock schedules are due by. @default Date.now */
  now?: () => number;
}): Promise<SchedulerStandIn> {
  const now = options.now ?? Date.now;
  const sqs = new SQSClient(options.sqs);
  const schedules = new Map<string, StoredSchedule>();
  const timers = new Map<string, NodeJS.Timeout>();
  const firing = new Set<Promise<void>>();
  let stopping = false;
  const key = (group: string, name: string) => `${group}/${name}`;

  for (const schedule of load(options.stateFile)) {
    schedules.set(key(schedule.groupName, schedule.name), schedule);
  }
  const persist = () => save(options.stateFile, [...schedules.values()]);

  function arm(schedule: StoredSchedule) {
    const id = key(schedule.groupName, schedule.name);
    clearTimeout(timers.get(id));
    if (schedule.state !== 'ENABLED') return;
    const delay = Math.max(0, schedule.dueAt - now());
    timers.set(
      id,
      setTimeout(() => {
        // Timers may fire a little early by the wall clock; a schedule never does.
        if (now() < schedule.dueAt) return arm(schedule);
        const run = fire(schedule).finally(() => firing.delete(run));
        firing.add(run);
      }, Math.min(delay, MAX_TIMER_MS)),
    );
  }

  async function fire(schedule: StoredSchedule) {
    const id = key(schedule.groupName, schedule.name);
    timers.delete(id);
    if (stopping || schedules.get(id) !== schedule) return;
    const delivered = await deliver(schedule.target.arn, schedule.target.input);
    // Stopped mid-delivery: keep the schedule, it fires again on the next start.
    if (!delivered && stopping) return;
    if (!delivered && schedule.target.deadLetterArn) await deliver(schedule.target.deadLetterArn, schedule.target.input);
    if (schedule.deleteAfterCompletion) schedules.delete(id);
    else schedule.state = 'DISABLED';
    persist();
  }

  async function deliver(arn: string, input: string): Promise<boolean> {
    const queueUrl = options.queueUrlOfArn(arn);
    if (!queueUrl) return false;
    for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt++) {
      try {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: input }));
        return true;
      } catch (error) {
        if (attempt === DELIVERY_ATTEMPTS) console.error(`scheduler stand-in could not deliver to ${arn}`, error);
        else await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
    return false;
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => sendError(response, 500, 'InternalServerException', (error as Error).message));
  });

  async function route(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://local');
    const nameMatch = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (!nameMatch) return sendError(response, 404, 'ResourceNotFoundException', 'Unsupported operation on the local scheduler');
    const name = decodeURIComponent(nameMatch[1]!);

    if (request.method === 'POST') {
      const input = JSON.parse((await readAll(request)) || '{}') as Record<string, any>;
      const groupName = String(input.GroupName ?? 'default');
      const id = key(groupName, name);
      if (schedules.has(id)) return sendError(response, 409, 'ConflictException', `Schedule ${name} already exists.`);
      const dueAt = parseAt(String(input.ScheduleExpression ?? ''));
      if (dueAt === undefined || !input.Target?.Arn) {
        return sendError(response, 400, 'ValidationException', 'Only one-time at(yyyy-mm-ddThh:mm:ss) schedules with a target are supported locally');
      }
      const schedule: StoredSchedule = {
        name,
        groupName,
        arn: `arn:aws:scheduler:${options.sqs.region}:000000000000:schedule/${groupName}/${name}`,
        expression: String(input.ScheduleExpression),
        dueAt,
        target: {
          arn: String(input.Target.Arn),
          input: String(input.Target.Input ?? ''),
          ...(input.Target.RoleArn ? { roleArn: String(input.Target.RoleArn) } : {}),
          ...(input.Target.DeadLetterConfig?.Arn ? { deadLetterArn: String(input.Target.DeadLetterConfig.Arn) } : {}),
        },
        deleteAfterCompletion: input.ActionAfterCompletion === 'DELETE',
        state: input.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        createdAt: new Date().toISOString(),
      };
      schedules.set(id, schedule);
      persist();
      arm(schedule);
      return sendJson(response, 200, { ScheduleArn: schedule.arn });
    }

    const id = key(url.searchParams.get('groupName') ?? 'default', name);
    const schedule = schedules.get(id);
    if (!schedule) return sendError(response, 404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
    if (request.method === 'GET') {
      return sendJson(response, 200, {
        Name: schedule.name,
        GroupName: schedule.groupName,
        Arn: schedule.arn,
        ScheduleExpression: schedule.expression,
        State: schedule.state,
        ActionAfterCompletion: schedule.deleteAfterCompletion ? 'DELETE' : 'NONE',
        Target: { Arn: schedule.target.arn, Input: schedule.target.input, RoleArn: schedule.target.roleArn },
      });
    }
    if (request.method === 'DELETE') {
      clearTimeout(timers.get(id));
      timers.delete(id);
      schedules.delete(id);
      persist();
      return sendJson(response, 200, {});
    }
    return sendError(response, 405, 'ValidationException', 'Method not supported');
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  for (const schedule of schedules.values()) arm(schedule);
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    pending: () => [...schedules.values()].filter((s) => s.state === 'ENABLED'),
    async stop() {
      stopping = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled(firing);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      sqs.destroy();
    },
  };
}

/** `at(2026-11-25T10:00:00)`, in UTC (Reprise always creates schedules in UTC). */
function parseAt(expression: string): number | undefined {
  const match = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (!match) return undefined;
  const time = Date.parse(`${match[1]}Z`);
  return Number.isNaN(time) ? undefined : time;
}

function load(file: string | undefined): StoredSchedule[] {
  if (!file) return [];
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredSchedule[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`Cannot read the local scheduler state in ${file}: ${(error as Error).message}`);
  }
}

/** Write-then-rename, so a crash never leaves a half-written state file. */
function save(file: string | undefined, schedules: StoredSchedule[]) {
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(schedules, null, 2));
  renameSync(`${file}.tmp`, file);
}

function readAll(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (data += chunk));
    request.on('end', () => resolve(data));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, type: string, message: string) {
  response.setHeader('x-amzn-errortype', type);
  sendJson(response, status, { Message: message });
}
