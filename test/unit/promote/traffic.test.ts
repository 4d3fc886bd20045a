/**
 * The pure decisions behind `assay promote` / `assay rollback`: the merge patch that switches (or
 * restores) traffic, carries the read resourceVersion as a precondition and records the previous
 * state; and how a promotion ends, given the verdicts.
 */
import { describe, expect, it } from 'vitest';
import { ending, summary, type Progress } from '../../../src/promote/outcome.js';
import { ANNOTATION, planPromotion, planRollback, type TrafficObject } from '../../../src/promote/traffic.js';

const STAMP = { by: 'assay promote (ci@runner)', at: '2026-12-05T22:00:00Z' };
const svc = (selector: Record<string, string>, annotations?: Record<string, string>): TrafficObject => ({
  metadata: { name: 'web', resourceVersion: '42', ...(annotations ? { annotations } : {}) },
  spec: { selector },
});

describe('planPromotion for a Service', () => {
  it('sets the selector exactly (removed keys become null), records the previous one, and is conditional on the read resourceVersion', () => {
    const plan = planPromotion(svc({ app: 'web', color: 'blue', track: 'stable' }), { kind: 'Service', selector: { app: 'web', color: 'green' } }, STAMP);
    expect(plan).toEqual({
      ok: true,
      previous: { selector: { app: 'web', color: 'blue', track: 'stable' } },
      next: { selector: { app: 'web', color: 'green' } },
      patch: {
        metadata: {
          resourceVersion: '42',
          annotations: {
            [ANNOTATION.previousSelector]: '{"app":"web","color":"blue","track":"stable"}',
            [ANNOTATION.promotedBy]: STAMP.by,
            [ANNOTATION.promotedAt]: STAMP.at,
          },
        },
        spec: { selector: { app: 'web', color: 'green', track: null } },
      },
    });
  });
});

describe('planPromotion after an earlier rollback', () => {
  it('removes the earlier rolled-back-by/-at notes', () => {
    const plan = planPromotion(svc({ color: 'blue' }, { [ANNOTATION.rolledBackBy]: 'x', [ANNOTATION.rolledBackAt]: 'y', other: 'kept' }), { kind: 'Service', selector: { color: 'green' } }, STAMP);
    expect(plan.ok && (plan.patch.metadata as { annotations: Record<string, unknown> }).annotations).toEqual({
      [ANNOTATION.previousSelector]: '{"color":"blue"}',
      [ANNOTATION.promotedBy]: STAMP.by,
      [ANNOTATION.promotedAt]: STAMP.at,
      [ANNOTATION.rolledBackBy]: null,
      [ANNOTATION.rolledBackAt]: null,
    });
  });
});

describe('planRollback for a Service', () => {
  it('restores the recorded selector exactly and removes the record', () => {
    const plan = planRollback('Service', svc({ app: 'web', color: 'green', extra: 'x' }, { [ANNOTATION.previousSelector]: '{"app":"web","color":"blue"}' }), STAMP);
    expect(plan.ok && plan.patch).toEqual({
      metadata: { resourceVersion: '42', annotations: { [ANNOTATION.previousSelector]: null, [ANNOTATION.rolledBackBy]: STAMP.by, [ANNOTATION.rolledBackAt]: STAMP.at } },
      spec: { selector: { app: 'web', color: 'blue', extra: null } },
    });
  });

  it('refuses when nothing is recorded, or the record is not a label map', () => {
    expect(planRollback('Service', svc({ color: 'green' }), STAMP)).toEqual({ ok: false, error: expect.stringContaining('no assay.dev/previous-selector annotation') });
    expect(planRollback('Service', svc({}, { [ANNOTATION.previousSelector]: '{oops' }), STAMP)).toEqual({ ok: false, error: expect.stringContaining('is not JSON') });
    expect(planRollback('Service', svc({}, { [ANNOTATION.previousSelector]: '{"a":1}' }), STAMP)).toEqual({ ok: false, error: expect.stringContaining('not a map of labels') });
  });
});

