/**
 * zod schemas of every `metric.provider.<key>` configuration, field for field as Argo's Go types
 * (pkg/apis/rollouts/v1alpha1/analysis_types.go) and CRDs declare them. Required fields are the ones
 * Argo's CRD requires (Go fields without `omitempty`); everything else is optional. Semantic rules
 * (a URL that parses, body vs jsonBody, a negative timeout, ...) are NOT checked here: Argo checks
 * them when it builds the provider, and so does assay (providers' `parseConfig`), which turns them
 * into Error measurements rather than load errors.
 */
import { z } from 'zod';
import { crdDefault, duration, freeForm, int64, intOrString, stringMap } from './primitives.js';

/** An HTTP header sent with every request (web and prometheus). */
export const webMetricHeaderSchema = z.strictObject({ key: z.string(), value: z.string() });

const sigv4Schema = z.strictObject({
  region: z.string().optional(),
  profile: z.string().optional(),
  roleArn: z.string().optional(),
});

const oauth2Schema = z.strictObject({
  tokenUrl: z.string().optional(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  scopes: z.array(z.string()).optional(),
});

const basicAuthSchema = z.strictObject({
  username: z.string().optional(),
  password: z.string().optional(),
});

/** One Go type (`Authentication`) is shared by prometheus and web, so both accept all three blocks. */
export const authenticationSchema = z.strictObject({
  sigv4: sigv4Schema.optional(),
  oauth2: oauth2Schema.optional(),
  basicAuth: basicAuthSchema.optional(),
});

export const prometheusMetricSchema = z.strictObject({
  address: z.string().optional(),
  query: z.string().optional(),
  authentication: authenticationSchema.optional(),
  /** Seconds (Go int64); absent means 30. */
  timeout: int64().optional(),
  insecure: z.boolean().optional(),
  headers: z.array(webMetricHeaderSchema).optional(),
  rangeQuery: z
    .strictObject({
      /** `start`/`end` are expression-language time expressions, `step` a Go duration. */
      start: z.string().optional(),
      end: z.string().optional(),
      step: duration().optional(),
    })
    .optional(),
});

const scopeDetailSchema = z.strictObject({
  scope: z.string(),
  region: z.string(),
  step: int64(),
  start: z.string().optional(),
  end: z.string().optional(),
});

export const kayentaMetricSchema = z.strictObject({
  address: z.string(),
  application: z.string(),
  canaryConfigName: z.string(),
  metricsAccountName: z.string(),
  configurationAccountName: z.string(),
  storageAccountName: z.string(),
  threshold: z.strictObject({ pass: int64(), marginal: int64() }),
  scopes: z.array(
    z.strictObject({
      name: z.string(),
      controlScope: scopeDetailSchema,
      experimentScope: scopeDetailSchema,
    }),
  ),
  /** Start the scopes at the run's `startedAt` instead of `now - interval`. */
  lookback: z.boolean().optional(),
});

export const webMetricSchema = z.strictObject({
  /** GET, POST or PUT; Argo's CRD does not restrict the string, the provider does. */
  method: z.string().optional(),
  url: z.string(),
  headers: z.array(webMetricHeaderSchema).optional(),
  body: z.string().optional(),
  /** Seconds; `<= 0` means 10. */
  timeoutSeconds: int64().optional(),
  /** kubectl-style JSONPath; absent means `{$}`. */
  jsonPath: z.string().optional(),
  insecure: z.boolean().optional(),
  /** Raw JSON body, sent as `application/json` (POST/PUT only). */
  jsonBody: freeForm().optional(),
  authentication: authenticationSchema.optional(),
});

export const datadogMetricSchema = z.strictObject({
  /** The query window (not the polling rate). */
  interval: crdDefault(duration(), '5m').optional(),
  query: z.string().optional(),
  /** v2 only: named queries combined by `formula`. */
  queries: stringMap().optional(),
  formula: z.string().optional(),
  apiVersion: crdDefault(z.enum(['v1', 'v2']), 'v1').optional(),
  aggregator: z.enum(['avg', 'min', 'max', 'sum', 'last', 'percentile', 'mean', 'l2norm', 'area']).optional(),
  secretRef: z
    .strictObject({ name: z.string().optional(), namespaced: z.boolean().optional() })
    .optional(),
  requestTimeout: crdDefault(duration(), '10s').optional(),
});

export const wavefrontMetricSchema = z.strictObject({
  address: z.string().optional(),
  query: z.string().optional(),
});

export const newRelicMetricSchema = z.strictObject({
  /** Name of the secret holding the account configuration; absent means `newrelic`. */
  profile: z.string().optional(),
  query: z.string(),
  /** Seconds; absent means 5. */
  timeout: int64().optional(),
});

export const jobMetricSchema = z.strictObject({
  /** Labels and annotations copied onto the Job (Argo's CRD keeps only these two). */
  metadata: z
    .strictObject({ labels: stringMap().optional(), annotations: stringMap().optional() })
    .optional(),
  /** A batch/v1 JobSpec, validated by the Job API when the Job is created. */
  spec: freeForm(),
});

const cloudWatchMetricStatSchema = z.strictObject({
  metric: z
    .strictObject({
      dimensions: z
        .array(z.strictObject({ name: z.string().optional(), value: z.string().optional() }))
        .optional(),
      metricName: z.string().optional(),
      namespace: z.string().optional(),
    })
    .optional(),
  period: intOrString().optional(),
  stat: z.string().optional(),
  unit: z.string().optional(),
});

export const cloudWatchMetricSchema = z.strictObject({
  /** Query window; absent means 5m. */
  interval: duration().optional(),
  metricDataQueries: z.array(
    z.strictObject({
      id: z.string().optional(),
      expression: z.string().optional(),
      label: z.string().optional(),
      metricStat: cloudWatchMetricStatSchema.optional(),
      period: intOrString().optional(),
      returnData: z.boolean().optional(),
    }),
  ),
});

export const graphiteMetricSchema = z.strictObject({
  address: z.string().optional(),
  query: z.string().optional(),
});

export const influxdbMetricSchema = z.strictObject({
  /** Name of the secret holding authToken/org/address; absent means `influxdb`. */
  profile: z.string().optional(),
  /** A Flux query. */
  query: z.string().optional(),
});

export const skyWalkingMetricSchema = z.strictObject({
  address: z.string().optional(),
  /** A GraphQL query. */
  query: z.string().optional(),
  interval: duration().optional(),
});

/** `plugin: {<plugin name>: <any JSON config>}`; each config is handed to the plugin as-is. */
export const pluginMetricSchema = freeForm();

/**
 * Provider schemas by key, in Argo's struct order (the same order as `PROVIDER_KEYS` in types.ts).
 * Providers may use these in `parseConfig` to validate a block after placeholder substitution.
 */
export const PROVIDER_SCHEMAS = {
  prometheus: prometheusMetricSchema,
  kayenta: kayentaMetricSchema,
  web: webMetricSchema,
  datadog: datadogMetricSchema,
  wavefront: wavefrontMetricSchema,
  newRelic: newRelicMetricSchema,
  job: jobMetricSchema,
  cloudWatch: cloudWatchMetricSchema,
  graphite: graphiteMetricSchema,
  influxdb: influxdbMetricSchema,
  skywalking: skyWalkingMetricSchema,
  plugin: pluginMetricSchema,
} as const;

/**
 * `metric.provider`. Every key is optional: "exactly one provider" is a semantic rule that Argo checks
 * at reconcile time (`no provider specified` / `multiple providers specified`), not in its CRD.
 */
export const metricProviderSchema = z.strictObject({
  prometheus: prometheusMetricSchema.optional(),
  kayenta: kayentaMetricSchema.optional(),
  web: webMetricSchema.optional(),
  datadog: datadogMetricSchema.optional(),
  wavefront: wavefrontMetricSchema.optional(),
  newRelic: newRelicMetricSchema.optional(),
  job: jobMetricSchema.optional(),
  cloudWatch: cloudWatchMetricSchema.optional(),
  graphite: graphiteMetricSchema.optional(),
  influxdb: influxdbMetricSchema.optional(),
  skywalking: skyWalkingMetricSchema.optional(),
  plugin: pluginMetricSchema.optional(),
});

export type PrometheusMetric = z.output<typeof prometheusMetricSchema>;
export type KayentaMetric = z.output<typeof kayentaMetricSchema>;
export type WebMetric = z.output<typeof webMetricSchema>;
export type DatadogMetric = z.output<typeof datadogMetricSchema>;
export type WavefrontMetric = z.output<typeof wavefrontMetricSchema>;
export type NewRelicMetric = z.output<typeof newRelicMetricSchema>;
export type JobMetric = z.output<typeof jobMetricSchema>;
export type CloudWatchMetric = z.output<typeof cloudWatchMetricSchema>;
export type GraphiteMetric = z.output<typeof graphiteMetricSchema>;
export type InfluxdbMetric = z.output<typeof influxdbMetricSchema>;
export type SkyWalkingMetric = z.output<typeof skyWalkingMetricSchema>;
export type PluginMetric = z.output<typeof pluginMetricSchema>;
