package simulator

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchRequest serves one request in-process (no network), authenticated with a Basic user.
func benchRequest(b *testing.B, ten *Tenant, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.SetBasicAuth("bench", "bench")
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	ten.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s: %d %.200s", path, rec.Code, rec.Body.String())
	}
	return rec
}

func benchTenant(perDay int) *Tenant {
	return New(Config{Seed: 1, MessagesPerDay: perDay, Now: func() time.Time { return testNow },
		BasicUsers: []Client{{ID: "bench", Secret: "bench", Roles: AllRoles}}})
}

// BenchmarkMessagePage1000 serves one 1000-row JSON page of MessageProcessingLogs (target < 20 ms), the
// way the plugin asks: a time window, newest first.
func BenchmarkMessagePage1000(b *testing.B) {
	for _, perDay := range []int{20_000, 2_000_000} {
		b.Run(strconv.Itoa(perDay)+"PerDay", func(b *testing.B) {
			ten := benchTenant(perDay)
			path := "/api/v1/MessageProcessingLogs?$top=1000&$orderby=LogEnd%20desc&$filter=" +
				strings.ReplaceAll("LogStart ge "+lit(testNow.Add(-6*time.Hour)), " ", "%20")
			var size int
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rec := benchRequest(b, ten, path)
				size = rec.Body.Len()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/page")
			b.ReportMetric(float64(size)/1024, "KiB/page")
		})
	}
}

// BenchmarkInlineCount24h2M counts a whole day at 2 million messages/day ($inlinecount over 24 h).
func BenchmarkInlineCount24h2M(b *testing.B) {
	ten := benchTenant(2_000_000)
	path := "/api/v1/MessageProcessingLogs/$count?$filter=" + strings.ReplaceAll("LogStart ge "+lit(testNow.Add(-24*time.Hour))+" and Status eq 'FAILED'", " ", "%20")
	for i := 0; i < b.N; i++ {
		benchRequest(b, ten, path)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/count")
}

// BenchmarkMemory2M reports the live heap of a tenant at 2 000 000 messages/day after it served pages
// and a 24-hour count: data is generated per window, so the heap stays small.
func BenchmarkMemory2M(b *testing.B) {
	ten := benchTenant(2_000_000)
	for i := 0; i < b.N; i++ {
		benchRequest(b, ten, "/api/v1/MessageProcessingLogs?$top=1000&$inlinecount=allpages&$filter="+strings.ReplaceAll("LogStart ge "+lit(testNow.Add(-24*time.Hour)), " ", "%20"))
		benchRequest(b, ten, "/api/v1/MessageProcessingLogs?$top=1000&$orderby=LogEnd%20desc&$skip=50000&$filter="+strings.ReplaceAll("LogStart ge "+lit(testNow.Add(-24*time.Hour)), " ", "%20"))
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MiB-heap")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-sys")
	runtime.KeepAlive(ten)
}
