// The projects view: the jobs of each procd.yaml project (`procd up`) together — the file, and per
// entry its job, state, health and what it waits for — from the page's live job map (no request
// of its own). "show in table" filters the job table to the project (`project:NAME`). Hidden while
// no job comes from a project.

import { el } from './dom.js';
import { label } from './format.js';
import { PROJECT_FILTER, type JobRow } from './model.js';
import { projectViews, type ProjectView } from './projects-model.js';

export interface ProjectsOptions {
  jobs: () => Iterable<JobRow>;
  onDetails: (id: number) => void;
  filter: HTMLInputElement;
}

let options: ProjectsOptions | null = null;
let section: HTMLElement;
let root: HTMLElement;
let scheduled = false;
/** What the view shows now, as text: an unchanged view is not rebuilt. */
let shown = '';

/** Adds the view before `before` (hidden until a project's job is known). */
export function buildProjects(before: Element | null, parent: HTMLElement, opts: ProjectsOptions): void {
  options = opts;
  section = el('section', 'projects-section');
  section.id = 'projects-section';
  section.hidden = true;
  root = el('div', 'projects');
  root.id = 'projects';
  section.append(el('h2', '', 'Projects'), root);
  parent.insertBefore(section, before);
  root.addEventListener('click', onClick);
  renderProjects();
}

/** Redraw on the next frame (the job map changed). */
export function scheduleProjects(): void {
  if (!options || scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    renderProjects();
  });
}

function renderProjects(): void {
  if (!options) return;
  const views = projectViews(options.jobs());
  // Most redraws are samples (CPU, memory), which this view does not show: skip them.
  const key = JSON.stringify(views.map((p) => [p.name, p.file, p.entries.map((e) => [e.entry, e.job.id, e.job.state.kind, e.job.health?.score, e.after])]));
  if (key === shown) return;
  shown = key;
  section.hidden = views.length === 0;
  root.replaceChildren(...views.map(card));
}

function card(p: ProjectView): HTMLElement {
  const div = el('div', 'project');
  div.dataset.project = p.name;
  const head = el('div', 'project-head');
  const show = el('button', 'project-filter', 'show in table');
  show.type = 'button';
  show.dataset.action = 'filter';
  head.append(el('strong', 'project-name', p.name), el('code', 'project-file', p.file), el('span', 'project-summary muted', p.summary), show);
  const table = el('table', 'project-entries');
  const hr = el('tr');
  for (const t of ['entry', 'id', 'state', 'health', 'after']) hr.append(el('th', '', t));
  table.createTHead().append(hr);
  const body = table.createTBody();
  for (const { entry, job, after } of p.entries) {
    const tr = el('tr');
    tr.dataset.id = String(job.id);
    tr.dataset.entry = entry;
    const name = el('td', 'entry');
    const open = el('button', 'name-link', entry);
    open.type = 'button';
    open.dataset.action = 'details';
    name.append(open);
    const health = el('td', 'health num', job.health ? String(job.health.score) : '');
    if (job.health && job.health.score < 100) health.classList.add(job.health.score < 50 ? 'health-bad' : 'health-warn');
    tr.append(name, el('td', 'num', String(job.id)), el('td', `state state-${job.state.kind}`, label(job.state.kind)), health, el('td', 'after', after.join(', ')));
    body.append(tr);
  }
  div.append(head, table);
  return div;
}

function onClick(e: MouseEvent): void {
  const button = (e.target as Element).closest('button[data-action]');
  if (!(button instanceof HTMLButtonElement) || !options) return;
  if (button.dataset.action === 'details') {
    const id = Number(button.closest('tr')?.dataset.id);
    if (Number.isInteger(id)) options.onDetails(id);
    return;
  }
  const project = button.closest<HTMLElement>('.project')?.dataset.project;
  if (project === undefined) return;
  options.filter.value = `${PROJECT_FILTER}${project}`;
  options.filter.dispatchEvent(new Event('input'));
  options.filter.scrollIntoView({ block: 'nearest' });
}
