/**
 * `assay serve` as a library: start the engine behind its HTTP API in-process (tests, embedding).
 * The CLI wrapper with flags and signals is cli/serve-command.ts.
 */
export { startServer, roleProblem, ServeError } from './server.js';
export type { RunningServer, ServerOptions, ServeRole } from './server.js';
export type { RunSummary } from './api.js';
export type { StatusMessage, EventMessage } from './event-hub.js';
export type { ReloadResult, TemplateSummary } from './template-catalog.js';
