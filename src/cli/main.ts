/**
 * The `assay` command line. Each subcommand lives in its own module; this file only wires
 * arguments to them and turns their results into exit statuses. A command's module is imported
 * only when that command runs (dynamic import): `assay --version`, `lint` and `test` must not pay
 * for @kubernetes/client-node, BullMQ, ioredis or pino (bench/scenarios/cli-start.ts measures it,
 * test/integration/cli/lazy-imports.test.ts checks it).
 */
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import type { Output } from './test-command.js';
import type { RunOptions } from './run-command.js';
import type { ControllerFlags } from './controller-command.js';
import type { ServeFlags } from './serve-command.js';
import type { BacktestOptions } from './backtest-command.js';
import type { AssayConfig } from '../runtime/config.js';
import { EXIT_USAGE } from './exit-codes.js';
import * as help from './help-text.js';
import type { PromoteFlags } from './promote-command.js';
import { PROMOTE_DESCRIPTION, PROMOTE_EXAMPLES, ROLLBACK_DESCRIPTION, ROLLBACK_EXAMPLES } from './promote-interface.js';

const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const io: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * `config` reads the environment (once, memoised by main): only the commands that use it call it,
 * so `lint`, `test` and `--version` neither parse it nor load zod for it. Undefined: invalid
 * environment, already reported.
 */
