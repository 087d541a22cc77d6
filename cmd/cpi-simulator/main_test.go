package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/internal/syncbuf"
)

func start(t *testing.T, args ...string) (string, *syncbuf.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncbuf.Buffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), logs, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("run: %v\n%s", err, logs)
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("simulator did not start")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return "http://" + addr, logs
}

func token(t *testing.T, base, id, secret string) string {
	t.Helper()
	resp, err := http.PostForm(base+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 || body.AccessToken == "" {
		t.Fatalf("token: %d", resp.StatusCode)
	}
	return body.AccessToken
}

func get(t *testing.T, url, tok string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCommandServesAndLogs(t *testing.T) {
	base, logs := start(t, "-seed", "3", "-messages-per-day", "5000", "-client-id", "demo", "-client-secret", "s3cr3t-value",
		"-fault", "IntegrationRuntimeArtifacts:status=503,count=1")
	tok := token(t, base, "demo", "s3cr3t-value")
	if st, _ := get(t, base+"/api/v1/IntegrationRuntimeArtifacts", tok); st != 503 {
		t.Fatalf("first request with -fault count=1: %d", st)
	}
	st, body := get(t, base+"/api/v1/IntegrationRuntimeArtifacts", tok)
	if st != 200 || !strings.Contains(body, `"results"`) {
		t.Fatalf("second request: %d", st)
	}
	st, body = get(t, base+"/api/v1/MessageProcessingLogs/$count", tok)
	if st != 200 || body == "0" {
		t.Fatalf("$count: %d %s", st, body)
	}
	time.Sleep(50 * time.Millisecond) // the log line is written after the response
	out := logs.String()
	if !strings.Contains(out, "GET /api/v1/IntegrationRuntimeArtifacts 503") || !strings.Contains(out, "POST /oauth/token 200") {
		t.Fatalf("request log:\n%s", out)
	}
	if strings.Contains(out, "s3cr3t-value") || strings.Contains(out, tok) {
		t.Fatalf("log leaks a credential:\n%s", out)
	}
}

func TestCommandFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-fault", "Foo:status=abc"},
		{"-environment", "kyma"},
		{"-nope"},
		{"extra"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, nil); err == nil {
			t.Fatalf("%v: no error", args)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-help"}, &out, nil); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "X-Sim-Fault") || !strings.Contains(out.String(), "-fault") {
		t.Fatalf("-help: %v\n%s", err, out.String())
	}
}
