package main

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Heap figures. The live heap (objects, including the garbage not yet swept) is what the scenarios
// report; the heap in use (runtime.MemStats.HeapInuse: objects plus the free space of the spans that
// hold them) is what the dashboard benchmark reports, as the memory the process keeps from the OS.
var (
	liveHeap  = []string{"/memory/classes/heap/objects:bytes"}
	heapInUse = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}
)

// sampleHeap samples the sum of the named runtime metrics every 5 ms until the returned function is
// called; that function returns the largest sum seen.
func sampleHeap(names []string) (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := make([]metrics.Sample, len(names))
		for i, n := range names {
			sample[i].Name = n
		}
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			var v uint64
			for _, s := range sample {
				v += s.Value.Uint64()
			}
			if v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// heapInUseAfterGC is runtime.MemStats.HeapInuse right after a collection: what the process keeps.
func heapInUseAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