function buildProgram(exit: (code: number) => void, config: () => Promise<AssayConfig | undefined>): Command {
  const withConfig = async (command: (c: AssayConfig) => Promise<number>) => {
    const c = await config();
    exit(c === undefined ? EXIT_USAGE : await command(c));
  };
  const program = new Command();
  program
    .name('assay')
    .description(
      'Metric-gated progressive delivery: evaluates Argo Rollouts AnalysisTemplates and AnalysisRuns exactly as Argo does.',
    )
    .version(VERSION, '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', help.ROOT_EXAMPLES)
    .exitOverride((err) => {
      // commander's own usage errors (unknown option, missing argument) are "invalid input".
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') exit(0);
      else exit(err.exitCode === 0 ? 0 : 4);
      throw err;
    });

  program
    .command('test')
    .summary('unit-test AnalysisTemplates offline on a virtual clock')
    .description(help.TEST_DESCRIPTION)
    .argument('<paths...>', 'AnalysisTest files or directories')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .addHelpText('after', help.TEST_EXAMPLES)
    .action(async (paths: string[], opts: { output?: string }) => exit(await (await import('./test-command.js')).testCommand(paths, opts, io)));

  program
    .command('lint')
    .summary('check AnalysisTemplates and AnalysisRuns for mistakes before they gate a release')
    .description(help.LINT_DESCRIPTION)
    .argument('<paths...>', 'manifest files or directories')
    .addHelpText('after', help.LINT_EXAMPLES)
    .action(async (paths: string[]) => exit(await (await import('./lint-command.js')).lintCommand(paths, io)));

  program
    .command('run')
    .summary('run an analysis live against real metric providers and exit with its verdict')
    .description(help.RUN_DESCRIPTION)
    .requiredOption('-f, --file <path>', 'template or AnalysisRun file or directory (repeatable)', collect)
    .option('-t, --template <name>', 'template to use (repeatable; "cluster:NAME" for a ClusterAnalysisTemplate); default: all in the files', collect)
    .option('-a, --arg <name=value>', 'value of an arg the templates declare (repeatable; an undeclared name is an error)', collect)
    .option('--prometheus <url>', 'Prometheus address for every prometheus metric, replacing the template\'s own (default: the metric\'s address, else $ARGO_ROLLOUTS_PROMETHEUS_ADDRESS)')
    .option('--timeout <duration>', 'terminate the run after DURATION (Go syntax: 90s, 15m, 1h) and exit 5; required for metrics without a count')
    .option('-n, --namespace <ns>', 'namespace of the run (default: the AnalysisRun\'s own, else "default")')
    .option('--name <name>', 'name of the run (default: the AnalysisRun\'s own, else assay-run-<time>)')
    .option('--secrets <file>', 'Kubernetes Secret manifests for secretKeyRef args and provider credentials (repeatable)', collect)
    .option('--notifications <file>', 'send the verdict to Slack / signed JSON webhooks (docs/notifications.md)')
    .addOption(new Option('-o, --output <format>', 'text or json (json: the final AnalysisRun on stdout, progress on stderr)').choices(['text', 'json']).default('text'))
    .addHelpText('after', help.RUN_EXAMPLES)
    .action((opts: RunOptions) => withConfig(async (c) => (await import('./run-command.js')).runCommand(opts, c, io, process.stdout)));

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
    .action((flags: PromoteFlags) => withConfig(async (c) => (await import('./promote-command.js')).promoteCommand(flags, c, io, process.stdout)));

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
    .action((flags: PromoteFlags) => withConfig(async (c) => (await import('./rollback-command.js')).rollbackCommand(flags, c, io)));

  program
    .command('backtest')
    .summary('replay an analysis against metric history: what verdict, and when')
    .description(help.BACKTEST_DESCRIPTION)
    .requiredOption('-f, --file <path>', 'template or AnalysisRun file or directory (repeatable)', collect)
    .option('-t, --template <name>', 'template to use (repeatable; "cluster:NAME" for a ClusterAnalysisTemplate); default: all in the files', collect)
    .option('-a, --arg <name=value>', 'argument value (repeatable)', collect)
    .requiredOption('--from <time>', 'start of the replay (virtual time 0): RFC 3339, "now", or a duration before now (-6h)')
    .option('--to <time>', 'the replay\'s clock stops here; with --every, the last start', 'now')
    .option('--every <duration>', 'start a replay every DURATION from --from to --to, one row per start')
    .option('--for <duration>', 'with --every: stop each replay DURATION after its start (default: at the present)')
    .option('--prometheus <url>', 'Prometheus address for every prometheus metric, replacing the template\'s own (default: the metric\'s address, else $ARGO_ROLLOUTS_PROMETHEUS_ADDRESS)')
    .option('-n, --namespace <ns>', 'namespace of the run (default: the AnalysisRun\'s own, else "default")')
    .option('--name <name>', 'name of the run (default: the AnalysisRun\'s own, else assay-backtest)')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--secrets <file>', 'Kubernetes Secret manifests for secretKeyRef args and provider credentials (repeatable)', collect)
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .addHelpText('after', help.BACKTEST_EXAMPLES)
    .action((opts: BacktestOptions) =>
      withConfig(async (c) => (await import('./backtest-command.js')).backtestCommand(opts, c, { ...io, progress: process.stderr, wall: () => Date.now() })),
    );

  program
    .command('serve')
    .summary('run the engine as an HTTP service: API, live event streams, Prometheus metrics')
    .description(help.SERVE_DESCRIPTION)
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--host <address>', 'address to bind (0.0.0.0 to accept connections from other hosts)', '127.0.0.1')
    .option('--templates <dir>', 'directory of AnalysisTemplates/ClusterAnalysisTemplates (reloaded on SIGHUP)')
    .option('--store-dir <dir>', 'keep runs as files in DIR (default: in memory, lost when the process exits)')
    .addOption(new Option('--role <role>', 'all, api or worker (see above)').choices(['all', 'api', 'worker']).default('all'))
    .option('--concurrency <n>', 'runs measured at once by this process', '64')
    .option('--allowed-host <name>', 'another Host name to answer to without a token (repeatable)', collect)
    .option('--secrets <file>', 'Kubernetes Secret manifests for secretKeyRef args and provider credentials (repeatable)', collect)
    .option('--notifications <file>', 'send verdicts to Slack / signed JSON webhooks (docs/notifications.md)')
    .addHelpText('after', help.SERVE_EXAMPLES)
    .action((opts: ServeFlags) => withConfig(async (c) => (await import('./serve-command.js')).serveCommand(opts, c, io)));

  program
    .command('controller')
    .summary('own AnalysisRuns in a Kubernetes cluster (beside Argo Rollouts or alone)')
    .description(help.CONTROLLER_DESCRIPTION)
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--namespaces <list>', 'comma-separated namespaces to watch (default: all)')
    .option('--concurrency <n>', 'runs reconciled at once', '16')
    .option('--leader-elect', 'elect one leader among replicas with a Lease (no Redis)')
    .option('--lease-namespace <ns>', 'with --leader-elect: namespace of the Lease (default: "default")')
    .option('--metrics-port <port>', 'port for /metrics', '8090')
    .option('--health-port <port>', 'port for /healthz and /readyz', '8081')
    .option('--host <addr>', 'address to listen on', '0.0.0.0')
    .option('--role <role>', 'all, or worker (ticks only; needs REDIS_URL)', 'all')
    .option('--kube-qps <n>', 'status writes per second (0: no limit)', '0')
    .option('--notifications <file>', 'send verdicts to Slack / signed JSON webhooks (docs/notifications.md)')
    .option('--kube-burst <n>', 'with --kube-qps: status writes at once (default: qps)')
    .addHelpText('after', help.CONTROLLER_EXAMPLES)
    .action((flags: ControllerFlags) => withConfig(async (c) => (await import('./controller-command.js')).controllerCommand(flags, c, io)));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  let code = 0;
  let config: Promise<AssayConfig | undefined> | undefined;
  const loadConfig = async (): Promise<AssayConfig | undefined> => {
    const { configFromEnv, ConfigError } = await import('../runtime/config.js');
    try {
      return configFromEnv(process.env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      io.err(`assay: ${err.message}`);
      return undefined;
    }
  };
  const program = buildProgram(
    (c) => {
      code = c;
    },
    () => (config ??= loadConfig()),
  );
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // exitOverride already recorded the exit code of commander's own errors. Anything else is a
    // crash: bin/assay.js prints it and exits 70, never 0.
    const c = (err as { code?: unknown } | null)?.code;
    if (!(typeof c === 'string' && c.startsWith('commander.'))) throw err;
  }
  process.exitCode = code;
}
