package simulator

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Messages are never stored. A message is identified by (minute bucket, index): the number of messages
// in a minute comes from a daily volume curve and the seed, and every field of message i in minute m is
// a function of (seed, m, i) — and of "now" for messages still in flight. A time window is generated on
// demand, in LogStart order, by walking its minute buckets.

const (
	retention   = 30 * 24 * time.Hour // CPI keeps message processing logs 30 days
	maxDuration = 190 * time.Second   // no message runs longer (timeouts end by 180 s); bounds LogEnd from LogStart
	minuteMs    = int64(60_000)
)

type generator struct {
	seed   uint64
	perDay int
	land   *landscape
	curve  [1440]float64 // relative traffic per minute of day (UTC), mean 1
}

func newGenerator(seed int64, perDay int, land *landscape) *generator {
	g := &generator{seed: uint64(seed), perDay: perDay, land: land}
	sum := 0.0
	for m := range g.curve {
		h := float64(m) / 60
		// Night batch at 02:00, business-hours peaks around 10:00 and 15:00 UTC.
		v := 0.22 + 1.0*math.Exp(-sq((h-10)/2.6)) + 0.8*math.Exp(-sq((h-15)/2.4)) + 0.7*math.Exp(-sq((h-2)/0.45))
		g.curve[m] = v
		sum += v
	}
	for m := range g.curve {
		g.curve[m] *= 1440 / sum
	}
	return g
}

func sq(x float64) float64 { return x * x }

// count is the number of messages that start in a minute bucket (minutes since the Unix epoch).
// Weekends carry 40 % less traffic; MessagesPerDay is the weekday volume.
func (g *generator) count(minute int64) int {
	day := minute / 1440
	mod := minute % 1440
	f := g.curve[mod]
	if wd := (day + 4) % 7; wd == 0 || wd == 6 { // 1970-01-01 was a Thursday
		f *= 0.6
	}
	h := mix(g.seed, 0xc0, uint64(minute))
	x := float64(g.perDay) / 1440 * f * (0.85 + 0.3*unit(h))
	n := int(x)
	if unit(mix(h, 1)) < x-float64(n) {
		n++
	}
	return n
}

// msg is a message with its cheap fields filled; the rest is derived on demand. Scans reuse one msg, so
// a consumer that keeps a message must copy it.
type msg struct {
	g        *generator
	minute   int64
	idx      int
	n        int // messages in the bucket
	h        uint64
	flow     *iflow
	startMs  int64
	endMs    int64
	status   string
	errKind  int // -1 = no error
	inFlight bool
}

// fill computes message idx of a bucket with n messages; false when it has not started yet at nowMs or
// its flow was not deployed then.
func (g *generator) fill(m *msg, minute int64, idx, n int, nowMs int64) bool {
	h := mix(g.seed, uint64(minute), uint64(idx))
	// Evenly spaced slots with jitter inside the slot keep a bucket sorted by LogStart by construction.
	slot := minuteMs / int64(n)
	if slot < 1 {
		slot = 1
	}
	start := minute*minuteMs + int64(idx)*minuteMs/int64(n) + int64(h%uint64(slot))
	if start > nowMs {
		return false
	}
	f := g.land.flowAt(unit(mix(h, 1)))
	*m = msg{g: g, minute: minute, idx: idx, n: n, h: h, flow: f, startMs: start, errKind: -1}
	if f.deployDaysAgo == 0 && start < f.deployedOn(time.UnixMilli(nowMs)).UnixMilli() {
		return false
	}
	// Processing time: log-normal-ish around the flow's typical time.
	z := unit(mix(h, 3))
	dur := float64(f.baseMs) * (0.35 + 2.2*z*z*z)
	u := unit(mix(h, 2))
	failP := f.failRate
	window := start / (10 * minuteMs)
	if unit(mix(g.seed, 0xb0, uint64(f.idx), uint64(window))) < 0.02 {
		failP = 0.35 + 0.4*unit(mix(g.seed, 0xb1, uint64(f.idx), uint64(window))) // failure burst
	}
	cut := f.stuckProcessing
	switch {
	case u < cut:
		m.status = "PROCESSING" // stuck: never finishes
		dur = 900 + float64(h%2000)
	case u < cut+f.stuckRetry:
		m.status = "RETRY" // stuck in retry
		m.errKind = g.errKindFor(f, h)
		dur = 1500 + float64(h%3000)
	case u < cut+f.stuckRetry+failP:
		m.errKind = g.errKindFor(f, h)
		if m.errKind == errTimeout {
			dur = 60000 + float64(h%120000)
		}
		switch {
		case f.retries && nowMs-start < 30*minuteMs:
			m.status = "RETRY"
		case unit(mix(h, 4)) < 0.04:
			m.status = "ESCALATED"
		default:
			m.status = "FAILED"
		}
	default:
		v := unit(mix(h, 5))
		switch {
		case f.senderAdapter == "Timer" && v < 0.02:
			m.status = "DISCARDED"
		case f.senderAdapter == "JMS" && v < 0.004:
			m.status = "CANCELLED"
		case v < 0.0003:
			m.status = "ABANDONED"
		default:
			m.status = "COMPLETED"
		}
	}
	end := start + min(int64(dur), maxDuration.Milliseconds())
	if m.status != "PROCESSING" && m.status != "RETRY" && end > nowMs {
		// Still running: LogEnd is the last update so far.
		m.status = "PROCESSING"
		m.inFlight = true
		m.errKind = -1
		end = start + (nowMs-start)/2
	}
	m.endMs = end
	return true
}

