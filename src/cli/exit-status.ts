/**
 * Exit statuses shared by the commands that act on a verdict. `assay run` and `assay promote`
 * agree: 0 Successful, 1 Failed, 2 Error, 3 Inconclusive, 4 usage or invalid input (see
 * run-command.ts), and EXIT_INTERRUPTED when a signal or --timeout stopped the command before it
 * reached a verdict. This is the one place that number is defined.
 */
export const EXIT_INTERRUPTED = 5;
