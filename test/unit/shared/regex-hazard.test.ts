import { describe, expect, it } from 'vitest';
import { ConditionError, parseCondition } from '../../../shared/condition-parser.js';
import { PROBE_CONDITIONS } from '../../../shared/conditions.js';
import { regexHazard } from '../../../shared/regex-hazard.js';

describe('regexHazard', () => {
  it.each([
    ['(a+)+$', 'repetition of a group'],
    ['^(\\w+\\s?)*$', 'repetition of a group'],
    ['(?:x|y+)*z', 'repetition of a group'],
    ['((ab)*c)+', 'repetition of a group'],
    ['(a{2,})*b', 'repetition of a group'],
    ['(\\w+\\s*){4}failed', 'repetition of a group'],
    ['(a+){10}$', 'repetition of a group'],
    ['(.*a){12}x', 'repetition of a group'],
    ['(a|ab)*c', 'alternatives'],
    ['(a|a)+b', 'alternatives'],
    ['([ab]|b)*c', 'alternatives'],
    ['(x|X)*y', 'alternatives'],
    ['(GET|)*', 'alternatives'],
    ['(\\w)\\1', 'backreference'],
    ['(?<q>["\'])\\k<q>', 'backreference'],
  ])('refuses %s (%s)', (pattern, what) => {
    expect(regexHazard(pattern)).toContain(what);
  });

  it.each([
    'listening on port \\d+',
    'ready in [0-9.]+ ?ms',
    '^\\s*Server (started|running)',
    '(GET|POST|PUT) /health',
    '(a|b)*c',
    '(GET|POST)+ done',
    '(ab)+c',
    '(ab){1,3}',
    '(a+b){1}',
    '(a+)?b',
    'x{2,5}y',
    '\\(a+\\)+',
    '[(]a+[)]+',
    '(?=.*ready)',
    'https?://[^ ]+',
    'a{3}',
    '\\u{1F600}+',
  ])('accepts %s', (pattern) => {
    expect(regexHazard(pattern)).toBeNull();
  });
});

describe('output= conditions', () => {
  it('refuse a hazardous pattern with the reason and keep taking ordinary ones', () => {
    expect(() => parseCondition('output=(a+)+$', PROBE_CONDITIONS)).toThrow(ConditionError);
    expect(() => parseCondition('output=(a+)+$', PROBE_CONDITIONS)).toThrow(/`output`: refused repetition of a group that holds unbounded repetition/);
    expect(parseCondition('output=listening on \\d+', PROBE_CONDITIONS)).toEqual({ kind: 'output', pattern: 'listening on \\d+', flags: '' });
  });
});
