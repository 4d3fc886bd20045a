/**
 * SigV4 signing for Amazon Managed Service for Prometheus, as Argo's sigv4 round tripper does
 * it: used only when the address contains `aps-workspaces` and `authentication.sigv4` is not
 * all empty; service `aps`; region from the block, else the AWS SDK's default region chain;
 * credentials from the SDK's default chain (environment, shared `profile`, web identity / IRSA,
 * container and instance metadata), assumed into `roleArn` through STS when one is given.
 *
 * The signature is made by the AWS SDK's signer (`@smithy/signature-v4` with
 * `@aws-crypto/sha256-js`), never by hand; credential providers come from
 * `@aws-sdk/credential-providers`. All of it is loaded on first use. Providers are cached per
 * (region, profile, roleArn) so that assumed-role and IRSA credentials are reused until expiry.
 */

export interface SigV4Settings {
  region: string;
  profile: string;
  roleArn: string;
}

export interface SignableRequest {
  method: string;
  url: string;
  /** Headers present when the signer runs (the metric's own headers are applied after it, as in Argo). */
  headers: Record<string, string>;
  body?: string;
}

export type SignResult = { ok: true; headers: Record<string, string> } | { ok: false; message: string };

/** Argo signs only for Amazon Managed Prometheus workspaces, and only when sigv4 is configured. */
export function sigv4Applies(address: string, s: SigV4Settings): boolean {
  return address.includes('aps-workspaces') && (s.region !== '' || s.profile !== '' || s.roleArn !== '');
}

type Signer = { sign(req: unknown): Promise<{ headers: Record<string, string> }> };

export class SigV4Signer {
  private readonly signers = new Map<string, Promise<{ ok: true; signer: Signer } | { ok: false; message: string }>>();

  async sign(settings: SigV4Settings, req: SignableRequest): Promise<SignResult> {
    const key = JSON.stringify(settings);
    let entry = this.signers.get(key);
    if (entry === undefined) {
      entry = createSigner(settings);
      this.signers.set(key, entry);
      // A failed set-up (no region) is retried next time: the environment may be fixed meanwhile.
      void entry.then((e) => {
        if (!e.ok) this.signers.delete(key);
      });
    }
    const made = await entry;
    if (!made.ok) return made;
    const url = new URL(req.url);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prior = query[k];
      query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
    }
    try {
      const signed = await made.signer.sign({
        method: req.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: url.pathname,
        query,
        headers: { ...req.headers, host: url.host },
        body: req.body,
      });
      return { ok: true, headers: signed.headers };
    } catch (err) {
      return { ok: false, message: `could not get SigV4 credentials: ${(err as Error).message ?? String(err)}` };
    }
  }

  clear(): void {
    this.signers.clear();
  }
}

async function createSigner(s: SigV4Settings): Promise<{ ok: true; signer: Signer } | { ok: false; message: string }> {
  const [{ SignatureV4 }, { Sha256 }, creds, config] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@aws-crypto/sha256-js'),
    import('@aws-sdk/credential-providers'),
    import('@smithy/core/config'),
  ]);
  let region = s.region;
  if (region === '') {
    try {
      region = await config.loadConfig(config.NODE_REGION_CONFIG_OPTIONS, s.profile !== '' ? { profile: s.profile } : {})();
    } catch {
      region = '';
    }
  }
  if (region === '') return { ok: false, message: 'region not configured in sigv4 or in default credentials chain' };
  const base = creds.fromNodeProviderChain(s.profile !== '' ? { profile: s.profile } : {});
  const credentials =
    s.roleArn === ''
      ? base
      : creds.fromTemporaryCredentials({
          params: { RoleArn: s.roleArn, RoleSessionName: `assay-${Date.now()}` },
          masterCredentials: base,
          clientConfig: { region },
        });
  const signer = new SignatureV4({ service: 'aps', region, credentials, sha256: Sha256 });
  return { ok: true, signer: signer as unknown as Signer };
}
