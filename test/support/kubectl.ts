/**
 * The kubectl the suites may drive against the fake API server: one on PATH, else the Debian
 * kubernetes-client that .ci/run unpacks into .tmp/kubectl on machines without one (unpacked, not
 * installed, so that no suite written for a current kubectl meets the old Debian one by surprise).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
export const privateKubectlDir = path.join(root, '.tmp', 'kubectl', 'usr', 'bin');

/** The kubectl binary to run, or undefined when the machine has none. */
export function kubectlBinary(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), privateKubectlDir]) {
    if (dir !== '' && existsSync(path.join(dir, 'kubectl'))) return path.join(dir, 'kubectl');
  }
  return undefined;
}
