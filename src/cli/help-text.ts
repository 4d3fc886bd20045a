/**
 * The long help texts of `assay` subcommands, kept apart from the command modules so that
 * building the command line (and `assay --help`) loads none of them: main.ts imports a
 * command's module only when that command runs.
 */

export const ROOT_EXAMPLES = `
Examples:
  assay lint analysis/                      # catch broken templates in CI
  assay test analysis/                      # their AnalysisTests, on a virtual clock
  assay run -f analysis/success-rate.yaml -a service-name=checkout \\
    --prometheus http://localhost:9090 && ./switch-traffic.sh

Exit status: each command's --help lists its own. Only success exits 0: for
\`assay run\`, only a Successful analysis (1 Failed, 2 Error, 3 Inconclusive,
4 usage or invalid input, 5 stopped by a signal or --timeout).`;

export const TEST_DESCRIPTION = [
  'Runs AnalysisTest documents (apiVersion assay/v1alpha1). Each names the',
  'templates, how the run is created, what the providers answer at each',
  'measurement, and the verdict it must reach. The real resolution, scheduling',
  'and assessment code runs on a virtual clock: no cluster, no metric backend,',
  'no waiting. Directories are searched for *.yaml/*.yml files with tests;',
  'a path that holds no AnalysisTest at all is an error, so that a mistyped',
  'path cannot stay green in CI.',
  '',
  'Exit status: 0 all passed, 1 an expectation failed, 2 a file is invalid or',
  'a path holds no tests, 4 usage.',
].join('\n');

export const TEST_EXAMPLES = `
Examples:
  assay test test/analysis
  assay test my-template.test.yaml --output json | jq .failed`;

export const LINT_DESCRIPTION = [
  'Checks every AnalysisTemplate, ClusterAnalysisTemplate, AnalysisRun, Rollout',
  'and Experiment in the given files or directories for what Argo Rollouts or',
  'the Kubernetes API server would refuse: schema, kinds and names, Argo\'s',
  'metric rules, conditions that do not compile, {{args.x}} placeholders,',
  'Job specs, template references and args of Rollouts and Experiments, and',
  'metrics that run indefinitely in pre/post-promotion or step analysis.',
  'A misspelt field is an error; other fields the CRD prunes are warnings.',
  '',
  'Exit status: 0 no errors (warnings alone pass), 1 errors found, 2 a file',
  'cannot be read, 4 usage.',
].join('\n');

export const LINT_EXAMPLES = `
Examples:
  assay lint examples/broken/
  assay lint analysis/ && kubectl apply -f analysis/`;

export const RUN_DESCRIPTION = [
  'Creates an AnalysisRun from AnalysisTemplates (as a Rollout would) or takes',
  'an AnalysisRun from the files, runs it in-process against the real',
  'providers (Prometheus, web, Datadog, New Relic, ...), shows each measurement',
  'as it is taken, and prints the verdict with its reason. Use it in a pipeline',
  'before and after switching traffic: the exit status is the verdict. Provider',
  'credentials: DD_* env vars, and Secret manifests by Argo\'s names (--secrets).',
  '',
  'A metric with an interval and no count runs until it fails: it would never',
  'give a healthy release a verdict, so assay run refuses it (exit 4) unless',
  '--timeout bounds the run.',
  '',
  'Ctrl-C, SIGTERM and --timeout terminate the run the way spec.terminate does',
  '(its status follows Argo: usually Successful, "Run Terminated"), but the',
  'exit status is 5, never 0: a cancelled CI job must not promote a release.',
  'A second Ctrl-C exits at once (5).',
  '',
  '--prometheus URL replaces the address of every prometheus metric, also one',
  'the template sets itself (a cluster address does not resolve on a CI runner',
  'or workstation). Without it: the metric\'s address, else',
  '$ARGO_ROLLOUTS_PROMETHEUS_ADDRESS.',
  '',
  'Exit status:',
  '  0  Successful: the analysis passed (the only status that exits 0)',
  '  1  Failed',
  '  2  Error',
  '  3  Inconclusive',
  '  4  usage or invalid input (nothing was run): bad flag, unknown -a name,',
  '     missing arg, invalid manifest, a metric that would run forever',
  '  5  stopped before its own verdict: SIGINT, SIGTERM or --timeout',
].join('\n');

