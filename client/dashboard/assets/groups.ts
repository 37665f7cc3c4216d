// The groups-and-queues panel: each queue group (GET /api/groups) with its limit, running and queued
// counts and whether paused, and its queued jobs in start order with why each waits (GET
// /api/jobs?state=queued: their standing is fresh there). Live from the event stream: a job event
// that can move a queue re-reads both, a burst of them once (refresher.ts); nothing is polled.
// Actions (pause/resume a group, its parallel limit: POST /api/groups/NAME, the daemon's
// group.set) are not drawn on a read-only dashboard, whose server refuses them anyway.

import { api, currentSession } from './api.js';
import { el, showError } from './dom.js';
import { groupQueues, parallelChange, queueReason, slotsText, touchesGroups, type GroupQueue, type GroupRow } from './groups-model.js';
import type { JobRow } from './model.js';
import { makeRefresher } from './refresher.js';

let root: HTMLElement | null = null;
const cards = new Map<string, HTMLElement>();
const refresher = makeRefresher(read, { delayMs: 200, minGapMs: 500 });

/** Adds the panel before `before` and reads it (call it after the job table's first render). */
export function buildGroups(before: Element | null, parent: HTMLElement): void {
  const section = el('section', 'groups-section');
  section.id = 'groups-section';
  section.setAttribute('aria-label', 'queue groups');
  root = el('div', 'groups');
  root.id = 'groups';
  section.append(el('h2', '', 'Groups and queues'), root);
  parent.insertBefore(section, before);
  root.addEventListener('click', onClick);
  root.addEventListener('keydown', (e) => {
    const input = e.target;
    if (e.key === 'Enter' && input instanceof HTMLInputElement) input.closest('.group')?.querySelector<HTMLButtonElement>('button[data-action="limit"]')?.click();
  });
  refresher.now();
}

/** An event arrived: re-read the groups when it can change a queue. */
export function groupsNews(kind: string): void {
  if (root && touchesGroups(kind)) refresher.schedule();
}

async function read(): Promise<void> {
  try {
    const [groups, queued] = await Promise.all([api<GroupRow[]>('/api/groups'), api<JobRow[]>('/api/jobs?state=queued')]);
    render(groupQueues(groups, queued));
  } catch (err) {
    showError(err);
  }
}

function render(all: GroupQueue[]): void {
  if (!root) return;
  const now = Date.now();
  const time = (at: number) => new Date(at).toLocaleTimeString();
  const seen = new Set<string>();
  for (const { group, queue } of all) {
    seen.add(group.name);
    let card = cards.get(group.name);
    if (!card) {
      card = buildCard(group);
      cards.set(group.name, card);
    }
    card.dataset.running = String(group.running);
    card.dataset.queued = String(group.queued);
    card.dataset.paused = String(group.paused);
    card.classList.toggle('group-paused', group.paused);
    setText(card, '.group-slots', slotsText(group));
    setText(card, '.group-queued', `${group.queued} queued`);
    setText(card, '.group-state', group.paused ? 'paused' : '');
    const toggle = card.querySelector<HTMLButtonElement>('button[data-action="toggle"]');
    if (toggle) {
      toggle.textContent = group.paused ? 'resume' : 'pause';
      toggle.dataset.paused = String(group.paused);
      toggle.disabled = false;
    }
    const box = card.querySelector<HTMLInputElement>('input.group-parallel');
    if (box && document.activeElement !== box) box.value = group.parallel === null ? '' : String(group.parallel);
    const items = queue.map((job) => {
      const li = el('li', 'queued-job');
      li.dataset.id = String(job.id);
      li.append(el('span', 'queued-name', `${job.id} ${job.name}`), el('span', 'queued-why muted', ` ${queueReason(job, now, time)}`));
      return li;
    });
    card.querySelector('ol.queue')!.replaceChildren(...items);
  }
  for (const [name, card] of cards) {
    if (seen.has(name)) continue;
    card.remove();
    cards.delete(name);
  }
  // Re-placed only when the order changed: moving a card would take the focus from its limit box.
  const want = all.map((g) => cards.get(g.group.name)!);
  if (want.length !== root.children.length || want.some((c, i) => root!.children[i] !== c)) root.replaceChildren(...want);
  root.dataset.loaded = 'true';
}

function buildCard(group: GroupRow): HTMLElement {
  const card = el('div', 'group');
  card.dataset.group = group.name;
  const head = el('div', 'group-head');
  head.append(el('strong', 'group-name', group.name), el('span', 'badge group-state'), el('span', 'group-slots'), el('span', 'group-queued muted'));
  card.append(head);
  if (!currentSession().readOnly) {
    const actions = el('div', 'group-actions');
    const toggle = el('button', 'group-toggle', 'pause');
    toggle.type = 'button';
    toggle.dataset.action = 'toggle';
    const box = el('input', 'group-parallel');
    box.type = 'number';
    box.min = '1';
    box.placeholder = 'no limit';
    box.setAttribute('aria-label', `parallel limit of group ${group.name}`);
    const set = el('button', 'group-limit', 'set limit');
    set.type = 'button';
    set.dataset.action = 'limit';
    actions.append(toggle, el('label', 'muted', 'parallel'), box, set);
    card.append(actions);
  }
  card.append(el('ol', 'queue'));
  return card;
}

function setText(card: HTMLElement, selector: string, text: string): void {
  const node = card.querySelector(selector);
  if (node && node.textContent !== text) node.textContent = text;
}

function onClick(e: MouseEvent): void {
  const button = (e.target as Element).closest('button[data-action]');
  const name = button?.closest<HTMLElement>('.group')?.dataset.group;
  if (!(button instanceof HTMLButtonElement) || name === undefined) return;
  let change: { paused: boolean } | { parallel: number | null } | null;
  if (button.dataset.action === 'toggle') change = { paused: button.dataset.paused !== 'true' };
  else {
    const box = button.parentElement?.querySelector<HTMLInputElement>('input.group-parallel');
    change = parallelChange(box?.value ?? '');
    if (!change) return showError(new Error(`group ${name}: the parallel limit is a whole number from 1 (empty: no limit)`));
  }
  if (currentSession().readOnly) return showError(new Error('read-only dashboard: actions are off'));
  button.disabled = true;
  api(`/api/groups/${encodeURIComponent(name)}`, { method: 'POST', body: JSON.stringify(change) })
    .then(() => refresher.now())
    .catch(showError)
    .finally(() => {
      button.disabled = false;
    });
}
