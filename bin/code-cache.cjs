// Loads the bundled CLI (dist/bundle/cli/*.cjs) with V8's code cache.
//
// Node 20 compiles every ES module from source on every start, and a short command such as
// `assay lint` spent about a third of its time parsing the 1.3 MB of JavaScript it loads. A
// CommonJS script compiled through node:vm can be given the code V8 produced for it on an earlier
// run: `npm run build` runs the common commands once (scripts/bundle-cli.mjs) and keeps each
// chunk's code next to it as `<chunk>.cjs.v8`, so later starts deserialize instead of parsing.
//
// A cache V8 refuses (another Node version, other V8 flags) or one older than its chunk is
// ignored: the chunk is then compiled from source, exactly as without a cache.
'use strict';
const Module = require('node:module');
const vm = require('node:vm');
const { readFileSync, statSync, writeFileSync, renameSync } = require('node:fs');
const { dirname, sep } = require('node:path');

const CACHE_SUFFIX = '.v8';

/** Compiled scripts of this process, kept only when recording (see recordCodeCache). */
let recorded;

function cachedDataFor(filename) {
  try {
    const cache = statSync(filename + CACHE_SUFFIX);
    // A cache written before its chunk was rebuilt describes other source: V8 checks only the
    // source's length, so compare times too.
    if (cache.mtimeMs < statSync(filename).mtimeMs) return undefined;
    return readFileSync(filename + CACHE_SUFFIX);
  } catch {
    return undefined;
  }
}

function requireFor(mod) {
  const req = (id) => mod.require(id);
  req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  req.main = require.main;
  req.cache = Module._cache;
  return req;
}

/** Route the compilation of every CommonJS file under `dir` through the code cache. */
function installCodeCache(dir) {
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCodeCache(content, filename) {
    if (!filename.startsWith(prefix)) return compile.call(this, content, filename);
    const cachedData = recorded ? undefined : cachedDataFor(filename);
    const script = new vm.Script(Module.wrap(content), {
      filename,
      ...(cachedData ? { cachedData } : {}),
      // Lazy `import()` of packages (the AWS SDK, the InfluxDB client) goes to Node's own loader.
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (recorded) recorded.push({ script, filename });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
}

/**
 * Recording mode, for the build: compile without reading caches, and let `writeCodeCache` save
 * what V8 compiled, including the functions that ran (so they need no lazy compile later).
 */
function recordCodeCache() {
  recorded = [];
}

function writeCodeCache() {
  for (const { script, filename } of recorded ?? []) {
    const tmp = `${filename}${CACHE_SUFFIX}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, filename + CACHE_SUFFIX);
  }
  return (recorded ?? []).map((r) => r.filename);
}

module.exports = { installCodeCache, recordCodeCache, writeCodeCache, CACHE_SUFFIX };
