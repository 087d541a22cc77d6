// Package odata implements the parts of OData V2 (SAP "verbose JSON") that the CPI APIs use: the
// response envelope, /Date(ms)/ values, filter literals, SAP error bodies and server-paging links.
// It knows nothing about HTTP clients or CPI entity types.
package odata
