import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Notifier } from '../../../daemon/alerts/notifier.js';
import type { Logger } from '../../../daemon/logger.js';
import type { AlertInfo } from '../../../shared/alerts.js';
import { waitFor } from '../../helpers/wait-for.js';

const alert: AlertInfo = { rule: 'flag', severity: 'warning', summary: 'web (job 3): flagged stuck', data: { flag: 'stuck' }, job: { id: 3, name: 'web', tags: [], state: 'running' } };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function recordingLogger(): { logger: Logger; lines: { level: string; obj: Record<string, unknown>; msg: string }[] } {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, obj, msg });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as Logger, lines };
}

describe('notifier', () => {
  it('gives the command the alert as JSON on stdin and its fields in PROCD_ALERT_* variables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procd-notify-'));
    dirs.push(dir);
    const { logger, lines } = recordingLogger();
    new Notifier(`cat > '${dir}/stdin'; printf '%s|%s|%s' "$PROCD_ALERT_RULE" "$PROCD_ALERT_SEVERITY" "$PROCD_ALERT_JOB_ID" > '${dir}/env'`, 10_000, logger).notify(alert);
    await waitFor(() => (lines.some((l) => l.msg === 'alert notify command ran') ? true : null), { what: 'the command to finish' });
    expect(JSON.parse(readFileSync(join(dir, 'stdin'), 'utf8'))).toEqual(alert);
    expect(readFileSync(join(dir, 'env'), 'utf8')).toBe('flag|warning|3');
  });

  it('kills a command that outlives its timeout and logs it; a failing command is logged', async () => {
    const { logger, lines } = recordingLogger();
    new Notifier('sleep 415100', 200, logger).notify(alert);
    await waitFor(() => (lines.some((l) => l.msg === 'alert notify command failed' && l.obj.signal === 'SIGKILL') ? true : null), { what: 'the hung command to be killed' });
    expect(lines.some((l) => l.msg === 'alert notify command took too long; killing it')).toBe(true);
    new Notifier('exit 7', 10_000, logger).notify(alert);
    await waitFor(() => (lines.some((l) => l.msg === 'alert notify command failed' && l.obj.code === 7) ? true : null), { what: 'the failing command to be logged' });
  });
});
