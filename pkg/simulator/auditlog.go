package simulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Cloud Foundry audit log retrieval API (cpi-api.md §7): GET /auditlog/v2/auditlogrecords with
// time_from/time_to (UTC, YYYY-MM-DDTHH:MM:SS), category, and handle; fixed pages of 500 records, the next
// page announced by the response header "Paging: handle=<value>". Records are generated per 10-minute
// bucket from the seed; like the real service, records of the last two minutes are not retrievable yet.

const (
	auditPageSize = 500
	auditBucket   = 10 * time.Minute
	auditDelay    = 2 * time.Minute
)

var auditCategories = []string{"audit.security-events", "audit.configuration", "audit.data-access", "audit.data-modification"}

type auditRecord struct {
	MessageUUID    string       `json:"message_uuid"`
	Time           string       `json:"time"`
	Tenant         string       `json:"tenant"`
	OrgID          string       `json:"org_id"`
	SpaceID        string       `json:"space_id"`
	AppOrServiceID string       `json:"app_or_service_id"`
	AlsServiceID   string       `json:"als_service_id"`
	User           string       `json:"user"`
	Category       string       `json:"category"`
	FormatVersion  string       `json:"format_version"`
	Message        auditMessage `json:"message"`
}

type auditMessage struct {
	UUID     string `json:"uuid"`
	User     string `json:"user"`
	Time     string `json:"time"`
	IP       string `json:"ip"`
	Data     string `json:"data"`
	ID       string `json:"id"`
	Category string `json:"category"`
	Tenant   string `json:"tenant"`
}

// auditHandle is the paging state; it is opaque to clients (base64url JSON).
type auditHandle struct {
	From, To   int64
	Categories []string
	Offset     int
}

func (t *Tenant) auditRecords(from, to time.Time, cats []string) []auditRecord {
	s := uint64(t.cfg.Seed)
	tenantID := uuidFrom(mix(s, 0xa10))
	org, space, app, als := uuidFrom(mix(s, 0xa11)), uuidFrom(mix(s, 0xa12)), uuidFrom(mix(s, 0xa13)), uuidFrom(mix(s, 0xa14))
	var out []auditRecord
	first := from.Truncate(auditBucket)
	for b := first; b.Before(to); b = b.Add(auditBucket) {
		bucketStart := len(out)
		h := mix(s, 0xa15, uint64(b.Unix()))
		n := int(h % 4)
		for i := 0; i < n; i++ {
			rh := mix(h, uint64(i))
			ts := b.Add(time.Duration(rh%uint64(auditBucket/time.Millisecond)) * time.Millisecond)
			if ts.Before(from) || !ts.Before(to) {
				continue
			}
			cat := auditCategories[mix(rh, 1)%uint64(len(auditCategories))]
			if len(cats) > 0 && !slices.Contains(cats, cat) {
				continue
			}
			f := t.land.flows[mix(rh, 2)%uint64(len(t.land.flows))]
			user := pick(mix(rh, 3), deployers)
			var data string
			switch cat {
			case "audit.security-events":
				ok := mix(rh, 4)%10 != 0
				ev, desc := "ClientAuthenticationSuccess", "Client authentication success"
				if !ok {
					ev, desc = "ClientAuthenticationFailure", "Bad credentials"
				}
				user = "sb-" + uuidFrom(mix(s, 0xa16)) + "!b1234|it!b5678"
				payload, _ := json.Marshal(map[string]any{"level": "INFO", "origin": nil, "msgNo": 1, "msgId": uuidFrom(mix(rh, 5)),
					"message": fmt.Sprintf("%s ('%s'): principal=%s, origin=[remoteAddress=10.%d.%d.%d]", ev, desc, user, rh%255, (rh>>8)%255, (rh>>16)%255),
					"user":    nil, "version": "1.0"})
				data = string(payload)
			case "audit.configuration":
				action := pick(mix(rh, 6), []string{"Creation_of_Artifact_Initiated", "Artifact_Deployed", "Package_Import_Started", "Package_Import_Completed"})
				payload, _ := json.Marshal(map[string]any{"action": action, "objectType": "IntegrationFlow", "objectId": f.id,
					"attributes": map[string]string{"version": f.version, "package": f.pkg}, "changedAttributes": map[string]string{}})
				data = string(payload)
			case "audit.data-access":
				obj := pick(mix(rh, 7), []string{"Message Payload (Trace)", "MPL Attachment", "Data Store Entry"})
				payload, _ := json.Marshal(map[string]any{"action": "Read", "objectType": obj, "objectId": f.id,
					"attributes": map[string]string{"messageGuid": guid28(uint32(ts.Unix()), [16]byte{byte(rh), byte(rh >> 8), byte(rh >> 16), byte(rh >> 24), byte(rh >> 32), byte(rh >> 40), byte(rh >> 48), byte(rh >> 56), 1, 2, 3})}, "changedAttributes": map[string]string{}})
				data = string(payload)
			default:
				action := pick(mix(rh, 8), []string{"Retry", "Delete", "Move"})
				obj := pick(mix(rh, 9), []string{"JMS Message", "Data Store Entry", "Variable"})
				payload, _ := json.Marshal(map[string]any{"action": action, "objectType": obj, "objectId": f.id,
					"attributes": map[string]string{}, "changedAttributes": map[string]string{"status": "deleted"}})
				data = string(payload)
			}
			id := uuidFrom(mix(rh, 10))
			stamp := ts.UTC().Format("2006-01-02T15:04:05.000Z")
			out = append(out, auditRecord{
				MessageUUID: id, Time: stamp, Tenant: tenantID, OrgID: org, SpaceID: space, AppOrServiceID: app, AlsServiceID: als,
				User: user, Category: cat, FormatVersion: "",
				Message: auditMessage{UUID: id, User: user, Time: stamp, IP: fmt.Sprintf("10.%d.%d.%d", rh%255, (rh>>8)%255, (rh>>16)%255),
					Data: data, ID: uuidFrom(mix(rh, 11)), Category: cat, Tenant: tenantID},
			})
		}
		// Records are served in time order.
		slices.SortStableFunc(out[bucketStart:], func(a, b auditRecord) int { return strings.Compare(a.Time, b.Time) })
	}
	return out
}

