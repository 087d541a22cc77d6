package simulator

import (
	"fmt"
	"strings"
)

// Error kinds. Texts follow what CPI shows in the MPL error information: Java exception class, then a
// message with ids, numbers and URLs inside — which is what an error-grouping feature must normalise.
const (
	errMapping = iota
	errHTTP500
	errTimeout
	errAuth
	errSFTP
	errIDoc
	errScript
	errCSRF
	errBusiness
	errOData
	numErrKinds
)

// errKindFor chooses a failure cause that fits the flow's receiver adapter.
func (g *generator) errKindFor(f *iflow, h uint64) int {
	v := mix(h, 0xe0) % 100
	var common []int
	switch f.adapter {
	case "SFTP":
		common = []int{errSFTP, errSFTP, errAuth, errTimeout}
	case "IDoc":
		common = []int{errIDoc, errIDoc, errMapping, errTimeout}
	case "OData":
		common = []int{errOData, errHTTP500, errCSRF, errAuth}
	case "AS2":
		common = []int{errHTTP500, errTimeout, errMapping}
	default:
		common = []int{errHTTP500, errMapping, errTimeout, errAuth}
	}
	switch {
	case v < 70:
		return common[v%uint64(len(common))]
	case v < 80:
		return errScript
	case v < 90:
		return errBusiness
	}
	return int(v % numErrKinds)
}

// errorText is the full error text (ErrorInformation/$value) of a failed message.
func (m *msg) errorText() string {
	h := mix(m.h, 0xe1)
	f := m.flow
	url := f.receiverURL
	corr := uuidFrom(mix(h, 1))
	switch m.errKind {
	case errMapping:
		field := pick(mix(h, 2), []string{"Name", "PostalCode", "Quantity", "MaterialNumber", "TaxNumber", "CompanyCode"})
		return fmt.Sprintf("com.sap.xi.mapping.camel.XiMappingException: com.sap.aii.mappingtool.tf7.IllegalInstanceException: "+
			"Cannot create target element /ns0:%s/Record[%d]/%s. Values missing in queue context. Target XSD requires a value for this element, "+
			"but the target-field mapping does not create one. Check whether the XML instance is valid for the source XSD, and whether the "+
			"target-field mapping fulfils the requirement of the target XSD, (MessageId=%s)",
			strings.ReplaceAll(f.id, "_", ""), 1+h%250, field, m.guid())
	case errHTTP500:
		return fmt.Sprintf("com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: "+ //nolint:misspell // SAP's adapter message has this typo
			"HTTP operation failed invoking %s with statusCode: 500. The error occurred in the receiver system (sap-correlation-id %s, request %d)",
			url, corr, 100000+h%900000)
	case errTimeout:
		return fmt.Sprintf("java.net.SocketTimeoutException: Read timed out after %d ms while invoking %s, cause: "+
			"org.apache.http.conn.ConnectTimeoutException: Connect to %s timed out (attempt %d)",
			60000+(h%4)*30000, url, hostOf(url), 1+h%3)
	case errAuth:
		cred := pick(mix(h, 3), []string{"SF_TechnicalUser", "S4_OAuth_Client", "Ariba_API_Key", "Salesforce_JWT"})
		return fmt.Sprintf("com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: "+ //nolint:misspell // SAP's adapter message has this typo
			"HTTP operation failed invoking %s with statusCode: 401 (Unauthorized). Credential '%s' was rejected; token request id %s",
			url, cred, corr)
	case errSFTP:
		return fmt.Sprintf("org.apache.camel.component.file.GenericFileOperationFailedException: Cannot connect to sftp://%s:22 "+
			"for user simcorp_%d: com.jcraft.jsch.JSchException: Auth fail for methods 'publickey' (session %s)",
			hostOf(url), 100+h%900, corr)
	case errIDoc:
		return fmt.Sprintf("com.sap.it.rt.adapter.idoc.IDocException: IDoc %016d could not be posted in %s: status 51 "+
			"(Application document not posted), partner SIM%03d unknown in partner profile; see %s",
			4_000_000+h%9_000_000, pick(mix(h, 4), []string{"S4HANA_PRD client 100", "ERP_HCM client 200"}), h%1000, url)
	case errScript:
		return fmt.Sprintf("javax.script.ScriptException: java.lang.NullPointerException: Cannot invoke method split() on null object, "+
			"cause: java.lang.NullPointerException in script%d.groovy at line %d (exchange %s)",
			1+h%4, 20+h%180, uuidFrom(mix(h, 5)))
	case errCSRF:
		return fmt.Sprintf("com.sap.gateway.core.ip.component.odata.exception.OsciException: Forbidden : 403 : HTTP/1.1 , "+
			"CSRF token validation failed for %s (x-csrf-token %s)", url, hexN(mix(h, 6), 24))
	case errBusiness:
		return fmt.Sprintf("com.sap.it.rt.scc.connectivity.BusinessException: Document %d is locked by user BATCH_%03d "+
			"(SAP message 06/101); retry scheduled at attempt %d of 5, correlation %s",
			4_500_000_000+h%99_999_999, h%1000, 1+h%5, corr)
	case errOData:
		return fmt.Sprintf("com.sap.gateway.core.ip.component.odata.exception.OsciException: Bad Request : 400 : HTTP/1.1 , "+
			"Property 'Field%d' at offset '%d' has invalid value '%s' (%s)", h%40, 100+h%4000, hexN(mix(h, 7), 8), url)
	}
	return ""
}

// lastErrorStep is the model step id SAP reports with the error information.
func (m *msg) lastErrorStep() string {
	h := mix(m.h, 0xe2)
	switch m.errKind {
	case errMapping:
		return fmt.Sprintf("MessageMapping_%d", 1+h%30)
	case errScript:
		return fmt.Sprintf("GroovyScript_%d", 1+h%30)
	}
	return fmt.Sprintf("MessageFlow_%d", 1+h%40)
}

func hostOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexAny(u, ":/"); i >= 0 {
		u = u[:i]
	}
	return u
}
