/**
 * The provider registry of each mode: which metric providers a command measures with.
 *   live     every built-in provider and assay's plugin sources (`run`, `serve`, `promote`)
 *   cluster  live + `job`, which needs the controller's Kubernetes client (`controller`)
 *   history  the providers that can be asked about the past, and the plugin sources (`backtest`)
 *   offline  the plugin sources only: `assay test` scripts every other provider's values
 * Provider modules load their heavy clients (AWS SDK, InfluxDB, ...) on first use, so importing
 * this file costs no more than the providers' own code; `assay test` reaches it through
 * composition/offline.ts, which imports only the plugin sources.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { createCloudWatchProvider } from '../../providers/cloudwatch/index.js';
import { createDatadogProvider } from '../../providers/datadog/index.js';
import { createGraphiteProvider } from '../../providers/graphite/index.js';
import { createInfluxdbProvider } from '../../providers/influxdb/index.js';
import { createJobProvider } from '../../providers/job/index.js';
import { createKayentaProvider } from '../../providers/kayenta/index.js';
import { createNewRelicProvider } from '../../providers/newrelic/index.js';
import { createPrometheusProvider } from '../../providers/prometheus/index.js';
import { createSkyWalkingProvider } from '../../providers/skywalking/index.js';
import { createWavefrontProvider } from '../../providers/wavefront/index.js';
import { createWebProvider } from '../../providers/web/index.js';
import type { MetricProvider } from '../metric/provider.js';
import { pluginProviders } from '../runtime/plugin-providers.js';

/** Every provider `assay run` and `assay serve` measure with. */
export function liveProviders(): MetricProvider<unknown>[] {
  return [
    createPrometheusProvider() as MetricProvider<unknown>,
    createWebProvider() as MetricProvider<unknown>,
    createDatadogProvider() as MetricProvider<unknown>,
    createNewRelicProvider() as MetricProvider<unknown>,
    createWavefrontProvider() as MetricProvider<unknown>,
    createKayentaProvider() as MetricProvider<unknown>,
    createCloudWatchProvider() as MetricProvider<unknown>,
    createGraphiteProvider() as MetricProvider<unknown>,
    createInfluxdbProvider() as MetricProvider<unknown>,
    createSkyWalkingProvider() as MetricProvider<unknown>,
    ...pluginProviders(),
  ];
}

/** The controller's providers: the live ones and `job`, which runs Jobs with the controller's own client. */
export function clusterProviders(kubeConfig: KubeConfig): MetricProvider<unknown>[] {
  return [...liveProviders(), createJobProvider({ kubeConfig }) as MetricProvider<unknown>];
}

/** Providers that can evaluate a query at a past instant, and assay's plugin sources over them. */
export function historicalProviders(): MetricProvider<unknown>[] {
  return liveProviders().filter((p) => p.historical === true || p.key.startsWith('plugin/assay/'));
}

