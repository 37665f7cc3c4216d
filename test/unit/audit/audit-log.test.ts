import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../daemon/audit/audit-log.js';
import type { AuditRecord } from '../../../shared/audit.js';

const dirs: string[] = [];
const logs: AuditLog[] = [];
afterEach(() => {
  for (const log of logs.splice(0)) log.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(options: ConstructorParameters<typeof AuditLog>[1] = {}): { log: AuditLog; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'procd-audit-'));
  dirs.push(dir);
  const log = new AuditLog(dir, { syncEveryMs: 0, ...options });
  logs.push(log);
  return { log, dir };
}

function record(at: number, method = 'kill'): AuditRecord {
  return { at, method, client: { name: 'test', pid: 1, via: null, connection: 1 }, params: { jobs: [at] }, result: { ok: true, jobs: [at] }, ms: 0 };
}

describe('audit log', () => {
  it('appends JSON lines and reads them newest first, filtered by time and method', () => {
    const { log, dir } = open();
    log.append(record(1000, 'track'));
    log.append(record(2000, 'kill'));
    log.append(record(3000, 'track'));
    expect(readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(log.read({ limit: 10 }).map((r) => r.at)).toEqual([3000, 2000, 1000]);
    expect(log.read({ limit: 10, sinceMs: 2000 }).map((r) => r.at)).toEqual([3000, 2000]);
    expect(log.read({ limit: 10, methods: ['track'] }).map((r) => r.at)).toEqual([3000, 1000]);
    expect(log.read({ limit: 1 }).map((r) => r.at)).toEqual([3000]);
  });

  it('rotates by size, keeps KEEP older files and drops the oldest; reads across them', () => {
    const lineBytes = JSON.stringify(record(1000)).length + 1;
    const { log, dir } = open({ maxBytes: lineBytes * 2, keep: 2 });
    for (let i = 1; i <= 9; i++) log.append(record(1000 + i));
    expect(readdirSync(dir).sort()).toEqual(['audit.1.jsonl', 'audit.2.jsonl', 'audit.jsonl']);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(lineBytes * 2);
    // 9 records, 2 per file, 3 files: the newest 5 (1009 alone in the current file) are kept.
    expect(log.read({ limit: 100 }).map((r) => r.at)).toEqual([1009, 1008, 1007, 1006, 1005]);
  });

  it('keeps what an earlier daemon wrote and starts after a torn last line', () => {
    const { dir } = open();
    appendFileSync(join(dir, 'audit.jsonl'), `${JSON.stringify(record(1000))}\n{"at":2000,"meth`);
    const log = new AuditLog(dir, { syncEveryMs: 0 });
    logs.push(log);
    log.append(record(3000));
    expect(log.read({ limit: 10 }).map((r) => r.at)).toEqual([3000, 1000]);
  });

  it('a disk that refuses the write costs the record, not the call: reported once, counted, and it recovers', () => {
    const errors: string[] = [];
    const recovered: number[] = [];
    const { log, dir } = open({ onError: (_err, what) => errors.push(what), onRecovered: (n) => recovered.push(n) });
    rmSync(dir, { recursive: true, force: true });
    expect(() => log.append(record(1000))).not.toThrow();
    expect(() => log.append(record(2000))).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(log.dropped).toBe(2);
    expect(log.read({ limit: 10 })).toEqual([]);
    // The disk takes writes again (the directory is back). A missing directory stands for a refusing disk: root ignores modes.
    mkdirSync(dir, { mode: 0o700 });
    log.append(record(3000));
    expect(recovered).toEqual([2]);
    expect(existsSync(join(dir, 'audit.jsonl'))).toBe(true);
    expect(log.read({ limit: 10 }).map((r) => r.at)).toEqual([3000]);
  });
});
