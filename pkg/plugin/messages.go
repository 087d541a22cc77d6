package plugin

import (
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// messageHandlers: the messages query types (filled as they are implemented).
var messageHandlers = map[models.QueryType]queryHandler{}

// messageVariables: the messages template-variable kinds (filled as they are implemented).
var messageVariables = map[string]variableProvider{}
