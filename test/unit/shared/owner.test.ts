// Who owns a job: the name asked for (--owner / PROCD_OWNER), else the client's name from hello.

import { describe, expect, it } from 'vitest';
import { askedOwner, clientOwnerName, ownerOf } from '../../../shared/owner.js';

const said = { name: 'procd-cli/0.1.0', pid: 4242, parentName: 'bash' };

describe('owners', () => {
  it.each([
    ['procd-cli/0.1.0', 'procd-cli'],
    ['my-tool/v2', 'my-tool'],
    ['claude-code', 'claude-code'],
    ['org/agent', 'org/agent'],
  ])('the client name %s owns as %s', (client, owner) => {
    expect(clientOwnerName(client)).toBe(owner);
  });

  it('takes the name asked for over the client name, and the pid and parent from hello', () => {
    expect(ownerOf('agent-7', said)).toEqual({ name: 'agent-7', pid: 4242, parentName: 'bash' });
    expect(ownerOf(undefined, said)).toEqual({ name: 'procd-cli', pid: 4242, parentName: 'bash' });
  });

  it('records no owner when nothing names one (a client that sent no hello)', () => {
    expect(ownerOf(undefined, { name: null, pid: null, parentName: null })).toBeNull();
    expect(ownerOf('x', { name: null, pid: null, parentName: null })).toEqual({ name: 'x', pid: null, parentName: null });
  });

  it('a client sends --owner, else a non-empty PROCD_OWNER, else nothing', () => {
    expect(askedOwner('a', { PROCD_OWNER: 'b' })).toBe('a');
    expect(askedOwner(undefined, { PROCD_OWNER: 'b' })).toBe('b');
    expect(askedOwner(undefined, { PROCD_OWNER: '  ' })).toBeUndefined();
    expect(askedOwner(undefined, {})).toBeUndefined();
  });
});