const vs = (http: unknown[], annotations?: Record<string, string>): TrafficObject => ({
  metadata: { name: 'reviews', resourceVersion: '7', ...(annotations ? { annotations } : {}) },
  spec: { http },
});
const matched = { match: [{ uri: { prefix: '/beta' } }], route: [{ destination: { host: 'beta' } }] };

describe('VirtualService default route', () => {
  it('switches the first route without match, drops the old subset, keeps the port unless given, and writes the other routes back unchanged', () => {
    const http = [matched, { route: [{ destination: { host: 'blue', subset: 'v1', port: { number: 80 } }, headers: { x: 1 } }] }, { route: [{ destination: { host: 'never' } }] }];
    const keep = planPromotion(vs(http), { kind: 'VirtualService', host: 'green' }, STAMP);
    expect(keep.ok && keep.patch.spec).toEqual({ http: [matched, { route: [{ destination: { host: 'green', port: { number: 80 } }, headers: { x: 1 } }] }, http[2]] });
    expect(keep.ok && (keep.patch.metadata as { annotations: Record<string, string> }).annotations[ANNOTATION.previousDestination]).toBe('{"host":"blue","subset":"v1","port":{"number":80}}');
    const port = planPromotion(vs(http), { kind: 'VirtualService', host: 'green', port: 8080 }, STAMP);
    expect(port.ok && port.next).toEqual({ destination: { host: 'green', port: { number: 8080 } } });
  });

  it('treats an empty match list as a default route; refuses routes it cannot switch safely', () => {
    expect(planPromotion(vs([{ match: [], route: [{ destination: { host: 'a' } }] }]), { kind: 'VirtualService', host: 'b' }, STAMP).ok).toBe(true);
    expect(planPromotion(vs([matched]), { kind: 'VirtualService', host: 'b' }, STAMP)).toEqual({ ok: false, error: expect.stringContaining('without `match`') });
    const split = vs([{ route: [{ destination: { host: 'a' }, weight: 50 }, { destination: { host: 'b' }, weight: 50 }] }]);
    expect(planPromotion(split, { kind: 'VirtualService', host: 'b' }, STAMP)).toEqual({ ok: false, error: expect.stringContaining('2 destinations') });
  });

  it('rollback puts the recorded destination back exactly', () => {
    const obj = vs([matched, { route: [{ destination: { host: 'green' } }] }], { [ANNOTATION.previousDestination]: '{"host":"blue","subset":"v1"}' });
    const plan = planRollback('VirtualService', obj, STAMP);
    expect(plan.ok && plan.patch.spec).toEqual({ http: [matched, { route: [{ destination: { host: 'blue', subset: 'v1' } }] }] });
  });
});

describe('how a promotion ends', () => {
  const base: Progress = { pre: null, post: null, switched: false, rolledBack: false, interrupted: false };
  const ok = { phase: 'Successful', message: '' };
  it('is Successful only when switched, not rolled back, and every analysis passed', () => {
    expect(ending({ ...base, switched: true, pre: ok, post: ok })).toEqual({ kind: 'phase', phase: 'Successful' });
    expect(ending({ ...base, pre: { phase: 'Inconclusive', message: '' } })).toEqual({ kind: 'phase', phase: 'Inconclusive' });
    expect(ending({ ...base, switched: true, rolledBack: true, post: { phase: 'Error', message: 'x' } })).toEqual({ kind: 'phase', phase: 'Error' });
    // A terminated analysis may read Successful ("Run Terminated"): interrupted still wins.
    expect(ending({ ...base, pre: ok, interrupted: true })).toEqual({ kind: 'interrupted' });
    expect(ending({ ...base, switched: true, failure: 'forbidden' })).toEqual({ kind: 'error' });
    expect(ending(base)).toEqual({ kind: 'error' }); // nothing switched, nothing failed: not a success
  });

  it('says it rolled back, and why', () => {
    const p = { ...base, switched: true, rolledBack: true, post: { phase: 'Failed', message: 'Metric "m" assessed Failed' } };
    expect(summary(p, { selector: { color: 'blue' } }, { selector: { color: 'blue' } })).toBe(
      'rolled back to selector color=blue: post-promotion analysis Failed: Metric "m" assessed Failed',
    );
  });
});
