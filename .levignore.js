// Exports whose changes @grafana/levitate reports although the plugin's use of them works in every Grafana that
// plugin.json accepts (tests/compat).
module.exports = {
  removals: [],
  // `config` (GrafanaBootConfig) gains members in every release, and levitate reports the whole object as changed,
  // with no difference to show. The plugin reads only config.secureSocksDSProxyEnabled, which Grafana 12.3 has.
  changes: ['config'],
  additions: [],
};
