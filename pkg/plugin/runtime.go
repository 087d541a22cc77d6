package plugin

import (
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// runtimeHandlers: the runtime, security and inventory query types (endpoints, certificates, jms, inventory) (filled as they are implemented).
var runtimeHandlers = map[models.QueryType]queryHandler{}

// runtimeVariables: the runtime template-variable kinds (filled as they are implemented).
var runtimeVariables = map[string]variableProvider{}
