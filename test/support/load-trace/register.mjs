// `node --import ./register.mjs ...`: records every module the process resolves (one URL a line)
// in the file named by $LOAD_TRACE_FILE: ES modules through a loader hook, CommonJS `require`
// (the bundled CLI is CommonJS) through Module._resolveFilename. The ES module hook runs on
// Node's loader thread, so both append synchronously: nothing is lost when the CLI calls
// process.exit().
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const out = process.env.LOAD_TRACE_FILE;
register('./hooks.mjs', import.meta.url, { data: { out } });

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function traced(...args) {
  const resolved = resolveFilename.apply(this, args);
  if (out) appendFileSync(out, `${resolved.startsWith('/') ? pathToFileURL(resolved).href : resolved}\n`);
  return resolved;
};
