/**
 * The `assay` command line. Each subcommand lives in its own module; this file only wires
 * arguments to them and turns their results into exit statuses.
 */
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { testCommand, type Output } from './test-command.js';
import { lintCommand } from './lint-command.js';
import { runCommand, EXIT_USAGE, type RunOptions } from './run-command.js';
import { controllerCommand, type ControllerFlags } from './controller-command.js';
import { serveCommand, SERVE_DESCRIPTION, SERVE_EXAMPLES, type ServeFlags } from './serve-command.js';
import { backtestCommand, BACKTEST_DESCRIPTION, BACKTEST_EXAMPLES, type BacktestOptions } from './backtest-command.js';
import type { PromoteFlags } from './promote-command.js';
import { PROMOTE_DESCRIPTION, PROMOTE_EXAMPLES, ROLLBACK_DESCRIPTION, ROLLBACK_EXAMPLES } from './promote-interface.js';
import { configFromEnv, ConfigError, type AssayConfig } from '../runtime/config.js';

const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const io: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function buildProgram(exit: (code: number) => void, config: AssayConfig): Command {
  const program = new Command();
  program
    .name('assay')
    .description(
      'Metric-gated progressive delivery: evaluates Argo Rollouts AnalysisTemplates and AnalysisRuns exactly as Argo does.',
    )
    .version(VERSION, '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride((err) => {
      // commander's own usage errors (unknown option, missing argument) are "invalid input".
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') exit(0);
      else exit(err.exitCode === 0 ? 0 : 4);
      throw err;
    });

  program
    .command('test')
    .summary('unit-test AnalysisTemplates offline on a virtual clock')
    .description(
      [
        'Runs AnalysisTest documents (apiVersion assay/v1alpha1). Each names the',
        'templates, how the run is created, what the providers answer at each',
        'measurement, and the verdict it must reach. The real resolution, scheduling',
        'and assessment code runs on a virtual clock: no cluster, no metric backend,',
        'no waiting. Directories are searched for *.yaml/*.yml files with tests.',
        '',
        'Exit status: 0 all passed, 1 an expectation failed, 2 a file is invalid.',
      ].join('\n'),
    )
    .argument('<paths...>', 'AnalysisTest files or directories')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExample:\n  assay test test/analysis\n  assay test my-template.test.yaml --output json | jq .failed')
    .action(async (paths: string[], opts: { output?: string }) => exit(await testCommand(paths, opts, io)));

  program
    .command('lint')
    .summary('check AnalysisTemplates and AnalysisRuns for mistakes before they gate a release')
    .description(
      [
        'Checks every AnalysisTemplate, ClusterAnalysisTemplate, AnalysisRun, Rollout',
        'and Experiment in the given files or directories for what Argo Rollouts or',
        'the Kubernetes API server would refuse: schema, kinds and names, Argo\'s',
        'metric rules, conditions that do not compile, {{args.x}} placeholders,',
        'Job specs, template references and args of Rollouts and Experiments, and',
        'metrics that run indefinitely in pre/post-promotion or step analysis.',
        'A misspelt field is an error; other fields the CRD prunes are warnings.',
        '',
        'Exit status: 0 no errors (warnings alone pass), 1 errors found, 2 a file',
        'cannot be read.',
      ].join('\n'),
    )
    .argument('<paths...>', 'manifest files or directories')
    .action(async (paths: string[]) => exit(await lintCommand(paths, io)));

  program
    .command('run')
    .summary('run an analysis live against real metric providers and exit with its verdict')
    .description(
      [
        'Creates an AnalysisRun from AnalysisTemplates (as a Rollout would) or takes',
        'an AnalysisRun from the files, runs it in-process against the real',
        'providers (Prometheus, web), shows each measurement as it is taken, and',
        'prints the verdict with its reason. Ctrl-C terminates the run the way',
        'spec.terminate does. Use it in a pipeline before and after switching',
        'traffic: the exit status is the verdict.',
        '',
        'Exit status: 0 Successful, 1 Failed, 2 Error, 3 Inconclusive,',
        '             4 usage or invalid input.',
      ].join('\n'),
    )
    .requiredOption('-f, --file <path>', 'template or AnalysisRun file or directory (repeatable)', collect)
    .option('-t, --template <name>', 'template to use (repeatable; "cluster:NAME" for a ClusterAnalysisTemplate); default: all in the files', collect)
    .option('-a, --arg <name=value>', 'argument value (repeatable)', collect)
    .option('--prometheus <url>', 'Prometheus address for metrics without one (default $ARGO_ROLLOUTS_PROMETHEUS_ADDRESS)')
    .option('-n, --namespace <ns>', 'namespace of the run', 'default')
    .option('--name <name>', 'name of the run')
    .option('--secrets <file>', 'Kubernetes Secret manifests for secretKeyRef args (repeatable)', collect)
    .option('--notifications <file>', 'send the verdict to Slack / signed JSON webhooks (docs/notifications.md)')
    .addOption(new Option('-o, --output <format>', 'text or json (json: the final AnalysisRun on stdout, progress on stderr)').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  assay run -f examples/templates/success-rate.yaml -a service-name=checkout --prometheus http://prometheus:9090\n' +
        '  assay run -f analysis/ -t success-rate -t cluster:error-budget -a service-name=checkout -o json > verdict.json\n' +
        '  assay run -f examples/templates/success-rate.yaml -a service-name=checkout && ./switch-traffic.sh',
    )
    .action(async (opts: RunOptions) => exit(await runCommand(opts, config, io, process.stdout)));

  program
    .command('promote')
    .summary('Blue/Green switch of a Service or Istio VirtualService, gated by analyses, undone if they fail')
    .description(PROMOTE_DESCRIPTION)
    .option('--service <name>', 'the Service whose spec.selector moves')
    .option('--selector <labels>', 'with --service: the new selector, exactly (KEY=VALUE[,KEY=VALUE...])')
    .option('--virtual-service <name>', 'the Istio VirtualService whose default http route moves')
    .option('--host <host>', 'with --virtual-service: the new destination host')
    .option('--port <n>', 'with --virtual-service: the new destination port (default: unchanged)')
    .option('-n, --namespace <ns>', 'namespace of the object and of the analyses', 'default')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--pre <file>', 'templates to pass before switching (repeatable)', collect)
    .option('--post <file>', 'templates to pass after switching, else roll back (repeatable)', collect)
    .option('-a, --arg <name=value>', 'argument value for the analyses (repeatable)', collect)
    .option('--timeout <duration>', 'give up after DURATION (10m, 90s); after the switch, roll back')
    .addOption(new Option('-o, --output <format>', 'text or json (json: one result object on stdout, progress on stderr)').choices(['text', 'json']).default('text'))
    .addHelpText('after', PROMOTE_EXAMPLES)
    .action(async (flags: PromoteFlags) => exit(await (await import('./promote-command.js')).promoteCommand(flags, config, io, process.stdout)));

  program
    .command('rollback')
    .summary('restore the selector or destination `assay promote` recorded on the object')
    .description(ROLLBACK_DESCRIPTION)
    .option('--service <name>', 'the Service to restore')
    .option('--virtual-service <name>', 'the Istio VirtualService to restore')
    .option('-n, --namespace <ns>', 'namespace of the object', 'default')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .addHelpText('after', ROLLBACK_EXAMPLES)
    .action(async (flags: PromoteFlags) => exit(await (await import('./rollback-command.js')).rollbackCommand(flags, config, io)));

  program
    .command('backtest')
    .summary('replay an analysis against metric history: what verdict, and when')
    .description(BACKTEST_DESCRIPTION)
    .requiredOption('-f, --file <path>', 'template or AnalysisRun file or directory (repeatable)', collect)
    .option('-t, --template <name>', 'template to use (repeatable; "cluster:NAME" for a ClusterAnalysisTemplate); default: all in the files', collect)
    .option('-a, --arg <name=value>', 'argument value (repeatable)', collect)
    .requiredOption('--from <time>', 'start of the replay (virtual time 0): RFC 3339, "now", or a duration before now (-6h)')
    .option('--to <time>', 'the replay\'s clock stops here; with --every, the last start', 'now')
    .option('--every <duration>', 'start a replay every DURATION from --from to --to, one row per start')
    .option('--for <duration>', 'with --every: stop each replay DURATION after its start (default: at the present)')
    .option('--prometheus <url>', 'Prometheus address for metrics without one (default $ARGO_ROLLOUTS_PROMETHEUS_ADDRESS)')
    .option('-n, --namespace <ns>', 'namespace of the run', 'default')
    .option('--name <name>', 'name of the run')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--secrets <file>', 'Kubernetes Secret manifests for secretKeyRef args (repeatable)', collect)
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .addHelpText('after', BACKTEST_EXAMPLES)
    .action(async (opts: BacktestOptions) =>
      exit(await backtestCommand(opts, config, { ...io, progress: process.stderr, wall: () => Date.now() })),
    );

  program
    .command('serve')
    .summary('run the engine as an HTTP service: API, live event streams, Prometheus metrics')
    .description(SERVE_DESCRIPTION)
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--host <address>', 'address to bind (0.0.0.0 to accept connections from other hosts)', '127.0.0.1')
    .option('--templates <dir>', 'directory of AnalysisTemplates/ClusterAnalysisTemplates (reloaded on SIGHUP)')
    .option('--store-dir <dir>', 'keep runs as files in DIR (default: in memory, lost when the process exits)')
    .addOption(new Option('--role <role>', 'all, api or worker (see above)').choices(['all', 'api', 'worker']).default('all'))
    .option('--concurrency <n>', 'runs measured at once by this process', '16')
    .option('--secrets <file>', 'Kubernetes Secret manifests for secretKeyRef args and provider credentials (repeatable)', collect)
    .option('--notifications <file>', 'send verdicts to Slack / signed JSON webhooks (docs/notifications.md)')
    .addHelpText('after', SERVE_EXAMPLES)
    .action(async (opts: ServeFlags) => exit(await serveCommand(opts, config, io)));

  program
    .command('controller')
    .summary('own AnalysisRuns in a Kubernetes cluster (beside Argo Rollouts or alone)')
    .description(
      [
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
        'Exit status: 0 stopped by SIGTERM/SIGINT, 1 failed, 4 invalid flags or no',
        'kubeconfig.',
      ].join('\n'),
    )
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--namespaces <list>', 'comma-separated namespaces to watch (default: all)')
    .option('--concurrency <n>', 'runs reconciled at once', '16')
    .option('--leader-elect', 'elect one leader among replicas with a Lease (no Redis)')
    .option('--lease-namespace <ns>', 'namespace of the Lease', 'default')
    .option('--metrics-port <port>', 'port for /metrics', '8090')
    .option('--health-port <port>', 'port for /healthz and /readyz', '8081')
    .option('--host <addr>', 'address to listen on', '0.0.0.0')
    .option('--role <role>', 'all, or worker (ticks only; needs REDIS_URL)', 'all')
    .option('--kube-qps <n>', 'status writes per second (0: no limit)', '0')
    .option('--notifications <file>', 'send verdicts to Slack / signed JSON webhooks (docs/notifications.md)')
    .option('--kube-burst <n>', 'status writes at once (default: qps)')
    .addHelpText('after', '\nExample:\n  assay controller --kubeconfig ~/.kube/config --namespaces shop,payments --leader-elect')
    .action(async (flags: ControllerFlags) => exit(await controllerCommand(flags, config, io)));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  let code = 0;
  let config: AssayConfig;
  try {
    config = configFromEnv(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`assay: ${err.message}`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const program = buildProgram((c) => {
    code = c;
  }, config);
  try {
    await program.parseAsync(argv);
  } catch {
    // exitOverride already recorded the exit code.
  }
  process.exitCode = code;
}
