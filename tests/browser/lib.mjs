// Shared helpers of the browser tests: the REAL editors with the real @grafana/ui, bundled by esbuild
// (build-page.mjs), served on 127.0.0.1 and driven by playwright-core in Chromium (see ensureBrowser).
// Every test file is its own process under `node --test` (files may run in parallel): each builds the page once
// into its own temporary directory and serves it on its own port. See README.md for writing a test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { buildPage as buildPageInto } from './build-page.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
/** Where the screenshots of the docs live: docs/img/<name>. */
export const IMG_DIR = path.join(REPO_ROOT, 'docs', 'img');
// Grafana's UI font. Grafana serves it as public/fonts/inter/*.woff2; Debian's fonts-inter ships the same
// family as OpenType, which Chromium accepts under that URL (it sniffs the font format). INTER_FONT_DIR names
// another directory holding Inter-Regular.otf and its siblings.
const INTER_DIR = process.env.INTER_FONT_DIR || '/usr/share/fonts/opentype/inter';

// Names a Chromium or Chrome executable goes by on the PATH.
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

const HOW_TO_GET_CHROMIUM =
  'Set CHROMIUM_PATH to a Chromium or Chrome executable (macOS: "/Applications/Google Chrome.app/Contents/MacOS/' +
  'Google Chrome"; Windows: the path of chrome.exe; or `npx playwright install chromium` and the path it prints), ' +
  'or put one of ' +
  CHROMIUM_NAMES.join(', ') +
  ' on the PATH. On Debian or Ubuntu the tests install chromium with apt-get.';

/** The first executable called `name` on the PATH, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && existsSync(file) && statSync(file).isFile()) {
      return file;
    }
  }
  return undefined;
}

/** The Chromium the tests drive: $CHROMIUM_PATH, else the first of CHROMIUM_NAMES on the PATH. */
export function findChromium() {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    assert.ok(existsSync(configured), `CHROMIUM_PATH=${configured} does not exist. ${HOW_TO_GET_CHROMIUM}`);
    return configured;
  }
  return CHROMIUM_NAMES.map(onPath).find(Boolean);
}

let chromiumPath;

/**
 * Finds Chromium and the Inter font; on Debian or Ubuntu (apt-get on the PATH) installs what is missing, since CI
 * machines start fresh and run as root. Elsewhere it says how to get them. Returns the Chromium executable.
 */
