package messages

import "time"

// maxBuckets bounds a time series (Grafana's own limit on points is far above; this bounds memory).
const maxBuckets = 11_000

// buckets are the time series buckets: n buckets of width from start (a multiple of the width), clipped
// to the range [from, to): the first and last bucket may be partial and hold only the messages inside the
// range, and their points are stamped at the start of what they count (from for the first).
type buckets struct {
	start    time.Time
	width    time.Duration
	n        int
	from, to time.Time
}

// window is the range itself: SAP is never asked for the parts of the edge buckets outside it.
func (b buckets) window() window { return window{b.from, b.to} }

func (b buckets) index(t time.Time) int {
	if t.Before(b.from) || !t.Before(b.to) {
		return -1
	}
	i := int(t.Sub(b.start) / b.width)
	if i >= b.n {
		return -1
	}
	return i
}

func (b buckets) times() []time.Time {
	out := make([]time.Time, b.n)
	for i := range out {
		out[i] = b.bucket(i).from
	}
	return out
}

// bucket is bucket i clipped to the range.
func (b buckets) bucket(i int) window {
	s := b.start.Add(time.Duration(i) * b.width)
	e := s.Add(b.width)
	if s.Before(b.from) {
		s = b.from
	}
	if e.After(b.to) {
		e = b.to
	}
	return window{s, e}
}

// makeBuckets covers the range with buckets of the panel interval (whole minutes, at least one, and no
// more buckets than the panel's max data points), aligned to multiples of the width so that the buckets
// of consecutive refreshes coincide.
func makeBuckets(r Range) buckets {
	w := r.window()
	width := max(r.Interval, time.Minute)
	width = (width + time.Minute - 1) / time.Minute * time.Minute
	span := w.to.Sub(w.from)
	limit := int64(maxBuckets)
	if r.MaxDataPoints > 0 {
		limit = min(limit, r.MaxDataPoints)
	}
	if span/width > time.Duration(limit) {
		width = (span/time.Duration(limit) + time.Minute - 1) / time.Minute * time.Minute
	}
	start := w.from.Truncate(width)
	n := int((w.to.Sub(start) + width - 1) / width)
	return buckets{start: start, width: width, n: max(n, 1), from: w.from, to: w.to}
}
