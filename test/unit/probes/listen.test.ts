import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createListenCheck, decideListen, listenSource, parseLsof, parseProcNetTcp, type ListenSource } from '../../../daemon/probes/checks/listen.js';
import { Spawned } from '../proc/spawned.js';
import { target } from './target.js';

const spawned = new Spawned();
afterEach(() => spawned.cleanup());

/**
 * A real process that listens on an ephemeral port of 127.0.0.1 and one of ::1 once it reads a
 * line on stdin, then prints both ports. Resolves with the process and a function that makes it
 * listen.
 */
function listener(): { child: ChildProcess & { pid: number }; listen: () => Promise<{ v4: number; v6: number }> } {
  const script = `
    const net = require('node:net');
    process.stdin.once('data', async () => {
      const on = (host) => new Promise((res, rej) => { const s = net.createServer(); s.once('error', rej); s.listen(0, host, () => res(s.address().port)); });
      const v4 = await on('127.0.0.1');
      const v6 = await on('::1');
      console.log(JSON.stringify({ v4, v6 }));
    });`;
  const child = spawned.spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const listen = async (): Promise<{ v4: number; v6: number }> => {
    const line = Spawned.firstLine(child);
    child.stdin!.write('go\n');
    return JSON.parse(await line) as { v4: number; v6: number };
  };
  return { child, listen };
}

/** Both ways of finding listeners that work on this machine: /proc and, where installed, lsof. */
const sources: ListenSource[] = ['proc', 'lsof'];

describe.each(sources)('listen check via %s', (source) => {
  const via = (): Promise<ListenSource> => Promise.resolve(source);

  it('sees the port the tree listens on, on 127.0.0.1 and on ::1, and not before it listens', async (ctx) => {
    if ((await listenSource()) !== 'proc' && source === 'proc') ctx.skip('this system has no /proc/<pid>/net/tcp');
    if (source === 'lsof' && !(await hasLsof())) ctx.skip('lsof is not installed');
    const { child, listen } = listener();
    // The tree's list may name a process that has just ended: it is skipped, the others still count.
    const gone = spawned.spawn('true', []);
    await new Promise((resolve) => gone.once('exit', resolve));
    const any = createListenCheck({ kind: 'listen', port: null }, target({ pids: [gone.pid, child.pid] }), via);
    expect(await any.run(10_000)).toEqual({ ok: false, detail: 'no TCP listener in the tree' });
    const ports = await listen();
    expect((await any.run(10_000)).ok).toBe(true);
    for (const port of [ports.v4, ports.v6]) {
      const one = createListenCheck({ kind: 'listen', port }, target({ pids: [child.pid] }), via);
      expect(await one.run(10_000)).toEqual({ ok: true, detail: `listening on ${port} (pid ${child.pid})` });
    }
  });

  it('fails for another port, naming the ports it does listen on', async (ctx) => {
    if (source === 'lsof' && !(await hasLsof())) ctx.skip('lsof is not installed');
    const { child, listen } = listener();
    const ports = await listen();
    const other = ports.v4 === 1 ? 2 : 1; // below 1024: not one of the ephemeral ports
    const check = createListenCheck({ kind: 'listen', port: other }, target({ pids: [child.pid] }), via);
    const both = [ports.v4, ports.v6].sort((a, b) => a - b).join(', ');
    expect(await check.run(10_000)).toEqual({ ok: false, detail: `not listening on ${other} (listening on ${both})` });
  });

  it('does not count a listener outside the job’s pids', async (ctx) => {
    if (source === 'lsof' && !(await hasLsof())) ctx.skip('lsof is not installed');
    const outsider = listener();
    const ports = await outsider.listen();
    const job = spawned.spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const check = createListenCheck({ kind: 'listen', port: ports.v4 }, target({ pids: [job.pid] }), via);
    expect(await check.run(10_000)).toEqual({ ok: false, detail: `not listening on ${ports.v4} (no TCP listener in the tree)` });
  });
});

describe('listen check in another network namespace', () => {
  it('sees a job listening inside its own network namespace (reads the job’s /proc/<pid>/net/tcp)', async (ctx) => {
    if ((await listenSource()) !== 'proc') ctx.skip('this system has no /proc/<pid>/net/tcp');
    // unshare -rn: a user namespace (no privilege needed where unprivileged ones are allowed) with a
    // network namespace of its own; unshare execs node, so the child's pid is the listener's.
    const script = "require('node:net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port); })";
    const child = spawned.spawn('unshare', ['-rn', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let why = '';
    child.stderr!.on('data', (b: Buffer) => (why += b.toString()));
    const port = await Spawned.firstLine(child).catch(() => null);
    if (port === null) ctx.skip(`unshare -rn is not allowed here: ${why.trim() || 'no output'}`);
    const check = createListenCheck({ kind: 'listen', port: Number(port) }, target({ pids: [child.pid] }));
    expect(await check.run(10_000)).toEqual({ ok: true, detail: `listening on ${port} (pid ${child.pid})` });
  });
});

describe('listen check', () => {
  it('fails with no process in the tree', async () => {
    const check = createListenCheck({ kind: 'listen', port: null }, target({ pids: [] }));
    expect(await check.run(1000)).toEqual({ ok: false, detail: 'no process in the tree' });
  });

  it('says what it needs when neither /proc nor lsof is there', async () => {
    const check = createListenCheck({ kind: 'listen', port: 80 }, target({ pids: [process.pid] }), () => Promise.resolve('none'));
    expect(await check.run(1000)).toEqual({ ok: false, detail: '`listen` needs /proc (Linux) or lsof; neither is available here' });
  });

  it('reads listening sockets from a /proc/net/tcp table', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1F91 0100007F:A000 01 00000000:00000000 00:00000000 00000000  1000        0 12346 1 0000000000000000 20 4 30 10 -1',
      '   2: 00000000000000000000000001000000:2382 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 777 1 0000000000000000 100 0 0 10 0',
      '',
    ].join('\n');
    expect([...parseProcNetTcp(table)]).toEqual([
      [12345, 8080],
      [777, 9090],
    ]);
  });

  it('reads listeners from lsof -F pn output', () => {
    expect(parseLsof('p123\nf5\nn127.0.0.1:8080\nf6\nn[::1]:8081\np456\nf3\nn*:9090\n')).toEqual([
      { pid: 123, port: 8080 },
      { pid: 123, port: 8081 },
      { pid: 456, port: 9090 },
    ]);
  });

  it('words its answers', () => {
    expect(decideListen(null, [{ pid: 5, port: 80 }], 1)).toEqual({ ok: true, detail: 'listening on 80 (pid 5)' });
    expect(decideListen(8080, [{ pid: 5, port: 9090 }, { pid: 6, port: 80 }], 2)).toEqual({ ok: false, detail: 'not listening on 8080 (listening on 80, 9090)' });
    expect(decideListen(null, [], 2)).toEqual({ ok: false, detail: 'no TCP listener in the tree' });
  });
});

async function hasLsof(): Promise<boolean> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => execFile('lsof', ['-v'], (err) => resolve(!err || (err as { code?: unknown }).code !== 'ENOENT')));
}
