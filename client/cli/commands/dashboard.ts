import { str, flag, type CommandDef } from '../command.js';
import { intOption } from '../parse.js';

/** dashboard: parse the options, then run the server from its own files (dist/client/dashboard/, not this bundle). */
export const command: CommandDef = {
  async run({ values, out }) {
    const port = intOption('port', str(values, 'port'), { max: 65535 }) ?? 0;
    const host = str(values, 'host');
    const metricsPort = intOption('metrics-port', str(values, 'metrics-port'), { max: 65535 }) ?? null;
    const { runDashboard } = await import('../../dashboard/main.js');
    return runDashboard({ port, host: host ?? '127.0.0.1', hostGiven: host !== undefined, open: flag(values, 'open'), readOnly: flag(values, 'read-only'), json: out.json, metricsPort, autostart: values['no-autostart'] !== true });
  },
};
