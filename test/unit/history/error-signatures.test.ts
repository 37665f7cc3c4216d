import { describe, expect, it } from 'vitest';
import { ERROR_SIGNATURES, errorSignatureOfLine, findErrors, LINE_REGEXES, type ErrorInput } from '../../../daemon/history/error-signatures.js';
import { regexHazard } from '../../../shared/regex-hazard.js';

/** A failed run (exit 1) whose stderr ended with `text`. */
function run(text: string, over: Partial<ErrorInput> = {}): ErrorInput {
  return { stderrTail: text.split('\n'), exitCode: 1, signal: null, outcome: 'exit', outcomeDetail: null, ...over };
}
const sigs = (input: ErrorInput) => findErrors(input).map((e) => e.signature);
const one = (input: ErrorInput, signature: string) => findErrors(input).find((e) => e.signature === signature);

describe('findErrors on realistic stderr', () => {
  it('node EADDRINUSE with its port (and the uncaught Error class)', () => {
    const input = run(`node:events:497
      throw er; // Unhandled 'error' event
      ^

Error: listen EADDRINUSE: address already in use :::3000
    at Server.setupListenHandle [as _listen2] (node:net:1908:16)
    at listenInCluster (node:net:1965:12)
    at Server.listen (node:net:2067:7)

Node.js v20.20.0`);
    expect(one(input, 'EADDRINUSE')).toEqual({ signature: 'EADDRINUSE', detail: '3000', line: 'Error: listen EADDRINUSE: address already in use :::3000' });
    expect(one(input, 'node_exception')?.detail).toBe('Error');
  });

  it('EADDRINUSE from go and python (port when the line has one)', () => {
    expect(one(run('2026/12/03 20:01:02 listen tcp 0.0.0.0:8080: bind: address already in use'), 'EADDRINUSE')?.detail).toBe('8080');
    const py = one(run(`Traceback (most recent call last):
  File "/srv/app.py", line 9, in <module>
    s.bind(("", 5000))
OSError: [Errno 98] Address already in use`), 'EADDRINUSE');
    expect(py?.detail).toBeNull();
  });

  it('node ENOENT with the path', () => {
    const input = run(`node:fs:573
  return binding.open(
                 ^

Error: ENOENT: no such file or directory, open '/app/config/.env'
    at Object.openSync (node:fs:573:18)
    at Object.readFileSync (node:fs:452:35) {
  errno: -2,
  code: 'ENOENT',`);
    expect(one(input, 'ENOENT')?.detail).toBe('/app/config/.env');
  });

  it('bash ENOENT and EACCES with the path', () => {
    expect(one(run('bash: ./deploy.sh: No such file or directory'), 'ENOENT')?.detail).toBe('./deploy.sh');
    expect(one(run('bash: line 1: ./run.sh: Permission denied', { exitCode: 126 }), 'EACCES')?.detail).toBe('./run.sh');
  });

  it('python PermissionError: EACCES with the path, and the exception type', () => {
    const input = run(`Traceback (most recent call last):
  File "/home/me/tool.py", line 4, in <module>
    open("/etc/shadow").read()
PermissionError: [Errno 13] Permission denied: '/etc/shadow'`);
    expect(one(input, 'EACCES')?.detail).toBe('/etc/shadow');
    expect(one(input, 'python_exception')?.detail).toBe('PermissionError');
  });

  it('ECONNREFUSED and ETIMEDOUT with the endpoint', () => {
    const node = run(`Error: connect ECONNREFUSED 127.0.0.1:5432
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16) {
  errno: -111,`);
    expect(one(node, 'ECONNREFUSED')?.detail).toBe('127.0.0.1:5432');
    expect(one(run('dial tcp [::1]:6379: connect: connection refused'), 'ECONNREFUSED')?.detail).toBe('[::1]:6379');
    expect(one(run('Error: connect ETIMEDOUT 10.0.0.7:443'), 'ETIMEDOUT')?.detail).toBe('10.0.0.7:443');
    expect(sigs(run('curl: (28) Connection timed out after 10001 milliseconds'))).toContain('ETIMEDOUT');
  });

  it('out of memory: node heap, ENOMEM, exit 137', () => {
    const node = run(`<--- Last few GCs --->
[4123:0x6a3c2e0]    81234 ms: Mark-Compact 4047.1 (4130.3) -> 4031.9 (4131.1) MB, 1830.11 / 0.00 ms
FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
 1: 0xb8a3c0 node::Abort() [node]
 2: 0xa9a7e8  [node]`, { exitCode: 134, signal: null });
    expect(one(node, 'oom')?.detail).toBe('node heap');
    expect(sigs(run('fork: Cannot allocate memory'))).toContain('oom');
    expect(one(run('', { exitCode: 137 }), 'oom')?.line).toMatch(/exit 137/);
  });

  it("outcome oom (the job's cgroup saw the OOM killer) is an out-of-memory kill, said as such", () => {
    expect(one(run('', { exitCode: 137, signal: 'SIGKILL', outcome: 'oom' }), 'oom')).toEqual({ signature: 'oom', detail: 'kernel', line: "Killed: the kernel's OOM killer (out of memory)" });
  });

  it('exit 137 from procd\'s own SIGKILL escalation is not an out-of-memory kill', () => {
    expect(sigs(run('', { exitCode: 137, signal: 'SIGKILL', outcome: 'signal' }))).not.toContain('oom');
  });

  it('segfault from the line, the signal or exit 139', () => {
    expect(sigs(run('bash: line 1:  4242 Segmentation fault      (core dumped) ./a.out', { exitCode: 139 }))).toEqual(['segfault']);
    expect(one(run('', { exitCode: 139, signal: 'SIGSEGV', outcome: 'signal' }), 'segfault')?.detail).toBe('SIGSEGV');
  });

  it('command not found with the command, bash, dash and zsh, and exit 127', () => {
    expect(one(run('bash: line 1: pnpmm: command not found', { exitCode: 127 }), 'command_not_found')?.detail).toBe('pnpmm');
    expect(one(run('/bin/sh: 1: yarnn: not found', { exitCode: 127 }), 'command_not_found')?.detail).toBe('yarnn');
    expect(one(run('zsh: command not found: tsc'), 'command_not_found')?.detail).toBe('tsc');
    expect(one(run('', { exitCode: 127 }), 'command_not_found')?.line).toBe('exit 127: command not found');
  });

  it('node uncaught exception with its class, and a tail where the class line was cut off', () => {
    const full = run(`/home/me/app/server.js:12
    throw new TypeError('handler is not a function');
    ^

TypeError: handler is not a function
    at Object.<anonymous> (/home/me/app/server.js:12:11)
    at Module._compile (node:internal/modules/cjs/loader:1554:14)`);
    expect(one(full, 'node_exception')?.detail).toBe('TypeError');
    const code = run(`Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'express' imported from /app/index.js
    at packageResolve (node:internal/modules/esm/resolve:854:9)`);
    expect(one(code, 'node_exception')?.detail).toBe('Error [ERR_MODULE_NOT_FOUND]');
    const cut = run(`    at Module.load (node:internal/modules/cjs/loader:1288:32)
    at Module._load (node:internal/modules/cjs/loader:1104:12)
    at node:internal/main/run_main_module:28:49

Node.js v20.20.0`);
    expect(one(cut, 'node_exception')).toEqual({ signature: 'node_exception', detail: null, line: 'Node.js v20.20.0' });
  });

  it('npm ERR! (npm 9) and npm error (npm 10) with the code', () => {
    expect(one(run(`npm ERR! code ELIFECYCLE
npm ERR! errno 1
npm ERR! app@1.0.0 build: \`tsc -p .\`
npm ERR! Exit status 1`), 'npm_error')?.detail).toBe('ELIFECYCLE');
    expect(one(run(`npm error Missing script: "dev"
npm error
npm error To see a list of scripts, run:
npm error   npm run`), 'npm_error')?.detail).toBe('Missing script: "dev"');
  });

  it('python traceback: the last exception type, chained ones included', () => {
    const input = run(`  File "/srv/worker.py", line 31, in parse
    return int(raw)
ValueError: invalid literal for int() with base 10: 'abc'

During handling of the above exception, another exception occurred:
  File "/srv/worker.py", line 40, in main
requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api', port=443)`);
    expect(one(input, 'python_exception')?.detail).toBe('requests.exceptions.ConnectionError');
    expect(one(run('Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nKeyboardInterrupt'), 'python_exception')?.detail).toBe('KeyboardInterrupt');
  });

  it('rust panic with its location (new and old formats)', () => {
    const input = run(`   Compiling app v0.1.0 (/home/me/app)
    Finished \`dev\` profile [unoptimized + debuginfo] target(s) in 0.61s
     Running \`target/debug/app\`
thread 'main' panicked at src/main.rs:14:22:
called \`Result::unwrap()\` on an \`Err\` value: ParseIntError { kind: InvalidDigit }
note: run with \`RUST_BACKTRACE=1\` environment variable to display a backtrace`, { exitCode: 101 });
    expect(one(input, 'rust_panic')?.detail).toBe('src/main.rs:14:22');
    expect(one(run("thread 'worker-2' panicked at 'index out of bounds', src/lib.rs:7:5"), 'rust_panic')?.detail).toBe('src/lib.rs:7:5');
  });

  it('go panic: the kind of panic without run-to-run figures', () => {
    const input = run(`panic: runtime error: index out of range [5] with length 3

goroutine 1 [running]:
main.main()
	/home/me/app/main.go:8 +0x1d
exit status 2`, { exitCode: 2 });
    expect(one(input, 'go_panic')?.detail).toBe('runtime error: index out of range');
    expect(one(run('fatal error: all goroutines are asleep - deadlock!'), 'go_panic')).toBeDefined();
  });

  it('java exception with its class, and an OutOfMemoryError as oom', () => {
    const input = run(`Exception in thread "main" java.lang.IllegalStateException: pool closed
	at com.example.Pool.get(Pool.java:42)
	at com.example.Main.main(Main.java:10)`);
    expect(one(input, 'java_exception')?.detail).toBe('java.lang.IllegalStateException');
    const oom = run('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3512)');
    expect(sigs(oom)).toEqual(expect.arrayContaining(['oom', 'java_exception']));
    expect(one(oom, 'oom')?.detail).toBe('java heap');
  });

  it('killed by a limit, from the outcome', () => {
    const input = run('', { outcome: 'limit', outcomeDetail: 'memory', exitCode: 137, signal: 'SIGKILL' });
    expect(one(input, 'limit_kill')).toEqual({ signature: 'limit_kill', detail: 'memory', line: 'Killed: stopped by procd for going over its memory limit' });
    expect(sigs(input)).not.toContain('oom');
  });

  it('each signature once per run; lines first, then the exit status', () => {
    const input = run('bash: a: command not found\nbash: b: command not found', { exitCode: 127 });
    expect(findErrors(input)).toEqual([{ signature: 'command_not_found', detail: 'a', line: 'bash: a: command not found' }]);
  });

  it('every signature in the table is exercised above', () => {
    expect(ERROR_SIGNATURES).toEqual(['EADDRINUSE', 'ENOENT', 'EACCES', 'ECONNREFUSED', 'ETIMEDOUT', 'oom', 'segfault', 'command_not_found', 'npm_error', 'python_exception', 'rust_panic', 'go_panic', 'java_exception', 'node_exception', 'limit_kill']);
  });
});

