// Writes .gz and .br beside every compressible file of dist/, so Bureau
// serves precompressed bytes without compressing per request. zlib's
// output depends only on the input and the settings, so builds stay
// reproducible.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const compressible = /\.(js|css|html|svg|json|txt|map)$/;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      walk(path);
    } else if (compressible.test(name)) {
      const body = readFileSync(path);
      if (body.length < 512) continue;
      writeFileSync(path + '.gz', gzipSync(body, { level: 9 }));
      writeFileSync(path + '.br', brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      }));
    }
  }
}

walk(new URL('../dist', import.meta.url).pathname);
