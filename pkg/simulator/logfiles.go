package simulator

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Neo log files: one HTTP access log and one trace log per day for the last week. Contents are
// generated from the seed and the date; lines of "today" stop at now.

const (
	logApplication = tenantName + "iflmap"
	logDays        = 7
	logLines       = 400
)

type logFileInfo struct {
	name, typ string
	day       time.Time
}

func (t *Tenant) logFileNames(now time.Time) []logFileInfo {
	var out []logFileInfo
	for d := 0; d < logDays; d++ {
		day := dayStart(now).Add(-time.Duration(d) * 24 * time.Hour)
		h := hexN(mix(uint64(t.cfg.Seed), 0x10f, uint64(day.Unix())), 7)
		out = append(out,
			logFileInfo{fmt.Sprintf("http_access_%s_%s.log", h, day.Format("2006-01-02")), "http", day},
			logFileInfo{fmt.Sprintf("ljs_trace_%s_%s.log", h, day.Format("2006-01-02")), "trace", day})
	}
	return out
}

func (t *Tenant) logFiles(now time.Time) []*entity {
	var rows []*entity
	for _, f := range t.logFileNames(now) {
		last := f.day.Add(24*time.Hour - time.Second)
		if last.After(now) {
			last = now.UTC().Truncate(time.Second)
		}
		size := 120 * logLines
		if f.typ == "trace" {
			size = 310 * logLines
		}
		rows = append(rows, &entity{set: "LogFiles", key: fmt.Sprintf("Name=%s,Application=%s", keyString(f.name), keyString(logApplication)),
			typ: "com.sap.hci.api.LogFile", media: "application/gzip",
			props: []prop{{"Name", f.name}, {"Application", logApplication}, {"LastModified", last}, {"ContentType", "application/gzip"},
				{"LogFileType", f.typ}, {"NodeScope", "worker"}, {"Size", strconv.Itoa(size)}},
		})
	}
	return rows
}

func logFileArchives() []*entity {
	var rows []*entity
	for _, typ := range []string{"http", "trace"} {
		for _, scope := range []string{"all", "latest"} {
			rows = append(rows, &entity{set: "LogFileArchives", key: fmt.Sprintf("Scope='%s',LogFileType='%s',NodeScope='worker'", scope, typ),
				typ: "com.sap.hci.api.LogFileArchive", media: "application/zip",
				props: []prop{{"Scope", scope}, {"LogFileType", typ}, {"NodeScope", "worker"}, {"ContentType", "application/zip"}},
			})
		}
	}
	return rows
}

// logFileText renders one log file.
func (t *Tenant) logFileText(name string, now time.Time) string {
	var day time.Time
	typ := ""
	for _, f := range t.logFileNames(now) {
		if f.name == name {
			day, typ = f.day, f.typ
		}
	}
	var b strings.Builder
	for i := 0; i < logLines; i++ {
		ts := day.Add(time.Duration(i) * 24 * time.Hour / logLines)
		if ts.After(now) {
			break
		}
		h := mix(uint64(t.cfg.Seed), 0x10e, uint64(ts.Unix()))
		f := t.land.flows[h%uint64(len(t.land.flows))]
		if typ == "http" {
			status := 200
			if h%23 == 0 {
				status = 500
			} else if h%41 == 0 {
				status = 401
			}
			if t.hostile(HostileNeoLogLines) {
				b.WriteString(neoAccessLine(h, ts, strings.ToLower(f.id), status))
				continue
			}
			fmt.Fprintf(&b, "10.%d.%d.%d - - [%s] \"POST /cxf/%s HTTP/1.1\" %d %d \"-\" \"Apache-HttpClient/4.5.14\" %d\n",
				h%255, (h>>8)%255, (h>>16)%255, ts.Format("02/Jan/2006:15:04:05 -0700"), strings.ToLower(f.id), status, 200+h%20000, 20+h%3000)
			continue
		}
		level := "INFO"
		text := "Message processing completed for " + f.id
		if h%9 == 0 {
			level = "ERROR"
			text = "Processing of exchange failed in " + f.id + ": " + pick(h, []string{
				"java.net.SocketTimeoutException: Read timed out", "HTTP operation failed with statusCode: 500",
				"com.sap.it.rt.scc.connectivity.BusinessException: Document locked"})
		}
		if t.hostile(HostileNeoLogLines) {
			b.WriteString(neoTraceLine(h, ts, level, f.id, text))
			continue
		}
		fmt.Fprintf(&b, "%s#+00#%s#com.sap.it.op.agent.mpl#%s#%s#%s#\n", ts.Format("2006 01 02 15:04:05.000"), level, uuidFrom(h), f.id, text)
	}
	return b.String()
}

func gzipBytes(p []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(p)
	_ = zw.Close()
	return buf.Bytes()
}

// logArchive zips the log files of one type: all days, or only the latest.
func (t *Tenant) logArchive(typ, scope string, now time.Time) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range t.logFileNames(now) {
		if f.typ != typ {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: f.day})
		if err == nil {
			_, _ = w.Write([]byte(t.logFileText(f.name, now)))
		}
		if scope == "latest" {
			break
		}
	}
	_ = zw.Close()
	return buf.Bytes()
}
