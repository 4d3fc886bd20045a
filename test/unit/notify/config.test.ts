import { describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../../src/notify/config.js';

const doc = (destinations: string, routes = '  - destinations: [a]') =>
  `apiVersion: assay/v1alpha1\nkind: NotificationConfig\ndestinations:\n${destinations}\nroutes:\n${routes}\n`;

describe('notifications file', () => {
  it('resolves URLs and secrets from ASSAY_NOTIFY_* variables and applies defaults', async () => {
    const c = await parseNotifyConfig(doc('  - name: a\n    webhook: {url: {fromEnv: ASSAY_NOTIFY_URL}, secret: {fromEnv: ASSAY_NOTIFY_KEY}}'), 'n.yaml', {
      vars: { ASSAY_NOTIFY_URL: 'https://hooks.example/x', ASSAY_NOTIFY_KEY: 'k' },
    });
    expect(c.destinations.get('a')).toEqual({ name: 'a', kind: 'webhook', url: 'https://hooks.example/x', secret: 'k', headers: {} });
    expect(c.routes).toEqual([{ on: ['completed'], destinations: ['a'] }]);
    expect(c.retry).toEqual({ maxAttempts: 10, initialDelayMs: 1000, maxDelayMs: 300_000 });
    expect(c.timeoutMs).toBe(10_000);
  });

  it.each([
    ['a variable that is not ASSAY_NOTIFY_*', doc('  - name: a\n    webhook: {url: {fromEnv: REDIS_URL}}'), /n\.yaml: destinations\.0\.webhook\.url.*ASSAY_NOTIFY_/],
    ['an unset variable', doc('  - name: a\n    slack: {webhookUrl: {fromEnv: ASSAY_NOTIFY_SLACK}}'), /n\.yaml: destinations\[0\] \(a\)\.slack\.webhookUrl: environment variable ASSAY_NOTIFY_SLACK is not set/],
    ['a route to an unknown destination', doc('  - name: a\n    slack: {webhookUrl: https://hooks.slack.com/services/x}', '  - destinations: [b]'), /routes\[0\]\.destinations: no destination named "b"/],
    ['both kinds in one destination', doc('  - name: a\n    slack: {webhookUrl: https://x}\n    webhook: {url: https://y}'), /exactly one of slack or webhook/],
    ['a URL that is not http(s), without echoing it', doc('  - name: a\n    slack: {webhookUrl: "ftp://secret-token@x"}'), /the URL is not an http\(s\) URL$/],
    ['a misspelt field', doc('  - name: a\n    slack: {webhookUrl: https://x}', '  - destinatons: [a]'), /n\.yaml: routes\.0/],
  ])('rejects %s with the file and field', async (_t, text, message) => {
    const err = await parseNotifyConfig(text, 'n.yaml', { vars: {} }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('secret-token');
  });
});
