// A command's `--help` text, from its spec alone (so the bin's fast path can print it too).

import type { CliOption, CliSpec } from '../../shared/method-spec.js';

/** `-a, --all               include every finished job`: one help line per option. */
export function optionLine(name: string, o: Pick<CliOption, 'short' | 'arg' | 'help'>): string {
  const left = `${o.short ? `-${o.short}, ` : ''}--${name}${o.arg ? ` ${o.arg}` : ''}`;
  return `${left.padEnd(23)} ${o.help}`;
}

const GLOBAL_OPTION_HELP = [
  optionLine('json', { help: 'machine-readable output' }),
  optionLine('no-autostart', { help: 'do not start the daemon if it is not running' }),
  optionLine('help', { short: 'h', help: 'this help' }),
];

export function commandHelp(spec: CliSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, '', 'Options:'];
  lines.push(...Object.entries(spec.options).map(([name, o]) => `  ${optionLine(name, o)}`), ...GLOBAL_OPTION_HELP.map((l) => `  ${l}`));
  if (spec.examples.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
