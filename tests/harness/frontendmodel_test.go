package harness

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Readers of the query model as the frontend and the backend declare it, to check that dashboards and alert
// rules use only options that exist.

// goQueryModels reads pkg/models: for each query type (the QueryType constants) the JSON names of its model
// struct, found by the package's naming convention <QueryType>Query (case-insensitive: jms → JMSQuery),
// with the fields of embedded structs (shared filters) included.
func goQueryModels(t *testing.T) map[string]map[string]bool {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	paths, _ := filepath.Glob(filepath.Join(root, "pkg", "models", "*.go"))
	structs := map[string]*ast.StructType{}
	var queryTypes []string
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatalf("parsing %s: %v", p, err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if st, ok := s.Type.(*ast.StructType); ok {
						structs[s.Name.Name] = st
					}
				case *ast.ValueSpec:
					if id, ok := s.Type.(*ast.Ident); gd.Tok == token.CONST && ok && id.Name == "QueryType" {
						for _, v := range s.Values {
							if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
								q, _ := strconv.Unquote(lit.Value)
								queryTypes = append(queryTypes, q)
							}
						}
					}
				}
			}
		}
	}
	var fieldsOf func(st *ast.StructType, depth int) map[string]bool
	fieldsOf = func(st *ast.StructType, depth int) map[string]bool {
		out := map[string]bool{}
		for _, f := range st.Fields.List {
			name := ""
			if f.Tag != nil {
				tag, _ := strconv.Unquote(f.Tag.Value)
				name, _, _ = strings.Cut(reflect.StructTag(tag).Get("json"), ",")
			}
			if name == "-" {
				continue
			}
			if len(f.Names) == 0 && name == "" { // embedded struct: its fields are promoted
				if id, ok := f.Type.(*ast.Ident); ok && structs[id.Name] != nil && depth < 5 {
					for k := range fieldsOf(structs[id.Name], depth+1) {
						out[k] = true
					}
				}
				continue
			}
			if name == "" && len(f.Names) > 0 {
				name = f.Names[0].Name
			}
			out[name] = true
		}
		return out
	}
	out := map[string]map[string]bool{}
	for _, q := range queryTypes {
		for name, st := range structs {
			if strings.EqualFold(name, q+"Query") {
				out[q] = fieldsOf(st, 0)
			}
		}
	}
	return out
}

// frontendInterpolatedOptions reads the `interpolated` lists of src/queries/*.ts (string literals and spread
// constants such as ...LIST_FILTER_KEYS, resolved from any .ts file under src/): the options whose template
// variables the data source replaces before sending a query (src/datasource.ts applyTemplateVariables).
func frontendInterpolatedOptions(t *testing.T) map[string]bool {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	_ = filepath.WalkDir(filepath.Join(root, "src"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".ts") || strings.HasSuffix(p, ".tsx")) && !strings.Contains(p, ".test.") {
			b, err := os.ReadFile(p)
			if err == nil {
				sources = append(sources, string(b))
			}
		}
		return nil
	})
	literalRE := regexp.MustCompile(`'([^']*)'|"([^"]*)"`)
	literals := func(s string) []string {
		var out []string
		for _, m := range literalRE.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1]+m[2])
		}
		return out
	}
	constRE := regexp.MustCompile(`(?s)const\s+([A-Z][A-Z0-9_]*)\s*(?::[^=]+)?=\s*\[(.*?)\]`)
	consts := map[string][]string{}
	for _, s := range sources {
		for _, m := range constRE.FindAllStringSubmatch(s, -1) {
			consts[m[1]] = literals(m[2])
		}
	}
	out := map[string]bool{}
	listRE := regexp.MustCompile(`(?s)interpolated:\s*\[(.*?)\]`)
	spreadRE := regexp.MustCompile(`\.\.\.\s*([A-Za-z_][A-Za-z0-9_]*)`)
	queryFiles, _ := filepath.Glob(filepath.Join(root, "src", "queries", "*.ts"))
	for _, p := range queryFiles {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range listRE.FindAllStringSubmatch(string(b), -1) {
			for _, l := range literals(m[1]) {
				out[l] = true
			}
			for _, sp := range spreadRE.FindAllStringSubmatch(m[1], -1) {
				vals, ok := consts[sp[1]]
				if !ok {
					t.Fatalf("%s: interpolated spreads %s, which no `const %s = [...]` under src/ defines", filepath.Base(p), sp[1], sp[1])
				}
				for _, v := range vals {
					out[v] = true
				}
			}
		}
	}
	return out
}
