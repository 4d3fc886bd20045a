/**
 * The contract every metric provider passes (design habit 6): whatever the backend does, `measure`
 * resolves to an Observation and never throws; failures carry the right stable code; the
 * provider's own timeout and the engine's `ctx.signal` both end a measurement promptly; and no
 * error message ever contains a secret from the configuration.
 *
 * Usage, from a `*.test.ts` file:
 *   describeProviderContract('prometheus', { create, config, invalidConfigs, healthy, malformed, ... })
 * The suite runs the provider against a local recording HTTP server whose behaviour each test
 * sets (healthy, 500, 401, malformed body, never answering).
 *
 * Kubernetes-backed providers (job) differ in two ways, each an opt-in that leaves the checks
 * unchanged for the others: their backend address, credentials and request timeout belong to
 * the provider instance (the controller injects its KubeConfig), not to the provider block
 * (`targetInInstance`: `create(target)` gets them, one instance per target); and a healthy
 * backend starts work that is resumed later (`healthyKind: 'inProgress'`).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeasureContext, MetricProvider, Observation, ProviderEnv, ProviderErrorCode, ProviderSecrets } from '../../src/metric/provider.js';
import { hang, sendText, startHttpServer, unusedPort, type Handler, type TestHttpServer } from '../support/http-server.js';

export interface ContractTarget {
  /** Base URL of the backend (`http://127.0.0.1:port`). */
  baseUrl: string;
  timeoutSeconds: number;
  /** Put this into every credential the provider block has (password, token, secret header). */
  secret: string;
}

export interface ProviderContractSpec<C> {
  /**
   * A fresh provider instance; the suite calls `close()` on it at the end. `target` matters only
   * with `targetInInstance`; providers configured by their block ignore it.
   */
  create(target: ContractTarget): MetricProvider<C>;
  /**
   * The backend address, credentials and request timeout are given to `create`, not to
   * `config` (Kubernetes-backed providers): the suite creates an instance for every target that
   * differs from the default one, and still passes the target to `config`.
   */
  targetInInstance?: boolean;
  env?: ProviderEnv;
  /**
   * Credentials that do not live in the block (datadog's DD_* env vars, provider Secrets by
   * Argo's names): the env and the secrets a measurement against `target` sees. Secret values
   * the suite should never find in an observation include `target.secret`.
   */
  credentials?(target: ContractTarget): { env?: ProviderEnv; secrets?: ProviderSecrets };
  /**
   * Secrets the provider reads (providers whose address or credentials live in a Secret, as
   * influxdb's `profile`); by default every Secret is missing.
   */
  secrets?(target: ContractTarget): ProviderSecrets;
  /** A valid provider block aimed at the target. */
  config(target: ContractTarget): unknown;
  /** Provider blocks that parseConfig must refuse; they may embed the secret. */
  invalidConfigs(secret: string): unknown[];
  /** The backend's normal answer. */
  healthy: Handler;
  /** A 2xx answer whose body is not what the backend normally sends. */
  malformed: Handler;
  /** What the provider makes of the malformed body: an error, or (web) the raw body as value. */
  malformedKind: 'error' | 'value';
  /** What a healthy backend yields: a value (default), or `inProgress` for providers that start work and are resumed (job). */
  healthyKind?: 'value' | 'inProgress';
}

const NO_SECRETS: ProviderSecrets = { get: async (_ns: string, name: string) => ({ ok: false as const, error: `secrets "${name}" not found` }) };

function context(signal: AbortSignal, env: ProviderEnv = {}, secrets: ProviderSecrets = NO_SECRETS): MeasureContext {
  return {
    signal,
    now: Date.now(),
    env,
    secrets,
    run: { namespace: 'default', name: 'contract-run', uid: randomUUID() },
    metric: { name: 'contract-metric', index: 1 },
  };
}