// ---- identifiers ----

// guid is the 28-character MessageGuid. It encodes the message key so MessageProcessingLogs('…') finds
// the message without a search: byte 0 = 0, bytes 1–4 = LogStart seconds, 5–7 = index, 8–11 = check,
// rest = hash bytes.
func (m *msg) guid() string {
	var p [16]byte
	p[0], p[1], p[2] = byte(m.idx>>16), byte(m.idx>>8), byte(m.idx)
	binary.BigEndian.PutUint32(p[3:7], uint32(mix(m.g.seed, 0x6a, uint64(m.minute), uint64(m.idx))))
	binary.BigEndian.PutUint64(p[7:15], mix(m.h, 0x6b))
	p[15] = byte(mix(m.h, 0x6c))
	return guid28(uint32(m.startMs/1000), p)
}

// lookup decodes a MessageGuid and rebuilds the message; false for ids this tenant never issued.
func (g *generator) lookup(id string, nowMs int64, m *msg) bool {
	if len(id) != 28 {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(raw) != 21 || raw[0] != 0 {
		return false
	}
	sec := int64(binary.BigEndian.Uint32(raw[1:5]))
	idx := int(raw[5])<<16 | int(raw[6])<<8 | int(raw[7])
	minute := sec / 60
	if binary.BigEndian.Uint32(raw[8:12]) != uint32(mix(g.seed, 0x6a, uint64(minute), uint64(idx))) {
		return false
	}
	n := g.count(minute)
	if idx >= n || minute*minuteMs < nowMs-retention.Milliseconds()-minuteMs {
		return false
	}
	if !g.fill(m, minute, idx, n, nowMs) {
		return false
	}
	return m.guid() == id
}

func (m *msg) correlationID() string {
	var p [16]byte
	binary.BigEndian.PutUint64(p[0:8], mix(m.h, 0x71))
	binary.BigEndian.PutUint64(p[8:16], mix(m.h, 0x72))
	return guid28(uint32(m.startMs/1000), p)
}

func (m *msg) transactionID() string { return hexN(mix(m.h, 0x73), 32) }

func (m *msg) applicationMessageID() any {
	switch m.flow.applicationIDStyle {
	case "idoc":
		return fmt.Sprintf("%016d", 4_000_000+mix(m.h, 0x74)%9_000_000)
	case "uuid":
		return uuidFrom(mix(m.h, 0x75))
	case "po":
		return fmt.Sprintf("PO-%d", 4_500_000_000+mix(m.h, 0x76)%99_999_999)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (m *msg) customStatus() string {
	if m.flow.customStatusOnError != "" && (m.status == "FAILED" || m.status == "ESCALATED") {
		return m.flow.customStatusOnError
	}
	return m.status
}

func (m *msg) logLevel() string {
	return m.flow.logLevel
}

// ---- custom header properties ----

var countries = []string{"DE", "US", "FR", "IN", "BR", "JP", "GB", "NL", "CN", "AU"}

// headerValue is the value of a custom header property name on this message.
func (m *msg) headerValue(i int, name string) string {
	h := mix(m.h, 0x80, uint64(i))
	switch name {
	case "PurchaseOrder":
		return strconv.FormatUint(4_500_000_000+h%1_000_000, 10)
	case "BusinessPartner", "Customer", "Supplier":
		return strconv.FormatUint(1_000_000+h%900_000, 10)
	case "Country":
		return pick(h, countries)
	case "CompanyCode":
		return pick(h, []string{"1010", "1710", "2910", "3010"})
	case "Plant":
		return pick(h, []string{"1010", "1710", "1720"})
	case "PartnerId":
		return pick(h, []string{"DHL_EXPRESS", "KUEHNE_NAGEL", "SCHENKER", "ACME_RETAIL", "GLOBEX"})
	case "OrderNumber", "InvoiceNumber", "Delivery":
		return strconv.FormatUint(80_000_000+h%10_000_000, 10)
	case "Material":
		return fmt.Sprintf("MAT-%06d", h%1_000_000)
	case "PersonId", "WorkerId":
		return strconv.FormatUint(100_000+h%90_000, 10)
	case "FiscalPeriod":
		return fmt.Sprintf("2026%03d", 1+h%12)
	case "TrackingNumber":
		return fmt.Sprintf("JD%018d", h%1_000_000_000_000_000_000)
	}
	return fmt.Sprintf("%s-%d", strings.ToUpper(name[:min(3, len(name))]), h%100_000)
}

// headers returns the message's custom header properties (name, value) in a stable order.
func (m *msg) headers() [][2]string {
	out := make([][2]string, 0, len(m.flow.headers))
	for i, name := range m.flow.headers {
		out = append(out, [2]string{name, m.headerValue(i, name)})
	}
	return out
}

// ---- Get: oquery.Entity ----

func (m *msg) time(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// mplProperties lists the MessageProcessingLog properties in SAP's serialisation order (real CF tenant
// capture), used for $select validation and output.
var mplProperties = []string{
	"MessageGuid", "CorrelationId", "ApplicationMessageId", "PredecessorMessageGuid", "ApplicationMessageType",
	"LogStart", "LogEnd", "Sender", "Receiver", "IntegrationFlowName", "Status", "AlternateWebLink",
	"IntegrationArtifact", "LogLevel", "CustomStatus", "ArchivingStatus", "ArchivingSenderChannelMessages",
	"ArchivingReceiverChannelMessages", "ArchivingLogAttachments", "ArchivingPersistedMessages",
	"TransactionId", "PreviousComponentName", "LocalComponentName", "OriginComponentName",
}

var mplNavs = []string{"CustomHeaderProperties", "MessageStoreEntries", "ErrorInformation", "AdapterAttributes", "Attachments", "Runs"}

// Get implements oquery.Entity. Cheap fields come first: filters on status, time and flow never build
// the expensive strings.
func (m *msg) Get(path string) (any, bool) {
	switch path {
	case "Status":
		return m.status, true
	case "LogStart":
		return m.time(m.startMs), true
	case "LogEnd":
		return m.time(m.endMs), true
	case "IntegrationFlowName", "IntegrationArtifact/Id":
		return m.flow.id, true
	case "IntegrationArtifact/Name":
		return m.flow.name, true
	case "IntegrationArtifact/Type":
		return "INTEGRATION_FLOW", true
	case "IntegrationArtifact/PackageId":
		return m.flow.pkg, true
	case "IntegrationArtifact/PackageName":
		return m.flow.pkgName, true
	case "Sender":
		return nullable(m.flow.sender), true
	case "Receiver":
		return nullable(m.flow.receiver), true
	case "CustomStatus":
		return m.customStatus(), true
	case "LogLevel":
		return m.logLevel(), true
	case "MessageGuid":
		return m.guid(), true
	case "CorrelationId":
		return m.correlationID(), true
	case "ApplicationMessageId":
		return m.applicationMessageID(), true
	case "ApplicationMessageType":
		return nullable(m.flow.appMsgType), true
	case "PredecessorMessageGuid":
		return nil, true
	case "AlternateWebLink":
		return "", true // absolute link needs the request host; filtering on it is meaningless
	case "ArchivingStatus":
		return "NOT_RELEVANT", true
	case "ArchivingSenderChannelMessages", "ArchivingReceiverChannelMessages", "ArchivingLogAttachments", "ArchivingPersistedMessages":
		return false, true
	case "TransactionId":
		return m.transactionID(), true
	case "PreviousComponentName", "LocalComponentName", "OriginComponentName":
		return m.flow.component(), true
	}
	return nil, false
}

// entity builds the full MessageProcessingLog entry.
func (m *msg) entity(base string) *entity {
	guid := m.guid()
	web := strings.TrimSuffix(base, "/api/v1") + "/shell/monitoring/Messages/%7B%22identifier%22%3A%22" + guid + "%22%7D"
	f := m.flow
	art := &complexVal{typ: "com.sap.hci.api.IntegrationArtifact", props: []prop{
		{"Id", f.id}, {"Name", f.name}, {"Type", "INTEGRATION_FLOW"}, {"PackageId", f.pkg}, {"PackageName", f.pkgName},
	}}
	e := &entity{set: "MessageProcessingLogs", key: keyString(guid), typ: "com.sap.hci.api.MessageProcessingLog",
		props: []prop{
			{"MessageGuid", guid},
			{"CorrelationId", m.correlationID()},
			{"ApplicationMessageId", m.applicationMessageID()},
			{"PredecessorMessageGuid", nil},
			{"ApplicationMessageType", nullable(f.appMsgType)},
			{"LogStart", m.time(m.startMs)},
			{"LogEnd", m.time(m.endMs)},
			{"Sender", nullable(f.sender)},
			{"Receiver", nullable(f.receiver)},
			{"IntegrationFlowName", f.id},
			{"Status", m.status},
			{"AlternateWebLink", web},
			{"IntegrationArtifact", art},
			{"LogLevel", m.logLevel()},
			{"CustomStatus", m.customStatus()},
			{"ArchivingStatus", "NOT_RELEVANT"},
			{"ArchivingSenderChannelMessages", false},
			{"ArchivingReceiverChannelMessages", false},
			{"ArchivingLogAttachments", false},
			{"ArchivingPersistedMessages", false},
			{"TransactionId", m.transactionID()},
			{"PreviousComponentName", f.component()},
			{"LocalComponentName", f.component()},
			{"OriginComponentName", f.component()},
		}}
	for _, n := range mplNavs {
		e.navs = append(e.navs, navLink{name: n, many: n != "ErrorInformation"})
	}
	return e
}
