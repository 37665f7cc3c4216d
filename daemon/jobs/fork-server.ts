// The daemon's side of the fork server (`procd-shim --serve`, daemon/shim/native/server.c): one
// small resident process that forks each job's shim, so a start costs a fork of that process
// (well under a millisecond) instead of a synchronous fork of the whole daemon (~8 ms here). It
// relays every shim's event channel and reports each shim's end, so a served shim looks to the
// starter exactly like one the daemon spawned itself (a ShimHandle).

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { parseSignal } from '../../shared/signals.js';
import { readStartedFile } from '../output/spawn-spec.js';
import { ServerRecordParser } from './fork-server-protocol.js';
import { listenTo, shimChannelReader, shimEnvironment, type ShimCommand, type ShimGone, type ShimHandle, type ShimListeners } from './shim-runner.js';

const READY_TIMEOUT_MS = 5000;

interface Served {
  handle: ShimHandle;
  jobDir: string;
  started: boolean;
  read: (text: string) => void;
}


export class ForkServer {
  private readonly waiting: Array<{ jobDir: string; listeners: ShimListeners; resolve: (h: ShimHandle) => void; reject: (e: Error) => void }> = [];
  private readonly served = new Map<number, Served>();
  private ended: Error | null = null;
  /** close() was called: the daemon is going away, and the next one learns every shim's end from its files. */
  private closing = false;

  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly command: ShimCommand,
  ) {}

  /**
   * Starts `server --serve <command>` (or `server <args>`: the Perl shim serves itself, see
   * fork-server-command.ts) and resolves once it said it is ready; rejects (and leaves nothing
   * running) if it cannot run or stays silent. `logFile` receives its stderr.
   */
  static start(server: string, command: ShimCommand, logFile: string, warn: (message: string) => void, args = ['--serve', command.file, ...command.args]): Promise<ForkServer> {
    const logFd = openSync(logFile, 'a', 0o600);
    let child: ChildProcessByStdio<Writable, Readable, null>;
    try {
      // Its own session, like a shim: a terminal's ^C to a foreground daemon does not reach it.
      child = spawn(server, args, { detached: true, stdio: ['pipe', 'pipe', logFd], env: shimEnvironment() }) as ChildProcessByStdio<Writable, Readable, null>;
    } finally {
      closeSync(logFd);
    }
    const fs = new ForkServer(child, command);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`the fork server ${server} did not say it was ready within ${READY_TIMEOUT_MS / 1000}s`)), READY_TIMEOUT_MS);
      const fail = (err: Error) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(err);
      };
      child.on('error', (err) => fail(new Error(`the fork server ${server} could not run: ${err.message}`)));
      child.stdin.on('error', () => undefined); // a server that died: seen through 'close'
      const parser = new ServerRecordParser((line) => warn(`the fork server wrote a line it should not have: ${JSON.stringify(line.slice(0, 80))}`));
      let ready = false;
      child.stdout.on('data', (bytes: Buffer) => {
        for (const record of parser.feed(bytes)) {
          if (!ready) {
            if (record.type !== 'ready') return fail(new Error(`the fork server ${server} began with an unexpected ${record.type} record`));
            ready = true;
            clearTimeout(timer);
            resolve(fs);
            continue;
          }
          fs.onRecord(record);
        }
      });
      child.on('close', (code, signal) => {
        if (!ready) return fail(new Error(`the fork server ${server} ended before it was ready (${signal ?? `status ${code}`})`));
        void fs.onEnd(new Error(`the fork server (pid ${child.pid}) ended (${signal ?? `status ${code}`})`));
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.ended === null;
  }

  /** Starts the shim for `jobDir` (its spawn spec written); resolves with its handle once forked. */
  launch(jobDir: string, listeners: ShimListeners): Promise<ShimHandle> {
    if (this.ended) return Promise.reject(this.ended);
    if (!jobDir.startsWith('/') || jobDir.includes('\n')) return Promise.reject(new Error(`the fork server takes an absolute job directory on one line, not ${JSON.stringify(jobDir)}`));
    return new Promise((resolve, reject) => {
      this.waiting.push({ jobDir, listeners, resolve, reject });
      this.child.stdin.write(`${jobDir}\n`);
    });
  }

  /** Ends the server (its stdin closes); the shims it started run on. */
  close(): void {
    this.closing = true;
    this.child.stdin.end();
  }

  private onRecord(record: ReturnType<ServerRecordParser['feed']>[number]): void {
    switch (record.type) {
      case 'forked': {
        const next = this.waiting.shift();
        if (!next) return;
        const handle = new EventEmitter() as ShimHandle;
        handle.pid = record.pid;
        const served: Served = { handle, jobDir: next.jobDir, started: false, read: shimChannelReader(handle) };
        handle.on('event', (e) => {
          if (e.type === 'started') served.started = true;
        });
        listenTo(handle, next.listeners);
        this.served.set(record.pid, served);
        next.resolve(handle);
        return;
      }
      case 'fork_failed': {
        const next = this.waiting.shift();
        next?.reject(Object.assign(new Error(`the fork server could not start a shim: ${record.message}`), { code: record.code }));
        return;
      }
      case 'channel':
        this.served.get(record.pid)?.read(record.data.toString('utf8'));
        return;
      case 'gone': {
        const served = this.served.get(record.pid);
        if (!served) return;
        this.served.delete(record.pid);
        const signal = record.signal === null ? null : ((parseSignal(record.signal)?.name ?? null) as NodeJS.Signals | null);
        const error = record.code === 127 && !served.started ? execFailure(served.jobDir) : null;
        served.handle.emit('gone', { code: record.code, signal, error, file: this.command.file });
        return;
      }
      case 'ready':
        return;
    }
  }

  /**
   * The server is gone (killed): requests not answered fail, and every shim it relayed loses its
   * channel. A shim that started its job (its `started` file says so, even if the event was not
   * relayed yet) is reported started; then each is reported gone with the reason, so the starter
   * watches its job through the files and the pid, as for a shim killed without an exit file.
   */
  private async onEnd(reason: Error): Promise<void> {
    this.ended = reason;
    for (const w of this.waiting.splice(0)) w.reject(reason);
    const orphans = this.closing ? [] : [...this.served];
    this.served.clear();
    for (const [pid, served] of orphans) {
      if (!served.started) {
        const started = await readStartedFile(served.jobDir);
        if (started) served.read(`started ${started.pid} ${started.at}\n`);
      }
      const gone: ShimGone = { code: null, signal: null, error: Object.assign(new Error(`${reason.message}; shim ${pid} runs on without a channel`), { code: 'ECHANNEL' }), file: this.command.file };
      served.handle.emit('gone', gone);
    }
  }
}

/** The shim program could not be run: the server's child said why in shim.log (server.c, become_shim). */
function execFailure(jobDir: string): NodeJS.ErrnoException | null {
  let log: string;
  try {
    log = readFileSync(join(jobDir, 'shim.log'), 'utf8');
  } catch {
    return null;
  }
  const m = /^procd-shim server: cannot run .*: ([A-Z][A-Z0-9]*) (.*)$/m.exec(log);
  return m ? Object.assign(new Error(m[2]), { code: m[1] }) : null;
}
