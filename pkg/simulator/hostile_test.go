package simulator

import "testing"

func TestParseHostile(t *testing.T) {
	registerHostile("test-case", "a case registered by this test")
	t.Cleanup(func() { delete(hostileCases, "test-case") })

	if _, err := ParseHostile("test-case,nonsense"); err == nil {
		t.Fatal("an unknown case was accepted")
	}
	cases, err := ParseHostile(" test-case ,,")
	if err != nil || len(cases) != 1 || cases[0] != "test-case" {
		t.Fatalf("got %v, %v", cases, err)
	}
	on := New(Config{Hostile: cases})
	if !on.hostile("test-case") || on.hostile("other") {
		t.Fatal("hostile() does not follow Config.Hostile")
	}
	if all := New(Config{Hostile: []string{"all"}}); !all.hostile("test-case") {
		t.Fatal(`"all" does not turn every case on`)
	}
	if New(Config{}).hostile("test-case") {
		t.Fatal("a case is on by default")
	}
}
