/*
 * Test page for the browser tests: mounts a REAL editor with the real @grafana/ui, themed the way Grafana
 * themes plugin pages. Not part of the plugin bundle (dist/); built by tests/browser/lib.mjs.
 *   ?view=config (default)                     the data source settings (config.tsx)
 *   ?view=query&query=<url-encoded JSON>       the query editor with canned resources (query.tsx)
 *   &theme=light                               light theme instead of dark
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme } from '@grafana/data';
import { GlobalStyles, ThemeContext } from '@grafana/ui';

import { ConfigView } from './config';
import { QueryView } from './query';

const search = new URLSearchParams(window.location.search);
const mode = search.get('theme') === 'light' ? 'light' : 'dark';
const theme = createTheme({ colors: { mode } });
const view = search.get('view') ?? 'config';

function Host() {
  if (view === 'query') {
    return (
      <main style={{ width: 1100, padding: theme.spacing(2) }}>
        <div
          style={{
            background: theme.colors.background.primary,
            border: `1px solid ${theme.colors.border.weak}`,
            borderRadius: theme.shape.radius.default,
          }}
        >
          <QueryView />
        </div>
      </main>
    );
  }
  return (
    <main data-testid="sapcpi-config-view" style={{ maxWidth: 960, padding: theme.spacing(3, 4) }}>
      <ConfigView />
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    {view === 'query' || view === 'config' ? (
      <Host />
    ) : (
      <p data-testid="sapcpi-unknown-view">unknown view {view}: use config or query</p>
    )}
  </ThemeContext.Provider>
);
