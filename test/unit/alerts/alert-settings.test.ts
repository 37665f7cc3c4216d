import { describe, expect, it } from 'vitest';
import { alertSettings, DEFAULT_RULES } from '../../../daemon/alerts/alert-settings.js';

describe('alert settings', () => {
  it('without a file: the default rules, no notify command unless PROCD_ON_ALERT', () => {
    expect(alertSettings(null, {})).toEqual({ rules: DEFAULT_RULES, onAlert: null, notifyTimeoutMs: 10_000, warnings: [] });
    expect(alertSettings(null, { PROCD_ON_ALERT: 'notify-send hi' }).onAlert).toBe('notify-send hi');
  });

  it('reads rules with durations, severities and defaults; PROCD_ON_ALERT wins over the file', () => {
    const text = JSON.stringify({
      onAlert: 'logger procd',
      notifyTimeout: '3s',
      rules: [
        { name: 'stuck', when: 'flag', flags: ['stuck'], severity: 'info', cooldown: '1m' },
        { name: 'failing', when: 'failure-rate', over: 0.2, within: '1h' },
      ],
    });
    const s = alertSettings(text, {});
    expect(s.warnings).toEqual([]);
    expect(s.onAlert).toBe('logger procd');
    expect(s.notifyTimeoutMs).toBe(3000);
    expect(s.rules).toEqual([
      { name: 'stuck', when: 'flag', flags: ['stuck'], severity: 'info', cooldownMs: 60_000 },
      { name: 'failing', when: 'failure-rate', over: 0.2, withinMs: 3_600_000, minRuns: 3, severity: 'warning', cooldownMs: 300_000 },
    ]);
    expect(alertSettings(text, { PROCD_ON_ALERT: 'other' }).onAlert).toBe('other');
  });

  it('a bad file is a warning naming the field, and the defaults apply', () => {
    const bad = alertSettings(JSON.stringify({ rules: [{ name: 'x', when: 'flag', cooldown: 'soon' }] }), {});
    expect(bad.rules).toBe(DEFAULT_RULES);
    expect(bad.warnings).toEqual(['alerts.json: rules[0].cooldown: expected a duration such as 10m; using the default alert rules']);
    expect(alertSettings('{not json', {}).warnings[0]).toMatch(/^alerts.json: not valid JSON/);
    expect(alertSettings(JSON.stringify({ rules: [{ name: 'x', when: 'rain' }] }), {}).warnings[0]).toMatch(/when: expected one of flag, failure-rate, limit, lost/);
    expect(alertSettings(JSON.stringify({ rulez: [] }), {}).warnings[0]).toMatch(/rulez/);
  });
});
