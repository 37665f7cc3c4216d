// Runs the notify command for an alert: `/bin/sh -c CMD`, detached in its own process group, the
// alert as JSON on stdin and in PROCD_ALERT_JSON, the main fields as PROCD_ALERT_* variables.
// Killed (its whole group) after the timeout. A failure is logged, never fatal, never retried.

import { spawn } from 'node:child_process';
import type { AlertInfo } from '../../shared/alerts.js';
import type { Logger } from '../logger.js';

/** Notify commands running at once beyond this are skipped (and logged): a stuck notifier must not pile up. */
export const MAX_RUNNING_NOTIFIERS = 4;

export class Notifier {
  private running = 0;

  constructor(
    private readonly command: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  notify(alert: AlertInfo): void {
    if (this.running >= MAX_RUNNING_NOTIFIERS) {
      this.logger.warn({ rule: alert.rule, running: this.running }, 'alert notify command skipped: earlier ones are still running');
      return;
    }
    const json = JSON.stringify(alert);
    const env = {
      ...process.env,
      PROCD_ALERT_RULE: alert.rule,
      PROCD_ALERT_SEVERITY: alert.severity,
      PROCD_ALERT_SUMMARY: alert.summary,
      PROCD_ALERT_JOB_ID: alert.job ? String(alert.job.id) : '',
      PROCD_ALERT_JOB_NAME: alert.job?.name ?? '',
      PROCD_ALERT_JSON: json,
    };
    let child;
    try {
      child = spawn('/bin/sh', ['-c', this.command], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
    } catch (err) {
      this.logger.warn({ err, rule: alert.rule }, 'alert notify command could not start');
      return;
    }
    this.running++;
    const started = Date.now();
    const timer = setTimeout(() => {
      this.logger.warn({ rule: alert.rule, timeoutMs: this.timeoutMs }, 'alert notify command took too long; killing it');
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, this.timeoutMs);
    timer.unref();
    child.on('error', (err) => this.logger.warn({ err, rule: alert.rule }, 'alert notify command could not start'));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      this.running--;
      if (code === 0) this.logger.debug({ rule: alert.rule, ms: Date.now() - started }, 'alert notify command ran');
      else this.logger.warn({ rule: alert.rule, code, signal }, 'alert notify command failed');
    });
    // A command that does not read its stdin closes the pipe: that is its business, not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${json}\n`);
    child.unref();
  }
}
