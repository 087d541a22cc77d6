package plugin

import (
	"net/http"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// calmHandlers: the calm query types (filled as they are implemented).
var calmHandlers = map[models.QueryType]queryHandler{}

// registerCalmResources adds the calm look-ups for the editors (none yet).
func registerCalmResources(_ *http.ServeMux, _ *Datasource) {}
