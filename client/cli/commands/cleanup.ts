import { flag, str, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { durationOption, intOption, LIMITS } from '../parse.js';
import { plural } from '../format-time.js';

/** cleanup: kill leftovers of finished jobs, report zombies, prune old records. */
export const command: CommandDef = {
  async run({ values, out, client }) {
    const retentionMs = durationOption('retention', str(values, 'retention'));
    const maxRecords = intOption('max-records', str(values, 'max-records'), { max: LIMITS.count });
    const owner = str(values, 'owner');
    const r = await (await client()).cleanup({
      dryRun: flag(values, 'dry-run'),
      reapParents: flag(values, 'reap-parents'),
      ...(owner !== undefined ? { owner } : {}),
      ...(retentionMs !== undefined ? { retentionMs } : {}),
      ...(maxRecords !== undefined ? { maxRecords } : {}),
    });
    if (out.json) {
      out.printJson(r);
      return r.stopped?.some((s) => !s.ok) ? EXIT.error : EXIT.ok;
    }
    if (r.stopped) out.out(`stopped: ${plural(r.stopped.length, `live job of ${owner}`, `live jobs of ${owner}`)}${r.stopped.map((s) => (s.ok ? `\n  job ${s.id} ${s.state}` : `\n  ${s.ref}: ${s.error.message}`)).join('')}`);
    else if (r.wouldStop) out.out(`would stop: ${plural(r.wouldStop.length, `live job of ${owner}`, `live jobs of ${owner}`)}${r.wouldStop.map((j) => `\n  job ${j.id} ${j.name} ${j.state}`).join('')}`);
    const verb = r.dryRun ? 'would kill' : 'killed';
    out.out(`leftovers: ${plural(r.leftovers.pids.length, 'process', 'processes')} of ${plural(r.leftovers.jobs.length, 'finished job')} — ${verb}: ${r.leftovers.pids.join(' ') || 'none'}`);
    if (!r.dryRun && r.leftovers.forced.length) out.out(`  needed SIGKILL: ${r.leftovers.forced.join(' ')}`);
    out.out(`zombies: ${r.zombies.length}${r.zombies.map((z) => `\n  pid ${z.pid} (job ${z.jobId}) not reaped by parent ${z.ppid}`).join('')}`);
    if (r.zombies.length && !r.reapedParents.length) out.out('  (use --reap-parents to stop those parents; the zombies then go away)');
    if (r.reapedParents.length) out.out(`  stopped parents: ${r.reapedParents.join(' ')}`);
    out.out(`pruned: ${plural(r.pruned.length, 'finished job record')}${r.dryRun ? ' would be removed' : ''}`);
    return r.stopped?.some((s) => !s.ok) ? EXIT.error : EXIT.ok;
  },
};
