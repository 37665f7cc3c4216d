// `--open`: the desktop's browser gets a file, not the URL. A URL on the opener's command line
// (xdg-open URL) would put the token in /proc/*/cmdline for every local user to read; so, as
// Jupyter does, the URL goes into a 0600 HTML file in a fresh 0700 directory that redirects to it,
// the opener gets that file's path, and the file is removed when the dashboard stops.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The page that sends the browser on to the dashboard's URL (a meta refresh, and a link for a browser that ignores it). */
export function launcherHtml(url: string): string {
  const safe = url.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${safe}"><title>procd dashboard</title></head>\n<body><p><a href="${safe}">Open the procd dashboard</a></p></body></html>\n`;
}

/** Opens the URL through a private launcher file; returns what removes that file (call it on exit). */
export function openBrowser(url: string, log: (line: string) => void): () => void {
  let dir = '';
  const remove = () => void (dir && rmSync(dir, { recursive: true, force: true }));
  const file = () => join(dir, 'open.html');
  try {
    dir = mkdtempSync(join(tmpdir(), 'procd-dashboard-'));
    writeFileSync(file(), launcherHtml(url), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    remove();
    log(`procd dashboard: could not write the browser launcher file (${(err as Error).message}); open the URL above yourself`);
    return () => {};
  }
  const [cmd, args] = process.platform === 'darwin' ? ['open', [file()]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', file()]] : ['xdg-open', [file()]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => log(`procd dashboard: could not open a browser (${cmd}); open the URL above yourself`));
  // xdg-open exits non-zero when it found no browser (no desktop, over SSH): say so too.
  child.on('exit', (code) => {
    if (code !== null && code !== 0) log(`procd dashboard: ${cmd} could not open a browser (exit ${code}); open the URL above yourself`);
  });
  child.unref();
  // A stop by an uncaught error still removes it.
  process.once('exit', remove);
  return () => {
    process.off('exit', remove);
    remove();
  };
}
