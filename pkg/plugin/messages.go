package plugin

import (
	"net/http"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// messageHandlers: the messages query types (filled as they are implemented).
var messageHandlers = map[models.QueryType]queryHandler{}

// registerMessageResources adds the messages look-ups for the editors (none yet).
func registerMessageResources(_ *http.ServeMux, _ *Datasource) {}
