/**
 * `assay rollback`: restore the selector / default-route destination that `assay promote` recorded
 * on the object (annotation assay.dev/previous-selector or assay.dev/previous-destination), from
 * any job or machine: nothing but the object is needed. One conditional write (re-read and
 * re-decided on 409), then an event on the object.
 * Exit status: 0 restored, 2 the API failed, 4 usage, a missing object, or nothing recorded.
 */
import { ObjectMissing, TrafficObjectClient, apiMessage } from '../kube/traffic-object.js';
import { trafficFields } from '../promote/outcome.js';
import { describeTraffic, planRollback, type Plan } from '../promote/traffic.js';
import type { AssayConfig } from '../runtime/config.js';
import { EXIT_BY_PHASE, EXIT_USAGE, UsageError } from './run-command.js';
import type { Output } from './test-command.js';
import { loadKubeConfig, stamp, trafficRef, type TrafficFlags } from './traffic-flags.js';

export async function rollbackCommand(flags: TrafficFlags, config: AssayConfig, io: Output): Promise<number> {
  const json = flags.output === 'json';
  let client: TrafficObjectClient;
  let done: Plan & { ok: true };
  try {
    const ref = trafficRef(flags, 'rollback');
    client = await TrafficObjectClient.connect(loadKubeConfig(flags.kubeconfig ?? config.kubeconfig), ref);
    const label = client.label;
    const written = await client.update((obj) => {
      const plan = planRollback(ref.kind, obj, stamp('rollback', new Date()));
      if (!plan.ok) throw new UsageError(`${label}: ${plan.error}`);
      return plan;
    });
    done = written.decision as Plan & { ok: true };
    const message = `rolled back from ${describeTraffic(done.previous)} to ${describeTraffic(done.next)} (assay rollback)`;
    try {
      await client.event(written.written, 'Warning', 'RolledBack', message, new Date());
    } catch (err) {
      io.err(`assay rollback: could not record the RolledBack event: ${apiMessage(err)}`);
    }
    (json ? io.err : io.out)(`assay rollback: ${label}: ${message}`);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ObjectMissing) {
      io.err(`assay rollback: ${err.message}`);
      return EXIT_USAGE;
    }
    io.err(`assay rollback: ${apiMessage(err)}`);
    return EXIT_BY_PHASE.Error!;
  }
  if (json) {
    const { kind, namespace, name } = client.ref;
    io.out(JSON.stringify({ kind, namespace, name, rolledBack: true, ...trafficFields(done.previous, done.next) }, null, 2));
  }
  return 0;
}