export const RUN_EXAMPLES = `
Examples:
  # gate a traffic switch: only a Successful analysis runs the next command
  assay run -f examples/templates/success-rate.yaml -a service-name=checkout \\
    --prometheus http://localhost:9090 && ./switch-traffic.sh

  # a template that watches without a count: bound it
  assay run -f watch.yaml -a service-name=checkout --timeout 15m

  # several templates, the final AnalysisRun as JSON (progress goes to stderr)
  assay run -f analysis/ -t success-rate -t cluster:error-budget -a service-name=checkout -o json > verdict.json

Defaults: -n default; --name assay-run-<time>; every template in the files;
no timeout (refused for metrics without a count).`;

export const CONTROLLER_DESCRIPTION = [
  'Watches AnalysisRuns and reconciles them exactly as Argo Rollouts does,',
  'writing status with merge patches on the run (only when something',
  'changed). Run Argo Rollouts with --analysis-threads=0 so that assay owns',
  'the runs; Argo still creates, terminates and deletes them and reads',
  'status.phase to promote, pause or abort.',
  '',
  'Replicas: with REDIS_URL every replica is a BullMQ worker; without it, use',
  '--leader-elect and one replica (holding a coordination.k8s.io Lease)',
  'reconciles.',
  '',
  'Start-up checks: the kubeconfig must load and name a cluster, the API',
  'server must answer the first list of AnalysisRuns and templates, and the',
  'metrics and health ports must be free; otherwise it exits 4 naming the',
  'file, URL or port and the cause. /readyz answers 503 until the informers',
  'have synced.',
  '',
  'Exit status: 0 stopped by SIGTERM/SIGINT, 1 failed while running, 4 invalid',
  'flags, no usable kubeconfig, API server unreachable at start, port taken.',
].join('\n');

export const CONTROLLER_EXAMPLES = `
Examples:
  assay controller --kubeconfig ~/.kube/config --namespaces shop,payments --leader-elect
  REDIS_URL=redis://redis:6379 assay controller --health-port 8081 --metrics-port 8090
  curl -s localhost:8081/readyz     # 503 until synced, then {"ready":true,"leader":...}`;

// Lines stay under 80 columns: commander re-wraps longer ones at the terminal width.
export const SERVE_DESCRIPTION = [
  'Runs the engine as an HTTP service: create AnalysisRuns from the templates in',
  'a directory (a GitOps checkout) or from full manifests, follow them as',
  'Server-Sent Events, terminate or delete them, and scrape Argo\'s analysis',
  'metrics (analysis_run_info, ...) and assay\'s own from /metrics.',
  '',
  'Store: with --store-dir, runs are files: they survive restarts (unfinished',
  'runs continue on start) and processes on one host can share them. Without',
  'it, runs live in Redis when REDIS_URL is set (shared by any number of hosts),',
  'else in memory, where they DIE WITH THE PROCESS.',
  '',
  'Roles (processes sharing REDIS_URL, and --store-dir if one is used):',
  '  all     API, scheduling and measuring in one process (default)',
  '  api     API and scheduling, never measures (needs REDIS_URL)',
  '  worker  measures only; the port serves /healthz, /readyz and /metrics',
  '          (needs REDIS_URL)',
  '',
  'Environment:',
  '  REDIS_URL          BullMQ queue (default: in-memory scheduling), and the',
  '                     run store when there is no --store-dir',
  '  ASSAY_STORE_REDIS_URL  keep runs in this Redis instead of REDIS_URL\'s',
  '  ASSAY_API_TOKEN    require "Authorization: Bearer <token>" on /api/*',
  '  ARGO_ROLLOUTS_PROMETHEUS_ADDRESS, ASSAY_LOG_LEVEL, ASSAY_QUEUE',
  '',
  'Signals: SIGTERM/SIGINT stop gracefully (exit 0); SIGHUP reloads --templates.',
  'Exit status: 0 stopped cleanly, 1 failed while running, 4 invalid settings.',
].join('\n');

