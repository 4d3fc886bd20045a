// Istio's networking.istio.io VirtualService CRD, as the Istio chart installs it: namespaced,
// short name `vs`, category `istio-io`/`networking-istio-io`, status subresource, printer columns
// Gateways/Hosts/Age. Istio 1.22+ serves v1, v1beta1 and v1alpha3 from one storage version;
// older releases serve only v1alpha3 and v1beta1. Tests pick the versions a cluster would serve.
import type { CustomResourceOptions } from './registry.js';

export type IstioNetworkingVersion = 'v1' | 'v1beta1' | 'v1alpha3';

export function virtualServiceDefinitions(versions: readonly IstioNetworkingVersion[]): CustomResourceOptions[] {
  // The storage version is v1alpha3 in every Istio release; here the first listed one stands in.
  const storageVersion = versions[0];
  return versions.map((version) => ({
    group: 'networking.istio.io',
    version,
    kind: 'VirtualService',
    plural: 'virtualservices',
    singular: 'virtualservice',
    shortNames: ['vs'],
    categories: ['istio-io', 'networking-istio-io'],
    statusSubresource: true,
    printerColumns: [
      { name: 'Gateways', type: 'string', jsonPath: '.spec.gateways', description: 'The names of gateways and sidecars that should apply these routes' },
      { name: 'Hosts', type: 'string', jsonPath: '.spec.hosts', description: 'The destination hosts to which traffic is being sent' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
    ...(versions.length > 1 && storageVersion ? { storageVersion } : {}),
  }));
}
