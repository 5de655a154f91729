// The release post-build step (scripts/release): renaming imports and exports and reordering
// functions must leave a module that loads and computes exactly what it did.
import test from 'node:test';
import assert from 'node:assert/strict';
import { gzipFriendlyOrder } from '../../scripts/release/order-functions.mjs';
import { renameTokens, reorderFunctions, shortNames } from '../../scripts/release/shrink.mjs';
import * as wasm from '../../scripts/release/wasm-sections.mjs';

const IMPORT = '__wbg_seven_0123456789abcdef';
const str = (s) => wasm.concat([wasm.uleb(s.length), new TextEncoder().encode(s)]);
const vec = (items) => wasm.concat([wasm.uleb(items.length), ...items]);
const section = (id, body) => ({ id, body });
const body = (...code) => Uint8Array.of(0x00, ...code); // no locals, then the code

/// A module that imports `seven`, and exports `memory`, `__wbindgen_start` (returns seven() + 1)
/// and `main` (returns 40 + 2 by calling a helper), with a little padding code so the functions
/// are worth reordering.
function module() {
  const padding = Array.from({ length: 40 }, (_, i) => [0x41, i, 0x1a]).flat(); // i32.const i; drop
  const bodies = [
    body(...padding, 0x10, 0x00, 0x41, 0x01, 0x6a, 0x0b), // 1: seven() + 1
    body(0x41, 0x28, 0x10, 0x03, 0x6a, 0x0b), // 2: 40 + f3()
    body(...padding, 0x41, 0x02, 0x0b), // 3: 2
  ].map((b) => wasm.concat([wasm.uleb(b.length), b]));
  return wasm.encode([
    section(1, vec([Uint8Array.of(0x60, 0x00, 0x01, 0x7f)])),
    section(2, vec([wasm.concat([str('./m.js'), str(IMPORT), Uint8Array.of(0x00, 0x00)])])),
    section(3, vec([Uint8Array.of(0), Uint8Array.of(0), Uint8Array.of(0)])),
    section(5, vec([Uint8Array.of(0x00, 0x01)])),
    section(7, vec([
      wasm.concat([str('memory'), Uint8Array.of(0x02, 0x00)]),
      wasm.concat([str('__wbindgen_start'), Uint8Array.of(0x00, 0x01)]),
      wasm.concat([str('main'), Uint8Array.of(0x00, 0x02)]),
    ])),
    section(10, vec(bodies)),
  ]);
}

const JS = `const imports = { './m.js': { ${IMPORT}: () => 7 } }; exports.__wbindgen_start();`;

async function run(bytes, importName) {
  const { instance } = await WebAssembly.instantiate(bytes, { './m.js': { [importName]: () => 7 } });
  return instance.exports;
}

test('sections survive a parse and re-encode byte for byte', () => {
  const bytes = module();
  assert.deepEqual(wasm.encode(wasm.parse(bytes)), bytes);
  assert.throws(() => wasm.parse(Uint8Array.of(1, 2, 3)), /not a WebAssembly module/);
});

test('imports and generated exports get short names in the module and in the JS', async () => {
  const sections = wasm.parse(module());
  const names = wasm.interfaceNames(sections);
  assert.deepEqual(names, { imports: [IMPORT], exports: ['memory', '__wbindgen_start', 'main'] });
  const map = shortNames(names, new Set(JS.match(/[A-Za-z0-9_$]+/g)));
  assert.deepEqual([...map], [[IMPORT, '_0'], ['__wbindgen_start', '_1']]);
  assert.equal(renameTokens(JS, map), "const imports = { './m.js': { _0: () => 7 } }; exports._1();");

  const renamed = wasm.encode(wasm.renameInterface(sections, (n) => map.get(n) ?? n));
  const exports = await run(renamed, '_0');
  assert.deepEqual(Object.keys(exports), ['memory', '_1', 'main']);
  assert.equal(exports._1(), 8);
  assert.equal(exports.main(), 42);
});

test('renaming refuses JS that does not provide an import, or already uses a short name', () => {
  const names = { imports: [IMPORT], exports: [] };
  assert.throws(() => shortNames(names, new Set(['other'])), /does not provide the import/);
  assert.throws(() => shortNames(names, new Set([IMPORT, '_0'])), /already uses the name _0/);
});

test('the gzip-friendly order is a permutation that puts look-alike functions together', () => {
  const noise = (seed) => {
    let x = seed;
    return Uint8Array.from({ length: 300 }, () => (x = (x * 1103515245 + 12345) % 2 ** 31) >> 23);
  };
  const a = noise(1);
  const b = noise(2);
  const aAgain = Uint8Array.from(a, (x, i) => (i === 150 ? x ^ 1 : x));
  const order = gzipFriendlyOrder([a, b, aAgain, noise(3)]);
  assert.deepEqual([...order].sort(), [0, 1, 2, 3]);
  assert.deepEqual(order.slice(0, 2), [0, 2]);
  assert.deepEqual(gzipFriendlyOrder([a, b, aAgain, noise(3)]), order);
});

test('reordering keeps the module working and drops its names', async () => {
  const before = module();
  const after = reorderFunctions(before);
  assert.ok(!wasm.parse(after).some((s) => wasm.customName(s) === 'name'));
  const exports = await run(after, IMPORT);
  assert.equal(exports.__wbindgen_start(), 8);
  assert.equal(exports.main(), 42);
  // The two padded functions were first and last; now they are neighbours, the short one last.
  const sizes = wasm.functionBodies(wasm.parse(after)).map((b) => b.length);
  assert.equal(Math.min(...sizes), sizes[2]);
});
