// Daemon errors as an MCP agent reads them: the CLI flags they name become the tools' arguments.

import { describe, expect, it } from 'vitest';
import { mcpWording } from '../../../client/mcp/mcp-wording.js';

describe('mcpWording', () => {
  it("names wait's `for` and start's `ready` instead of --for and --ready-when", () => {
    const daemon = 'invalid params.for: job 3 (noready) has no readiness probe, so `ready` would never hold; wait for what it would check instead (--for listen=PORT, --for http=URL, --for output=REGEX), or start it with --ready-when';
    expect(mcpWording(daemon)).toBe(
      'invalid params.for: job 3 (noready) has no readiness probe, so `ready` would never hold; wait for what it would check instead (for ["listen=PORT"], ["http=URL"] or ["output=REGEX"]), or start it with ready (start\'s argument, e.g. ready: "listen=3000")',
    );
    expect(mcpWording('invalid params.all: it applies to conditions; add for (--for CONDITION)')).toBe('invalid params.all: it applies to conditions; add for (e.g. for ["exit"])');
    expect(mcpWording('is about a job; name one (procd wait ID|NAME --for listen=3000), or wait for port-free=')).toMatch(/\(wait with jobs \["ID\|NAME"\] and for \["listen=3000"\]\)/);
  });

  it('names start\'s replace / ensure / name, kill\'s jobs, adopt and force', () => {
    expect(mcpWording('stop it first (procd kill 4), choose another name, or track with --replace to stop it')).toBe('stop it first (kill with jobs [4]), choose another name, or start with replace: true to stop it');
    expect(mcpWording('Track with --ensure --replace to stop it, or give a --name')).toBe('Start with ensure: true and replace: true to stop it, or give a name');
    expect(mcpWording('held by pid 9; add --adopt (adopt: true) to adopt it')).toBe('held by pid 9; add adopt: true to adopt it');
    expect(mcpWording('Use --force (force: true) to adopt it anyway')).toBe('Use force: true to adopt it anyway');
    expect(mcpWording('no job with id 3')).toBe('no job with id 3');
  });
});