describe('findErrors leaves alone', () => {
  it.each([
    ['a casual "error" in a log line', '2026-12-03T20:00:01Z INFO retrying after error budget check: ok'],
    ['a summary with 0 errors', 'Found 0 errors. Watching for file changes.'],
    ['a URL with an errno-like word', 'GET https://docs.example.com/errors/ENOENT 200 12ms'],
    ['an errno-like word inside a longer one', 'metric ENOENT_COUNT=0'],
    ['panic in prose', "INFO: don't panic: all 12 checks passed"],
    ['npm in prose', 'running npm error-free since the upgrade'],
    ['a Traceback mentioned without one', 'see the Traceback section of the docs'],
    ['an exception class without a stack', 'TypeError: expected string (logged by our validator)'],
    ['a java-like name without a stack', 'loaded com.example.FooException handler'],
    ['a port in a normal line', 'listening on http://localhost:3000'],
  ])('%s', (_what, line) => {
    expect(findErrors(run(line, { exitCode: 0, outcome: 'exit' }))).toEqual([]);
  });

  it('a very long line is read only so far, and quickly', () => {
    const long = `${'a'.repeat(200_000)} EADDRINUSE :::3000`;
    const started = performance.now();
    expect(findErrors(run(long))).toEqual([]);
    // Not a timing assertion: a regression to a quadratic pattern would take minutes here, not ms.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("findErrors on the end of node's uncaught error", () => {
  it("EADDRINUSE: the code and the port from the error object's dump", () => {
    const seven = ["  code: 'EADDRINUSE',", '  errno: -98,', "  syscall: 'listen',", "  address: '::',", '  port: 35983', '}', 'Node.js v20.20.2'];
    expect(one(run(seven.join('\n')), 'EADDRINUSE')).toEqual({ signature: 'EADDRINUSE', detail: '35983', line: "code: 'EADDRINUSE'," });
  });
});

describe('the patterns run on the event loop', () => {
  it('none has a shape whose backtracking can grow exponentially (shared/regex-hazard.ts)', () => {
    expect(LINE_REGEXES.length).toBeGreaterThan(15);
    for (const re of LINE_REGEXES) expect(regexHazard(re.source), re.source).toBeNull();
  });
});

describe('errorSignatureOfLine (procd logs --errors)', () => {
  it('names the signature a line shows by itself, without the context a tail needs', () => {
    expect(errorSignatureOfLine('Error: listen EADDRINUSE: address already in use 127.0.0.1:8080')).toBe('EADDRINUSE');
    expect(errorSignatureOfLine('ValueError: invalid literal for int()')).toBe('python_exception');
    expect(errorSignatureOfLine("thread 'main' panicked at src/main.rs:4:5:")).toBe('rust_panic');
  });

  it('leaves alone ordinary lines and a sign that is no error by itself', () => {
    expect(errorSignatureOfLine('0 errors, 2 warnings')).toBeNull();
    expect(errorSignatureOfLine('Node.js v20.20.2')).toBeNull();
    expect(errorSignatureOfLine('GET /api/errors/ENOENT 200')).toBeNull();
  });
});

