// Which resources the client watches, read off its own messages in both protocol eras.

import { describe, expect, it } from 'vitest';
import { WatchedResources } from '../../../client/mcp/updates.js';
import { jobOfUri } from '../../../client/mcp/resources.js';

describe('WatchedResources', () => {
  it('follows resources/subscribe and unsubscribe (2025 protocol)', () => {
    let changes = 0;
    const w = new WatchedResources(() => changes++);
    w.see({ jsonrpc: '2.0', id: 1, method: 'resources/subscribe', params: { uri: 'procd://jobs/3/logs' } });
    expect(w.has('procd://jobs/3/logs')).toBe(true);
    expect(w.has('procd://jobs/3/status')).toBe(false);
    w.see({ jsonrpc: '2.0', id: 2, method: 'resources/unsubscribe', params: { uri: 'procd://jobs/3/logs' } });
    expect(w.has('procd://jobs/3/logs')).toBe(false);
    w.see({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} });
    expect(changes).toBe(2);
  });

  it('follows subscriptions/listen and its cancellation (2026-07-28 protocol)', () => {
    const w = new WatchedResources(() => undefined);
    w.see({ jsonrpc: '2.0', id: 7, method: 'subscriptions/listen', params: { notifications: { resourceSubscriptions: ['procd://jobs/4/status', 'procd://jobs'] } } });
    expect([...w.all()].sort()).toEqual(['procd://jobs', 'procd://jobs/4/status']);
    w.see({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7 } });
    expect(w.all().size).toBe(0);
  });

  it('names the job of a job resource, and nothing else', () => {
    expect(jobOfUri('procd://jobs/12/logs')).toEqual({ id: 12, what: 'logs' });
    expect(jobOfUri('procd://jobs/12/status')).toEqual({ id: 12, what: 'status' });
    expect(jobOfUri('procd://jobs')).toBeNull();
    expect(jobOfUri('procd://jobs/x/logs')).toBeNull();
  });
});
