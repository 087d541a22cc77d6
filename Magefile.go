//go:build mage

// Backend build: `go tool mage -v` builds the plugin binaries into dist/ with the SDK's build package.
package main

import (
	"github.com/grafana/grafana-plugin-sdk-go/build"
	"github.com/magefile/mage/mg"
)

func init() {
	// plugin.json lives at the repository root, not under src/.
	build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		cfg.PluginJSONPath = "."
		return cfg, nil
	})
}

// Default builds the Linux binaries Grafana's images run on: gpx_sapcpi_linux_amd64 and _arm64.
var Default = BuildLinux

// BuildLinux builds linux/amd64 and linux/arm64.
func BuildLinux() {
	b := build.Build{}
	mg.Deps(b.Linux, b.LinuxARM64)
}

// BuildAll builds every platform Grafana supports (linux, darwin, windows; amd64 and arm64).
func BuildAll() {
	build.BuildAll()
}
