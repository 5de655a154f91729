// Trunk post-build hook for release builds (Trunk.toml): makes the files the page loads smaller
// without changing what they do.
// 1. Import and export names: wasm-bindgen names each JS import like
//    `__wbg_addEventListener_f2d27251d333a631`; the hash is noise gzip cannot compress, and every
//    name is written twice, in the wasm and in the JS that provides it. Both get short names
//    (what Emscripten does with binaryen's --minify-imports-and-exports).
// 2. Function order: gzip-friendly, see order-functions.mjs; binaryen moves the functions.
// 3. The JS: terser. Trunk's own minifier fails on wasm-bindgen's JS ("Failed to minify JS").
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { minify } from 'terser';
import { gzipFriendlyOrder } from './order-functions.mjs';
import * as wasm from './wasm-sections.mjs';

const WASM_OPT = fileURLToPath(new URL('../../node_modules/.bin/wasm-opt', import.meta.url));

/// Short names for wasm-bindgen's generated imports and exports (not `memory` or `main`, which
/// other scripts may read), as a map from old to new. Fails rather than guess if the JS does not
/// look as expected, since a wrong rename would break the page at load.
export function shortNames(names, jsTokens) {
  const generated = (n) => /^(__wbg|__wbindgen|__externref|wasm_bindgen__)/.test(n);
  const map = new Map();
  for (const n of [...names.imports, ...names.exports].filter(generated)) {
    if (!map.has(n)) map.set(n, `_${map.size.toString(36)}`);
  }
  for (const n of names.imports.filter(generated)) {
    if (!jsTokens.has(n)) throw new Error(`the JS does not provide the import ${n}`);
  }
  for (const short of map.values()) {
    if (jsTokens.has(short)) throw new Error(`the JS already uses the name ${short}`);
  }
  return map;
}

const TOKEN = /[A-Za-z0-9_$]+/g;

export function renameTokens(js, map) {
  return js.replace(TOKEN, (t) => map.get(t) ?? t);
}

/// The module with its functions laid out in gzip-friendly order (and no name section).
export function reorderFunctions(bytes) {
  const sections = wasm.parse(bytes).filter((s) => wasm.customName(s) !== 'name');
  const bodies = wasm.functionBodies(sections);
  const first = wasm.importedFunctionCount(sections);
  const rank = new Array(bodies.length);
  gzipFriendlyOrder(bodies).forEach((f, r) => (rank[f] = r));
  // binaryen sorts by name: name each function by its rank, zero-padded so text order is rank order.
  const width = String(bodies.length).length;
  const names = new Map(rank.map((r, f) => [first + f, `f${String(r).padStart(width, '0')}`]));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shrink-'));
  try {
    const input = path.join(dir, 'in.wasm');
    const output = path.join(dir, 'out.wasm');
    fs.writeFileSync(input, wasm.encode([...sections, wasm.nameSection(names)]));
    // Features come from the module's target_features section, read before it is stripped.
    execFileSync(WASM_OPT, [input, '--reorder-functions-by-name', '--strip-debug', '--strip-producers', '--strip-target-features', '-o', output], { stdio: 'inherit' });
    return fs.readFileSync(output);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function main(dir) {
  const files = fs.readdirSync(dir);
  const wasmFiles = files.filter((f) => f.endsWith('_bg.wasm'));
  const jsFiles = files.filter((f) => f.endsWith('.js'));
  if (wasmFiles.length !== 1 || jsFiles.length !== 1) {
    throw new Error(`expected one wasm and one JS file in ${dir}, found ${[...wasmFiles, ...jsFiles].join(', ')}`);
  }
  const wasmFile = path.join(dir, wasmFiles[0]);
  const jsFile = path.join(dir, jsFiles[0]);
  const wasmIn = fs.readFileSync(wasmFile);
  const jsIn = fs.readFileSync(jsFile, 'utf8');

  const sections = wasm.parse(wasmIn);
  const map = shortNames(wasm.interfaceNames(sections), new Set(jsIn.match(TOKEN)));
  const renamed = wasm.encode(wasm.renameInterface(sections, (n) => map.get(n) ?? n));
  const wasmOut = reorderFunctions(renamed);
  const jsOut = (await minify(renameTokens(jsIn, map), { module: true, compress: true, mangle: true })).code;

  fs.writeFileSync(wasmFile, wasmOut);
  fs.writeFileSync(jsFile, jsOut);
  console.log(`shrink: wasm ${kb(gz(wasmIn))} -> ${kb(gz(wasmOut))} gzip, JS ${kb(gz(Buffer.from(jsIn)))} -> ${kb(gz(Buffer.from(jsOut)))} gzip (${map.size} names shortened)`);
}

const dir = process.env.TRUNK_STAGING_DIR;
if (process.argv[1] === fileURLToPath(import.meta.url) && process.env.TRUNK_PROFILE === 'release' && dir) {
  await main(dir);
}
