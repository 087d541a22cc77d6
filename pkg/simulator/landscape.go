package simulator

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// The landscape is the static part of the tenant: packages, iFlows with senders and receivers, other
// runtime artifacts. It is small (tens of objects), built once from the seed, and time-relative values
// (deployment dates) are computed from "now" when served.

const tenantName = "simtenant"

type pkgInfo struct {
	id, name, short, vendor, mode, products, lob string
	createdDaysAgo                               int
	modifiedDaysAgo                              int
}

var packageList = []pkgInfo{
	{"ZFinanceS4HANA", "Finance Integration S/4HANA", "Journal entries, exchange rates and planning data for S/4HANA Finance.", "", "EDIT_ALLOWED", "[SAP S/4HANA Cloud]", "[Finance]", 610, 12},
	{"ZSuccessFactorsHR", "SuccessFactors Employee Central Integration", "Employee and organisational data between SuccessFactors and S/4HANA.", "", "EDIT_ALLOWED", "[SAP SuccessFactors Employee Central, SAP S/4HANA]", "[Human Resources]", 540, 30},
	{"ZAribaProcurement", "Ariba Procurement", "Purchase orders, invoices and suppliers with SAP Ariba.", "", "EDIT_ALLOWED", "[SAP Ariba]", "[Sourcing and Procurement]", 480, 5},
	{"ZSalesforceCRM", "Salesforce CRM Synchronisation", "Business partners and opportunities with Salesforce.", "", "EDIT_ALLOWED", "[]", "[Sales]", 420, 2},
	{"ZLogisticsEDI", "Logistics EDI (B2B)", "AS2 EDI with carriers and trading partners.", "", "EDIT_ALLOWED", "[]", "[Supply Chain]", 700, 44},
	{"ZBankCommunication", "Bank Communication", "Payment files and bank statements over SFTP.", "", "EDIT_ALLOWED", "[]", "[Finance]", 800, 90},
	{"ZOperationsMonitoring", "Operations and Monitoring", "Heartbeats and alert notifications.", "", "EDIT_ALLOWED", "[]", "[]", 300, 60},
	{"ZMasterData", "Master Data Distribution", "Material and customer master data distribution.", "", "EDIT_ALLOWED", "[SAP S/4HANA]", "[]", 650, 20},
	{"SAPSuccessFactorsEmployeeCentralIntegrationWithERP", "SAP SuccessFactors Employee Central Integration with SAP ERP", "Standard content: replicate employee master data to SAP ERP.", "SAP", "READ_ONLY", "[SAP SuccessFactors Employee Central, SAP ERP, SAP S/4HANA]", "[Human Resources]", 900, 150},
}

// flowTemplate is one integration scenario; iFlows beyond the list repeat scenarios per region.
type flowTemplate struct {
	name, pkg          string
	sender, receiver   string // "" = null, as SAP leaves them for timer-started or internal flows
	protocol           string // sender endpoint protocol for ServiceEndpoints ("" = no endpoint: timer/SFTP/JMS)
	appMsgType         string
	headers            []string
	baseMs             int     // typical processing time
	weight             float64 // relative traffic
	receiverURL        string
	adapter            string // receiver adapter (for adapter attributes and error texts)
	senderAdapter      string
	applicationIDStyle string // "", "idoc", "uuid", "po"
}

