# Grafana with the SAP Cloud Integration data source built from source: no Node or Go needed on the host.
ARG GRAFANA_VERSION=13.1.0

FROM node:22-bookworm AS frontend
WORKDIR /src
# .npmrc first: npm ci must install with the repository's npm settings (no install scripts).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:frontend

FROM golang:1.26-bookworm AS backend
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go tool mage -v

FROM grafana/grafana:${GRAFANA_VERSION}
COPY --from=frontend /src/dist /var/lib/grafana/plugins/seed-sapcpi-datasource
COPY --from=backend /src/dist/gpx_sapcpi_linux_* /var/lib/grafana/plugins/seed-sapcpi-datasource/
