// The panels beside the job table that issue 16 adds after its first render: queue groups, projects,
// and the stats grid's live counts. app.ts calls three hooks: buildPanels once the table is drawn,
// panelsNews for each event (and 'reload' after a full reload), schedulePanels when its job map changed.

import { byId } from './dom.js';
import { buildGroups, groupsNews } from './groups.js';
import type { JobRow } from './model.js';
import { buildProjects, scheduleProjects } from './projects.js';
import { statsNews } from './stats.js';

export interface PanelsOptions {
  jobs: () => Iterable<JobRow>;
  onDetails: (id: number) => void;
}

/** Adds the groups and projects panels under the job table. */
export function buildPanels(opts: PanelsOptions): void {
  const anchor = document.querySelector('.jobs-section');
  const parent = anchor?.parentElement ?? document.body;
  const next = anchor?.nextElementSibling ?? null;
  // Projects first: they are the jobs of the table, seen by file; groups are about what waits.
  buildProjects(next, parent, { ...opts, filter: byId<HTMLInputElement>('filter') });
  buildGroups(next, parent);
}

/** An event of this kind arrived (or 'reload': the page read every job again). */
export function panelsNews(kind: string): void {
  statsNews(kind);
  groupsNews(kind);
}

export const schedulePanels = scheduleProjects;
