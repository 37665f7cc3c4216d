// The page's only way to the server: the same HTTP API any script uses. Actions are POSTs with the
// session's CSRF token in X-Procd-Token (the server refuses them without it, and in read-only mode).

export interface Session {
  readOnly: boolean;
  csrfToken: string;
}

let session: Session = { readOnly: true, csrfToken: '' };

export const currentSession = (): Session => session;

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.method === 'POST') {
    headers.set('X-Procd-Token', session.csrfToken);
    headers.set('Content-Type', 'application/json');
  }
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  const body = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok) throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`);
  return body;
}

export async function loadSession(): Promise<Session> {
  session = await api<Session>('/api/session');
  return session;
}

/** POST /api/jobs/:id/:verb (kill, restart, pause, resume). */
export function act(id: number, verb: string): Promise<unknown> {
  if (session.readOnly) return Promise.reject(new Error('read-only dashboard: actions are off'));
  return api(`/api/jobs/${id}/${verb}`, { method: 'POST', body: '{}' });
}