var flowTemplates = []flowTemplate{
	{"Replicate_BusinessPartner_S4_to_Salesforce", "ZSalesforceCRM", "S4HANA_PRD", "Salesforce", "SOAP", "BusinessPartner", []string{"BusinessPartner", "Country"}, 800, 6, "https://simcorp.my.salesforce.com/services/data/v59.0/composite", "HTTP", "SOAP", "uuid"},
	{"Sync_Opportunity_Salesforce_to_S4", "ZSalesforceCRM", "Salesforce", "S4HANA_PRD", "REST", "", []string{"OpportunityId"}, 1200, 4, "https://s4hana-prd.example.com/sap/opu/odata/sap/API_SALES_ORDER_SRV", "OData", "HTTPS", ""},
	{"Employee_Replication_SF_to_S4", "ZSuccessFactorsHR", "", "", "", "", []string{"PersonId", "CompanyCode"}, 4200, 1.5, "https://s4hana-prd.example.com/sap/bc/srt/scs/sap/ecc_employeeinfo", "SOAP", "Timer", ""},
	{"OrgData_Replication_S4_to_SF", "ZSuccessFactorsHR", "S4HANA_PRD", "SuccessFactors", "SOAP", "HRMD_A07", []string{"OrgUnit"}, 2600, 1.2, "https://api12preview.sapsf.eu/odata/v2/upsert", "SuccessFactors", "IDoc", "idoc"},
	{"PurchaseOrder_S4_to_Ariba", "ZAribaProcurement", "S4HANA_PRD", "Ariba_Network", "SOAP", "ORDERS05", []string{"PurchaseOrder", "Supplier"}, 1500, 5, "https://s1.ariba.com/Buyer/soap/simcorp/PurchaseOrderExportRequest", "Ariba", "IDoc", "idoc"},
	{"Invoice_Ariba_to_S4", "ZAribaProcurement", "Ariba_Network", "S4HANA_PRD", "", "INVOIC02", []string{"InvoiceNumber", "Supplier"}, 1900, 3, "https://s4hana-prd.example.com/sap/bc/srt/idoc?sap-client=100", "IDoc", "Ariba", "po"},
	{"Payment_Files_S4_to_Bank", "ZBankCommunication", "S4HANA_PRD", "Bank_SFTP", "", "PAIN.001.001.03", []string{"PaymentRun"}, 3100, 0.6, "sftp://sftp.bank.example.com:22/inbound/pain001", "SFTP", "ProcessDirect", ""},
	{"Bank_Statements_to_S4", "ZBankCommunication", "Bank_SFTP", "S4HANA_PRD", "", "CAMT.053.001.02", []string{"StatementId"}, 2800, 0.4, "https://s4hana-prd.example.com/sap/bc/srt/scs_ext/sap/bankstatementbulkrequest", "SOAP", "SFTP", ""},
	{"DESADV_EDI_to_Carrier", "ZLogisticsEDI", "S4HANA_PRD", "EDI_DHL", "", "DESADV", []string{"Delivery", "PartnerId"}, 900, 3.5, "https://as2.dhl.example.com/as2/receive", "AS2", "IDoc", "idoc"},
	{"Inbound_ORDERS_AS2", "ZLogisticsEDI", "EDI_Partner", "S4HANA_PRD", "AS2", "ORDERS", []string{"PartnerId", "OrderNumber"}, 1100, 2.5, "https://s4hana-prd.example.com/sap/bc/srt/idoc?sap-client=100", "IDoc", "AS2", "po"},
	{"Material_Master_Distribution", "ZMasterData", "S4HANA_PRD", "MDG_Hub", "SOAP", "MATMAS05", []string{"Material", "Plant"}, 700, 7, "https://mdg.example.com/sap/bc/srt/xip/sap/materialreplicate", "SOAP", "IDoc", "idoc"},
	{"Customer_Master_OData_API", "ZMasterData", "API_Consumer", "S4HANA_PRD", "ODATAV2", "", []string{"Customer"}, 350, 9, "https://s4hana-prd.example.com/sap/opu/odata/sap/API_BUSINESS_PARTNER", "OData", "OData", ""},
	{"Heartbeat_Monitor", "ZOperationsMonitoring", "", "", "", "", nil, 150, 0.35, "https://status.example.com/api/heartbeat", "HTTP", "Timer", ""},
	{"Error_Notification_Mail", "ZOperationsMonitoring", "", "Mail", "", "", []string{"AlertId"}, 600, 0.3, "smtp://mail.example.com:587", "Mail", "JMS", ""},
	{"Journal_Entry_Post_Concur", "ZFinanceS4HANA", "Concur", "S4HANA_PRD", "REST", "", []string{"ReportId", "CompanyCode"}, 2100, 2, "https://s4hana-prd.example.com/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi", "SOAP", "HTTPS", "uuid"},
	{"Exchange_Rates_Load_ECB", "ZFinanceS4HANA", "", "S4HANA_PRD", "", "", nil, 1300, 0.2, "https://s4hana-prd.example.com/sap/opu/odata/sap/API_EXCHANGE_RATES_SRV", "OData", "Timer", ""},
	{"GL_Balances_to_Anaplan", "ZFinanceS4HANA", "S4HANA_PRD", "Anaplan", "", "", []string{"FiscalPeriod"}, 5200, 0.5, "https://api.anaplan.com/2/0/workspaces/8a8b8c/models/F00D/imports", "HTTP", "JMS", ""},
	{"Shipment_Tracking_Webhook", "ZLogisticsEDI", "Carrier_API", "S4HANA_PRD", "REST", "", []string{"TrackingNumber"}, 420, 8, "https://s4hana-prd.example.com/sap/opu/odata4/sap/api_shipment", "OData", "HTTPS", "uuid"},
	{"Timesheet_Sync_Fieldglass", "ZSuccessFactorsHR", "Fieldglass", "S4HANA_PRD", "SOAP", "", []string{"WorkerId"}, 1600, 1.8, "https://s4hana-prd.example.com/sap/bc/srt/scs/sap/timesheetrecord", "SOAP", "SOAP", ""},
	{"Supplier_Onboarding_Ariba", "ZAribaProcurement", "Ariba_SLP", "S4HANA_PRD", "REST", "", []string{"Supplier"}, 2300, 0.8, "https://s4hana-prd.example.com/sap/opu/odata/sap/API_BUSINESS_PARTNER", "OData", "HTTPS", ""},
	{"EmployeeCentral_to_ERP_Standard", "SAPSuccessFactorsEmployeeCentralIntegrationWithERP", "", "ERP_HCM", "", "", []string{"PersonId"}, 3900, 0.7, "https://erp-hcm.example.com/sap/bc/srt/xip/sap/ecc_employeeinfo", "SOAP", "Timer", ""},
}

