// `procd top`: refuses without a terminal, then runs the full-screen view (app.ts) on the
// alternate screen and gives the terminal back exactly as it was on every way out: q, Ctrl-C,
// SIGTERM, SIGINT, SIGHUP (a dropped SSH session), an uncaught exception.

import { ReadStream, WriteStream } from 'node:tty';
import { VERSION } from '../../../shared/version.js';
import { connect } from '../../index.js';
import { str, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { TopApp } from './app.js';
import { INITIAL_UI } from './keys.js';
import { Screen } from './terminal.js';
import { SORT_KEYS, type SortKey } from './view.js';

export const command: CommandDef = {
  async run({ values, out }) {
    if (out.json) throw new ExitError(EXIT.usage, '--json: top is a screen for people, with no machine output; use procd ls --json for the jobs and procd events --json --samples for live changes');
    const sort = str(values, 'sort') ?? 'id';
    if (!(SORT_KEYS as readonly string[]).includes(sort)) throw new ExitError(EXIT.usage, `--sort: "${sort}" is not one of ${SORT_KEYS.join(', ')}`);
    if (!(process.stdout instanceof WriteStream) || !(process.stdin instanceof ReadStream)) {
      const which = process.stdout.isTTY ? 'stdin' : 'stdout';
      throw new ExitError(EXIT.usage, `needs a terminal, and ${which} is not one: run it in a terminal (tmux and ssh -t work); for scripts use procd ls --json or procd events --json --samples`);
    }
    const input = process.stdin;
    const output = process.stdout;
    const color = !process.env.NO_COLOR && process.env.TERM !== 'dumb';
    const noAutostart = values['no-autostart'] === true;
    const screen = new Screen(input, output);
    const app = new TopApp(screen, {
      color,
      ui: { ...INITIAL_UI, sort: sort as SortKey, filter: str(values, 'filter') ?? '' },
      connect: (first) => connect({ reconnect: true, clientName: `procd-cli/${VERSION}`, via: 'top', ...(noAutostart || !first ? { autostart: false } : {}) }),
    });

    // Every way out restores the terminal first.
    const onSignal = (signalNumber: number) => {
      screen.leave();
      process.exit(128 + signalNumber);
    };
    const onTerm = () => onSignal(15);
    const onHup = () => onSignal(1);
    // Ctrl-C arrives as a key in raw mode; a SIGINT from elsewhere (kill -INT) still restores first.
    const onInt = () => onSignal(2);
    const onCrash = (err: unknown) => {
      screen.leave();
      process.stderr.write(`procd top: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(EXIT.error);
    };
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
    process.on('SIGINT', onInt);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    screen.enter();
    try {
      return await app.run(input, output);
    } finally {
      screen.leave();
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      process.off('SIGINT', onInt);
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    }
  },
};
