import type { ResultOf } from '../../../shared/methods.js';
import { flag, str, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { table } from '../output.js';

/** group: set, remove or list queue groups (methods group.set, group.rm, group.ls). */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    const [sub, name, ...extra] = positionals;
    if (extra.length) throw new ExitError(EXIT.usage, `unexpected argument: ${extra[0]}`);
    const c = await client();
    switch (sub) {
      case 'ls':
      case undefined: {
        const groups = await c.groupLs({});
        if (out.json) out.printJson(groups);
        else out.out(table(['GROUP', 'PARALLEL', 'PAUSED', 'RUNNING', 'QUEUED'], groups.map(row), out.width));
        return EXIT.ok;
      }
      case 'set':
      case 'pause':
      case 'resume': {
        if (!name) throw new ExitError(EXIT.usage, `missing group name: procd group ${sub} NAME`);
        const parallel = str(values, 'parallel');
        if (sub === 'set' && parallel === undefined && !flag(values, 'pause') && !flag(values, 'resume')) throw new ExitError(EXIT.usage, 'procd group set NAME --parallel N|none (and/or --pause, --resume)');
        if (parallel !== undefined && parallel !== 'none' && !/^[1-9]\d*$/.test(parallel)) throw new ExitError(EXIT.usage, `--parallel: "${parallel}" is not a whole number ≥ 1 (or none: no limit)`);
        const paused = sub === 'pause' || flag(values, 'pause') ? true : sub === 'resume' || flag(values, 'resume') ? false : undefined;
        const g = await c.groupSet({ name, ...(parallel !== undefined ? { parallel: parallel === 'none' ? null : Number(parallel) } : {}), ...(paused !== undefined ? { paused } : {}) });
        if (out.json) out.printJson(g);
        else out.out(`group ${g.name}: ${g.parallel === null ? 'no limit' : `at most ${g.parallel} at once`}${g.paused ? ', paused (its queued jobs do not start)' : ''}; ${g.running} running, ${g.queued} queued`);
        return EXIT.ok;
      }
      case 'rm': {
        if (!name) throw new ExitError(EXIT.usage, 'missing group name: procd group rm NAME');
        const r = await c.groupRm({ name });
        if (out.json) out.printJson(r);
        else out.out(`group ${r.name} removed: its jobs run without a limit`);
        return EXIT.ok;
      }
      default:
        throw new ExitError(EXIT.usage, `unknown group action "${sub}": set, pause, resume, rm or ls`);
    }
  },
};

function row(g: ResultOf<'group.ls'>[number]): string[] {
  return [g.name, g.parallel === null ? '-' : String(g.parallel), g.paused ? 'yes' : 'no', String(g.running), String(g.queued)];
}
