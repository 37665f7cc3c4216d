// The dispatch validates params with the method's schema before any handler runs: a bad field is
// answered with InvalidParams naming its path and what was expected, a null field counts as not
// given, and the handler receives exactly the validated params.

import { describe, expect, it } from 'vitest';
import { dispatchMessage, type CallContext, type HandlerTable } from '../../../daemon/server/dispatch.js';
import { ErrorCode } from '../../../shared/errors.js';
import { METHOD_SPECS } from '../../../shared/methods.js';

/** Every method answers with the params it was given, so a test sees what passed validation. */
const echo = Object.fromEntries(Object.keys(METHOD_SPECS).map((name) => [name, (params: unknown) => params])) as unknown as HandlerTable;
const call: CallContext = {
  connectionId: 1,
  identity: { name: null, pid: null, via: null, parentName: null },
  closed: new Promise(() => undefined),
  isClosed: () => false,
  notify: () => false,
  pendingBytes: () => 0,
  endGracefully: () => undefined,
};
const internal: unknown[] = [];
const send = (method: string, params: unknown) => dispatchMessage({ jsonrpc: '2.0', id: 1, method, params }, echo, call, { onInternalError: (err) => internal.push(err) });

describe('dispatch', () => {
  it('refuses a bad field with InvalidParams naming its path and what was expected', async () => {
    expect(await send('kill', { jobs: [1, 2, true] })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: ErrorCode.InvalidParams,
        message: 'invalid params.jobs[2]: expected an integer in 1..9007199254740991 or a job id or name',
        data: { field: 'params.jobs[2]', expected: 'an integer in 1..9007199254740991 or a job id or name' },
      },
    });
    expect(await send('track', { argv: ['true'], cwd: '/', env: { PATH: 1 } })).toMatchObject({ error: { message: 'invalid params.env.PATH: expected a string' } });
    expect(await send('list', { al: true })).toMatchObject({ error: { data: { field: 'params.al', expected: expect.stringMatching(/^no such field \(known: states, /) } } });
    expect(await send('kill', [1])).toMatchObject({ error: { code: ErrorCode.InvalidParams, data: { field: 'params' } } });
  });

  it('passes the validated params to the handler; a null field counts as not given', async () => {
    expect(await send('status', { job: 3, tree: null })).toEqual({ jsonrpc: '2.0', id: 1, result: { job: 3 } });
    expect(await send('status', { job: null })).toMatchObject({ error: { data: { field: 'params.job' } } });
    expect(await send('daemon.status', undefined)).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    expect(internal).toEqual([]);
  });

  it('tells the audit hook of every audited call (answered or refused) and of no other', async () => {
    const audited: { method: string; ok: boolean; params: unknown }[] = [];
    const hooks = { onInternalError: () => undefined, onAudited: (c: { method: string; params: unknown; outcome: { ok: boolean } }) => audited.push({ method: c.method, ok: c.outcome.ok, params: c.params }) };
    await dispatchMessage({ jsonrpc: '2.0', id: 1, method: 'kill', params: { jobs: [3] } }, echo, call, hooks);
    await dispatchMessage({ jsonrpc: '2.0', id: 2, method: 'kill', params: { jobs: [true] } }, echo, call, hooks);
    await dispatchMessage({ jsonrpc: '2.0', id: 3, method: 'status', params: { job: 3 } }, echo, call, hooks);
    await dispatchMessage({ jsonrpc: '2.0', id: 4, method: 'signal', params: { job: 3, signal: 'HUP' } }, echo, call, hooks);
    expect(audited).toEqual([
      { method: 'kill', ok: true, params: { jobs: [3] } },
      { method: 'kill', ok: false, params: { jobs: [true] } },
      { method: 'signal', ok: true, params: { job: 3, signal: 'HUP' } },
    ]);
  });

  it('tells the timing hook how long each call of a known method took, answered or refused, and of no unknown method', async () => {
    const timed: [string, number][] = [];
    const hooks = { onInternalError: () => undefined, onTimed: (method: string, seconds: number) => void timed.push([method, seconds]) };
    const slow = { ...echo, status: () => new Promise((resolve) => setTimeout(() => resolve({}), 30)) } as unknown as HandlerTable;
    await dispatchMessage({ jsonrpc: '2.0', id: 1, method: 'status', params: { job: 3 } }, slow, call, hooks);
    await dispatchMessage({ jsonrpc: '2.0', id: 2, method: 'kill', params: { jobs: [true] } }, slow, call, hooks);
    await dispatchMessage({ jsonrpc: '2.0', id: 3, method: 'rpc.discover' }, slow, call, hooks);
    await dispatchMessage({ jsonrpc: '2.0', id: 4, method: 'no.such.method' }, slow, call, hooks);
    expect(timed.map(([m]) => m)).toEqual(['status', 'kill', 'rpc.discover']);
    // Seconds, not milliseconds: the status call waited ~30 ms (timers may fire a little early), which in ms would be ≥ 20.
    expect(timed[0]![1]).toBeGreaterThan(0.02);
    expect(timed[0]![1]).toBeLessThan(20);
  });
});
