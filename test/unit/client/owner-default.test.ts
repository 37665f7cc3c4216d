// The client library names the owner of what it starts: the owner given, else PROCD_OWNER from
// its environment (the CLI's `track`, `adopt` and `up` go through it); else none is sent and the
// daemon records the client's name from hello.

import { afterEach, describe, expect, it } from 'vitest';
import { withDefaults } from '../../../client/session.js';

const saved = process.env.PROCD_OWNER;
afterEach(() => {
  if (saved === undefined) delete process.env.PROCD_OWNER;
  else process.env.PROCD_OWNER = saved;
});

const ownerSent = (method: 'track' | 'adopt' | 'kill', params: Record<string, unknown>) => (withDefaults(method, params) as { owner?: string }).owner;

describe('the owner a client sends', () => {
  it('is the one given, else PROCD_OWNER, for track and adopt', () => {
    process.env.PROCD_OWNER = 'agent-env';
    expect(ownerSent('track', { argv: ['true'], owner: 'agent-given' })).toBe('agent-given');
    expect(ownerSent('track', { argv: ['true'] })).toBe('agent-env');
    expect(ownerSent('adopt', { pid: 42 })).toBe('agent-env');
  });

  it('is not sent without one (an empty PROCD_OWNER is none), nor to other methods', () => {
    delete process.env.PROCD_OWNER;
    expect(ownerSent('track', { argv: ['true'] })).toBeUndefined();
    process.env.PROCD_OWNER = '';
    expect(ownerSent('track', { argv: ['true'] })).toBeUndefined();
    process.env.PROCD_OWNER = 'agent-env';
    expect(ownerSent('kill', { jobs: [1] })).toBeUndefined();
  });
});
