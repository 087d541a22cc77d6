// Package sapfixtures holds the real and SAP-published payloads that the tests check the parsers and the
// simulated tenant against (testdata/, sources in testdata/SOURCES.md and testdata/SOURCES-calm.md).
package sapfixtures

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// Dir returns the fixture folder.
func Dir(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return mustExist(t, filepath.Join(filepath.Dir(file), "testdata"))
}

// JSONFiles lists the fixture JSON files whose names start with one of the prefixes.
func JSONFiles(t testing.TB, prefixes ...string) []string {
	t.Helper()
	dir := Dir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading SAP fixtures: %v", err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				out = append(out, filepath.Join(dir, name))
				break
			}
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("no SAP fixtures with prefixes %v in %s", prefixes, dir)
	}
	return out
}

// Read returns one fixture's bytes.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), name))
	if err != nil {
		t.Fatalf("reading SAP fixture: %v", err)
	}
	return b
}

func mustExist(t testing.TB, dir string) string {
	t.Helper()
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("SAP fixtures not found at %s", dir)
	}
	return dir
}
