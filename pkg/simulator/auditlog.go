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

// Cloud Foundry audit log retrieval API: GET /auditlog/v2/auditlogrecords with
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

// The audit log of a subaccount is shared: besides Cloud Integration's own events it holds those of XSUAA (logins to the
// cockpit, other OAuth clients such as the audit log service's own) and of BTP configuration changes made
// in the cockpit (role collections, destinations), written in the audit log library's generic shape. About
// a third of the security and configuration events are such foreign events, so a "Cloud Integration only"
// filter has something to remove.

// auditUsers are the people who log on to the cockpit (the CI/CD client never does).
var auditUsers = []string{deployers[0], deployers[1], deployers[3]}

// auditSource is the application that wrote a record (app_or_service_id differs per writer).
type auditSource int

const (
	sourceCPI auditSource = iota
	sourceXSUAA
	sourceCockpit
)

func (t *Tenant) auditRecords(from, to time.Time, cats []string) []auditRecord {
	s := uint64(t.cfg.Seed)
	tenantID := uuidFrom(mix(s, 0xa10))
	org, space, als := uuidFrom(mix(s, 0xa11)), uuidFrom(mix(s, 0xa12)), uuidFrom(mix(s, 0xa14))
	apps := map[auditSource]string{sourceCPI: uuidFrom(mix(s, 0xa13)), sourceXSUAA: uuidFrom(mix(s, 0xa17)), sourceCockpit: uuidFrom(mix(s, 0xa18))}
	cpiClient := "sb-" + uuidFrom(mix(s, 0xa16)) + "!b1234|it!b5678"
	auditClient := "sb-" + uuidFrom(mix(s, 0xa19)) + "!b3034|auditlog-management!b3034"
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
			ip := fmt.Sprintf("10.%d.%d.%d", rh%255, (rh>>8)%255, (rh>>16)%255)
			foreign := mix(rh, 12)%3 == 0
			src := sourceCPI
			var payload any
			switch cat {
			case "audit.security-events":
				// XSUAA writes the authentication events, for Cloud Integration's OAuth clients as for any other.
				src = sourceXSUAA
				ok := mix(rh, 4)%10 != 0
				var text string
				switch {
				case foreign && mix(rh, 13)%2 == 0:
					// Someone logs on to the BTP cockpit.
					user = pick(mix(rh, 14), auditUsers)
					ev, desc := "UserAuthenticationSuccess", "Authentication success"
					if !ok {
						ev, desc = "UserAuthenticationFailure", "Bad credentials"
					}
					text = fmt.Sprintf("%s ('%s'): principal=%s,%s,sap.default,,%s, origin=[remoteAddress=%s, sessionId=%s], identityZoneId=[%s]",
						ev, desc, uuidFrom(mix(rh, 15)), user, user, ip, hexN(mix(rh, 16), 8), tenantID)
				default:
					// An OAuth client fetches a token: Cloud Integration's API client, or the audit log service's.
					user = cpiClient
					if foreign {
						user = auditClient
					}
					ev, desc := "ClientAuthenticationSuccess", "Client authentication success"
					if !ok {
						ev, desc = "ClientAuthenticationFailure", "Bad credentials"
					}
					text = fmt.Sprintf("%s ('%s'): principal=%s, origin=[remoteAddress=%s, clientId=%s], identityZoneId=[%s]", ev, desc, user, ip, user, tenantID)
				}
				payload = map[string]any{"level": "INFO", "origin": nil, "msgNo": 1, "msgId": uuidFrom(mix(rh, 5)), "message": text, "user": nil, "version": "1.0"}
			case "audit.configuration":
				if foreign {
					// A change in the BTP cockpit, in the audit log library's generic shape.
					src = sourceCockpit
					user = pick(mix(rh, 14), auditUsers)
					if mix(rh, 13)%2 == 0 {
						payload = genericEvent(rh, user, ts, "RoleCollection", pick(mix(rh, 17), []string{"PI_Administrator", "PI_Integration_Developer", "PI_Business_Expert"}),
							map[string]any{"name": "users", "old": "", "new": pick(mix(rh, 18), auditUsers)})
					} else {
						dest := pick(mix(rh, 17), []string{"S4HANA_PRD", "Ariba_Network", "Salesforce"})
						payload = genericEvent(rh, user, ts, "Destination", dest,
							map[string]any{"name": "ProxyType", "old": "Internet", "new": pick(mix(rh, 18), []string{"Internet", "OnPremise"})})
					}
					break // the switch: a foreign event is complete
				}
				action := pick(mix(rh, 6), []string{"Creation_of_Artifact_Initiated", "Creation_of_Artifact_Completed", "Update_of_Artifact_Completed",
					"Update_of_Configuration_Completed", "Deploy_of_Artifact_Initiated", "Deploy_of_Artifact_Completed", "Package_Import_Started", "Package_Import_Completed"})
				objType, objID := "IntegrationFlow", f.id
				if strings.HasPrefix(action, "Package_") {
					objType, objID = "Package", f.pkg+".zip"
				}
				payload = cpiEvent(action, objType, objID, map[string]any{})
			case "audit.data-access":
				switch mix(rh, 7) % 3 {
				case 0:
					payload = cpiEvent("Read", "Message Payload (Trace)", fmt.Sprintf("mplId\\%s;traceId\\%s;stepId=EndEvent_2", auditGUID(rh, ts), hexN(mix(rh, 19), 8)),
						map[string]any{"message": fmt.Sprintf("Reading Content for Message Payload (Trace) with Id %d", mix(rh, 20)%100000)})
				case 1:
					payload = cpiEvent("Read", "MPL Attachment", auditGUID(rh, ts), map[string]any{})
				default:
					st := pick(mix(rh, 21), storeDefs)
					id := fmt.Sprintf("%d", 1000+mix(rh, 22)%9000)
					payload = cpiEvent("Read", "Message", st.name+"/"+nz(st.flow, "GLOBAL")+"/"+id, map[string]any{"storeName": st.name, "id": id})
				}
			default:
				q := pick(mix(rh, 9), queueDefs).name
				switch mix(rh, 8) % 4 {
				case 0:
					payload = cpiEvent("Retry", "Message", "ID:"+hexN(mix(rh, 23), 12), map[string]any{"Queue": q})
				case 1:
					payload = cpiEvent("Delete", "Message", "ID:"+hexN(mix(rh, 23), 12), map[string]any{"Queue": q})
				case 2:
					payload = cpiEvent("Move", "Message Queue", q, map[string]any{})
				default:
					payload = cpiEvent("Delete", "Variable", "sap_global_store/"+f.id+"/LastSuccessfulRun",
						map[string]any{"qualifier": f.id, "ids": "[LastSuccessfulRun]", "storeName": "sap_global_store", "id": "LastSuccessfulRun"})
				}
			}
			raw, _ := json.Marshal(payload)
			id := uuidFrom(mix(rh, 10))
			stamp := ts.UTC().Format("2006-01-02T15:04:05.000Z")
			out = append(out, auditRecord{
				MessageUUID: id, Time: stamp, Tenant: tenantID, OrgID: org, SpaceID: space, AppOrServiceID: apps[src], AlsServiceID: als,
				User: user, Category: cat, FormatVersion: "",
				Message: auditMessage{UUID: id, User: user, Time: stamp, IP: ip, Data: string(raw), ID: uuidFrom(mix(rh, 11)), Category: cat, Tenant: tenantID},
			})
		}
		// Records are served in time order.
		slices.SortStableFunc(out[bucketStart:], func(a, b auditRecord) int { return strings.Compare(a.Time, b.Time) })
	}
	return out
}

