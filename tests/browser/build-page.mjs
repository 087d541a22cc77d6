// Bundles tests/browser/page (the real ConfigEditor + @grafana/ui) into tests/browser/.build with esbuild.
import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BUILD_DIR = path.join(here, '.build');

const HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>SAP Cloud Integration – data source settings</title>
    <link rel="stylesheet" href="page.css" onerror="this.remove()" />
  </head>
  <body>
    <div id="root"></div>
    <script src="page.js"></script>
  </body>
</html>
`;

export async function buildPage() {
  await rm(BUILD_DIR, { recursive: true, force: true });
  await mkdir(BUILD_DIR, { recursive: true });
  const result = await build({
    entryPoints: { page: path.join(here, 'page', 'index.tsx') },
    outdir: BUILD_DIR,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: { '.svg': 'file', '.png': 'file', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file' },
    assetNames: 'assets/[name]-[hash]',
    metafile: true,
  });
  await writeFile(path.join(BUILD_DIR, 'index.html'), HTML);
  return result;
}

// Allow `node tests/browser/build-page.mjs` for looking at the page by hand.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildPage();
  console.log(`built ${BUILD_DIR}`);
}
