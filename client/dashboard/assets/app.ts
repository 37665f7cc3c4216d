// The dashboard page: a stats grid, the job table, groups and projects (panels.ts), the output
// viewer and the analysis, all live from GET /api/events (server-sent events with samples). It
// uses only the HTTP API, like any script could; job data is only ever put in the page as text
// (textContent), never as HTML.

import { api, loadSession } from './api.js';
import { scheduleAnalysis } from './analysis.js';
import { byId, showError } from './dom.js';
import { LIVE, type JobRow } from './model.js';
import { buildDetail, detailNews, openDetail } from './detail.js';
import { buildOutput, openOutput, outputNews } from './output.js';
import { buildPanels, panelsNews, schedulePanels } from './panels.js';
import { buildStats } from './stats.js';
import { buildTable, renderTable, scheduleTable } from './table.js';
import { buildTrends, scheduleTrends } from './trends.js';

interface EventJob {
  id: number;
  name: string;
  state: string;
}

interface DaemonEvent {
  seq: number;
  kind: string;
  job?: EventJob;
  state?: JobRow['state'];
  sample?: { cpuPercent: number | null; rssBytes: number };
  flag?: { kind: string; severity?: string };
  ports?: JobRow['ports'];
}

const jobs = new Map<number, JobRow>();
let firstRender = true;

function redraw(): void {
  schedulePanels();
  scheduleTable();
}

async function reload(listing = api<JobRow[]>('/api/jobs')): Promise<void> {
  const list = await listing;
  jobs.clear();
  for (const job of list) jobs.set(job.id, job);
  // For bench/dashboard-render.mjs: the first table's drawing starts (it ends at procd-first-render).
  if (firstRender) performance.mark('procd-table-start');
  renderTable();
  if (firstRender) {
    firstRender = false;
    // For bench/dashboard-render.mjs: the moment the first full table is in the DOM.
    performance.mark('procd-first-render');
    document.body.dataset.rendered = String(list.length);
  }
  scheduleAnalysis();
  scheduleTrends();
  panelsNews('reload');
  schedulePanels();
}

/** Fetches a job's full record (one the page has not seen, or after news only the record has). */
function fetchJob(id: number): void {
  api<JobRow>(`/api/jobs/${id}`)
    .then((full) => {
      jobs.set(full.id, full);
      redraw();
    })
    .catch(() => undefined);
}

function apply(event: DaemonEvent): void {
  if (event.kind === 'subscription.gap') return void reload().catch(showError);
  panelsNews(event.kind);
  const ej = event.job;
  if (!ej) return;
  // Removed by another client (rm, prune, cleanup): its row goes; nothing to fetch.
  if (event.kind === 'job.removed') {
    if (jobs.delete(ej.id)) redraw();
    return;
  }
  let job = jobs.get(ej.id);
  if (!job) {
    job = { id: ej.id, name: ej.name, state: { kind: ej.state } };
    jobs.set(ej.id, job);
    fetchJob(ej.id);
  }
  job.name = ej.name;
  if (event.kind === 'job.state' && event.state) job.state = event.state;
  else if (job.state.kind !== ej.state) {
    job.state = { ...job.state, kind: ej.state };
    fetchJob(ej.id);
  }
  if (event.kind === 'sample' && event.sample) job.resources = { last: event.sample };
  if (event.kind === 'job.listening') job.ports = event.ports ?? [];
  if (event.flag && (event.kind === 'flag.raised' || event.kind === 'flag.changed')) job.flags = [...(job.flags ?? []).filter((f) => f.kind !== event.flag!.kind), event.flag];
  if (event.flag && event.kind === 'flag.cleared') job.flags = (job.flags ?? []).filter((f) => f.kind !== event.flag!.kind);
  if (event.kind.startsWith('flag.')) scheduleAnalysis();
  if (event.kind === 'job.state' && !LIVE.has(ej.state)) scheduleTrends();
  if (event.kind === 'job.state' || event.kind === 'job.started') fetchJob(ej.id);
  outputNews(ej.id, ej.state);
  if (event.kind !== 'sample') detailNews(ej.id);
  redraw();
}

/** The banner says it: an API call's DaemonNotRunning error need not be shown beside it, nor after the daemon is back. */
function clearDaemonDownError(): void {
  const error = byId('error');
  if (error.textContent?.startsWith('DaemonNotRunning')) error.hidden = true;
}

function connectEvents(): void {
  const status = byId('connection');
  // EventSource reconnects by itself and sends Last-Event-ID, so the server resumes where it was.
  const source = new EventSource('/api/events?samples=true');
  const banner = byId('daemon-down');
  source.addEventListener('ready', () => {
    status.dataset.state = 'live';
    status.textContent = 'live';
    banner.hidden = true;
    clearDaemonDownError();
    reload().catch(showError);
  });
  // The daemon is down (the server never starts one a user stopped): say so; the stream asks again by itself.
  source.addEventListener('unavailable', () => {
    status.dataset.state = 'down';
    status.textContent = 'daemon not running';
    banner.hidden = false;
    clearDaemonDownError();
  });
  source.addEventListener('message', (e: MessageEvent<string>) => apply(JSON.parse(e.data) as DaemonEvent));
  source.addEventListener('error', () => {
    if (!banner.hidden) return; // the stream ended after `unavailable`: still waiting for the daemon
    status.dataset.state = 'lost';
    status.textContent = 'reconnecting…';
  });
}

async function start(): Promise<void> {
  performance.mark('procd-script-start');
  // The job list is asked for at once, beside the session, so the first table does not wait for
  // the event stream; the stream's `ready` reads it again (nothing between the two is missed).
  const listing = api<JobRow[]>('/api/jobs');
  listing.catch(() => undefined);
  const session = await loadSession();
  byId('mode').textContent = session.readOnly ? 'read-only' : '';
  document.body.classList.toggle('read-only', session.readOnly);
  buildStats(byId('stats'));
  buildTable({ table: byId<HTMLTableElement>('jobs'), filter: byId<HTMLInputElement>('filter'), jobs: () => jobs.values(), onLogs: openOutput, onDetails: openDetail });
  buildOutput();
  buildTrends();
  buildDetail();
  await reload(listing).catch(showError);
  buildPanels({ jobs: () => jobs.values(), onDetails: openDetail });
  connectEvents();
  // Elapsed times move on without events.
  setInterval(() => {
    for (const job of jobs.values()) if (job.state.kind === 'running') return scheduleTable();
  }, 1000);
}

start().catch(showError);
