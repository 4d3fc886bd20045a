/**
 * Threshold lines for plots: a condition that is one simple comparison of the result with a
 * number (`result[0] >= 0.95`, `result < 0.05`, `0.9 <= result`, `asFloat(result) > 1`) becomes a
 * horizontal line at that number. Anything else (`&&`, functions of several values, fields of
 * objects) draws no line: a wrong line would mislead more than a missing one.
 */
import type { Metric } from '../api/types.js';

export interface Threshold {
  kind: 'successCondition' | 'failureCondition';
  expression: string;
  /** The comparison with the result on the left. */
  op: '>=' | '<=' | '>' | '<' | '==';
  value: number;
}

const RESULT = String.raw`(?:result(?:\[0\])?|asFloat\(result(?:\[0\])?\)|asInt\(result(?:\[0\])?\))`;
const NUMBER = String.raw`([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)`;
const OP = String.raw`(>=|<=|==|>|<)`;
const LEFT = new RegExp(String.raw`^\s*${RESULT}\s*${OP}\s*${NUMBER}\s*$`);
const RIGHT = new RegExp(String.raw`^\s*${NUMBER}\s*${OP}\s*${RESULT}\s*$`);
const FLIP: Record<string, Threshold['op']> = { '>=': '<=', '<=': '>=', '>': '<', '<': '>', '==': '==' };

function thresholdOf(kind: Threshold['kind'], expression: string): Threshold | undefined {
  const left = LEFT.exec(expression);
  if (left) return { kind, expression, op: left[1] as Threshold['op'], value: Number(left[2]) };
  const right = RIGHT.exec(expression);
  if (right) return { kind, expression, op: FLIP[right[2]!]!, value: Number(right[1]) };
  return undefined;
}

export function thresholdsOf(metric: Metric): Threshold[] {
  const out: Threshold[] = [];
  if (metric.successCondition) {
    const t = thresholdOf('successCondition', metric.successCondition);
    if (t) out.push(t);
  }
  if (metric.failureCondition) {
    const t = thresholdOf('failureCondition', metric.failureCondition);
    if (t) out.push(t);
  }
  return out;
}
