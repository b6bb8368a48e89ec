// Writes dist/source.sha256: one SHA-256 over every file the build reads
// (src/, index.html, the configs and the lockfile), by path and content.
// Vite's output does not change for an edit that only touches types, so
// without the stamp a dist/ built before such an edit looks current; with
// it, any change to the sources changes dist/, and `make test` (which
// compares a fresh build with the committed one) asks for a rebuild.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const inputs = ['src', 'index.html', 'package.json', 'package-lock.json', 'svelte.config.js', 'tsconfig.json', 'vite.config.ts'];

function files(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => files(join(path, name)));
}

const hash = createHash('sha256');
for (const path of inputs.flatMap((p) => files(join(root, p))).map((p) => relative(root, p)).sort()) {
  // The path and the length first, so two files cannot run into each other.
  const body = readFileSync(join(root, path));
  hash.update(`${path}\0${body.length}\0`);
  hash.update(body);
}
writeFileSync(join(root, 'dist', 'source.sha256'), hash.digest('hex') + '\n');