// cpiEvent is Cloud Integration's event shape (SAP Help "Auditing and Logging Information for Cloud
// Integration"): {"action","objectType","objectId","attributes","changedAttributes"}.
func cpiEvent(action, objType, objID string, attributes map[string]any) map[string]any {
	return map[string]any{"action": action, "objectType": objType, "objectId": objID, "attributes": attributes, "changedAttributes": map[string]any{}}
}

// genericEvent is the audit log library's configuration-change shape, as other BTP services write it.
func genericEvent(rh uint64, user string, ts time.Time, objType, name string, attr map[string]any) map[string]any {
	return map[string]any{"uuid": uuidFrom(mix(rh, 24)), "user": user, "time": ts.UTC().Format("2006-01-02T15:04:05.000Z"),
		"object": map[string]any{"type": objType, "id": map[string]string{"name": name}}, "attributes": []any{attr}, "success": true}
}

// auditGUID is a message GUID of the record's time (what a payload or attachment read refers to).
func auditGUID(rh uint64, ts time.Time) string {
	return guid28(uint32(ts.Unix()), [16]byte{byte(rh), byte(rh >> 8), byte(rh >> 16), byte(rh >> 24), byte(rh >> 32), byte(rh >> 40), byte(rh >> 48), byte(rh >> 56), 1, 2, 3})
}

func (t *Tenant) writeAuditError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": msg})
}

func (t *Tenant) serveAuditLog(w http.ResponseWriter, r *http.Request) {
	if _, ok := t.authenticate(r); !ok {
		writeUnauthorized(w, r)
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
	if t.hostile(HostileOddAuditRecords) && hd.Offset == 0 {
		writeJSONValue(w, oddAuditPage(page, time.UnixMilli(hd.From).UTC(), to))
		return
	}
	writeJSONValue(w, page)
}
