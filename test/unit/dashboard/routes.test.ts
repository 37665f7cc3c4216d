import { describe, expect, it } from 'vitest';
import { API_ROUTES, jobRef, matchRoute, queryParams, routeParams } from '../../../client/dashboard/routes.js';
import { HttpError } from '../../../client/dashboard/http-error.js';
import { METHOD_SPECS } from '../../../shared/methods.js';

const route = (method: string, path: string) => {
  const m = matchRoute(method, path);
  if (m.kind !== 'route') throw new Error(`no route for ${method} ${path}: ${m.kind}`);
  return m;
};

describe('matchRoute', () => {
  it('finds each route, its {id} decoded, HEAD as GET', () => {
    expect(route('GET', '/api/jobs').route.rpc).toBe('list');
    expect(route('POST', '/api/jobs').route.rpc).toBe('track');
    expect(route('GET', '/api/jobs/web%2Fapi').id).toBe('web/api');
    expect(route('HEAD', '/api/jobs/3/output').route.rpc).toBe('logs');
    expect(route('POST', '/api/jobs/3/kill/').route.rpc).toBe('kill');
  });

  it('tells a wrong method (with what is allowed) from an unknown path', () => {
    expect(matchRoute('DELETE', '/api/jobs/3')).toEqual({ kind: 'wrong-method', allowed: ['GET'] });
    expect(matchRoute('PUT', '/api/jobs')).toEqual({ kind: 'wrong-method', allowed: ['GET', 'POST'] });
    expect(matchRoute('GET', '/api/jobs/3/nothing')).toEqual({ kind: 'none' });
    expect(matchRoute('GET', '/api/jobs/%E0%A4%A/output')).toEqual({ kind: 'none' });
  });

  it('every route calls a method of the table; only mutating or audited methods are actions', () => {
    for (const r of API_ROUTES) {
      const spec = METHOD_SPECS[r.rpc] as { mutates: boolean; audited?: true };
      expect(r.action, r.path).toBe(spec.mutates || spec.audited === true);
      expect(r.action, r.path).toBe(r.method === 'POST');
    }
  });
});

describe('routeParams', () => {
  it('puts the path job where the method wants it, over anything the body says', () => {
    const kill = route('POST', '/api/jobs/7/kill');
    expect(routeParams(kill.route, kill.id, new URLSearchParams(), { jobs: [99], graceMs: 10 })).toEqual({ jobs: [7], graceMs: 10 });
    const status = route('GET', '/api/jobs/web');
    expect(routeParams(status.route, status.id, new URLSearchParams('tree=1'), null)).toEqual({ job: 'web', tree: true });
    const logs = route('GET', '/api/jobs/3/output');
    expect(routeParams(logs.route, logs.id, new URLSearchParams('tail=20&run=2&stream=stderr'), null)).toEqual({ job: 3, tailLines: 20, run: 2, stream: 'stderr' });
  });

  it("puts a group route's path name in `name` (as text, digits too) over the body's", () => {
    const set = route('POST', '/api/groups/gpu%20a');
    expect(set.route.rpc).toBe('group.set');
    expect(routeParams(set.route, set.id, new URLSearchParams(), { name: 'other', parallel: 2 })).toEqual({ name: 'gpu a', parallel: 2 });
    const digits = route('POST', '/api/groups/7');
    expect(routeParams(digits.route, digits.id, new URLSearchParams(), { paused: true })).toEqual({ name: '7', paused: true });
    expect(matchRoute('GET', '/api/groups/gpu')).toEqual({ kind: 'wrong-method', allowed: ['POST'] });
  });

  it('converts lists and durations, ignores unknown query parameters', () => {
    const list = route('GET', '/api/jobs');
    expect(routeParams(list.route, null, new URLSearchParams('state=running,paused&x=1'), null)).toEqual({ states: ['running', 'paused'] });
    const trends = route('GET', '/api/trends');
    expect(routeParams(trends.route, null, new URLSearchParams('since=7d&bucket=3600000'), null)).toEqual({ sinceMs: 7 * 86_400_000, bucketMs: 3_600_000 });
  });

  it('refuses a bad query value with a 400 naming the parameter', () => {
    const logs = route('GET', '/api/jobs/3/output');
    for (const q of ['tail=-1', 'tail=1.5', 'stream=all', 'run=x']) {
      let err: unknown;
      try {
        queryParams(logs.route.query ?? [], new URLSearchParams(q));
      } catch (e) {
        err = e;
      }
      expect(err, q).toBeInstanceOf(HttpError);
      expect((err as HttpError).status).toBe(400);
      expect((err as HttpError).data.field).toBe(q.split('=')[0]);
    }
  });

  it('reads digits as an id, anything else as a name', () => {
    expect(jobRef('42')).toBe(42);
    expect(jobRef('web')).toBe('web');
    expect(jobRef('4e2')).toBe('4e2');
  });
});
