import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpCheck } from '../../../daemon/probes/checks/http.js';
import { Servers } from './target.js';

const servers = new Servers();
afterEach(() => servers.closeAll());

/** A local server answering every request with `status` (and a Location for 3xx). */
async function answering(status: number, body = 'ok'): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req);
    res.writeHead(status, status >= 300 && status < 400 ? { location: '/elsewhere' } : {});
    res.end(body);
  });
  const port = await servers.listen(server);
  return { url: `http://127.0.0.1:${port}/health`, requests };
}

describe('http check', () => {
  it('succeeds on 200, with a GET of the path and no kept-alive connection', async () => {
    const s = await answering(200);
    const check = createHttpCheck({ kind: 'http', url: s.url });
    expect(await check.run(5000)).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(s.requests[0]!.method).toBe('GET');
    expect(s.requests[0]!.url).toBe('/health');
    expect(s.requests[0]!.headers.connection).toBe('close');
    check.close();
  });

  it('succeeds on 302 without following the redirect', async () => {
    const s = await answering(302);
    const check = createHttpCheck({ kind: 'http', url: s.url });
    expect(await check.run(5000)).toEqual({ ok: true, detail: 'HTTP 302' });
    expect(s.requests.map((r) => r.url)).toEqual(['/health']);
  });

  it('checks an IPv6 URL, and names its address in brackets', async () => {
    const port = await servers.listen(createHttpServer((_req, res) => res.end('ok')), '::1');
    expect(await createHttpCheck({ kind: 'http', url: `http://[::1]:${port}/` }).run(5000)).toEqual({ ok: true, detail: 'HTTP 200' });
    const free = await servers.freePort('::1');
    expect(await createHttpCheck({ kind: 'http', url: `http://[::1]:${free}/` }).run(5000)).toEqual({ ok: false, detail: `ECONNREFUSED [::1]:${free}` });
  });

  it('fails on 503', async () => {
    const s = await answering(503, 'not yet');
    const check = createHttpCheck({ kind: 'http', url: s.url });
    expect(await check.run(5000)).toEqual({ ok: false, detail: 'HTTP 503' });
  });

  it('answers at the headers even when the body never ends', async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(200);
      res.write('x'.repeat(1000)); // and never res.end()
    });
    const port = await servers.listen(server);
    const check = createHttpCheck({ kind: 'http', url: `http://127.0.0.1:${port}/` });
    expect(await check.run(5000)).toEqual({ ok: true, detail: 'HTTP 200' });
  });

  it('fails with a timeout, within about the timeout, when the server never answers', async () => {
    const server = createHttpServer(() => {
      // never answers
    });
    const port = await servers.listen(server);
    const check = createHttpCheck({ kind: 'http', url: `http://127.0.0.1:${port}/` });
    const started = Date.now();
    expect(await check.run(300)).toEqual({ ok: false, detail: 'timed out after 300ms' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const port = await servers.freePort();
    const check = createHttpCheck({ kind: 'http', url: `http://127.0.0.1:${port}/` });
    expect(await check.run(5000)).toEqual({ ok: false, detail: `ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('checks https without verifying the certificate (a self-signed one here)', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'procd-probe-tls-'));
    try {
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      } catch {
        ctx.skip('openssl is not available to make a self-signed certificate');
      }
      const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('ok'));
      const port = await servers.listen(server);
      const check = createHttpCheck({ kind: 'http', url: `https://127.0.0.1:${port}/` });
      expect(await check.run(5000)).toEqual({ ok: true, detail: 'HTTP 200' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('close() ends a check still waiting for its answer', async () => {
    const server = createHttpServer(() => {
      // never answers
    });
    const port = await servers.listen(server);
    const check = createHttpCheck({ kind: 'http', url: `http://127.0.0.1:${port}/` });
    const pending = check.run(60_000);
    // Wait until the request has reached the server, then close: the check must not wait a minute.
    await new Promise<void>((resolve) => server.once('request', () => resolve()));
    check.close();
    const r = await pending;
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^ECONNRESET 127\.0\.0\.1:/);
  });
});
