/**
 * CPU profiles of a measurement window only (not start-up): node:inspector's Profiler, written as
 * a .cpuprofile (Chrome DevTools / `node --cpu-prof` format), plus a summary of the top frames by
 * self time for the report.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export interface Profiler {
  stop(): Promise<string>;
}

export async function startProfile(file: string): Promise<Profiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      return file;
    },
  };
}

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** `node --cpu-prof` writes its file when the process exits, a moment after it answered. */
export async function readProfileWhenWritten(file: string, timeoutMs = 15_000): Promise<CpuProfile> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface FrameShare {
  frame: string;
  selfPercent: number;
}

/** Top frames by self time, as percentages of all samples (idle included, and reported). */
export function summariseProfile(profile: CpuProfile, top = 15, root = ''): FrameShare[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]!)!;
    const d = profile.timeDeltas[i] ?? 0;
    total += d;
    const cf = n.callFrame;
    const url = cf.url.replace(/^file:\/\//, '').replace(root, '');
    const k = `${cf.functionName || '(anonymous)'}${url ? ` ${url}:${cf.lineNumber + 1}` : ''}`;
    self.set(k, (self.get(k) ?? 0) + d);
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, t]) => ({ frame, selfPercent: Number(((100 * t) / total).toFixed(1)) }));
}
