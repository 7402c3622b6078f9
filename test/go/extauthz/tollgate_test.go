// Package extauthz checks Tollgate's Envoy ext_authz gRPC server with a client built from Envoy's
// own generated types (go-control-plane), not from Tollgate's .proto subset, so a passing run
// proves wire compatibility with what Envoy and Istio send. The module also checks the Helm chart's
// manifests against the Kubernetes types and its PromQL against the running server's /metrics.
package extauthz

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Tollgate's adapters.envoy_grpc.max_receive_bytes for this run: small, so the oversize case stays cheap.
const maxReceiveBytes = 256 * 1024

var (
	client  authv3.AuthorizationClient
	conn    *grpc.ClientConn
	apiKey  createdKey
	rootDir string
	// adminURL is the running Tollgate's admin port (its /metrics names what Tollgate exports).
	adminURL string
)

type createdKey struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// TestMain builds Tollgate (unless TOLLGATE_SKIP_BUILD=1), writes a key file and an echo policy
// bundle, starts `node bin/tollgate.js serve` on free ports and dials its gRPC port.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if rootDir, err = filepath.Abs("../../.."); err != nil {
		return fail(err)
	}
	tmp, err := os.MkdirTemp("", "tollgate-go-extauthz-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)
	if os.Getenv("TOLLGATE_SKIP_BUILD") != "1" {
		if _, err := command(rootDir, nil, "npm", "run", "build", "--silent"); err != nil {
			return fail(fmt.Errorf("npm run build: %w", err))
		}
	}
	bundle, err := buildEchoBundle(tmp)
	if err != nil {
		return fail(err)
	}
	keysFile := filepath.Join(tmp, "keys.yaml")
	out, err := command(rootDir, nil, "node", "bin/tollgate.js", "keys", "create", "--file", keysFile, "--subject", "svc-a", "--models", "gpt-4o*", "--json")
	if err != nil {
		return fail(fmt.Errorf("keys create: %w", err))
	}
	if err := json.Unmarshal(out, &apiKey); err != nil || apiKey.Key == "" {
		return fail(fmt.Errorf("keys create printed %q: %v", out, err))
	}
	tollgate, port, admin, err := startTollgate(map[string]string{
		"TOLLGATE_HTTP_PORT":                               "0",
		"TOLLGATE_ADMIN_PORT":                              "0",
		"TOLLGATE_GRPC_PORT":                               "0",
		"TOLLGATE_HOST":                                    "127.0.0.1",
		"TOLLGATE_KEYS_FILE":                               keysFile,
		"TOLLGATE_POLICY_BUNDLE":                           bundle,
		"TOLLGATE_POLICY__ENTRYPOINT":                      "tollgate/echo/decision",
		"TOLLGATE_UPSTREAM__REMOVE_CREDENTIAL_HEADERS":     "true",
		"TOLLGATE_ADAPTERS__ENVOY_GRPC__MAX_RECEIVE_BYTES": fmt.Sprint(maxReceiveBytes),
	})
	if err != nil {
		return fail(err)
	}
	defer stopTollgate(tollgate)
	adminURL = fmt.Sprintf("http://127.0.0.1:%d", admin)
	conn, err = grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	client = authv3.NewAuthorizationClient(conn)
	return m.Run()
}

// buildEchoBundle compiles the default policy plus testdata/echo.rego with the project's pinned OPA.
func buildEchoBundle(dir string) (string, error) {
	opa, err := command(rootDir, nil, "bash", "scripts/opa.sh")
	if err != nil {
		return "", fmt.Errorf("scripts/opa.sh: %w", err)
	}
	bundle := filepath.Join(dir, "echo.tar.gz")
	testdata, _ := filepath.Abs("testdata")
	_, err = command(rootDir, nil, strings.TrimSpace(string(opa)), "build", "-t", "wasm", "-e", "tollgate/echo/decision",
		"--ignore", "*_test.rego", "--ignore", "build", "-o", bundle, "policies", testdata)
	return bundle, err
}

// startTollgate runs the real CLI and reads the gRPC and admin ports from the "tollgate listening" log line.
func startTollgate(env map[string]string) (cmd *exec.Cmd, grpcPort, adminPort int, err error) {
	cmd = exec.Command("node", "bin/tollgate.js", "serve")
	cmd.Dir = rootDir
	cmd.Env = environment(env)
	cmd.Stderr = os.Stderr
	// Tollgate goes when the test binary goes, even if it is killed before TestMain's cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, 0, err
	}
	if err := cmd.Start(); err != nil {
		return nil, 0, 0, err
	}
	ports := make(chan [2]int, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 1<<20), 1<<20)
		for scanner.Scan() {
			var line struct {
				Message   string `json:"message"`
				GrpcPort  *int   `json:"grpc_port"`
				AdminPort *int   `json:"admin_port"`
			}
			if json.Unmarshal(scanner.Bytes(), &line) == nil && line.Message == "tollgate listening" && line.GrpcPort != nil && line.AdminPort != nil {
				ports <- [2]int{*line.GrpcPort, *line.AdminPort}
			}
		}
	}()
	select {
	case p := <-ports:
		return cmd, p[0], p[1], nil
	case <-time.After(30 * time.Second):
		stopTollgate(cmd)
		return nil, 0, 0, fmt.Errorf("tollgate did not log its grpc_port and admin_port within 30s")
	}
}

func stopTollgate(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
	}
}

// environment is this process's environment without inherited TOLLGATE_* settings, plus env.
func environment(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TOLLGATE_") {
			out = append(out, kv)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func command(dir string, env map[string]string, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = environment(env)
	cmd.Stderr = os.Stderr
	return cmd.Output()
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "extauthz test setup:", err)
	return 1
}

func check(t *testing.T, req *authv3.CheckRequest) *authv3.CheckResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := client.Check(ctx, req)
	if err != nil {
		t.Fatalf("Check returned a gRPC error (Envoy would treat it as an authz failure): %v", err)
	}
	return res
}
