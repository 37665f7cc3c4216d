// The fork server's records (daemon/shim/native/server.c → daemon/jobs/fork-server-protocol.ts):
// whatever chunks the pipe delivers, the same records come out; relayed bytes are taken by length.

import { describe, expect, it } from 'vitest';
import { ServerRecordParser, type ServerRecord } from '../../../daemon/jobs/fork-server-protocol.js';

const STREAM = Buffer.concat([
  Buffer.from('R 0.1.0\nP 41\n'),
  Buffer.from('E 41 21\nstarted 42 17000000\n\n'), // the chunk holds a newline of its own at its end
  Buffer.from('F EAGAIN cannot fork: Resource temporarily unavailable\n'),
  Buffer.from('E 41 3\nab\n'),
  Buffer.from('G 41 0 -\nG 43 - 9\n'),
]);

const EXPECTED: ServerRecord[] = [
  { type: 'ready', version: '0.1.0' },
  { type: 'forked', pid: 41 },
  { type: 'channel', pid: 41, data: Buffer.from('started 42 17000000\n\n') },
  { type: 'fork_failed', code: 'EAGAIN', message: 'cannot fork: Resource temporarily unavailable' },
  { type: 'channel', pid: 41, data: Buffer.from('ab\n') },
  { type: 'gone', pid: 41, code: 0, signal: null },
  { type: 'gone', pid: 43, code: null, signal: 9 },
];

describe('the fork server record parser', () => {
  it('reads the whole stream at once', () => {
    expect(new ServerRecordParser().feed(STREAM)).toEqual(EXPECTED);
  });

  it('gives the same records whatever the chunking (every split point, and byte by byte)', () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      const p = new ServerRecordParser();
      expect([...p.feed(STREAM.subarray(0, cut)), ...p.feed(STREAM.subarray(cut))]).toEqual(EXPECTED);
    }
    const p = new ServerRecordParser();
    const out: ServerRecord[] = [];
    for (let i = 0; i < STREAM.length; i++) out.push(...p.feed(STREAM.subarray(i, i + 1)));
    expect(out).toEqual(EXPECTED);
  });

  it('reports malformed lines and goes on with the next one', () => {
    const bad: string[] = [];
    const p = new ServerRecordParser((line) => bad.push(line));
    expect(p.feed(Buffer.from('X what\nP notanumber\nE 5 x\nG 7 0\nP 9\n'))).toEqual([{ type: 'forked', pid: 9 }]);
    expect(bad).toEqual(['X what', 'P notanumber', 'E 5 x', 'G 7 0']);
  });
});
