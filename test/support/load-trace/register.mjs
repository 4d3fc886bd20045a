// `node --import ./register.mjs ...`: records every module the process resolves (one URL a line)
// in the file named by $LOAD_TRACE_FILE. The resolve hook runs on Node's loader thread, so it
// appends synchronously: nothing is lost when the CLI calls process.exit().
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url, { data: { out: process.env.LOAD_TRACE_FILE } });
