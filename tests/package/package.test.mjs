// Checks the installable zip built from the real dist/ (run after `npm run build`): one folder named after the
// plugin id, the frontend, the manifest with its version filled in, the dashboards it lists, executable backend
// binaries for the platforms the README promises, the Go build manifest, and the rules of Grafana's plugin
// validator that need no network (README links and images, screenshots, logos, file modes, SVGs, debug files).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'plugin.json'), 'utf8'));
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const REPOSITORY = 'https://github.com/seed/sapcpi-datasource';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Every *.go file under dir (paths relative to dir, with /), skipping node_modules and .git. */
function goFiles(dir, rel = '') {
  const out = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== '.git') {
      out.push(...goFiles(dir, child));
    } else if (entry.isFile() && entry.name.endsWith('.go')) {
      out.push(child);
    }
  }
  return out;
}

describe('npm run package', () => {
  let out;
  let zip;
  /** zip entry → mode string ("-rwxr-xr-x") */
  const entries = new Map();
  const read = (name) => execFileSync('unzip', ['-p', zip, `${manifest.id}/${name}`], { maxBuffer: 64 << 20 });

  before(() => {
    out = mkdtempSync(path.join(os.tmpdir(), 'sapcpi-package-'));
    zip = execFileSync('bash', [path.join(root, 'scripts', 'package.sh'), out], { encoding: 'utf8' }).trim();
    // zipinfo lines: "-rwxr-xr-x  3.0 unx  28209314 bx defN 26-Nov-21 05:54 seed-sapcpi-datasource/gpx_…"
    for (const line of execFileSync('zipinfo', [zip], { encoding: 'utf8' }).split('\n')) {
      const m = /^([-d][rwx-]{9})\s.*\s(\S+)$/.exec(line);
      if (m) {
        entries.set(m[2], m[1]);
      }
    }
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('packs dist/ as Grafana installs it', () => {
    assert.equal(path.basename(zip), `${manifest.id}-${version}.zip`);
    const names = [...entries.keys()];
    assert.ok(
      names.every((n) => n.startsWith(`${manifest.id}/`)),
      `every entry is under ${manifest.id}/`
    );
    assert.ok(!entries.has(`${manifest.id}/dist/`), 'no dist/ folder inside the plugin folder');
    for (const file of [
      'module.js',
      'module.js.map',
      'plugin.json',
      'img/logo.svg',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
    ]) {
      assert.ok(entries.has(`${manifest.id}/${file}`), `${file} is in the zip`);
    }
    for (const include of manifest.includes) {
      assert.ok(entries.has(`${manifest.id}/${include.path}`), `${include.path} (plugin.json includes) is in the zip`);
    }
    const packed = JSON.parse(read('plugin.json').toString('utf8'));
    assert.equal(packed.info.version, version, 'plugin.json carries the package version');
    assert.doesNotMatch(packed.info.updated, /%/, 'the build date is filled in');
    assert.ok(
      !names.some((n) => /(^|\/)(standalone|pid)\.txt$/.test(n)),
      'no standalone.txt / pid.txt of a debug backend'
    );
  });

  it('ships the backend binaries with mode 0755 and every other file with 0644', () => {
    for (const arch of ['amd64', 'arm64']) {
      assert.ok(
        entries.has(`${manifest.id}/${manifest.executable}_linux_${arch}`),
        `the linux/${arch} binary is in the zip`
      );
    }
    for (const [name, mode] of entries) {
      if (name.endsWith('/')) {
        assert.equal(mode, 'drwxr-xr-x', `${name} is a readable folder`);
      } else if (path.posix.basename(name).startsWith(manifest.executable)) {
        assert.equal(mode, '-rwxr-xr-x', `${name} is executable by everyone, writable by its owner only`);
      } else {
        assert.equal(mode, '-rw-r--r--', `${name} is readable, not executable`);
      }
    }
  });

  it('keeps the Go build manifest, which lists every Go source with its SHA-256', () => {
    assert.ok(entries.has(`${manifest.id}/go_plugin_build_manifest`), 'go_plugin_build_manifest is in the zip');
    const listed = new Map();
    for (const line of read('go_plugin_build_manifest').toString('utf8').split('\n').filter(Boolean)) {
      const [sha, file, ...rest] = line.split(':');
      assert.equal(rest.length, 0, `manifest line "${line}" is sha256:path`);
      listed.set(file, sha);
    }
    const sources = goFiles(root).sort();
    assert.deepEqual([...listed.keys()].sort(), sources, 'the manifest lists exactly the Go files of the sources');
    for (const file of sources) {
      const sha = createHash('sha256')
        .update(readFileSync(path.join(root, file)))
        .digest('hex');
      assert.equal(listed.get(file), sha, `${file}: the manifest has the hash of the file that was built`);
    }
  });

  it('has a README for the catalog: absolute links, alt text on every image, no developer jargon', () => {
    const readme = read('README.md').toString('utf8');
    assert.equal(readme, readFileSync(path.join(root, 'src', 'README.md'), 'utf8'), 'the README is src/README.md');
    assert.doesNotMatch(
      readme,
      /^# Grafana (Panel|Data Source|Data Source Backend) Plugin Template/,
      'not the template README'
    );
    for (const word of ['yarn', 'nodejs']) {
      assert.ok(!readme.includes(word), `the README does not say "${word}" (the validator calls it developer jargon)`);
    }
    const targets = [...readme.matchAll(/\[[^\]]*\]\(([^)\s]+)[^)]*\)/g)].map((m) => m[1]);
    assert.ok(targets.length > 20, 'the README links to the documentation');
    for (const target of targets) {
      assert.match(
        target,
        /^(https:\/\/|#|mailto:)/,
        `README link ${target} is absolute (the catalog cannot resolve relative ones)`
      );
    }
    const images = [...readme.matchAll(/!\[([^\]]*)\]\(([^)\s]+)/g)];
    assert.ok(images.length > 0, 'the README shows the editors');
    for (const [, alt, src] of images) {
      assert.ok(alt.trim().length > 0, `image ${src} has alt text`);
      assert.ok(src.startsWith(`${REPOSITORY}/raw/main/docs/img/`), `image ${src} is one of the repository's`);
      const file = path.join(root, 'docs', 'img', path.posix.basename(src));
      assert.ok(readFileSync(file).subarray(0, 8).equals(PNG_SIGNATURE), `${src} names a PNG of docs/img`);
    }
    for (const heading of ['Requirements', 'Getting started', 'Query types', 'Alerting', 'Troubleshooting']) {
      assert.match(readme, new RegExp(`^## ${heading}`, 'm'), `the README has a "${heading}" section`);
    }
  });

  it('names screenshots, logos and links the catalog can show', () => {
    const packed = JSON.parse(read('plugin.json').toString('utf8'));
    const { info } = packed;
    assert.ok(info.description.length > 0 && info.keywords.length > 0, 'description and keywords for the search');
    assert.match(info.author.url, /^https:\/\//, 'the author has a URL');
    for (const link of info.links) {
      assert.match(link.url, /^https:\/\//, `link ${link.name} is absolute`);
    }
    assert.ok(info.screenshots.length > 0, 'plugin.json lists screenshots');
    const paths = [info.logos.small, info.logos.large, ...info.screenshots.map((s) => s.path)];
    for (const screenshot of info.screenshots) {
      assert.ok(screenshot.name.trim().length > 0, `screenshot ${screenshot.path} has a name`);
      assert.ok(read(screenshot.path).subarray(0, 8).equals(PNG_SIGNATURE), `${screenshot.path} is a PNG in the zip`);
    }
    for (const p of paths) {
      assert.match(p, /^[^./][^:]*$/, `${p} is relative to plugin.json and starts with neither "." nor "/"`);
      assert.ok(entries.has(`${manifest.id}/${p}`), `${p} is in the zip`);
    }
  });

  it('ships SVGs without scripts or event handlers', () => {
    for (const name of [...entries.keys()].filter((n) => n.endsWith('.svg'))) {
      const svg = read(name.slice(manifest.id.length + 1)).toString('utf8');
      assert.doesNotMatch(svg, /<script|\son\w+\s*=|javascript:|<foreignObject/i, `${name} is a plain image`);
    }
  });
});

describe('npm run package without zip', () => {
  it('says that zip is missing and how to install it', () => {
    // A PATH with the commands the script needs before packing, and no zip.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'sapcpi-nozip-'));
    try {
      for (const cmd of ['dirname', 'realpath', 'node', 'ls']) {
        const found = execFileSync('bash', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
        symlinkSync(found, path.join(bin, cmd));
      }
      const bash = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();
      const res = spawnSync(bash, [path.join(root, 'scripts', 'package.sh'), bin], {
        encoding: 'utf8',
        env: { PATH: bin },
      });
      assert.notEqual(res.status, 0, 'the script fails');
      assert.match(res.stderr, /needs the 'zip' command/);
      assert.match(res.stderr, /apt-get install zip/);
      assert.deepEqual(
        readdirSync(bin).filter((f) => f.endsWith('.zip')),
        [],
        'no zip was written'
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
