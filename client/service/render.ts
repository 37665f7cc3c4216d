// Turns the shipped templates (systemd/procd.service, launchd/dev.procd.daemon.plist) into the
// files `procd service install` writes: absolute paths filled in, the @ENVIRONMENT@ marker
// replaced by environment settings, every value escaped for its format. The systemd unit is
// shipped as a complete, valid unit (`systemd-analyze verify` passes on it as is) that runs
// `procd` from the user manager's PATH; rendering replaces its ExecStart= line with EXEC_START.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface RenderInput {
  /** Absolute path of the node binary. */
  nodePath: string;
  /** Absolute path of procd's compiled CLI entry (dist/client/cli/main.js). */
  cliPath: string;
  /** Variables the daemon must see (PROCD_HOME, PROCD_SOCKET, ...), in a stable order. */
  env: Record<string, string>;
  /** Directory for launchd's stdout/stderr file (plist only). */
  logDir?: string;
}

export type TemplateKind = 'systemd' | 'launchd';

const TEMPLATE_FILES: Record<TemplateKind, string> = { systemd: 'systemd/procd.service', launchd: 'launchd/dev.procd.daemon.plist' };
const PLACEHOLDER = /@[A-Z_]+@/;

/** The first of these that exists: the package root seen from dist/client/service/ or from client/service/ (tests). */
function fromPackageRoot(rel: string): string {
  const candidates = [new URL(`../../../${rel}`, import.meta.url), new URL(`../../${rel}`, import.meta.url)].map((u) => fileURLToPath(u));
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

export function templatePath(kind: TemplateKind): string {
  return fromPackageRoot(TEMPLATE_FILES[kind]);
}

/** The CLI entry the service runs: next to us in dist/, or dist/ of the package when this file runs from source. */
export function cliEntryPath(): string {
  const candidates = [new URL('../cli/main.js', import.meta.url), new URL('../../dist/client/cli/main.js', import.meta.url)].map((u) => fileURLToPath(u));
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

export function readTemplate(kind: TemplateKind): string {
  return readFileSync(templatePath(kind), 'utf8');
}

function checkValue(name: string, value: string): void {
  // A newline would end the setting (unit file) or is at least surprising; nothing legitimate has one.
  if (/[\n\r\0]/.test(value)) throw new Error(`${name} contains a newline or NUL character: ${JSON.stringify(value)}`);
}

/**
 * One ExecStart= word. `%` starts a specifier everywhere, so it is doubled. `$` starts a variable
 * only in the arguments, not in the executable path (systemd takes that literally), so it is
 * doubled only there. Quoted when it holds a space, quote, backslash or `;`.
 */
export function systemdExecWord(value: string, position: 'executable' | 'argument' = 'argument'): string {
  checkValue('ExecStart word', value);
  let v = value.replace(/%/g, '%%');
  if (position === 'argument') v = v.replace(/\$/g, '$$$$');
  return /[\s"'\\;]/.test(v) ? `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : v;
}

/** One Environment= line; the whole assignment is quoted (C escapes apply inside), `%` doubled. */
export function systemdEnvironmentLine(name: string, value: string): string {
  checkValue(name, value);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`bad environment variable name: ${name}`);
  const v = `${name}=${value}`.replace(/%/g, '%%').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `Environment="${v}"`;
}

export function xmlEscape(value: string): string {
  checkValue('plist string', value);
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function assertNoPlaceholders(text: string, kind: TemplateKind): string {
  const left = PLACEHOLDER.exec(text);
  if (left) throw new Error(`the ${kind} template still has a placeholder after rendering: ${left[0]}`);
  return text;
}

/** What the unit's ExecStart= line becomes: the node and the CLI of this installation, by absolute path. */
export const EXEC_START = 'ExecStart=@NODE@ @PROCD_CLI@ daemon run';

export function renderSystemdUnit(input: RenderInput, template = readTemplate('systemd')): string {
  // Function replacers below: a string replacement would treat `$$`, `$&`... in a value as patterns.
  const node = systemdExecWord(input.nodePath, 'executable');
  const cli = systemdExecWord(input.cliPath);
  const source = template.split('\n');
  const execLines = source.filter((line) => /^ExecStart=/.test(line)).length;
  if (execLines !== 1) throw new Error(`the systemd template must have exactly one ExecStart= line, it has ${execLines}`);
  // A setting the template makes itself (PROCD_SIGTERM=keep-jobs) is not repeated.
  const envLines = Object.entries(input.env)
    .map(([k, v]) => systemdEnvironmentLine(k, v))
    .filter((line) => !source.includes(line));
  const lines: string[] = [];
  for (const line of source) {
    if (line.startsWith('##')) {
      // Template-only documentation (it names the placeholders): meaningless once they are filled in.
      continue;
    } else if (line.includes('@ENVIRONMENT@')) {
      lines.push(...envLines);
    } else if (line.startsWith('ExecStart=')) {
      lines.push(EXEC_START.replace('@NODE@', () => node).replace('@PROCD_CLI@', () => cli));
    } else {
      lines.push(line);
    }
  }
  return assertNoPlaceholders(lines.join('\n'), 'systemd');
}

export function renderLaunchdPlist(input: RenderInput, template = readTemplate('launchd')): string {
  if (!input.logDir) throw new Error('renderLaunchdPlist needs logDir');
  const env = Object.entries(input.env);
  const envXml = env.length
    ? [
        '<key>EnvironmentVariables</key>',
        '  <dict>',
        ...env.flatMap(([k, v]) => [`    <key>${xmlEscape(k)}</key>`, `    <string>${xmlEscape(v)}</string>`]),
        '  </dict>',
      ].join('\n')
    : '';
  const text = template
    .replace(/^[ \t]*<!-- @ENVIRONMENT@ -->\n/m, () => (envXml ? `  ${envXml}\n` : ''))
    // Template-only documentation of the placeholders (an XML comment naming them) goes away.
    .replace(/<!--(?:(?!-->)[\s\S])*?@[A-Z_]+@[\s\S]*?-->\n?/g, '')
    .replace(/@NODE@/g, () => xmlEscape(input.nodePath))
    .replace(/@PROCD_CLI@/g, () => xmlEscape(input.cliPath))
    .replace(/@LOG_DIR@/g, () => xmlEscape(input.logDir as string));
  return assertNoPlaceholders(text, 'launchd');
}
