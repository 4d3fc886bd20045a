/**
 * The one redaction helper: every form a secret takes in output is masked, overlapping secrets
 * leave nothing behind, and text without secrets is untouched.
 */
import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/core/args.js';
import { MASK, redactSecrets } from '../../../src/core/redact.js';
import { goQuote } from '../../../src/go/format.js';
import { capText, MAX_VALUE_BYTES, capMeasurement } from '../../../src/core/value-cap.js';

describe('redactSecrets', () => {
  const cases: Array<[string, string]> = [
    ['quote and backslash, Go-quoted', 'pa"ss\\word'],
    ['spaces and symbols', 'with space & plus+/='],
    ['unicode', 'ünïcødé-🔑'],
    ['HTML-sensitive characters', '<a&b>'],
  ];
  for (const [what, secret] of cases) {
    it(`masks ${what} in every encoding`, () => {
      const forms = [
        secret,
        goQuote(secret),
        JSON.stringify(secret),
        JSON.stringify(goQuote(secret)),
        encodeURIComponent(secret),
        encodeURIComponent(secret).toLowerCase(),
        new URL(`http://h/p?q=${secret}`).search,
        new URLSearchParams({ q: secret }).toString(),
      ];
      for (const form of forms) {
        const out = redactSecrets(`before ${form} after`, [secret]);
        expect(out, form).toContain(MASK);
        expect(out.startsWith('before ')).toBe(true);
        for (const piece of [secret.slice(0, 3), secret.slice(-3)]) {
          if (/^[a-z]{3}$/i.test(piece)) expect(out.includes(piece), `${form} -> ${out}`).toBe(false);
        }
      }
    });
  }

  it('masks overlapping secrets as one span, whatever their order', () => {
    for (const secrets of [['1a2b3c', '3c4d5e'], ['3c4d5e', '1a2b3c']]) {
      expect(redactSecrets('x=1a2b3c4d5e;', secrets)).toBe(`x=${MASK};`);
    }
    expect(redactSecrets('abcabc', ['abc'])).toBe(MASK);
    expect(redactSecrets('aaaa', ['aa'])).toBe(MASK);
  });

  it('keeps Argo\'s wording for plain secrets and leaves other text alone', () => {
    expect(redact('Get "http://h/?t=tok": refused', ['tok'])).toBe(`Get "http://h/?t=${MASK}": refused`);
    expect(redact('nothing here', ['tok'])).toBe('nothing here');
    expect(redact(undefined, ['tok'])).toBeUndefined();
    expect(redactSecrets('x', [''])).toBe('x');
  });
});

describe('measurement caps', () => {
  it('truncates long values at a character boundary and says how much was cut', () => {
    const long = 'é'.repeat(10_000); // 20,000 bytes
    const out = capText(long, MAX_VALUE_BYTES);
    expect(out).toMatch(/…\[truncated \d+ bytes\]$/);
    const kept = out.slice(0, out.indexOf('…'));
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(MAX_VALUE_BYTES);
    expect(kept).toBe('é'.repeat(kept.length));
    const cut = Number(/truncated (\d+) bytes/.exec(out)![1]);
    expect(Buffer.byteLength(kept) + cut).toBe(20_000);
    expect(capText('short', MAX_VALUE_BYTES)).toBe('short');
  });

  it('caps value, message and metadata of a measurement', () => {
    const m = capMeasurement({ phase: 'Error', value: 'v'.repeat(100_000), message: 'm'.repeat(100_000), metadata: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'x'.repeat(10_000)])) });
    expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThan(200 * 1024);
    expect(m.metadata!['assay.truncated']).toBe('18 more metadata entries dropped');
  });
});
