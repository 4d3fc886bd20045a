/**
 * A loopback AWS STS answering `AssumeRole` as the STS API Reference documents it (Query
 * protocol: form-encoded `Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…`,
 * XML response with temporary Credentials), after verifying the caller's SigV4 signature
 * (service `sts`). Errors are STS's XML `<ErrorResponse>` documents. The temporary credentials
 * it issues are returned so a test can make the next stand-in accept exactly those.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { startHttpServer, type RecordedRequest } from '../http-server.js';
import { verifySigV4, type AwsCredentials } from './sigv4.js';

export interface FakeSts {
  url: string;
  /** Roles that may be assumed, and the credentials each hands out. */
  roles: Map<string, AwsCredentials>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function xmlError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': randomUUID() });
  res.end(
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

export async function startFakeSts(caller: AwsCredentials, region = 'us-east-1'): Promise<FakeSts> {
  const roles = new Map<string, AwsCredentials>();
  const server = await startHttpServer((req, res) => {
    if (req.method !== 'POST') return xmlError(res, 400, 'InvalidAction', 'Could not find operation');
    const auth = verifySigV4(req, { service: 'sts', region, credentials: [caller] });
    if (!auth.ok) return xmlError(res, auth.status, auth.type === 'InvalidSignatureException' ? 'SignatureDoesNotMatch' : 'InvalidClientTokenId', auth.message);
    if (req.form.get('Action') !== 'AssumeRole') return xmlError(res, 400, 'InvalidAction', `Could not find operation ${req.form.get('Action')} for version ${req.form.get('Version')}`);
    const roleArn = req.form.get('RoleArn') ?? '';
    const session = req.form.get('RoleSessionName') ?? '';
    if (session === '' || !/^[\w+=,.@-]{2,64}$/.test(session)) return xmlError(res, 400, 'ValidationError', "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint");
    const creds = roles.get(roleArn);
    if (creds === undefined) return xmlError(res, 403, 'AccessDenied', `User: arn:aws:iam::123456789012:user/assay is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    res.writeHead(200, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': randomUUID() });
    res.end(
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><AssumedRoleUser><AssumedRoleId>AROAASSAY:${session}</AssumedRoleId><Arn>${roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${session}</Arn></AssumedRoleUser><Credentials><AccessKeyId>${creds.accessKeyId}</AccessKeyId><SecretAccessKey>${creds.secretAccessKey}</SecretAccessKey><SessionToken>${creds.sessionToken ?? ''}</SessionToken><Expiration>${expiration}</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  });
  return { url: server.url, roles, requests: server.requests, close: () => server.close() };
}
