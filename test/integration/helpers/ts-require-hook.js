/**
 * `node -r ./test/integration/helpers/ts-require-hook.js cli/main.ts ...`: runs the project's
 * TypeScript in a child process without a build (the fault tests start real `prescient worker`
 * processes; dist/ may be stale while the tree is being edited). Transpile only, no type check
 * (jest and tsc do that); outputs are cached by content hash so restarts start fast.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const cacheDir = process.env.PRESCIENT_TS_CACHE || path.join(os.tmpdir(), `prescient-ts-cache-${process.getuid ? process.getuid() : 0}`);
fs.mkdirSync(cacheDir, { recursive: true });
const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  esModuleInterop: true,
  resolveJsonModule: true,
  inlineSourceMap: true,
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const src = fs.readFileSync(filename, 'utf8');
  const hash = crypto.createHash('sha1').update(ts.version).update(filename).update(src).digest('hex');
  const cached = path.join(cacheDir, `${hash}.js`);
  let out;
  try {
    out = fs.readFileSync(cached, 'utf8');
  } catch {
    out = ts.transpileModule(src, { compilerOptions, fileName: filename }).outputText;
    // Written under a temporary name then renamed: several workers may start at once.
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, cached);
  }
  module._compile(out, filename);
};
