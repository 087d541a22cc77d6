package plugin

import (
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// calmHandlers: the calm query types (filled as they are implemented).
var calmHandlers = map[models.QueryType]queryHandler{}

// calmVariables: the calm template-variable kinds (filled as they are implemented).
var calmVariables = map[string]variableProvider{}
