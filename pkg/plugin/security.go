package plugin

import (
	"net/http"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// securityHandlers: the security query types (filled as they are implemented).
var securityHandlers = map[models.QueryType]queryHandler{}

// registerSecurityResources adds the security look-ups for the editors (none yet).
func registerSecurityResources(_ *http.ServeMux, _ *Datasource) {}
