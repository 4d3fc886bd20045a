/**
 * The user-facing contract of `assay promote` and `assay rollback`: help texts, and the exit status
 * for an interrupted command (kept out of main.ts, which only wires).
 */

/**
 * Exit status when a signal or --timeout stopped the command before a verdict (after the switch:
 * once rolled back). The one place this number is defined; `assay run` keeps 0-4 (run-command.ts).
 */
export const EXIT_INTERRUPTED = 5;

export const PROMOTE_DESCRIPTION = [
  'Blue/Green for pipelines, without a rollout controller. Reads the Service',
  '(core/v1) or Istio VirtualService (networking.istio.io v1 or v1beta1), then:',
  '',
  '  1. --pre analyses run live, exactly like `assay run`; unless Successful,',
  '     exit non-zero and leave the object untouched.',
  '  2. One write, conditional on the resourceVersion read (a conflict is',
  '     re-read and retried): the Service spec.selector becomes exactly',
  '     --selector, or the VirtualService default route (the first http route',
  '     without match) sends to --host [--port]. The same write records the',
  '     previous selector/destination in the annotation',
  '     assay.dev/previous-selector or assay.dev/previous-destination.',
  '  3. --post analyses run; unless Successful, the previous state is restored.',
  '',
  'SIGINT, SIGTERM or --timeout after the switch: the analysis stops and the',
  'switch is undone. After a SIGKILL, `assay rollback` restores from the',
  'annotation. Events on the object: Promoted, PromotionSucceeded,',
  'PromotionBlocked, RolledBack, PromotionError.',
  '',
  'Exit status: 0 traffic on the new version and every analysis Successful,',
  '             1 Failed, 2 Error (analysis or API), 3 Inconclusive,',
  '             4 usage, invalid input or a missing object,',
  `             ${EXIT_INTERRUPTED} interrupted (signal or --timeout).`,
].join('\n');

export const PROMOTE_EXAMPLES =
  '\nExamples:\n' +
  '  assay promote --service checkout --selector app=checkout,color=green -n shop \\\n' +
  '      --pre analysis/smoke.yaml --post analysis/success-rate.yaml -a service-name=checkout-green --timeout 15m\n' +
  '  assay promote --virtual-service reviews --host reviews-green --port 9080 -n shop --post analysis/ -o json\n';

export const ROLLBACK_DESCRIPTION = [
  'Restores the selector (Service) or default-route destination (VirtualService)',
  'that `assay promote` recorded on the object, from any job: the annotation on',
  'the object is all it needs. One conditional write, then a RolledBack event.',
  '',
  'Exit status: 0 restored, 2 the API failed, 4 usage, a missing object, or',
  '             nothing recorded to roll back to.',
].join('\n');

export const ROLLBACK_EXAMPLES =
  '\nExamples:\n' +
  '  assay rollback --service checkout -n shop\n' +
  '  assay rollback --virtual-service reviews -n shop -o json\n';
