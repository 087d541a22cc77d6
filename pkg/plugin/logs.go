package plugin

import (
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// logHandlers: the log query types (auditLogs, logFiles) (filled as they are implemented).
var logHandlers = map[models.QueryType]queryHandler{}

// logVariables: the log template-variable kinds (filled as they are implemented).
var logVariables = map[string]variableProvider{}
