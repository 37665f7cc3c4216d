import { serveMcp } from '../../mcp/serve.js';
import { flag, type CommandDef } from '../command.js';

/** mcp: serve MCP on stdio until the client closes it (client/mcp/serve.ts, bundled as mcp.js). */
export const command: CommandDef = {
  async run({ values }) {
    return serveMcp({ readOnly: flag(values, 'read-only'), autostart: values['no-autostart'] !== true });
  },
};
