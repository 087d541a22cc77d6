package simulator

import (
	"fmt"
	"sort"
	"strings"
)

// Hostile cases make the simulated tenant send what a real or broken tenant may send and the normal
// simulation never does, so the plugin can be tested against it through the real binary. Each case is
// named; Config.Hostile lists the cases that are on ("all" turns every case on). A case is registered
// with its description in hostileCases by the file that implements it.
var hostileCases = map[string]string{}

// registerHostile adds a case; the files that implement cases call it from init.
func registerHostile(name, description string) {
	if _, dup := hostileCases[name]; dup {
		panic("simulator: hostile case registered twice: " + name)
	}
	hostileCases[name] = description
}

// HostileCases lists the names and descriptions of every hostile case, sorted by name.
func HostileCases() [][2]string {
	out := make([][2]string, 0, len(hostileCases))
	for name, desc := range hostileCases {
		out = append(out, [2]string{name, desc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// ParseHostile validates a comma-separated list of hostile case names ("all" for every case).
func ParseHostile(spec string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(spec, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if _, ok := hostileCases[name]; !ok && name != "all" {
			return nil, fmt.Errorf("unknown hostile case %q (see -help)", name)
		}
		out = append(out, name)
	}
	return out, nil
}

// hostile reports whether the named case is on.
func (t *Tenant) hostile(name string) bool {
	for _, on := range t.cfg.Hostile {
		if on == name || on == "all" {
			return true
		}
	}
	return false
}
