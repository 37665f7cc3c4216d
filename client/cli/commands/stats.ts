import type { StatsReport } from '../../../shared/analyze.js';
import { roughDuration } from '../format-time.js';
import type { CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';

/** stats: counts per state and flag now, runs and failures over the kept history, uptime. */
export const command: CommandDef = {
  async run({ out, client }) {
    const s = await (await client()).stats({});
    if (out.json) out.printJson(s);
    else out.out(formatStats(s).join('\n'));
    return EXIT.ok;
  },
};

export function formatStats(s: StatsReport): string[] {
  const nonZero = (counts: Record<string, number>) => Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const h = s.history;
  return [
    `uptime    ${roughDuration(s.uptimeMs)}`,
    `jobs      ${nonZero(s.states)}`,
    `flags     ${nonZero(s.flags)}`,
    `runs      ${h.runs} in history${h.runs ? `, ${h.failures} failed (${Math.round(h.failureRate * 1000) / 10}%), ${h.restarts} after a restart` : ''}`,
  ];
}
