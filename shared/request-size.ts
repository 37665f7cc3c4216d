// Saying which part of a request is too large to send, and what to do about it: a client checks
// its request against the frame cap (shared/framing.ts) before sending, so the user hears "the
// environment is 5.1 MiB" rather than "message larger than N bytes; connection closed".

import { formatBytes } from './duration.js';
import { MAX_FRAME_BYTES } from './framing.js';

/** How a track request's big parts are fixed, for the message and for `data.fix`. */
export const TOO_LARGE_FIX = {
  env: 'start the job from a clean environment with --clean-env and pass what it needs with --env K=V (library: send a smaller `env`)',
  argv: 'pass long argument lists through a file (a script that reads it, or xargs) instead of the command line',
  shell: 'put the script in a file and run that file',
} as const;

export interface TooLarge {
  message: string;
  data: { limit: number; bytes: number; parts: Record<string, number>; fix?: string };
}

/** The sizes of a request's large parts (bytes as sent, JSON included), largest first. */
export function requestParts(method: string, params: unknown): [part: keyof typeof TOO_LARGE_FIX, bytes: number, items: number][] {
  if (method !== 'track' || typeof params !== 'object' || params === null) return [];
  const p = params as Record<string, unknown>;
  const size = (v: unknown) => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));
  const parts: [keyof typeof TOO_LARGE_FIX, number, number][] = [
    ['env', size(p.env), typeof p.env === 'object' && p.env !== null ? Object.keys(p.env).length : 0],
    ['argv', size(p.argv), Array.isArray(p.argv) ? p.argv.length : 0],
    ['shell', size(p.shell), 1],
  ];
  return parts.filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
}

/** Why a request of `bytes` cannot be sent: which part is large and how to make it smaller. */
export function tooLarge(method: string, params: unknown, bytes: number, limit = MAX_FRAME_BYTES): TooLarge {
  const parts = requestParts(method, params);
  const head = `the ${method} request is ${formatBytes(bytes)}, over the ${formatBytes(limit)} a message may have`;
  const data: TooLarge['data'] = { limit, bytes, parts: Object.fromEntries(parts.map(([part, n]) => [part, n])) };
  const biggest = parts[0];
  if (!biggest) return { message: head, data };
  const what = { env: 'the environment', argv: 'the arguments', shell: 'the shell script' } as const;
  const unit = { env: 'variables', argv: 'items', shell: 'script' } as const;
  const count = (part: keyof typeof unit, n: number) => `${n} ${n === 1 ? unit[part].replace(/s$/, '') : unit[part]}`;
  const sizes = parts.map(([part, n, items]) => `${what[part]} ${formatBytes(n)}${part === 'shell' ? '' : ` (${count(part, items)})`}`).join(', ');
  const fix = TOO_LARGE_FIX[biggest[0]];
  return { message: `${head}: ${sizes}; ${fix}`, data: { ...data, fix } };
}
