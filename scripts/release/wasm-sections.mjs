// Just enough of the WebAssembly binary format to rename imports and exports and to read function
// bodies: sections are split and re-joined, and only the import and export sections are rewritten.
// Everything else passes through byte for byte.

const MAGIC_AND_VERSION = 8;
export const SECTION = { custom: 0, import: 2, export: 7, code: 10 };

export function readUleb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

export function uleb(value) {
  const out = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return Uint8Array.from(out);
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function name(str) {
  const b = utf8.encode(str);
  return concat([uleb(b.length), b]);
}

function readName(bytes, at) {
  const [len, start] = readUleb(bytes, at);
  return [fromUtf8.decode(bytes.subarray(start, start + len)), start + len];
}

export function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/// The module's sections in order, each `{ id, body }`.
export function parse(bytes) {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < MAGIC_AND_VERSION || header.some((b, i) => bytes[i] !== b)) {
    throw new Error('not a WebAssembly module (version 1)');
  }
  const sections = [];
  let at = MAGIC_AND_VERSION;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = readUleb(bytes, at + 1);
    if (start + size > bytes.length) throw new Error(`section ${id} runs past the end of the module`);
    sections.push({ id, body: bytes.subarray(start, start + size) });
    at = start + size;
  }
  return sections;
}

export function encode(sections) {
  const parts = [Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00)];
  for (const { id, body } of sections) parts.push(Uint8Array.of(id), uleb(body.length), body);
  return concat(parts);
}

/// Splits an import section into entries `{ module, field, desc }`, `desc` being the raw bytes of
/// the import's kind and type, which renaming never touches.
function readImports(body) {
  const [count, first] = readUleb(body, 0);
  const imports = [];
  let at = first;
  for (let i = 0; i < count; i++) {
    let module, field;
    [module, at] = readName(body, at);
    [field, at] = readName(body, at);
    const start = at;
    const kind = body[at++];
    if (kind === 0) {
      [, at] = readUleb(body, at); // function: type index
    } else if (kind === 1 || kind === 2) {
      if (kind === 1) at++; // table: element type
      const flags = body[at++];
      [, at] = readUleb(body, at); // minimum
      if (flags & 1) [, at] = readUleb(body, at); // maximum
    } else if (kind === 3) {
      at += 2; // global: value type, mutability
    } else {
      throw new Error(`import ${module}.${field} has unknown kind ${kind}`);
    }
    imports.push({ module, field, desc: body.subarray(start, at) });
  }
  return imports;
}

function readExports(body) {
  const [count, first] = readUleb(body, 0);
  const exports = [];
  let at = first;
  for (let i = 0; i < count; i++) {
    let field;
    [field, at] = readName(body, at);
    const start = at;
    at++; // kind
    [, at] = readUleb(body, at); // index
    exports.push({ field, desc: body.subarray(start, at) });
  }
  return exports;
}

/// The names of the module's imports and exports.
export function interfaceNames(sections) {
  const out = { imports: [], exports: [] };
  for (const s of sections) {
    if (s.id === SECTION.import) out.imports = readImports(s.body).map((i) => i.field);
    if (s.id === SECTION.export) out.exports = readExports(s.body).map((e) => e.field);
  }
  return out;
}

/// Renames imported and exported fields by `rename(name)` (which returns the name to keep it).
export function renameInterface(sections, rename) {
  return sections.map(({ id, body }) => {
    if (id === SECTION.import) {
      const entries = readImports(body).map((i) => concat([name(i.module), name(rename(i.field)), i.desc]));
      return { id, body: concat([uleb(entries.length), ...entries]) };
    }
    if (id === SECTION.export) {
      const entries = readExports(body).map((e) => concat([name(rename(e.field)), e.desc]));
      return { id, body: concat([uleb(entries.length), ...entries]) };
    }
    return { id, body };
  });
}

/// How many functions the module imports: defined functions are numbered after them.
export function importedFunctionCount(sections) {
  const imports = sections.find((s) => s.id === SECTION.import);
  return imports ? readImports(imports.body).filter((i) => i.desc[0] === 0).length : 0;
}

/// The body of every defined function, in index order.
export function functionBodies(sections) {
  const code = sections.find((s) => s.id === SECTION.code);
  if (!code) return [];
  const [count, first] = readUleb(code.body, 0);
  const bodies = [];
  let at = first;
  for (let i = 0; i < count; i++) {
    const [size, start] = readUleb(code.body, at);
    bodies.push(code.body.subarray(start, start + size));
    at = start + size;
  }
  return bodies;
}

/// A `name` custom section that names function `index` `names.get(index)`; any earlier name
/// section should be dropped first (a module may have only one).
export function nameSection(names) {
  const entries = [...names].sort((a, b) => a[0] - b[0]).map(([index, n]) => concat([uleb(index), name(n)]));
  const functionNames = concat([uleb(entries.length), ...entries]);
  return { id: SECTION.custom, body: concat([name('name'), Uint8Array.of(1), uleb(functionNames.length), functionNames]) };
}

export function customName(section) {
  return section.id === SECTION.custom ? readName(section.body, 0)[0] : null;
}
