// Two jobs wanting one port: a live job listening on it (its `ports`) holds it against an
// EADDRINUSE run of any command or directory, and against another live job that declares it
// (PORT=, a probe on it) or listens on it too (same protocol); two that only declare it, neither listening, are no conflict.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../daemon/analysis/analyze.js';
import { portConflicts } from '../../../daemon/analysis/duplicates.js';
import { declaredPort, portClaims } from '../../../daemon/analysis/port-claims.js';
import type { Job } from '../../../shared/job.js';
import { portText } from '../../../shared/ports.js';
import type { ProbeCondition } from '../../../shared/conditions.js';
import { makeJob, makeSpec, runningState } from '../../helpers/job-factory.js';
import { failedRun } from '../../helpers/history-runs.js';
import { analysisInput, NOW } from './input.js';

const listening = (id: number, port: number): Job => makeJob({ id, state: runningState({ startedAt: NOW - 60_000 }), ports: [{ port, protocol: 'tcp', address: '::', pid: 100 + id }, { port, protocol: 'tcp', address: '0.0.0.0', pid: 100 + id }] });
const probe = (when: ProbeCondition) => ({ ready: { when, intervalMs: 2000, timeoutMs: 1000, initialDelayMs: 0, successThreshold: 1, failureThreshold: 3 } });
const declaring = (id: number, over: Partial<Job['spec']>): Job => makeJob({ id, state: runningState({ startedAt: NOW - 30_000 }), spec: makeSpec(over) });

describe('declaredPort', () => {
  it('PORT in the environment, else a local listen, tcp or http probe; nothing else', () => {
    expect(declaredPort(declaring(1, { env: { PORT: '3000' } }))).toBe(3000);
    expect(declaredPort(declaring(1, { env: { PORT: 'abc' } }))).toBeNull();
    expect(declaredPort(declaring(1, { probes: probe({ kind: 'listen', port: 8080 }) }))).toBe(8080);
    expect(declaredPort(declaring(1, { probes: probe({ kind: 'listen', port: null }) }))).toBeNull();
    expect(declaredPort(declaring(1, { probes: probe({ kind: 'tcp', host: '127.0.0.1', port: 5432 }) }))).toBe(5432);
    expect(declaredPort(declaring(1, { probes: probe({ kind: 'tcp', host: 'db.example.com', port: 5432 }) }))).toBeNull();
    expect(declaredPort(declaring(1, { probes: probe({ kind: 'http', url: 'http://localhost:4000/health' }) }))).toBe(4000);
    expect(declaredPort(declaring(1, { probes: probe({ kind: 'http', url: 'http://127.0.0.1/health' }) }))).toBe(80);
  });
});

describe('portClaims', () => {
  it('a live job declaring a port another listens on; the holder is the listener, counted once for its IPv4 and IPv6 sockets', () => {
    const c = portClaims(analysisInput({ jobs: [listening(1, 3000), declaring(2, { env: { PORT: '3000' } }), declaring(3, { env: { PORT: '4000' } })] }));
    expect(c).toEqual([{ jobId: 2, name: 'j2', run: null, port: '3000', protocol: 'tcp', at: NOW, holders: [{ jobId: 1, name: 'j1', run: null, live: true }], claim: 'declared' }]);
  });

  it('two listening on one port (different addresses); two only declaring it are no conflict; a job listening on the port it declares is one claim', () => {
    const both = portClaims(analysisInput({ jobs: [listening(1, 3000), listening(2, 3000)] }));
    expect(both).toMatchObject([{ jobId: 2, claim: 'listening', holders: [{ jobId: 1 }] }]);
    // Neither listens: PORT inherited from the user's shell would make this a false finding.
    const declared = portClaims(analysisInput({ jobs: [declaring(4, { env: { PORT: '5000' } }), declaring(5, { probes: probe({ kind: 'listen', port: 5000 }) })] }));
    expect(declared).toEqual([]);
    const self = { ...listening(6, 7000), spec: makeSpec({ env: { PORT: '7000' } }) };
    expect(portClaims(analysisInput({ jobs: [self] }))).toEqual([]);
  });

  it('TCP and UDP on one number are different ports; a UDP listener holds its port against another UDP listener only', () => {
    const udp = (id: number, port: number): Job => makeJob({ id, state: runningState({ startedAt: NOW - 60_000 }), ports: [{ port, protocol: 'udp', address: '0.0.0.0', pid: 100 + id }] });
    expect(portClaims(analysisInput({ jobs: [listening(1, 5353), udp(2, 5353)] }))).toEqual([]);
    expect(portClaims(analysisInput({ jobs: [udp(1, 5353), declaring(2, { env: { PORT: '5353' } })] }))).toEqual([]);
    expect(portClaims(analysisInput({ jobs: [udp(1, 5353), udp(2, 5353)] }))).toMatchObject([{ jobId: 2, port: '5353', protocol: 'udp', claim: 'listening', holders: [{ jobId: 1 }] }]);
  });

  it('finished jobs claim nothing', () => {
    const ended = makeJob({ id: 2, spec: makeSpec({ env: { PORT: '3000' } }) });
    expect(portClaims(analysisInput({ jobs: [listening(1, 3000), ended] }))).toEqual([]);
  });
});

describe('EADDRINUSE against the job listening on that port', () => {
  it('holder found by the port, whatever its command or directory; analyze recommends with the port', () => {
    const failed = failedRun({ signature: '["vite"]@/web', command: 'vite', cwd: '/web', jobId: 9, startedAt: NOW - 10_000, durationMs: 200, errors: [{ signature: 'EADDRINUSE', detail: '3000', line: 'Error: listen EADDRINUSE: address already in use :::3000' }] });
    const input = analysisInput({ jobs: [listening(1, 3000)], runs: [failed], since: NOW - 200_000 });
    expect(portConflicts(input)).toEqual([{ jobId: 9, name: 'j9', run: 1, port: '3000', at: NOW - 10_000, holders: [{ jobId: 1, name: 'j1', run: null, live: true }] }]);
    const report = analyze(analysisInput({ jobs: [listening(1, 3000), declaring(2, { env: { PORT: '3000' } })] }));
    expect(report.headline.portConflicts).toBe(1);
    expect(report.recommendations.map((r) => r.reason)).toContain('job 2 (j2) wants TCP port 3000 that job(s) 1 hold or want first');
  });
});

describe('portText', () => {
  it('names the protocol when it is known', () => {
    expect(portText({ port: '5353', protocol: 'udp' })).toBe('UDP port 5353');
    expect(portText({ port: '3000' })).toBe('port 3000');
    expect(portText({ port: null })).toBe('port ?');
  });
});
