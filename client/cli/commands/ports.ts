import type { ResultOf } from '../../../shared/methods.js';
import { flag, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { paint, table, type Output } from '../output.js';

type PortHolder = ResultOf<'ports'>[number];

/** ports: who listens on which port, one row per socket, sorted by port (--json: the daemon's rows). */
export const command: CommandDef = {
  async run({ values, out, client }) {
    const rows = await (await client()).ports(flag(values, 'all') ? { all: true } : {});
    if (out.json) out.printJson(rows);
    else printPorts(out, rows);
    return EXIT.ok;
  },
};

function printPorts(out: Output, rows: readonly PortHolder[]): void {
  if (!rows.length) {
    out.out('nothing of yours listens on any port');
    return;
  }
  out.out(table(['PORT', 'PROTO', 'ADDRESS', 'PID', 'JOB', 'COMMAND'], rows.map(portRow), out.width, (row, col, text) => (col === 4 && rows[row]!.job ? paint(out, 'bold', text) : text)));
}

/** One line of the human view: a procd job shows as `ID name`, another process as `-`. */
export function portRow(r: PortHolder): string[] {
  return [String(r.port), r.protocol, r.address, r.pid === null ? `(uid ${r.uid})` : String(r.pid), r.job ? `${r.job.id} ${r.job.name}` : '-', r.command ?? '-'];
}
