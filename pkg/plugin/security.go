package plugin

import (
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// securityHandlers: the security query types (filled as they are implemented).
var securityHandlers = map[models.QueryType]queryHandler{}

// securityVariables: the security template-variable kinds (filled as they are implemented).
var securityVariables = map[string]variableProvider{}
