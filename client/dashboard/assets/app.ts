// The dashboard page's script (a minimal first page: the job list, live from /api/events). It uses
// only the HTTP API, like any script could; job data is only ever put in the page as text
// (textContent), never as HTML.

interface JobRow {
  id: number;
  name: string;
  state: { kind: string };
  spec?: { command?: { kind: string; argv?: string[]; script?: string } };
}

interface Session {
  readOnly: boolean;
  csrfToken: string;
}

interface EventJob {
  id: number;
  name: string;
  state: string;
}

type DaemonEvent = { seq: number; kind: string; job?: EventJob; state?: { kind: string } };

const LIVE = new Set(['queued', 'starting', 'running', 'paused']);
const jobs = new Map<number, JobRow>();
let session: Session = { readOnly: true, csrfToken: '' };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
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

function commandText(job: JobRow): string {
  const c = job.spec?.command;
  return c?.script ?? c?.argv?.join(' ') ?? '';
}

function render(): void {
  const tbody = document.querySelector('#jobs tbody') as HTMLTableSectionElement;
  const rows = [...jobs.values()].sort((a, b) => b.id - a.id);
  tbody.replaceChildren(...rows.map(renderRow));
  $('empty').hidden = rows.length > 0;
}

function renderRow(job: JobRow): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.id = String(job.id);
  tr.dataset.state = job.state.kind;
  const cell = (text: string, cls?: string) => {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.append(td);
    return td;
  };
  cell(String(job.id));
  cell(job.name);
  cell(job.state.kind.replace('_', ' '), `state state-${job.state.kind}`);
  cell(commandText(job), 'command');
  const actions = cell('');
  if (!session.readOnly && LIVE.has(job.state.kind)) {
    const kill = document.createElement('button');
    kill.textContent = 'kill';
    kill.className = 'kill';
    kill.addEventListener('click', () => {
      kill.disabled = true;
      api(`/api/jobs/${job.id}/kill`, { method: 'POST', body: '{}' }).catch(showError);
    });
    actions.append(kill);
  }
  return tr;
}

function showError(err: unknown): void {
  const p = $('error');
  p.textContent = String(err instanceof Error ? err.message : err);
  p.hidden = false;
}

async function reload(): Promise<void> {
  const list = await api<JobRow[]>('/api/jobs');
  jobs.clear();
  for (const job of list) jobs.set(job.id, job);
  render();
}

function apply(event: DaemonEvent): void {
  if (event.kind === 'subscription.gap') return void reload().catch(showError);
  const ej = event.job;
  if (!ej) return;
  const known = jobs.get(ej.id);
  if (!known) {
    // A job we have not seen: its full record comes from the API.
    jobs.set(ej.id, { id: ej.id, name: ej.name, state: { kind: ej.state } });
    api<JobRow>(`/api/jobs/${ej.id}`)
      .then((full) => {
        jobs.set(full.id, full);
        render();
      })
      .catch(() => undefined);
  } else {
    known.name = ej.name;
    known.state = event.kind === 'job.state' && event.state ? event.state : { ...known.state, kind: ej.state };
  }
  render();
}

function connectEvents(): void {
  const status = $('connection');
  // EventSource reconnects by itself and sends Last-Event-ID, so the server resumes where it was.
  const source = new EventSource('/api/events');
  source.addEventListener('ready', () => {
    status.dataset.state = 'live';
    status.textContent = 'live';
    reload().catch(showError);
  });
  source.addEventListener('message', (e: MessageEvent<string>) => apply(JSON.parse(e.data) as DaemonEvent));
  source.addEventListener('error', () => {
    status.dataset.state = 'lost';
    status.textContent = 'reconnecting…';
  });
}

async function start(): Promise<void> {
  session = await api<Session>('/api/session');
  $('mode').textContent = session.readOnly ? 'read-only' : '';
  connectEvents();
}

start().catch(showError);