export function describeProviderContract<C>(name: string, spec: ProviderContractSpec<C>): void {
  describe(`provider contract: ${name}`, () => {
    const secret = `s3cret-${randomUUID()}`;
    let server: TestHttpServer;
    let provider: MetricProvider<C>;

    beforeAll(async () => {
      server = await startHttpServer(spec.healthy);
      provider = spec.create(targetWith());
    });
    afterAll(async () => {
      await provider.close?.();
      await server.close();
    });

    function targetWith(overrides: Partial<ContractTarget> = {}): ContractTarget {
      return { baseUrl: server.url, timeoutSeconds: 5, secret, ...overrides };
    }

    /**
     * Measure against `overrides` of the default target, check the result is a well-formed
     * Observation, and that no secret leaked.
     */
    async function measure(overrides: Partial<ContractTarget> = {}, signal = new AbortController().signal): Promise<Observation> {
      const target = targetWith(overrides);
      const own = spec.targetInInstance === true && Object.keys(overrides).length > 0;
      const instance = own ? spec.create(target) : provider;
      try {
        const creds = spec.credentials?.(target) ?? {};
        const env = { ...(spec.env ?? {}), ...(creds.env ?? {}) };
        const parsed = instance.parseConfig(spec.config(target), env);
        if (!parsed.ok) throw new Error(`contract config refused: ${parsed.message}`);
        const obs = await instance.measure(parsed.config, context(signal, env, creds.secrets ?? spec.secrets?.(target)));
        expect(['value', 'judged', 'inProgress', 'error']).toContain(obs.kind);
        expect(JSON.stringify(obs)).not.toContain(secret);
        return obs;
      } finally {
        if (own) await instance.close?.();
      }
    }

    function expectError(obs: Observation, code: ProviderErrorCode): void {
      expect(obs).toMatchObject({ kind: 'error', code });
      if (obs.kind === 'error') expect(obs.message.length).toBeGreaterThan(0);
    }

    it('refuses invalid provider blocks with a message, without leaking secrets', () => {
      const invalid = spec.invalidConfigs(secret);
      expect(invalid.length).toBeGreaterThan(0);
      for (const raw of invalid) {
        const parsed = provider.parseConfig(raw, spec.env ?? {});
        expect(parsed.ok, JSON.stringify(raw)).toBe(false);
        if (!parsed.ok) {
          expect(parsed.message).toMatch(/\S/);
          expect(parsed.message).not.toContain(secret);
        }
      }
    });

    it(`returns ${spec.healthyKind === 'inProgress' ? 'a measurement in flight' : 'a value with a display string'} from a healthy backend`, async () => {
      server.handle(spec.healthy);
      const before = server.requests.length;
      const obs = await measure();
      expect(obs.kind).toBe(spec.healthyKind ?? 'value');
      if (obs.kind === 'value') expect(typeof obs.display).toBe('string');
      if (obs.kind === 'inProgress') expect(Number.isFinite(obs.resumeAt)).toBe(true);
      expect(server.requests.length).toBeGreaterThan(before);
    });

    it('reports an unreachable backend as Unreachable', async () => {
      const port = await unusedPort();
      expectError(await measure({ baseUrl: `http://127.0.0.1:${port}` }), 'Unreachable');
    });

    it('reports a backend that never answers as Timeout, promptly after the timeout', async () => {
      server.handle(hang);
      const started = Date.now();
      const obs = await measure({ timeoutSeconds: 1 });
      const elapsed = Date.now() - started;
      expectError(obs, 'Timeout');
      expect(elapsed).toBeGreaterThanOrEqual(900);
      // No upper bound on the clock: the backend never answers, so only the 1 s timeout can end
      // the call within this test's 8 s (provider defaults are 10 s or more).
    }, 8_000);

    it('reports HTTP 500 as BadResponse', async () => {
      server.handle((_req, res) => sendText(res, 500, `internal failure near ${secret.slice(0, 4)}`));
      expectError(await measure(), 'BadResponse');
    });

    it('reports HTTP 401 as Unauthorized', async () => {
      server.handle((_req, res) => sendText(res, 401, 'unauthorized'));
      expectError(await measure(), 'Unauthorized');
    });

    it('turns a malformed body into an observation instead of throwing', async () => {
      server.handle(spec.malformed);
      const obs = await measure();
      if (spec.malformedKind === 'error') expectError(obs, 'BadResponse');
      else expect(obs.kind).toBe('value');
    });

    it('does not contact the backend when ctx.signal is already aborted', async () => {
      server.handle(spec.healthy);
      const before = server.requests.length;
      const controller = new AbortController();
      controller.abort();
      expectError(await measure({}, controller.signal), 'Aborted');
      expect(server.requests.length).toBe(before);
    });

    it('stops promptly when ctx.signal is aborted during the request', async () => {
      server.handle(hang);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const obs = await measure({ timeoutSeconds: 30 }, controller.signal);
      // The backend never answers and the timeout is 30 s: Aborted can only come from the signal.
      expectError(obs, 'Aborted');
    }, 15_000);

    it('reports the engine timing the measurement out (TimeoutError reason) as Timeout', async () => {
      server.handle(hang);
      const obs = await measure({ timeoutSeconds: 30 }, AbortSignal.timeout(300));
      expectError(obs, 'Timeout');
    });
  });
}
