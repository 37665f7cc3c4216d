// Output the disk refused (output.lostBytes) is visible: `procd status` shows it, and `procd logs`
// adds a note after the output, like the note about bytes dropped at the cap.

import { describe, expect, it } from 'vitest';
import type { ProcdClient } from '../../../client/index.js';
import type { CommandContext } from '../../../client/cli/command.js';
import { command as logs } from '../../../client/cli/commands/logs.js';
import { printJob } from '../../../client/cli/commands/status.js';
import type { Output } from '../../../client/cli/output.js';
import { viewOf, type Job, type OutputInfo } from '../../../shared/job.js';
import type { LogsResult } from '../../../shared/methods.js';
import { completedState, makeJob, T0 } from '../../helpers/job-factory.js';

function job(output: Partial<OutputInfo>): Job {
  return makeJob({
    id: 7,
    name: 'j',
    spec: { command: { kind: 'argv', argv: ['make'] }, stuckAfterMs: 60_000, maxOutputBytes: 1 << 20 },
    state: completedState(),
    output: { stdoutBytes: 10, lastOutputAt: T0, ...output },
    dir: '/data/jobs/7',
  });
}

function capture(json = false): { out: Output; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out: Output = { json, color: false, width: 160, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), printJson: (v) => void stdout.push(JSON.stringify(v)) };
  return { out, stdout, stderr };
}

function statusRows(j: Job): string[] {
  const { out, stdout } = capture();
  printJob(out, viewOf(j), false);
  return stdout.join('\n').split('\n');
}

describe('status shows lost output', () => {
  it('as a row with the amount and where the gaps are logged', () => {
    const row = statusRows(job({ lostBytes: 5000 })).find((l) => l.startsWith('lost output'));
    expect(row).toMatch(/^lost output\s+4\.9KiB: the disk refused them \(\/data\/jobs\/7\/shim\.log says where\)$/);
  });

  it('as none when nothing was lost, and not at all for a record from before procd counted it', () => {
    expect(statusRows(job({ lostBytes: 0 })).find((l) => l.startsWith('lost output'))).toMatch(/^lost output\s+none$/);
    expect(statusRows(job({})).some((l) => l.startsWith('lost output'))).toBe(false);
  });
});

describe('logs notes lost output after the output', () => {
  const done: LogsResult = { chunks: [], run: 1, cursor: { stdout: 10, stderr: 0, run: 1 }, eof: true, dropped: { stdout: 0, stderr: 0 }, state: 'completed' };

  async function runLogs(j: Job | Error, json = false): Promise<{ code: number; stderr: string[]; statusCalls: number }> {
    const { out, stderr } = capture(json);
    let statusCalls = 0;
    // logs uses only these two calls; their signatures are checked against the real client's
    const calls: Pick<ProcdClient, 'logs' | 'status'> = {
      logs: async () => done,
      status: async () => {
        statusCalls++;
        if (j instanceof Error) throw j;
        return viewOf(j);
      },
    };
    const fake = calls as ProcdClient;
    const ctx: CommandContext = { values: json ? { json: true } : {}, positionals: ['j'], out, client: async () => fake, reconnect: async () => fake };
    const code = await logs.run(ctx);
    return { code, stderr, statusCalls };
  }

  it('says how many bytes the disk refused and where the gaps are logged', async () => {
    const r = await runLogs(job({ lostBytes: 1234 }));
    expect(r.code).toBe(0);
    expect(r.stderr).toEqual(['procd logs: note: 1234 bytes of output were lost: the disk refused them (/data/jobs/7/shim.log says where)']);
  });

  it('says nothing when nothing was lost, for an old record, with --json, or when the job is gone by then', async () => {
    expect((await runLogs(job({ lostBytes: 0 }))).stderr).toEqual([]);
    expect((await runLogs(job({}))).stderr).toEqual([]);
    const json = await runLogs(job({ lostBytes: 1234 }), true);
    expect(json.stderr).toEqual([]);
    expect(json.statusCalls).toBe(0);
    const gone = await runLogs(new Error('job not found'));
    expect(gone.code).toBe(0);
    expect(gone.stderr).toEqual([]);
  });
});
