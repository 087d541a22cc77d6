// Command gpx_sapcpi is the backend of the SAP Cloud Integration data source; Grafana starts it.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/seed/sapcpi-datasource/pkg/plugin"
)

// version is set by the SDK build (mage) from package.json.
var version = "dev"

func main() {
	plugin.Version = version
	if err := datasource.Manage(plugin.ID, plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error("plugin stopped", "error", err.Error())
		os.Exit(1)
	}
}
