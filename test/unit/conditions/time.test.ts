/** Argo's EvalTime (Prometheus rangeQuery start/end) and the time builtins. */
import { describe, expect, it } from 'vitest';
import { evalCondition, evalTime } from '../../../src/conditions/index.js';
import { expectError, expectValue } from './table.js';

const NOW = Date.UTC(2024, 0, 15, 12, 30, 0);

describe('evalTime', () => {
  it.each([
    ['date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")', Date.UTC(2023, 7, 13, 23)], // reference example
    ['now()', NOW],
    ['now() - duration("1h30m")', NOW - 90 * 60_000],
    ['now() + duration("-15m")', NOW - 15 * 60_000],
    ['duration("10s") + now()', NOW + 10_000],
    ['date("2023-08-14")', Date.UTC(2023, 7, 14)],
    ['date("2023-08-14T10:00:00Z")', Date.UTC(2023, 7, 14, 10)],
    ['date("2023-08-14T10:00:00.250+02:00")', Date.UTC(2023, 7, 14, 8, 0, 0, 250)],
    ['date("Mon, 14 Aug 2023 10:00:00 UTC")', Date.UTC(2023, 7, 14, 10)],
    ['date("14/08/2023 3:04PM", "02/01/2006 3:04PM")', Date.UTC(2023, 7, 14, 15, 4)],
    ['date("Aug 14 2023", "Jan 2 2006")', Date.UTC(2023, 7, 14)],
    ['date("2023-08-14 12:00", "2006-01-02 15:04", "Europe/Berlin")', Date.UTC(2023, 7, 14, 10)], // CEST = UTC+2
    ['date("2023-01-14 12:00", "2006-01-02 15:04", "Europe/Berlin")', Date.UTC(2023, 0, 14, 11)], // CET = UTC+1
    ['date(timezone("America/New_York"), "2023-08-14 12:00:00")', Date.UTC(2023, 7, 14, 16)],
    ['isNaN(1.0) ? now() : now() - duration("1m")', NOW - 60_000],
  ])('%s', (expression, expected) => {
    expect(evalTime(expression, NOW)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['1', 'expected time.Time, but got int'],
    ['duration("1h")', 'expected time.Time, but got time.Duration'],
    ['now() > now()', 'expected time.Time, but got bool'],
    ['"2023-01-01"', 'expected time.Time, but got string'],
    ['result', 'unknown name result'], // EvalTime's env has only isNaN and isInf
    ['asInt("1")', 'unknown name asInt'],
    ['duration("1d")', 'time: unknown unit "d" in duration "1d"'],
    ['duration("10")', 'time: missing unit in duration "10"'],
    ['duration("abc")', 'time: invalid duration "abc"'],
    ['date("not a date")', 'invalid date not a date'],
    ['date("2023-13-01", "2006-01-02")', 'parsing time "2023-13-01": month out of range'],
    ['date("2023-02-30", "2006-01-02")', 'parsing time "2023-02-30": day out of range'],
    ['date("2023-08-14", "2006-01-02", "Mars/Olympus")', 'unknown time zone Mars/Olympus'],
    ['date("x2023", "2006")', 'parsing time "x2023" as "2006": cannot parse "x2023" as "2006"'],
    ['now() - 1', 'invalid operation: - (mismatched types time.Time and int)'],
  ])('%s -> %s', (expression, error) => {
    expect(evalTime(expression, NOW)).toEqual({ ok: false, error });
  });
});

describe('time values inside conditions', () => {
  it('compares times and durations', () => {
    expectValue('duration("1h") > duration("30m")', null, true);
    expectValue('duration("90m") == duration("1h30m")', null, true);
    expectValue('date("2023-08-14") < date("2023-08-15")', null, true);
    expectValue('date("2023-08-15") - date("2023-08-14") == duration("24h")', null, true);
    // now() is the measurement's time, passed in by the engine (a pure core reads no clock).
    expect(evalCondition('now() > date("2020-01-01")', null, Date.UTC(2026, 0, 1))).toEqual({ ok: true, value: true });
    expect(evalCondition('now() > date("2020-01-01")', null, Date.UTC(2019, 0, 1))).toEqual({ ok: true, value: false });
    expectValue('string(duration("1h30m")) == "1h30m0s"', null, true);
    expectValue('string(duration("1.5s")) == "1.5s"', null, true);
    expectValue('type(now()) == "time.Time"', null, true);
    expectValue('duration("1h") * 2 == duration("2h")', null, true);
    expectValue('now() - duration("1m") < now()', null, true);
  });

  it('rejects time arithmetic with plain numbers', () => {
    expectError('duration("1h") > 5', null, 'invalid operation: > (mismatched types time.Duration and int)');
  });
});