export const SERVE_EXAMPLES = `
Examples:
  # one process, templates from a checkout, runs kept on disk
  assay serve --templates ./analysis --store-dir /var/lib/assay --port 8080

  # create a run from templates (as a Rollout step would) -> 201 with the AnalysisRun
  curl -s -X POST localhost:8080/api/v1/runs -H 'Content-Type: application/json' \\
    -d '{"templates":[{"templateName":"success-rate"}],"args":[{"name":"service-name","value":"checkout"}],"name":"checkout-42"}'

  # or from a full AnalysisRun manifest
  curl -s -X POST localhost:8080/api/v1/runs -H 'Content-Type: application/json' \\
    -d "{\\"analysisRun\\": $(yq -o json run.yaml)}"

  # follow it (current state first, then changes; Ctrl-C to stop)
  curl -N localhost:8080/api/v1/runs/default/checkout-42/events

  curl -s 'localhost:8080/api/v1/runs?phase=Running'                   # list
  curl -s localhost:8080/api/v1/runs/default/checkout-42               # full run with status
  curl -s -X POST localhost:8080/api/v1/runs/default/checkout-42/terminate
  curl -s -X DELETE localhost:8080/api/v1/runs/default/checkout-42
  curl -s localhost:8080/api/v1/templates                              # what was loaded
  curl -s -X POST localhost:8080/api/v1/templates/reload               # after a git pull (or: kill -HUP)
  curl -s localhost:8080/metrics | grep analysis_run_info

  # with ASSAY_API_TOKEN set, every /api/* call needs the token
  curl -s -H "Authorization: Bearer $ASSAY_API_TOKEN" localhost:8080/api/v1/runs

  # split deployment: one API process, any number of workers, on any hosts
  REDIS_URL=redis://redis:6379 assay serve --role api --templates ./analysis
  REDIS_URL=redis://redis:6379 assay serve --role worker --port 9090
`;

// Paragraphs without hard line breaks: commander wraps them to the terminal's width.
export const BACKTEST_DESCRIPTION = [
  'Replays an analysis against metric history. The AnalysisRun that the templates (and --arg) describe runs on a ' +
    'virtual clock that starts at --from, exactly as the live engine would run it (initialDelay, interval, count, ' +
    'limits, the 10 s retry after an Error), and every query is evaluated at its historical instant: an instant query ' +
    'AT that time, a rangeQuery with now() being that time. It prints each measurement and the verdict the analysis ' +
    "would have reached, and when. Use it to tune a template on last week's incidents before it gates a release.",
  'Times (--from, --to): RFC 3339 (2026-11-20T14:00:00Z), "now", or a duration before now (-6h or 6h: six hours ago).',
  'One replay starts at --from and its clock stops at --to. With --every D, a replay starts at --from, --from+D, ... ' +
    'up to --to ("had the rollout started at each of these times, what would the verdict have been?"); each runs ' +
    'until it completes, --for after its start, or the present.',
  'Only metrics whose provider can be asked about the past are replayed: prometheus (instant query at the instant, ' +
    'rangeQuery against it), graphite (from/until), cloudWatch (StartTime/EndTime), and the other providers that ' +
    'anchor their query window at the instant. A template with any other provider (web, job, influxdb, whose Flux ' +
    'query carries its own range, ...) is refused, naming the metric and its provider.',
  '--prometheus URL replaces the address of every prometheus metric (and of Prometheus sources in assay plugins), ' +
    'including one the template sets itself (its cluster address, or {{args.x}}): point the replay at a port-forward. ' +
    'Without it, a metric uses its own address, else $ARGO_ROLLOUTS_PROMETHEUS_ADDRESS.',
  'Exit status: 0 Successful, 1 Failed, 2 Error, 3 Inconclusive or no verdict before the clock stopped, 4 usage or ' +
    'invalid input. With --every: the worst verdict of all replays.',
].join('\n\n');

export const BACKTEST_EXAMPLES =
  '\nExamples:\n' +
  '  # What would the error-ratio analysis have said during yesterday\'s 14:00 incident?\n' +
  '  assay backtest -f examples/backtest/error-ratio.yaml -a service=checkout \\\n' +
  '    -a prometheus-address=http://localhost:9090 --from 2026-11-20T13:45:00Z --to 2026-11-20T15:00:00Z\n\n' +
  '  TIME                  OFFSET   METRIC       VALUE   PHASE       MESSAGE\n' +
  '  2026-11-20T13:45:00Z  +0s      error-ratio  [0.01]  Successful\n' +
  '  ...\n' +
  '  Verdict: Failed at 2026-11-20T14:05:00Z (+20m0s) — Metric "error-ratio" assessed Failed due to failed (2) > failureLimit (1)\n\n' +
  '  # Had a rollout started every 30 minutes over the last day, which ones would it have stopped?\n' +
  '  assay backtest -f examples/backtest/error-ratio.yaml -a service=checkout --prometheus http://localhost:9090 \\\n' +
  '    --from -24h --to -1h --every 30m --for 1h\n\n' +
  '  # The same, for a tool: the final AnalysisRun of each replay with its verdict\n' +
  '  assay backtest -f error-ratio.yaml --from -6h --to now -o json | jq \'.verdict, .completedAt\'';
