/**
 * GetMetricData through the AWS SDK for JavaScript v3 (`@aws-sdk/client-cloudwatch`), loaded on
 * first use so that CLI start-up does not pay for it. The SDK resolves everything Argo's Go SDK
 * resolves by itself: credentials from its standard chain (environment, shared profile, web
 * identity / IRSA, container and instance metadata), the region, and the endpoint override
 * (`AWS_ENDPOINT_URL_CLOUDWATCH`, `AWS_ENDPOINT_URL`). assay's code reads none of them.
 *
 * Failures come back in the words of Go's SDK, which Argo records as the measurement message:
 * `operation error CloudWatch: GetMetricData, https response error StatusCode: 400, RequestID: …,
 * api error InvalidParameterValue: …`.
 */
import type { ProviderErrorCode } from '../../src/metric/provider.js';
import { describeNetworkError } from '../shared/transport-errors.js';
import type { MetricDataQuery } from './config.js';

interface MetricDataResult {
  Id?: string;
  Label?: string;
  Timestamps?: Date[];
  Values?: number[];
  StatusCode?: string;
  Messages?: { Code?: string; Value?: string }[];
}

export interface MetricDataOutput {
  MetricDataResults?: MetricDataResult[];
  Messages?: { Code?: string; Value?: string }[];
}

interface GetMetricDataInput {
  StartTime: Date;
  EndTime: Date;
  MetricDataQueries: MetricDataQuery[];
}

type Sdk = typeof import('@aws-sdk/client-cloudwatch');

/** One SDK client per provider instance: its credential cache (IRSA, AssumeRole) is reused. */
export class CloudWatchApi {
  private client: InstanceType<Sdk['CloudWatchClient']> | undefined;
  private sdk: Sdk | undefined;

  /** `clientConfig`: extra CloudWatchClient settings (tests give endpoint and credentials). */
  constructor(private readonly clientConfig: Record<string, unknown> = {}) {}

  async getMetricData(input: GetMetricDataInput, signal: AbortSignal): Promise<MetricDataOutput> {
    this.sdk ??= await import('@aws-sdk/client-cloudwatch');
    this.client ??= new this.sdk.CloudWatchClient({ ...this.clientConfig });
    const command = new this.sdk.GetMetricDataCommand(input as ConstructorParameters<Sdk['GetMetricDataCommand']>[0]);
    return (await this.client.send(command, { abortSignal: signal })) as MetricDataOutput;
  }

  close(): void {
    this.client?.destroy();
    this.client = undefined;
  }
}

const OPERATION = 'operation error CloudWatch: GetMetricData';

interface SdkError {
  name?: string;
  message?: string;
  Code?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode?: number };
}

/** An SDK failure (not an abort: the caller checks its deadline first) in Go SDK words. */
export function describeSdkError(err: unknown, endpointHint: string): { code: ProviderErrorCode; message: string } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
  const name = e.name ?? '';
  const message = e.message ?? String(err);
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return { code: 'Unauthorized', message: `${OPERATION}, failed to retrieve credentials: ${message}` };
  }
  if (/Region is missing/i.test(message) || (name === 'Error' && /region/i.test(message) && status === undefined)) {
    return { code: 'Config', message: `${OPERATION}, failed to resolve service endpoint, ${message}` };
  }
  const failedStatus = status !== undefined && (status < 200 || status >= 300);
  if (!failedStatus && (name === 'SyntaxError' || /Deserialization error/i.test(message) || status !== undefined)) {
    return { code: 'BadResponse', message: `${OPERATION}, deserialization failed, ${message}` };
  }
  if (failedStatus && status > 0) {
    // awsQuery-compatible errors name the query code in x-amzn-query-error (SDK: e.Code); a body
    // that is not AWS JSON at all (a proxy's page) has none.
    const apiCode = e.Code ?? (name === 'SyntaxError' ? 'UnknownError' : name.replace(/Exception$/, ''));
    const requestId = e.$metadata?.requestId ?? '';
    const code: ProviderErrorCode = status === 401 || status === 403 ? 'Unauthorized' : status >= 500 ? 'BadResponse' : 'BadQuery';
    return {
      code,
      message: `${OPERATION}, https response error StatusCode: ${status}, RequestID: ${requestId}, api error ${apiCode}: ${message}`,
    };
  }
  const net = describeNetworkError(err, endpointHint);
  const sysCode = typeof e.code === 'string' ? e.code : '';
  if (sysCode !== '' || net.detail !== message) {
    return { code: 'Unreachable', message: `${OPERATION}, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , request send failed, Post "${endpointHint}": ${net.detail}` };
  }
  return { code: 'BadResponse', message: `${OPERATION}, ${message}` };
}
