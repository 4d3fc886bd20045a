/**
 * Exit statuses of the `assay` commands: an interface pipelines rely on (`assay run ... &&
 * ./switch-traffic.sh`), documented in every command's --help and in README. Nothing but a
 * Successful assessment exits 0.
 */
export const EXIT_BY_PHASE: Record<string, number> = { Successful: 0, Failed: 1, Error: 2, Inconclusive: 3 };
/** Usage or invalid input: nothing was run. */
export const EXIT_USAGE = 4;
/** Stopped from outside (SIGINT, SIGTERM, --timeout) before the run's own verdict. */
export const EXIT_INTERRUPTED = 5;
