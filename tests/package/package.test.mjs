// Checks the installable zip built from the real dist/ (run after `npm run build`): one folder named after the
// plugin id, the frontend, the manifest with its version filled in, the dashboards it lists, and executable
// backend binaries for the platforms the README promises.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'plugin.json'), 'utf8'));
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('npm run package', () => {
  it('packs dist/ as Grafana installs it', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'sapcpi-package-'));
    try {
      const zip = execFileSync('bash', [path.join(root, 'scripts', 'package.sh'), out], { encoding: 'utf8' }).trim();
      assert.equal(path.basename(zip), `${manifest.id}-${version}.zip`);

      // zipinfo lines: "-rwxr-xr-x  3.0 unx  28209314 bx defN 26-Nov-21 05:54 seed-sapcpi-datasource/gpx_…"
      const listing = execFileSync('zipinfo', [zip], { encoding: 'utf8' }).split('\n');
      const entries = new Map();
      for (const line of listing) {
        const m = /^([-d][rwx-]{9})\s.*\s(\S+)$/.exec(line);
        if (m) {
          entries.set(m[2], m[1]);
        }
      }
      const names = [...entries.keys()];
      assert.ok(
        names.every((n) => n.startsWith(`${manifest.id}/`)),
        `every entry is under ${manifest.id}/`
      );
      for (const file of ['module.js', 'plugin.json', 'img/logo.svg', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
        assert.ok(entries.has(`${manifest.id}/${file}`), `${file} is in the zip`);
      }
      for (const include of manifest.includes) {
        assert.ok(
          entries.has(`${manifest.id}/${include.path}`),
          `${include.path} (plugin.json includes) is in the zip`
        );
      }
      for (const arch of ['amd64', 'arm64']) {
        const mode = entries.get(`${manifest.id}/${manifest.executable}_linux_${arch}`);
        assert.ok(mode, `the linux/${arch} binary is in the zip`);
        assert.match(mode, /^-rwx/, `the linux/${arch} binary is executable`);
      }
      assert.ok(!names.some((n) => n.endsWith('go_plugin_build_manifest')), 'no build manifest');

      const packed = JSON.parse(execFileSync('unzip', ['-p', zip, `${manifest.id}/plugin.json`], { encoding: 'utf8' }));
      assert.equal(packed.info.version, version, 'plugin.json carries the package version');
      assert.doesNotMatch(packed.info.updated, /%/, 'the build date is filled in');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
