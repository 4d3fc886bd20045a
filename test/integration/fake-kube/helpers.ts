// Shared bits for the fake-kube suites: fixtures and a way to see what client-node threw.
import { ApiException } from '@kubernetes/client-node';
import { expect } from 'vitest';

export const ARGO = { group: 'argoproj.io', version: 'v1alpha1' } as const;

export function analysisRun(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name, labels: { app: 'demo' } },
    spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x' } } }] },
    ...extra,
  };
}

/** Awaits a client-node call expected to fail; returns the HTTP code and the parsed Status body. */
export async function apiError(p: Promise<unknown>): Promise<{ code: number; body: Record<string, any> }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiException);
    const err = e as ApiException<string>;
    return { code: err.code, body: JSON.parse(err.body) as Record<string, any> };
  }
  throw new Error('expected the call to fail');
}

export async function until<T>(fn: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
