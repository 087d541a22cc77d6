package calm

import (
	"context"
	"errors"
	"testing"
)

// A query waiting for the Cloud ALM request of its window (sent by another query of the request) stops
// waiting when its own context ends, while the sender carries on.
func TestCalmBatchWaiterHonoursItsContext(t *testing.T) {
	st := NewBatch(nil)
	release := make(chan struct{})
	senderDone := make(chan map[string]Result)
	inFlight := make(chan struct{})
	go func() {
		res, _ := st.run(context.Background(), "w", func() map[string]Result {
			close(inFlight)
			<-release
			return map[string]Result{"A": {}}
		})
		senderDone <- res
	}()
	<-inFlight

	ctx, cancel := context.WithCancel(context.Background())
	waiterDone := make(chan error)
	go func() {
		_, err := st.run(ctx, "w", func() map[string]Result {
			t.Error("the waiter sent the request again")
			return nil
		})
		waiterDone <- err
	}()
	cancel()
	if err := <-waiterDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled waiter returned %v, want context.Canceled", err)
	}

	// A waiter whose context is alive still gets the shared results.
	got := make(chan map[string]Result)
	go func() {
		res, err := st.run(context.Background(), "w", func() map[string]Result { return nil })
		if err != nil {
			t.Error(err)
		}
		got <- res
	}()
	close(release)
	if _, ok := (<-senderDone)["A"]; !ok {
		t.Fatal("the sender lost its results")
	}
	if _, ok := (<-got)["A"]; !ok {
		t.Fatal("the live waiter did not get the shared results")
	}
}
