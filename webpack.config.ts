// The frontend build: create-plugin's configuration (.config/webpack), adapted to plugin.json at the repository
// root. create-plugin finds the entry and copies the manifest by looking for src/plugin.json; here the entry is
// src/module.ts and the root plugin.json is copied into dist/. The catalog screenshots are the editor
// screenshots of docs/img (taken by the browser tests), copied to the paths plugin.json names.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'node:path';
import type { Configuration } from 'webpack';

import { copyFilePatterns } from './.config/bundler/copyFiles.ts';
import { getPluginJson } from './.config/bundler/utils.ts';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const screenshots: string[] = (getPluginJson().info?.screenshots ?? []).map((s: { path: string }) => s.path);

function patterns() {
  return copyFilePatterns.map((p) => {
    if (p.from === 'plugin.json') {
      return { ...p, from: '../plugin.json' };
    }
    if (screenshots.includes(p.from)) {
      return { ...p, from: path.join('..', 'docs', 'img', path.basename(p.from)) };
    }
    return p;
  });
}

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    entry: { module: './module.ts' },
    plugins: (base.plugins ?? []).map((p) =>
      p instanceof CopyWebpackPlugin ? new CopyWebpackPlugin({ patterns: patterns() }) : p
    ),
  };
};

export default config;
