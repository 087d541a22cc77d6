// Package safe turns a panic into an error of the work it happened in, so that nothing a tenant sends can
// end the plugin process: every goroutine the plugin starts runs its work through Call (or defers
// Recover), and the query dispatcher does the same for each query. The panel gets a short message; the
// stack goes to the plugin log.
package safe

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// PanicError is a recovered panic.
type PanicError struct {
	Value any
	Stack []byte
}

// Error is the short text shown in the panel; the stack is only logged.
func (e *PanicError) Error() string {
	return "the plugin failed on an unexpected answer (an internal error; the Grafana server log has the details)"
}

// IsPanic reports whether err is (or wraps) a recovered panic.
func IsPanic(err error) bool {
	var pe *PanicError
	return errors.As(err, &pe)
}

// Recover turns a panic of the function that defers it (defer safe.Recover(&err)) into *errp and logs
// it with its stack.
func Recover(errp *error) {
	if v := recover(); v != nil {
		*errp = recovered(v)
	}
}

// Call runs fn and returns its error, or the panic it raised as a *PanicError.
func Call(fn func() error) (err error) {
	defer Recover(&err)
	return fn()
}

func recovered(v any) *PanicError {
	e := &PanicError{Value: v, Stack: debug.Stack()}
	log.DefaultLogger.Error("recovered from a panic", "panic", fmt.Sprint(v), "stack", string(e.Stack))
	return e
}
