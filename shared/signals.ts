import { constants } from 'node:os';

// Signal names and numbers for this platform, from Node itself (no hand-written table to drift).
const BY_NAME = constants.signals as Record<string, number>;
const BY_NUMBER = new Map<number, string>();
for (const [name, num] of Object.entries(BY_NAME)) if (!BY_NUMBER.has(num)) BY_NUMBER.set(num, name);

/** Accepts `TERM`, `SIGTERM`, `sigterm` or `15`; returns the canonical name and number, or null. */
export function parseSignal(input: string | number): { name: string; number: number } | null {
  if (typeof input === 'number' || /^\d+$/.test(input)) {
    const num = Number(input);
    const name = BY_NUMBER.get(num);
    return name ? { name, number: num } : null;
  }
  const upper = input.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const num = BY_NAME[name];
  return num === undefined ? null : { name, number: num };
}

export function signalName(num: number): string {
  return BY_NUMBER.get(num) ?? `SIG${num}`;
}
