package safe

import (
	"errors"
	"strings"
	"testing"
)

func TestCall(t *testing.T) {
	plain := errors.New("plain")
	tests := []struct {
		name      string
		fn        func() error
		wantPanic bool
		wantErr   error
	}{
		{"no error", func() error { return nil }, false, nil},
		{"error passes through", func() error { return plain }, false, plain},
		{"runtime error", func() error {
			var s []int
			_ = s[len(s)-1+1:][1] // index out of range
			return nil
		}, true, nil},
		{"panic with a value", func() error { panic("tenant said /Date()/") }, true, nil},
		{"nil pointer", func() error {
			var p *struct{ N int }
			return errors.New(string(rune(p.N)))
		}, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Call(tc.fn)
			if IsPanic(err) != tc.wantPanic {
				t.Fatalf("IsPanic(%v) = %v, want %v", err, IsPanic(err), tc.wantPanic)
			}
			if !tc.wantPanic && err != tc.wantErr {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantPanic {
				var pe *PanicError
				errors.As(err, &pe)
				if len(pe.Stack) == 0 || pe.Value == nil {
					t.Fatalf("no stack or value: %+v", pe)
				}
				// The panel text stays short and carries neither the stack nor the tenant's value.
				if len(err.Error()) > 200 || strings.Contains(err.Error(), "goroutine") || strings.Contains(err.Error(), "/Date") {
					t.Fatalf("panel text %q", err.Error())
				}
			}
		})
	}
}

func TestRecoverInAGoroutine(t *testing.T) {
	done := make(chan error)
	go func() {
		var err error
		defer func() { done <- err }()
		defer Recover(&err)
		panic("boom")
	}()
	if err := <-done; !IsPanic(err) {
		t.Fatalf("err = %v, want a recovered panic", err)
	}
}