func (t *Tenant) writeAuditError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": msg})
}

func (t *Tenant) serveAuditLog(w http.ResponseWriter, r *http.Request) {
	if _, ok := t.authenticate(r); !ok {
		writeUnauthorized(w)
		return
	}
	if strings.TrimSuffix(r.URL.Path, "/") != "/auditlog/v2/auditlogrecords" {
		t.writeAuditError(w, http.StatusNotFound, "not_found", "No resource at "+r.URL.Path)
		return
	}
	if r.Method != http.MethodGet {
		t.writeAuditError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not supported")
		return
	}
	now := t.now()
	qv := r.URL.Query()
	var hd auditHandle
	if h := qv.Get("handle"); h != "" {
		raw, err := base64.RawURLEncoding.DecodeString(h)
		if err != nil || json.Unmarshal(raw, &hd) != nil || hd.Offset < 0 {
			t.writeAuditError(w, http.StatusBadRequest, "invalid_handle", "The paging handle is invalid")
			return
		}
	} else {
		from, to := now.Add(-30*24*time.Hour), now
		var err error
		if s := qv.Get("time_from"); s != "" {
			if from, err = time.Parse("2006-01-02T15:04:05", s); err != nil {
				t.writeAuditError(w, http.StatusBadRequest, "invalid_time_from", "time_from must be YYYY-MM-DDTHH:MM:SS (UTC)")
				return
			}
		}
		if s := qv.Get("time_to"); s != "" {
			if to, err = time.Parse("2006-01-02T15:04:05", s); err != nil {
				t.writeAuditError(w, http.StatusBadRequest, "invalid_time_to", "time_to must be YYYY-MM-DDTHH:MM:SS (UTC)")
				return
			}
		}
		if !to.After(from) {
			t.writeAuditError(w, http.StatusBadRequest, "invalid_time_range", "time_to must be after time_from")
			return
		}
		if c := qv.Get("category"); c != "" {
			for _, cat := range strings.Split(c, ",") {
				cat = strings.TrimSpace(cat)
				if !slices.Contains(auditCategories, cat) {
					t.writeAuditError(w, http.StatusBadRequest, "invalid_category", "Unknown category "+cat)
					return
				}
				hd.Categories = append(hd.Categories, cat)
			}
		}
		hd.From, hd.To = from.UnixMilli(), to.UnixMilli()
	}
	to := time.UnixMilli(hd.To).UTC()
	if latest := now.Add(-auditDelay); to.After(latest) {
		to = latest
	}
	recs := t.auditRecords(time.UnixMilli(hd.From).UTC(), to, hd.Categories)
	if hd.Offset > len(recs) {
		hd.Offset = len(recs)
	}
	end := min(hd.Offset+auditPageSize, len(recs))
	page := recs[hd.Offset:end]
	if end < len(recs) {
		next := hd
		next.Offset = end
		raw, _ := json.Marshal(next)
		w.Header().Set("Paging", "handle="+base64.RawURLEncoding.EncodeToString(raw))
	}
	if page == nil {
		page = []auditRecord{}
	}
	writeJSONValue(w, page)
}