var regions = []string{"EU", "US", "APJ", "LATAM", "MEA", "CN"}

var deployers = []string{"anna.schmidt@simcorp.example", "raj.patel@simcorp.example", "sb-cicd-pipeline!b1234|it!b5678", "li.wei@simcorp.example"}

type iflow struct {
	flowTemplate
	idx                 int
	id, name            string
	pkgName             string
	weight              float64
	failRate            float64
	version, designVer  string
	deployDaysAgo       int
	deployMinute        int
	deployedBy          string
	status              string // STARTED | ERROR
	errorText           string
	stuckProcessing     float64 // share of messages stuck in PROCESSING
	stuckRetry          float64 // share of messages stuck in RETRY
	retries             bool    // failures are retried (JMS): they show as RETRY while retries last
	logLevel            string
	customStatusOnError string
}

type otherArtifact struct {
	id, name, typ, version string
	deployDaysAgo          int
	pkg                    string // design-time package ("" = none)
}

// designOnly is an iFlow that exists in a package but is not deployed: a draft, or a scenario taken out
// of service. Real tenants always have some; the inventory shows them as "not deployed".
type designOnly struct {
	id, pkg, version, sender, receiver string
}

var designOnlyFlows = []designOnly{
	{"Credit_Memo_S4_to_Ariba", "ZAribaProcurement", "0.3.0", "S4HANA_PRD", "Ariba_Network"},
	{"Intercompany_Reconciliation_S4", "ZFinanceS4HANA", "1.0.2", "", "S4HANA_PRD"},
}

// unpackagedFlow is deployed but in no package: its package was deleted after deployment, which leaves
// the runtime artifact running. It has no traffic (its old sender was switched off), so it is also the
// tenant's silent iFlow: zero-filled counts show 0 for it.
var unpackagedFlow = flowTemplate{name: "Legacy_Vendor_Sync_ECC_to_S4", sender: "ECC_PRD", receiver: "S4HANA_PRD",
	appMsgType: "CREMAS05", baseMs: 1800, receiverURL: "https://s4hana-prd.example.com/sap/bc/srt/idoc?sap-client=100",
	adapter: "IDoc", senderAdapter: "Timer"}

type landscape struct {
	seed  int64
	pkgs  []pkgInfo
	flows []*iflow // the deployed iFlows of the scenario templates, all in packages
	// unpackaged are deployed iFlows in no package (no design-time artifact, no traffic).
	unpackaged []*iflow
	designOnly []designOnly      // designed, not deployed
	byID       map[string]*iflow // every deployed iFlow
	active     []*iflow          // flows that produce traffic
	cumWeight  []float64         // cumulative weights of active, normalised to 1
	others     []otherArtifact
}

// Special flows, by index, so every tenant has the cases monitoring must show.
const (
	flowStuckProcessing = 1
	flowVersionDrift    = 2
	flowErrorArtifact   = 6 // Payment_Files_S4_to_Bank: deployment failed on a missing credential
	flowRetry           = 7
	flowNoisy           = 4
	flowTrace           = 5
)

