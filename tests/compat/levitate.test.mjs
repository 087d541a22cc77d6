// The @grafana/* APIs the frontend uses exist, with compatible types, in the oldest Grafana plugin.json accepts
// (dependencies.grafanaDependency) and in the newest published packages. Grafana provides @grafana/data, ui and
// runtime to plugins at run time (webpack externals), so those are the ones checked. levitate downloads the
// target versions from the npm registry.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'plugin.json'), 'utf8'));
const floor = /^>=\s*(\d+\.\d+\.\d+)$/.exec(manifest.dependencies.grafanaDependency)?.[1];
const levitate = path.join(root, 'node_modules', '@grafana', 'levitate', 'dist', 'bin.js');
const PACKAGES = ['@grafana/data', '@grafana/ui', '@grafana/runtime'];

/**
 * Runs levitate in the repository root; resolves its exit status and its output (stdout and stderr). levitate
 * unpacks the packages it compares into $TMPDIR/<package>@<version>: each run gets a TMPDIR of its own, so runs
 * (here or in another checkout) never share or delete each other's packages.
 */
function run(args) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sapcpi-levitate-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [levitate, ...args], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', TMPDIR: tmp },
    });
    let output = '';
    child.stdout.on('data', (b) => (output += b));
    child.stderr.on('data', (b) => (output += b));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  }).finally(() => rmSync(tmp, { recursive: true, force: true }));
}

// Two comparisons at a time: each spends most of its time waiting for the registry or compiling on one core.
describe('@grafana/levitate is-compatible', { timeout: 1_800_000, concurrency: 2 }, () => {
  it('reads the oldest supported Grafana from plugin.json', () => {
    assert.ok(floor, `grafanaDependency ${manifest.dependencies.grafanaDependency} is ">=x.y.z"`);
  });

  for (const version of [floor, 'latest']) {
    for (const pkg of PACKAGES) {
      it(`src/module.ts with ${pkg}@${version}`, async () => {
        const target = `${pkg}@${version}`;
        const { status, output } = await run(['is-compatible', '--path', 'src/module.ts', '--target', target]);
        // One package per run, and the verdict line is required, not only the status: levitate ends with status 0
        // and no verdict when a comparison dies quietly.
        assert.equal(status, 0, `levitate failed for ${target}:\n${output}`);
        assert.match(output, new RegExp(`appears to be compatible with ${target.replace(/[.@/]/g, '\\$&')}`), output);
      });
    }
  }
});
