// Trunk post-build hook: minifies the JS loader wasm-bindgen writes, in release builds only.
// Trunk's own JS minifier gives up on this file ("Failed to minify JS") and leaves it as
// written, 9.4 KB gzip; terser makes it 7.4 KB.
import { minify } from 'terser';
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE === 'release' && dir) {
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const file = path.join(dir, name);
    const out = await minify(fs.readFileSync(file, 'utf8'), { module: true, compress: true, mangle: true });
    fs.writeFileSync(file, out.code);
  }
}