func newLandscape(seed int64, n int) *landscape {
	l := &landscape{seed: seed, pkgs: packageList, byID: map[string]*iflow{}}
	pkgName := map[string]string{}
	for _, p := range packageList {
		pkgName[p.id] = p.name
	}
	s := uint64(seed)
	for i := 0; i < n; i++ {
		t := flowTemplates[i%len(flowTemplates)]
		id := t.name
		if round := i / len(flowTemplates); round > 0 {
			id = fmt.Sprintf("%s_%s", t.name, regions[(round-1)%len(regions)])
			if round > len(regions) {
				id = fmt.Sprintf("%s_%d", id, round)
			}
		}
		h := mix(s, 0x1f, uint64(i))
		f := &iflow{
			flowTemplate: t,
			idx:          i,
			id:           id,
			name:         strings.ReplaceAll(id, "_", " "),
			pkgName:      pkgName[t.pkg],
			// Skew traffic: a few flows dominate, as on real tenants.
			weight:        t.weight * (0.5 + unit(mix(h, 1))) / math.Pow(1+float64(i/len(flowTemplates)), 0.7),
			failRate:      0.002 + 0.02*unit(mix(h, 2)),
			deployDaysAgo: 1 + int(mix(h, 3)%120),
			deployMinute:  int(mix(h, 4) % 1440),
			deployedBy:    pick(mix(h, 5), deployers),
			status:        "STARTED",
			logLevel:      "INFO",
		}
		minor := 1 + mix(h, 6)%4
		patch := mix(h, 7) % 12
		f.version = fmt.Sprintf("1.%d.%d", minor, patch)
		f.designVer = f.version
		switch i {
		case flowStuckProcessing:
			f.stuckProcessing = 0.004
		case flowVersionDrift:
			f.designVer = fmt.Sprintf("1.%d.%d", minor, patch+2)
		case flowErrorArtifact:
			f.status = "ERROR"
			f.deployDaysAgo = 0
			f.errorText = "Error while loading the details of the integration flow: [Deployment failed] Unable to resolve credential 'SFTP_Bank_Key' in the secure store; " +
				"the SFTP receiver channel 'SFTP_Bank_Outbound' cannot be started. Bundle " + id + " version " + f.version + " (task " + uuidFrom(h) + ")"
		case flowRetry:
			f.retries = true
			f.stuckRetry = 0.003
		case flowNoisy:
			f.failRate = 0.12
			f.customStatusOnError = "BUSINESS_ERROR"
		case flowTrace:
			f.logLevel = "TRACE"
		}
		if t.senderAdapter == "JMS" {
			f.retries = true
		}
		l.flows = append(l.flows, f)
		l.byID[f.id] = f
	}
	total := 0.0
	for _, f := range l.flows {
		if f.status == "ERROR" {
			continue
		}
		l.active = append(l.active, f)
		total += f.weight
	}
	acc := 0.0
	for _, f := range l.active {
		acc += f.weight / total
		l.cumWeight = append(l.cumWeight, acc)
	}
	l.cumWeight[len(l.cumWeight)-1] = 1
	l.others = []otherArtifact{
		{"VM_CompanyCode_Mapping", "Company Code Value Mapping", "VALUE_MAPPING", "1.0.3", 40, "ZFinanceS4HANA"},
		{"VM_UnitOfMeasure", "Unit of Measure Value Mapping", "VALUE_MAPPING", "1.1.0", 75, "ZMasterData"},
		{"SC_Common_Groovy_Utils", "Common Groovy Utilities", "SCRIPT_COLLECTION", "1.0.9", 18, "ZOperationsMonitoring"},
		{"API_Customer_OData_Facade", "Customer OData Facade", "ODATA_SERVICE", "1.0.1", 33, ""},
	}
	l.designOnly = designOnlyFlows
	// Appended after the templated flows (and kept out of flows and active) so the seed-derived values of
	// every other flow, and so the message traffic, stay as they were.
	u := &iflow{flowTemplate: unpackagedFlow, idx: n, id: unpackagedFlow.name, name: strings.ReplaceAll(unpackagedFlow.name, "_", " "),
		version: "1.0.7", designVer: "", deployDaysAgo: 214, deployMinute: 611, deployedBy: deployers[0], status: "STARTED", logLevel: "INFO"}
	l.unpackaged = []*iflow{u}
	l.byID[u.id] = u
	return l
}

// flowAt picks an active flow for a uniform value u in [0,1).
func (l *landscape) flowAt(u float64) *iflow {
	i := sort.SearchFloat64s(l.cumWeight, u)
	if i >= len(l.active) {
		i = len(l.active) - 1
	}
	return l.active[i]
}

// dayStart is midnight UTC of now's day: deployment dates hang off it so they stay stable during a day.
func dayStart(now time.Time) time.Time { return now.UTC().Truncate(24 * time.Hour) }

func (f *iflow) deployedOn(now time.Time) time.Time {
	if f.deployDaysAgo == 0 {
		// Deployed (and failed) 2 to 4 hours ago, so inside a 6 h range; fixed for an hour at a time like
		// a real deployment (not sliding with the clock).
		return now.UTC().Truncate(time.Hour).Add(-2*time.Hour - time.Duration(f.deployMinute%60)*time.Minute)
	}
	return dayStart(now).Add(-time.Duration(f.deployDaysAgo)*24*time.Hour + time.Duration(f.deployMinute)*time.Minute)
}

// component is the PreviousComponentName / LocalComponentName value of the tenant's messages.
func (f *iflow) component() string { return "CPI_" + tenantName }
