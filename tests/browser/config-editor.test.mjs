// Browser test of the config editor: the REAL ConfigEditor with the real @grafana/ui, bundled by esbuild,
// served on 127.0.0.1 by this test and driven by playwright-core in Debian's Chromium.
// Run: npm run test:browser   (node's built-in test runner; installs chromium with apt-get if missing)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { BUILD_DIR, buildPage } from './build-page.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const SCREENSHOT = path.join(repoRoot, 'docs', 'img', 'config-editor.png');
const CHROMIUM = '/usr/bin/chromium';

const SECRET = 'browser-test-secret-4b9d';
const SERVICE_KEY = JSON.stringify(
  {
    oauth: {
      clientid: 'sb-7f3e9a1c-5d2b-4e8a-9c6f-0b1d2e3f4a5b!b412345|it!b56789',
      clientsecret: SECRET,
      url: 'https://acme-prd.it-cpi018.cfapps.eu10-003.hana.ondemand.com/api/v1',
      tokenurl: 'https://acme-prd.authentication.eu10.hana.ondemand.com/oauth/token',
      createdate: '2026-11-20T09:14:03.512Z',
    },
  },
  null,
  2
);

// Grafana's UI font. Grafana serves it as public/fonts/inter/*.woff2; Debian's fonts-inter ships the same
// family as OpenType, which Chromium accepts under that URL (it sniffs the font format).
const INTER_DIR = '/usr/share/fonts/opentype/inter';

/**
 * Debian's chromium (and the Inter font); installed here when missing: CI machines start fresh, and we run
 * as root.
 */
function ensureBrowser() {
  const missing = [];
  if (!existsSync(CHROMIUM)) {
    missing.push('chromium');
  }
  if (!existsSync(path.join(INTER_DIR, 'Inter-Regular.otf'))) {
    missing.push('fonts-inter');
  }
  if (missing.length === 0) {
    return;
  }
  console.error(`installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const stdio = ['ignore', 'inherit', 'inherit'];
  execFileSync('apt-get', ['update'], { stdio, env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio, env });
  assert.ok(existsSync(CHROMIUM), `apt-get installed chromium, but ${CHROMIUM} does not exist`);
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
const ICONS_DIR = path.join(repoRoot, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img');
const FONT_PATH = /^\/public\/fonts\/inter\/(Inter-[A-Za-z]+)\.woff2$/;

/** Maps a URL path to a file: the built page, @grafana/ui's icons, or the Inter font. */
function resolveFile(root, urlPath) {
  const font = FONT_PATH.exec(urlPath);
  if (font) {
    return [INTER_DIR, `${font[1]}.otf`];
  }
  if (urlPath.startsWith(ICONS_PREFIX)) {
    return [ICONS_DIR, urlPath.slice(ICONS_PREFIX.length)];
  }
  return [root, urlPath === '/' ? 'index.html' : urlPath];
}

/** A static file server for the page and what @grafana/ui fetches, on 127.0.0.1 and a free port. */
async function serve(root) {
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
  return server;
}

describe('config editor in Chromium', { timeout: 600_000 }, () => {
  let server;
  let browser;
  let baseUrl;
  let userDataDir;
  const pageErrors = [];
  const failedRequests = [];

  before(async () => {
    ensureBrowser();
    await buildPage();
    server = await serve(BUILD_DIR);
    baseUrl = `http://127.0.0.1:${server.address().port}/`;
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'sapcpi-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1100, height: 900 },
      deviceScaleFactor: 1,
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
    if (userDataDir) {
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });

  async function openEditor() {
    const page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (r) => {
      if (r.status() >= 400) {
        failedRequests.push(`${r.status()} ${r.url()}`);
      }
    });
    page.on('requestfailed', (r) => failedRequests.push(`${r.failure()?.errorText} ${r.url()}`));
    await page.goto(baseUrl);
    await page.getByTestId('sapcpi-config-editor').waitFor();
    return page;
  }

  it('fills the settings from a pasted service key and keeps the secret write-only', async () => {
    const page = await openEditor();
    await page.getByTestId('config-service-key').fill(SERVICE_KEY);
    await page.getByRole('button', { name: 'Fill from service key' }).click();

    const success = page.getByTestId('config-service-key-success');
    await success.waitFor();
    assert.match(await success.innerText(), /Client ID: sb-7f3e9a1c/);

    assert.equal(
      await page.getByTestId('config-api-url').inputValue(),
      'https://acme-prd.it-cpi018.cfapps.eu10-003.hana.ondemand.com'
    );
    assert.equal(
      await page.getByTestId('config-token-url').inputValue(),
      'https://acme-prd.authentication.eu10.hana.ondemand.com/oauth/token'
    );
    assert.equal(
      await page.getByTestId('config-client-id').inputValue(),
      'sb-7f3e9a1c-5d2b-4e8a-9c6f-0b1d2e3f4a5b!b412345|it!b56789'
    );
    // The secret shows as configured (disabled field + Reset), never as text.
    const secret = page.getByTestId('secret-clientSecret');
    assert.equal(await secret.locator('input').inputValue(), 'configured');
    assert.equal(await secret.locator('input').isDisabled(), true);
    assert.equal(await secret.getByRole('button', { name: 'Reset' }).isVisible(), true);
    assert.equal(await page.getByTestId('config-service-key').inputValue(), '', 'the raw key is not kept');
    assert.ok(!(await page.locator('body').innerText()).includes(SECRET), 'the secret is not shown anywhere');

    // What Grafana would save: the secret only in secureJsonData.
    const saved = await page.evaluate(() => window.sapcpiOptions);
    assert.equal(saved.secureJsonData.clientSecret, SECRET);
    assert.equal(saved.jsonData.authType, 'oauth2ClientCredentials');
    assert.ok(!JSON.stringify(saved.jsonData).includes(SECRET), 'no secret in jsonData');

    await page.getByTestId('config-tenant-label').fill('PRD EU');

    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.evaluate(() =>
      document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined
    );
    // Icons are fetched lazily; let them arrive so the picture shows them.
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok((await stat(SCREENSHOT)).size > 20_000, 'the screenshot has content');
    await page.close();
  });

  it('explains why a plan integration-flow key cannot be used', async () => {
    const page = await openEditor();
    await page.getByTestId('config-service-key').fill(SERVICE_KEY.replace('it-cpi018.cfapps', 'it-cpi018-rt.cfapps'));
    await page.getByRole('button', { name: 'Fill from service key' }).click();
    const error = page.getByTestId('config-service-key-error');
    await error.waitFor();
    const text = await error.innerText();
    assert.match(text, /plan integration-flow/);
    assert.match(text, /plan api/);
    assert.ok(!text.includes(SECRET));
    assert.equal(await page.getByTestId('config-api-url').inputValue(), '', 'nothing was filled');
    await page.close();
  });

  it('warns when TLS verification is skipped', async () => {
    const page = await openEditor();
    assert.equal(await page.getByTestId('config-tls-skip-verify-warning').count(), 0);
    await page.getByLabel(/Skip TLS verification/).check({ force: true });
    await page.getByTestId('config-tls-skip-verify-warning').waitFor();
    await page.close();
  });

  it('raised no page errors and loaded every resource', () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(failedRequests, []);
  });
});
