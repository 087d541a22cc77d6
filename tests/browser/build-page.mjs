// Bundles tests/browser/page (the real editors + @grafana/ui) with esbuild into a directory: the tests use a
// per-process temporary one (tests/browser/lib.mjs), `node tests/browser/build-page.mjs` uses tests/browser/.build
// for looking at the page by hand.
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
    <link rel="icon" href="data:," />
    <title>SAP Cloud Integration – editor test page</title>
    <link rel="stylesheet" href="page.css" onerror="this.remove()" />
  </head>
  <body>
    <div id="root"></div>
    <!-- Grafana's index page sets its boot data before any plugin code runs; @grafana/runtime's config reads it. -->
    <script>
      window.grafanaBootData = { assets: { dark: '', light: '' }, settings: {}, user: {}, navTree: [] };
    </script>
    <script src="page.js"></script>
  </body>
</html>
`;

/** Builds the page into outDir (emptied first: pass a directory this process owns). */
export async function buildPage(outDir = BUILD_DIR) {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { page: path.join(here, 'page', 'index.tsx') },
    outdir: outDir,
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
  await writeFile(path.join(outDir, 'index.html'), HTML);
  return result;
}

// Allow `node tests/browser/build-page.mjs` for looking at the page by hand.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildPage();
  console.log(`built ${BUILD_DIR}`);
}
