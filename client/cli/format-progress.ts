// How a job's progress and ETA read in `status`, `ls` and `events`: `67% (URL 2 of 3) ~40s left`.

import type { Eta } from '../../shared/eta.js';
import { hasLiveProcess, type JobSummary } from '../../shared/job.js';
import { progressText, type JobProgress } from '../../shared/progress.js';
import { ago, roughDuration } from './format-time.js';

type WithProgress = Pick<JobSummary, 'state' | 'progress' | 'eta'>;

/** ls shows at most this much of a phase: the STATE column is never shortened. */
const LS_PHASE_CHARS = 14;

/** `~40s left` from a progress rate, `about 40s left` from past runs alone. */
export function etaText(eta: Eta, short = false): string {
  // Rounded up: 9.8 s left reads "10s", never "9s".
  const left = eta.leftMs < 1000 ? '<1s' : roughDuration(Math.ceil(eta.leftMs / 1000) * 1000);
  if (short) return `~${left}`;
  return eta.basis === 'history' ? `about ${left} left` : `~${left} left`;
}

/** `67% (URL 2 of 3) ~40s left`: percent, phase and ETA in one line (empty when there is none of them). */
export function progressLine(progress: JobProgress | undefined, eta: Eta | null | undefined, opts: { phaseChars?: number; short?: boolean } = {}): string {
  const parts: string[] = [];
  if (progress) {
    parts.push(`${Math.floor(progress.percent)}%`);
    if (progress.phase) parts.push(`(${cut(progress.phase, opts.phaseChars)})`);
  }
  if (eta) parts.push(etaText(eta, opts.short));
  return parts.join(' ');
}

/** ls's STATE suffix while the job runs: ` 67% (URL 2 of 3) ~40s`. */
export function progressSuffix(job: WithProgress): string {
  if (!hasLiveProcess(job.state)) return '';
  const line = progressLine(job.progress, job.eta, { phaseChars: LS_PHASE_CHARS, short: true });
  return line ? ` ${line}` : '';
}

/** status rows: what was reported (and when), and the ETA with what it is based on. */
export function progressRows(job: WithProgress, now: number): [string, string][] {
  const rows: [string, string][] = [];
  const p = job.progress;
  if (p) {
    const phase = p.phase ? `, phase ${p.phase}` : '';
    const from = p.source === 'marker' ? 'a marker line' : 'procd progress';
    rows.push(['progress', `${progressText(p)}${phase}; last report ${ago(p.updatedAt, now)} (${from}), ${p.reports} report${p.reports === 1 ? '' : 's'} in this run`]);
  }
  if (job.eta && hasLiveProcess(job.state)) rows.push(['eta', `${etaText(job.eta)} (${BASIS[job.eta.basis]})`]);
  return rows;
}

const BASIS: Record<Eta['basis'], string> = {
  progress: 'from the progress rate since its first report',
  history: 'from past runs of this command',
  'progress+history': 'from the progress rate and past runs of this command',
};

function cut(text: string, chars: number | undefined): string {
  if (chars === undefined) return text;
  const all = [...text];
  return all.length <= chars ? text : `${all.slice(0, chars - 1).join('')}…`;
}