export function ensureBrowser() {
  chromiumPath ??= findChromium();
  const fontMissing = !existsSync(path.join(INTER_DIR, 'Inter-Regular.otf'));
  if (chromiumPath && !fontMissing) {
    return chromiumPath;
  }
  if (!onPath('apt-get')) {
    assert.ok(chromiumPath, `No Chromium found. ${HOW_TO_GET_CHROMIUM}`);
    assert.fail(
      `The Inter font (Inter-Regular.otf) is not in ${INTER_DIR}: install Inter's OpenType files and set ` +
        'INTER_FONT_DIR to their directory (Debian/Ubuntu: apt-get install fonts-inter).'
    );
  }
  const missing = [...(chromiumPath ? [] : ['chromium']), ...(fontMissing ? ['fonts-inter'] : [])];
  console.error(`installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const stdio = ['ignore', 'inherit', 'inherit'];
  execFileSync('apt-get', ['update'], { stdio, env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio, env });
  chromiumPath ??= findChromium();
  assert.ok(chromiumPath, `apt-get installed chromium, but none of ${CHROMIUM_NAMES.join(', ')} is on the PATH`);
  return chromiumPath;
}

// Removed when the process exits: the directories belong to this process only.
const ownedDirs = [];
process.once('exit', () => {
  for (const dir of ownedDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function ownedTempDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  ownedDirs.push(dir);
  return dir;
}

let built;

/**
 * Builds the test page once per process into a temporary directory of this process (parallel test files never
 * share or delete each other's build) and returns that directory.
 */
export function buildPage() {
  built ??= (async () => {
    const dir = ownedTempDir('sapcpi-page-');
    await buildPageInto(dir);
    return dir;
  })();
  return built;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
};

// @grafana/ui loads its icons from <page>/public/build/img/icons/… (as inside Grafana); the package ships them.
const ICONS_PREFIX = '/public/build/img/';
const ICONS_DIR = path.join(REPO_ROOT, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img');
const FONT_PATH = /^\/public\/fonts\/inter\/(Inter-[A-Za-z]+)\.woff2$/;
// Icons Grafana itself serves but @grafana/ui does not ship (the Combobox shows `spinner` while it loads options).
const GRAFANA_ICONS = {
  '/public/build/img/icons/unicons/spinner.svg': [path.join(here, 'page', 'icons'), 'spinner.svg'],
};

/** Maps a URL path to a file: the built page, @grafana/ui's icons, or the Inter font. */
function resolveFile(root, urlPath) {
  const font = FONT_PATH.exec(urlPath);
  if (font) {
    return [INTER_DIR, `${font[1]}.otf`];
  }
  if (Object.hasOwn(GRAFANA_ICONS, urlPath)) {
    return GRAFANA_ICONS[urlPath];
  }
  if (urlPath.startsWith(ICONS_PREFIX)) {
    return [ICONS_DIR, urlPath.slice(ICONS_PREFIX.length)];
  }
  return [root, urlPath === '/' ? 'index.html' : urlPath];
}

/**
 * A static file server for the page and what @grafana/ui fetches, on 127.0.0.1 and a free port.
 * @returns {Promise<{server: import('node:http').Server, url: string, close: () => Promise<void>}>}
 */
export async function serve(root) {
  const server = createServer(async (req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const [dir, rel] = resolveFile(root, urlPath);
    const file = path.join(dir, rel);
    // Never serve anything outside those directories.
    if (!file.startsWith(dir + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) {
        throw new Error('not a file');
      }
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Everything a test file needs: installs the browser if missing, builds and serves the page, starts Chromium.
 * Pages from newPage() resolve relative URLs against the page server and record their errors: uncaught
 * exceptions in pageErrors, console.error output in consoleErrors (e.g. a getResource without canned answer),
 * HTTP >= 400 and failed requests in failedRequests: call assertNoErrors() in the last test.
 * @param {{viewport?: {width: number, height: number}}} [options]
 */
export async function launch({ viewport = { width: 1100, height: 900 } } = {}) {
  const executablePath = ensureBrowser();
  const root = await buildPage();
  const site = await serve(root);
  const userDataDir = ownedTempDir('sapcpi-chromium-');
  let browser;
  try {
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      deviceScaleFactor: 1,
      baseURL: site.url,
    });
  } catch (err) {
    await site.close();
    throw err;
  }
  const pageErrors = [];
  const failedRequests = [];
  const consoleErrors = [];
  return {
    browser,
    baseUrl: site.url,
    pageErrors,
    failedRequests,
    consoleErrors,
    /** Asserts that no page raised an error, logged one (e.g. a getResource without canned answer) or missed a file. */
    assertNoErrors() {
      assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
      assert.deepEqual(consoleErrors, [], 'errors logged by the page');
      assert.deepEqual(failedRequests, [], 'failed requests');
    },
    /** A new tab whose errors and failed requests are recorded. */
    async newPage() {
      const page = await browser.newPage();
      page.on('pageerror', (err) => pageErrors.push(err.message));
      page.on('console', (m) => {
        // A failed load is already in failedRequests, with its URL.
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
          consoleErrors.push(m.text().split('\n')[0]);
        }
      });
      page.on('response', (r) => {
        if (r.status() >= 400) {
          failedRequests.push(`${r.status()} ${r.url()}`);
        }
      });
      page.on('requestfailed', (r) => failedRequests.push(`${r.failure()?.errorText} ${r.url()}`));
      return page;
    },
    async close() {
      await browser.close();
      await site.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A describe() whose tests share one launch(), closed after them. `define` declares the tests with `it` and gets
 * the session: newPage() in each test, assertNoErrors() in the last.
 * @param {string} name
 * @param {{timeout?: number} | ((session: {newPage: () => Promise<import('playwright-core').Page>, assertNoErrors: () => void}) => void)} options
 * @param {(session: {newPage: () => Promise<import('playwright-core').Page>, assertNoErrors: () => void}) => void} [define]
 */
export function describeInChromium(name, options, define) {
  if (typeof options === 'function') {
    [options, define] = [{}, options];
  }
  describe(name, { timeout: 300_000, ...options }, () => {
    let session;

    before(async () => {
      session = await launch();
    });

    after(async () => {
      await session?.close();
    });

    define({ newPage: () => session.newPage(), assertNoErrors: () => session.assertNoErrors() });
  });
}

/** Opens the data source settings page (`?view=config`) and waits for the editor. */
export async function mountConfigEditor(page) {
  await page.goto('/?view=config');
  await page.getByTestId('sapcpi-config-editor').waitFor();
}

/**
 * Opens the REAL QueryEditor (`?view=query`) with `query` and waits for it.
 * resources: canned answers of datasource.getResource, path → JSON value, e.g.
 * `{'variables/iflows': [{text: 'Order to Cash', value: 'OrderToCash'}]}`; a key `path?a=1&b=x` (params sorted
 * by key) answers only those params and wins over the bare path. An unknown path rejects with a message naming it.
 * variables: dashboard template variables the template service lists, e.g. `[{name: 'iflow'}]`.
 * In the page: window.sapcpiQuery (last onChange), window.sapcpiResourceCalls ([{path, params}]),
 * window.sapcpiRunCount (onRunQuery calls). Returns the editor's locator (testid sapcpi-query-editor).
 */
export async function mountQueryEditor(page, { query, resources = {}, variables = [] }) {
  await page.addInitScript(
    ([r, v]) => {
      window.sapcpiResources = r;
      window.sapcpiVariables = v;
      window.sapcpiResourceCalls = [];
    },
    [resources, variables]
  );
  await page.goto(`/?view=query&query=${encodeURIComponent(JSON.stringify(query))}`);
  const editor = page.getByTestId('sapcpi-query-editor');
  await editor.waitFor();
  return editor;
}

/** The last query the editor reported through onChange (undefined before the first change). */
export function lastQuery(page) {
  return page.evaluate(() => window.sapcpiQuery);
}

/** The getResource calls the editor made so far: [{path, params}]. */
export function resourceCalls(page) {
  return page.evaluate(() => window.sapcpiResourceCalls);
}

/**
 * Saves a picture as docs/img/<name> once icons and fonts have arrived, with the focus removed so no focus
 * ring shows: of `locator` (default: the query editor), or of the whole page with `fullPage: true`. Fails when
 * the picture is suspiciously small (under minBytes).
 */
export async function screenshot(page, name, { locator, fullPage = false, minBytes = 5_000 } = {}) {
  const file = path.join(IMG_DIR, name);
  await mkdir(path.dirname(file), { recursive: true });
  await page.evaluate(() =>
    document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined
  );
  // Icons are fetched lazily; let them arrive so the picture shows them.
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => document.fonts.ready);
  if (fullPage) {
    await page.screenshot({ path: file, fullPage: true });
  } else {
    await (locator ?? page.getByTestId('sapcpi-query-editor')).screenshot({ path: file });
  }
  assert.ok((await stat(file)).size > minBytes, `the screenshot ${name} has content`);
  return file;
}
