// `procd dashboard` as a real process for tests: started through the compiled CLI against a test
// daemon's home, its URL and token read from its --json line; plain node:http requests (so tests
// can send any header a browser or an attacker would); an SSE reader. stop() ends it, also on failure.

import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { Page } from 'playwright-core';
import { CLI, type TestDaemon } from './daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

export interface Dashboard {
  /** What it printed with --json. */
  info: { url: string; port: number; token: string; metricsUrl: string | null };
  base: string;
  port: number;
  token: string;
  stderr(): string;
  /** A request with the bearer token (unless `auth: false`). */
  req(method: string, path: string, opts?: RequestOpts): Promise<HttpResult>;
  /** SIGTERM, then SIGKILL after 10 s: how it ended (signal SIGKILL: it did not stop on SIGTERM). */
  stop(): Promise<DashboardExit>;
}

export interface DashboardExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RequestOpts {
  headers?: Record<string, string>;
  body?: string | Buffer;
  auth?: boolean;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

const running = new Set<ChildProcess>();

export async function startDashboard(d: TestDaemon, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Dashboard> {
  const child = spawn(process.execPath, [CLI, 'dashboard', '--json', ...args], { env: { ...d.env, ...env }, cwd: d.home, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<DashboardExit>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const stop = async (): Promise<DashboardExit> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    return exited;
  };
  let line: string;
  try {
    line = await waitFor(() => (child.exitCode !== null ? Promise.reject(new Error(`dashboard exited ${child.exitCode}: ${err}`)) : out.includes('\n') && out.split('\n')[0]!), { what: 'the dashboard to print its URL', timeoutMs: 30_000 });
  } catch (e) {
    await stop();
    throw e;
  }
  const info = JSON.parse(line) as Dashboard['info'];
  const base = `http://127.0.0.1:${info.port}`;
  return {
    info,
    base,
    port: info.port,
    token: info.token,
    stderr: () => err,
    req: (method, path, opts = {}) => {
      const headers = { ...(opts.auth === false ? {} : { Authorization: `Bearer ${info.token}` }), ...opts.headers };
      return httpCall(method, `${base}${path}`, headers, opts.body);
    },
    stop,
  };
}

/** Every dashboard still running (a test that failed before its stop()). */
export async function stopAllDashboards(): Promise<void> {
  for (const child of running) {
    child.kill('SIGKILL');
  }
  running.clear();
}

export function httpCall(method: string, url: string, headers: Record<string, string>, body?: string | Buffer): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface SseFrame {
  id: string | null;
  event: string;
  data: string;
}

export interface SseReader {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  frames: SseFrame[];
  comments: string[];
  /** The parsed data of every default ("message") frame so far. */
  events(): Array<{ seq: number; kind: string; job?: { id: number; name: string; state: string } }>;
  closed(): boolean;
  close(): void;
}

/** Opens an event stream and parses it as it arrives. */
export function openSse(url: string, headers: Record<string, string>): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const frames: SseFrame[] = [];
      const comments: string[] = [];
      let buf = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const frame: SseFrame = { id: null, event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) frame.id = line.slice(4);
            else if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('data: ')) {
              frame.data += line.slice(6);
              hasData = true;
            }
          }
          if (hasData) frames.push(frame);
        }
      });
      res.on('end', () => (ended = true));
      res.on('error', () => (ended = true));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        frames,
        comments,
        events: () => frames.filter((f) => f.event === 'message').map((f) => JSON.parse(f.data) as ReturnType<SseReader['events']>[number]),
        closed: () => ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Records into `problems` what the page must never do — an uncaught error, a console error, a dialog (dismissed) — for the test to expect none. */
export function recordPageProblems(page: Page, problems: string[]): Page {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('dialog', (dialog) => {
    problems.push(`a dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
}
