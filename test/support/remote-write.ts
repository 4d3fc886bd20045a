/**
 * A dependency-free Prometheus remote-write client for tests: a hand-encoded protobuf
 * `WriteRequest` compressed as a snappy block made only of literals (valid snappy, no actual
 * compression). Samples carry explicit timestamps, so tests control history exactly.
 *
 * Wire format (prometheus/prompb/types.proto):
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in ms
 */

export interface Sample {
  value: number;
  /** Epoch milliseconds. */
  timestamp: number;
}

export interface Series {
  /** Labels including `__name__`. */
  labels: Record<string, string>;
  samples: Sample[];
}

function varint(value: bigint): Buffer {
  const bytes: number[] = [];
  let v = BigInt.asUintN(64, value); // negative int64 values use ten-byte two's complement
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

/** A length-delimited field (wire type 2). */
function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint(BigInt((field << 3) | 2)), varint(BigInt(payload.length)), payload]);
}

function encodeLabel(name: string, value: string): Buffer {
  return Buffer.concat([lengthDelimited(1, Buffer.from(name, 'utf8')), lengthDelimited(2, Buffer.from(value, 'utf8'))]);
}

function encodeSample(sample: Sample): Buffer {
  const value = Buffer.alloc(8);
  value.writeDoubleLE(sample.value); // JS NaN is the quiet NaN, not Prometheus' stale marker
  return Buffer.concat([Buffer.from([(1 << 3) | 1]), value, varint(BigInt((2 << 3) | 0)), varint(BigInt(sample.timestamp))]);
}

export function encodeWriteRequest(series: Series[]): Buffer {
  return Buffer.concat(
    series.map((s) => {
      // Prometheus requires labels sorted by name.
      const labels = Object.keys(s.labels)
        .sort()
        .map((name) => lengthDelimited(1, encodeLabel(name, s.labels[name]!)));
      const samples = s.samples.map((sample) => lengthDelimited(2, encodeSample(sample)));
      return lengthDelimited(1, Buffer.concat([...labels, ...samples]));
    }),
  );
}

/** A snappy block: varint(uncompressed length), then literal elements of at most 64 KiB. */
export function snappyLiterals(data: Buffer): Buffer {
  const parts: Buffer[] = [varint(BigInt(data.length))];
  for (let offset = 0; offset < data.length; offset += 65536) {
    const chunk = data.subarray(offset, offset + 65536);
    const n = chunk.length - 1;
    if (n < 60) parts.push(Buffer.from([n << 2]));
    else if (n < 256) parts.push(Buffer.from([60 << 2, n]));
    else parts.push(Buffer.from([61 << 2, n & 0xff, n >> 8]));
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** POST the series to `<baseUrl>/api/v1/write`; throws with Prometheus' answer on failure. */
export async function remoteWrite(baseUrl: string, series: Series[]): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/write`, {
    method: 'POST',
    headers: {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    },
    body: snappyLiterals(encodeWriteRequest(series)),
  });
  if (!res.ok) throw new Error(`remote write failed: ${res.status} ${await res.text()}`);
}
