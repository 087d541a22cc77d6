package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

func mib(b uint64) string {
	switch {
	case b >= 10<<30:
		return fmt.Sprintf("%.0f GiB", float64(b)/(1<<30))
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", math.Max(1, float64(b)/(1<<20)))
}

func dur(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= 10*time.Second:
		return fmt.Sprintf("%.0f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

func check(got, want float64) string {
	if got == want {
		return "✓"
	}
	return fmt.Sprintf("✗ (tenant: %.0f)", want)
}

// printTable writes the results as a Markdown table: per scenario the plugin's figures, the naive ones
// (extrapolated when the naive run hit its budget) and the ratios.
func printTable(out io.Writer, rows []row) {
	fmt.Fprintln(out, "| scenario | approach | API calls | wall time | peak heap | result |")
	fmt.Fprintln(out, "|---|---|--:|--:|--:|---|")
	for _, r := range rows {
		fmt.Fprintf(out, "| %s) %s | plugin | %d | %s | %s | %s %s; %s; simulator's own time %s |\n", r.s.id, r.s.title, r.ours.calls,
			dur(r.ours.wall), mib(r.ours.peakHeap), r.oursOut, check(r.oursOut.total, r.plan.reference), r.oursOut.detail, dur(r.ours.sim))
		calls, wall, heap := fmt.Sprint(r.estCalls), dur(r.estWall), mib(r.estHeap)
		result := fmt.Sprintf("%s %s; %s", r.naiveOut, check(r.naiveOut.total, r.plan.reference), r.naiveOut.detail)
		if r.stopped {
			calls, wall, heap = "≥ "+calls, "≥ "+wall, "~ "+heap
			result = fmt.Sprintf("stopped after %s (%d calls, %.0f rows); the rest extrapolated", dur(r.naive.wall), r.naiveCalls, r.naiveOut.total)
		}
		fmt.Fprintf(out, "| | naive | %s | %s | %s | %s |\n", calls, wall, heap, strings.TrimSpace(result))
		fmt.Fprintf(out, "| | **naive ÷ plugin** | **%s** | **%s** | **%s** | |\n", ratio(float64(r.estCalls), float64(r.ours.calls)),
			ratio(float64(r.estWall), float64(r.ours.wall)), ratio(float64(r.estHeap), float64(r.ours.peakHeap)))
	}
}
