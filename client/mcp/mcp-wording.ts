// The daemon's error texts name CLI flags (`--for listen=PORT`, `--ready-when`); an agent calling
// the MCP tools has their arguments instead. Pure: each rule rewrites one CLI spelling that a
// tool's call can meet into the tool's own (add a rule when a daemon hint names a new flag).

const RULES: readonly [RegExp, string][] = [
  [/\(procd wait ([^\s)]+) --for ([^\s)]+)\)/g, '(wait with jobs ["$1"] and for ["$2"])'],
  [/\(procd kill (\d+)\)/g, '(kill with jobs [$1])'],
  [/add for \(--for CONDITION\)/g, 'add for (e.g. for ["exit"])'],
  [/\(--for ([^,)\s]+), --for ([^,)\s]+), --for ([^,)\s]+)\)/g, '(for ["$1"], ["$2"] or ["$3"])'],
  [/--for ([^\s,)]+)/g, 'for ["$1"]'],
  [/start it with --ready-when/g, 'start it with ready (start\'s argument, e.g. ready: "listen=3000")'],
  [/[Tt]rack with --ensure --replace/g, 'Start with ensure: true and replace: true'],
  [/track with --replace/g, 'start with replace: true'],
  [/give a --name/g, 'give a name'],
  [/add --adopt \(adopt: true\)/g, 'add adopt: true'],
  [/Use --force \(force: true\)/g, 'Use force: true'],
];

/** The message with CLI flags replaced by the MCP arguments that do the same. */
export function mcpWording(message: string): string {
  return RULES.reduce((text, [re, to]) => text.replace(re, to), message);
}
