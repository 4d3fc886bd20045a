/** Table-test helpers for the conditions module. */
import { expect } from 'vitest';
import { evalCondition } from '../../../src/conditions/index.js';

export type Row = [expression: string, result: unknown, expected: boolean];
export type ErrRow = [expression: string, result: unknown, message: string];

export function expectValue(expression: string, result: unknown, expected: boolean): void {
  expect(evalCondition(expression, result), expression).toEqual({ ok: true, value: expected });
}

export function expectError(expression: string, result: unknown, message: string): void {
  expect(evalCondition(expression, result), expression).toEqual({ ok: false, error: message });
}
