import type { CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';

/** discover: the daemon's OpenRPC document (rpc.discover), as JSON with or without --json. */
export const command: CommandDef = {
  async run({ out, client }) {
    out.printJson(await (await client()).rpcDiscover({}));
    return EXIT.ok;
  },
};
