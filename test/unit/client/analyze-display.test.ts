import { describe, expect, it } from 'vitest';
import { formatAnalyze } from '../../../client/cli/format-analyze.js';
import { formatStats } from '../../../client/cli/commands/stats.js';
import type { Output } from '../../../client/cli/output.js';
import { analyze } from '../../../daemon/analysis/analyze.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';
import { failedRun } from '../../helpers/history-runs.js';
import { analysisInput, NOW } from '../analysis/input.js';

const style = (color: boolean): Output => ({ json: false, color, width: 120, out: () => undefined, err: () => undefined, printJson: () => undefined });

function report() {
  const jobs = [makeJob({ id: 12, name: 'build', state: runningState({ startedAt: NOW - 372_000 }), spec: { expectMs: 120_000, command: { kind: 'argv', argv: ['make', 'all'] } } })];
  const runs = [1, 2, 3].map((i) => failedRun({ jobId: 20 + i, signature: '["node","server.js"]@/srv', command: 'node server.js', cwd: '/srv', errors: [{ signature: 'EADDRINUSE', detail: '3000', line: 'Error: listen EADDRINUSE: address already in use :::3000' }] }));
  return analyze(analysisInput({ jobs, runs }));
}

describe('procd analyze, as a briefing', () => {
  it('headline counts, then what to do first with its command, then the details', () => {
    const text = formatAnalyze(report(), style(false)).join('\n');
    expect(text).toMatch(/^procd analyze — the last 1h: 3 finished runs \(3 failed\), 1 live job\n {2}1 time sink · 0 bottlenecks · 0 stuck · 3 errors/);
    const order = ['Do first', 'HIGH   job 12 (build) has run 6m12s, 3.1× its expected 2m00s: stop it', '→ procd kill 12', 'Then', '→ procd cleanup', 'Time sinks', 'Common errors', '3× EADDRINUSE 3000 — node server.js — jobs 23, 22, 21', 'Commands'];
    let at = 0;
    for (const part of order) {
      const i = text.indexOf(part, at);
      expect(i, `"${part}" after position ${at}`).toBeGreaterThanOrEqual(0);
      at = i;
    }
    expect(text).not.toContain('\x1b[');
  });

  it('colour only when the output is a terminal', () => {
    expect(formatAnalyze(report(), style(true)).join('\n')).toContain('\x1b[31mHIGH');
  });

  it('says so when nothing needs doing', () => {
    expect(formatAnalyze(analyze(analysisInput({})), style(false))).toContain('Nothing needs doing.');
  });
});

describe('procd stats', () => {
  it('non-zero counts, runs and failure rate, uptime', () => {
    const lines = formatStats({
      uptimeMs: 7_200_000,
      startedAt: 0,
      states: { queued: 0, starting: 0, running: 2, paused: 0, completed: 5, failed: 1, killed: 0, timed_out: 0, lost: 0 },
      flags: { stuck: 0, time_sink: 1, bottleneck: 0, zombie: 0, leftovers: 0, unhealthy: 0 },
      history: { runs: 120, failures: 9, failureRate: 0.075, restarts: 4, oldestAt: 1 },
    });
    expect(lines).toEqual(['uptime    2h', 'jobs      running 2, completed 5, failed 1', 'flags     time_sink 1', 'runs      120 in history, 9 failed (7.5%), 4 after a restart']);
  });
});
