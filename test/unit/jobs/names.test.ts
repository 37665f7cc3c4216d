// Default names of --shell jobs: the first real command, not a keyword, builtin or assignment.

import { describe, expect, it } from 'vitest';
import { defaultJobName, shellJobName } from '../../../daemon/jobs/names.js';

describe('shellJobName', () => {
  it.each([
    ['npm test && echo done', 'npm'],
    ['exit 3; make', 'make'],
    ['return 2 2>/dev/null; break; continue; cargo test', 'cargo'],
    ['for i in 1 2 3; do curl -s localhost:$i; done', 'curl'],
    ['for f in *.log; do gzip "$f"; done', 'gzip'],
    ["trap 'kill 0' EXIT; node server.js", 'node'],
    ['cd /srv/app && exec ./bin/serve --port 80', 'serve'],
    ['export PORT=8080; python3 -m http.server', 'python3'],
    ['PORT=8080 DEBUG=1 npm run dev', 'npm'],
    ['set -eu\nif [ -f x ]; then make -j4; fi', 'make'],
    ['while true; do date; sleep 1; done', 'date'],
    ['until curl -sf localhost; do sleep 1; done', 'curl'],
    ['(cd web && yarn start)', 'yarn'],
    ['{ echo start; cargo build; }', 'cargo'],
    ['env -i FOO=1 /usr/bin/printenv', 'printenv'],
    ['nohup nice -n 10 rsync -a a b', 'rsync'],
    ['echo hi >out.txt 2>&1; tar czf x.tgz .', 'tar'],
    ['# comment\nls -l', 'ls'],
    ["'my tool' --flag", 'my'],
    ['case $1 in start) run ;; esac', 'run'],
    ['$CMD --serve', 'sh'],
    ['cd /tmp', 'sh'],
    ['echo only', 'sh'],
    ['', 'sh'],
    ['./a:b=c', 'a-b-c'],
    ['123', 'job-123'],
  ])('%j → %s', (script, expected) => {
    expect(shellJobName(script)).toBe(expected);
  });
});

describe('defaultJobName', () => {
  it('never yields a name a track would refuse', () => {
    expect(defaultJobName('/usr/bin/node')).toBe('node');
    expect(defaultJobName('42')).toBe('job-42');
    expect(defaultJobName('x:y')).toBe('x-y');
    expect(defaultJobName('', 'pid-7')).toBe('pid-7');
  });
});
