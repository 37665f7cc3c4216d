// /metrics of a real `procd dashboard`: the daemon's metrics in the Prometheus text format behind
// the token, without one on --metrics-port (127.0.0.1 only, /metrics only), and `procd_up 0`
// when no daemon answers. Read by a real parser (python3-prometheus-client).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_CONTENT_TYPE } from '../../shared/metrics.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { httpCall, startDashboard, stopAllDashboards, type Dashboard } from './helpers/dashboard.js';
import { trackJob } from './helpers/jobs.js';
import { parsePrometheusText, prometheusParserMissing, type ParsedFamily } from '../helpers/prometheus-parser.js';

let d: TestDaemon;
let dash: Dashboard;

const value = (fs: ParsedFamily[], name: string, labels: Record<string, string> = {}) =>
  fs.find((f) => f.name === name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

const missing = prometheusParserMissing();
describe.skipIf(missing !== null)(`dashboard /metrics${missing ? ` — skipped: ${missing}` : ''}`, () => {
  beforeAll(async () => {
    d = await startTestDaemon();
    dash = await startDashboard(d, ['--metrics-port', '0'], { PROCD_NO_AUTOSTART: '1' });
    await trackJob(d, ['--name', 'idle', '--', 'sleep', '300']);
  }, 60_000);

  afterAll(async () => {
    await dash?.stop();
    await stopAllDashboards();
    await d?.cleanup();
  });

  it('serves the daemon metrics behind the token, as the text format a parser reads', async () => {
    expect((await dash.req('GET', '/metrics', { auth: false })).status).toBe(401);
    const r = await dash.req('GET', '/metrics?top=5');
    expect(r.status, r.text).toBe(200);
    expect(r.headers['content-type']).toBe(METRICS_CONTENT_TYPE);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    const families = parsePrometheusText(r.text);
    expect(value(families, 'procd_up')).toBe(1);
    expect(value(families, 'procd_jobs', { state: 'running' })).toBe(1);
    expect((await dash.req('GET', '/metrics?top=x')).status).toBe(400);
  });

  it('--metrics-port serves /metrics without a token on 127.0.0.1, and nothing else', async () => {
    const out = await dash.req('GET', '/api/session');
    expect(out.status).toBe(200);
    const metricsUrl = await metricsUrlOf(dash);
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const r = await httpCall('GET', metricsUrl, {});
    expect(r.status).toBe(200);
    expect(value(parsePrometheusText(r.text), 'procd_up')).toBe(1);
    const base = metricsUrl.replace(/\/metrics$/, '');
    expect((await httpCall('GET', `${base}/api/jobs`, {})).status).toBe(404);
    expect((await httpCall('GET', `${base}/`, {})).status).toBe(404);
    expect((await httpCall('POST', metricsUrl, {})).status).toBe(405);
  });

  it('--metrics-port answers only its loopback Host names (a DNS-rebinding page gets 403, not the job names)', async () => {
    const metricsUrl = await metricsUrlOf(dash);
    const port = new URL(metricsUrl).port;
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.nip.io:${port}`]) {
      const r = await httpCall('GET', metricsUrl, { Host: host });
      expect(r.status, host).toBe(403);
      expect(r.text).not.toContain('idle');
      expect((r.json() as { error: { code: string } }).error.code).toBe('HostRefused');
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) expect((await httpCall('GET', metricsUrl, { Host: host })).status, host).toBe(200);
  });

  it('says procd_up 0 when no daemon answers (a scraper sees it down, not an error page)', async () => {
    const stop = await d.cli(['daemon', 'stop', '--keep-jobs']);
    expect(stop.code, stop.stderr).toBe(0);
    const r = await httpCall('GET', await metricsUrlOf(dash), {});
    expect(r.status, r.text).toBe(200);
    expect(value(parsePrometheusText(r.text), 'procd_up')).toBe(0);
  }, 60_000);
});

/** The --metrics-port URL the dashboard printed in its --json line. */
async function metricsUrlOf(x: Dashboard): Promise<string> {
  return x.info.metricsUrl ?? '';
}
