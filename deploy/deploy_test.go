// Package deploy holds the files that ship seismo (a Dockerfile, a compose
// file, Kubernetes manifests, Prometheus rules) and tests that load each
// with the library of the tool that reads it: no registry is reachable
// where the tests run, so nothing here is started, but a typo in a field
// name, a broken PromQL expression or build flags that give a dynamic
// binary fail make test.
package deploy

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	promqlparser "github.com/prometheus/prometheus/promql/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// loadCompose loads a compose file as docker compose does, refusing what
// the Compose specification does not define.
func loadCompose(t *testing.T, dir, name string, content []byte) (*types.Project, error) {
	t.Helper()
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, name), Content: content}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("seismo", true) })
}

func TestCompose(t *testing.T) {
	content, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := filepath.Abs(".")
	p, err := loadCompose(t, dir, "compose.yaml", content)
	if err != nil {
		t.Fatal(err)
	}
	names := slices.Sorted(maps.Keys(p.Services))
	if want := []string{"kafka", "prometheus", "redis", "seismo-1", "seismo-2"}; !slices.Equal(names, want) {
		t.Errorf("services %v, want %v", names, want)
	}
	kafka := p.Services["kafka"]
	if !strings.HasPrefix(kafka.Image, "apache/kafka:") {
		t.Errorf("kafka image %q, want the official apache/kafka", kafka.Image)
	}
	if roles := kafka.Environment["KAFKA_PROCESS_ROLES"]; roles == nil || !strings.Contains(*roles, "controller") {
		t.Errorf("kafka is not its own KRaft controller: KAFKA_PROCESS_ROLES %v", roles)
	}
	for name, s := range p.Services {
		if strings.Contains(s.Image, "zookeeper") {
			t.Errorf("service %s runs ZooKeeper", name)
		}
	}
	instances := map[string]bool{}
	for _, name := range []string{"seismo-1", "seismo-2"} {
		s := p.Services[name]
		if s.Build == nil || s.Build.Dockerfile != "deploy/Dockerfile" {
			t.Errorf("%s is not built from deploy/Dockerfile: %+v", name, s.Build)
		}
		args := strings.Join(s.Command, " ")
		for _, want := range []string{"--kafka-brokers=kafka:9092", "--redis-addr=redis:6379", "--detect-shards="} {
			if !strings.Contains(args, want) {
				t.Errorf("%s: command %q lacks %s", name, args, want)
			}
		}
		for _, a := range s.Command {
			if v, ok := strings.CutPrefix(a, "--instance="); ok {
				instances[v] = true
			}
		}
		for _, dep := range []string{"kafka", "redis"} {
			if d, ok := s.DependsOn[dep]; !ok || d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s does not wait for %s to be healthy: %+v", name, dep, s.DependsOn)
			}
		}
	}
	if len(instances) != 2 {
		t.Errorf("the workers' --instance names %v: want two distinct", instances)
	}
	if ports := p.Services["seismo-1"].Ports; len(ports) == 0 || ports[0].Published != "8080" || ports[0].Target != 8080 {
		t.Errorf("seismo-1 publishes %+v, want the dashboard on localhost:8080", ports)
	}
	for _, v := range p.Services["prometheus"].Volumes {
		if v.Type == types.VolumeTypeBind {
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("prometheus mounts %s: %v", v.Source, err)
			}
		}
	}

	// A misspelt field is refused, as docker compose refuses it.
	bad := bytes.Replace(content, []byte("depends_on:"), []byte("depend_on:"), 1)
	if _, err := loadCompose(t, dir, "compose.yaml", bad); err == nil {
		t.Error("a compose file with depend_on: loaded")
	}
}

// TestPrometheus checks the scrape configuration against the compose file
// and the rule files with Prometheus's own parser (PromQL and templates
// included), and that the PrometheusRule holds the same rules.
func TestPrometheus(t *testing.T) {
	var cfg struct {
		Global        map[string]string `json:"global"`
		RuleFiles     []string          `json:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `json:"job_name"`
			MetricsPath   string `json:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `json:"targets"`
			} `json:"static_configs"`
		} `json:"scrape_configs"`
	}
	raw, err := os.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.ScrapeConfigs) != 1 || cfg.ScrapeConfigs[0].JobName != "seismo" ||
		!slices.Equal(cfg.ScrapeConfigs[0].StaticConfigs[0].Targets, []string{"seismo-1:8080", "seismo-2:8080"}) {
		t.Errorf("scrape configs %+v: want job seismo over both workers", cfg.ScrapeConfigs)
	}

	file, errs := rulefmt.ParseFile("prometheus/alerts.yml", false, model.UTF8Validation,
		promqlparser.NewParser(promqlparser.Options{}), slog.New(slog.DiscardHandler))
	for _, err := range errs {
		t.Error(err)
	}
	if file == nil {
		t.FailNow()
	}
	var alerts []string
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			// Every metric an alert reads is one seismo exports.
			for _, m := range metricNames(r.Expr) {
				if m != "up" && !exported(t, m) {
					t.Errorf("alert %s reads %s, which seismo does not export", r.Alert, m)
				}
			}
		}
	}
	for _, want := range []string{"SeismoConsumerLag", "SeismoDetectorLag", "SeismoWebhooksFailing"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("no alert %s in %v", want, alerts)
		}
	}

	// The PrometheusRule: strictly its operator's type, the same groups.
	objs := decodeYAMLDocs(t, "kubernetes/strimzi/prometheusrule.yaml")
	var pr monitoringv1.PrometheusRule
	strictJSON(t, objs[0], &pr)
	var ruleFile struct {
		Groups []monitoringv1.RuleGroup `json:"groups"`
	}
	raw, err = os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(raw, &ruleFile); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pr.Spec.Groups, ruleFile.Groups) {
		t.Error("kubernetes/strimzi/prometheusrule.yaml and prometheus/alerts.yml hold different rules")
	}
}

// metricNames returns the metric names a PromQL expression selects.
func metricNames(expr string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(expr, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if strings.HasPrefix(f, "seismo_") || f == "up" {
			out = append(out, f)
		}
	}
	return out
}

// exported reports whether the Go sources register the metric.
func exported(t *testing.T, name string) bool {
	t.Helper()
	found := false
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || found {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found = bytes.Contains(b, []byte(`"`+name+`"`))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// decodeYAMLDocs reads a YAML stream as JSON objects.
func decodeYAMLDocs(t *testing.T, path string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for doc := range strings.SplitSeq(string(raw), "\n---\n") {
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if string(j) != "null" {
			out = append(out, j)
		}
	}
	return out
}

// strictJSON decodes an object into its Go type and refuses fields the
// type does not have, as kubectl --validate=strict does.
func strictJSON(t *testing.T, obj []byte, into any) {
	t.Helper()
	if err := strictDecode(obj, into); err != nil {
		t.Errorf("%T: %v", into, err)
	}
}

// strictDecode is the API server's strict decoding (sigs.k8s.io/json):
// unknown and duplicate fields are errors, and names match case-sensitively
// (encoding/json would take readOnlyRootFileSystem for
// readOnlyRootFilesystem).
func strictDecode(obj []byte, into any) error {
	strict, err := sigsjson.UnmarshalStrict(obj, into, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// crdSchemas returns a validator per kind of the Strimzi CRDs in
// kubernetes/strimzi/crds, from their openAPIV3Schema of the served
// version, with unknown fields refused where the schema does not keep them
// (x-kubernetes-preserve-unknown-fields), as the API server's strict field
// validation refuses them.
func crdSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	paths, err := filepath.Glob("kubernetes/strimzi/crds/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no CRDs: %v", err)
	}
	c := jsonschema.NewCompiler()
	out := map[string]*jsonschema.Schema{}
	for _, p := range paths {
		var crd struct {
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Served bool   `json:"served"`
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(raw, &crd); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			s := v.Schema.OpenAPIV3Schema
			closeObjects(s)
			id := fmt.Sprintf("mem://%s/%s/%s.json", crd.Spec.Group, v.Name, crd.Spec.Names.Kind)
			if err := c.AddResource(id, s); err != nil {
				t.Fatal(err)
			}
			sch, err := c.Compile(id)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			out[crd.Spec.Group+"/"+v.Name+"/"+crd.Spec.Names.Kind] = sch
		}
	}
	return out
}

// closeObjects sets additionalProperties false on every object schema
// that lists its properties and neither allows more nor keeps unknown
// fields, and drops the Kubernetes extensions JSON Schema does not know.
func closeObjects(s map[string]any) {
	if s["x-kubernetes-int-or-string"] == true {
		// An int or a string; the type keyword would say one of them.
		s["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
	}
	_, hasProps := s["properties"].(map[string]any)
	_, hasAdditional := s["additionalProperties"]
	if hasProps && !hasAdditional && s["x-kubernetes-preserve-unknown-fields"] != true {
		s["additionalProperties"] = false
	}
	for k, v := range s {
		switch x := v.(type) {
		case map[string]any:
			if k == "properties" {
				for _, p := range x {
					if ps, ok := p.(map[string]any); ok {
						closeObjects(ps)
					}
				}
			} else {
				closeObjects(x)
			}
		case []any:
			for _, e := range x {
				if es, ok := e.(map[string]any); ok {
					closeObjects(es)
				}
			}
		}
	}
}

// validate checks one object of a kustomize build: strictly against its
// k8s.io/api type, its operator's type, or its CRD's schema.
func validate(obj []byte, kind, apiVersion string, schemas map[string]*jsonschema.Schema) error {
	typed := map[string]any{
		"apps/v1/Deployment":            &appsv1.Deployment{},
		"v1/Service":                    &corev1.Service{},
		"v1/ConfigMap":                  &corev1.ConfigMap{},
		"v1/Secret":                     &corev1.Secret{},
		"policy/v1/PodDisruptionBudget": &policyv1.PodDisruptionBudget{},
		"monitoring.coreos.com/v1/PrometheusRule": &monitoringv1.PrometheusRule{},
		"monitoring.coreos.com/v1/ServiceMonitor": &monitoringv1.ServiceMonitor{},
	}
	if into, ok := typed[apiVersion+"/"+kind]; ok {
		return strictDecode(obj, into)
	}
	if s, ok := schemas[apiVersion+"/"+kind]; ok {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(obj))
		if err != nil {
			return err
		}
		return s.Validate(v)
	}
	return fmt.Errorf("no type or schema for %s %s", apiVersion, kind)
}

// build runs kustomize on dir as kubectl apply -k does.
func build(t *testing.T, fs filesys.FileSystem, dir string) [][3]string {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var out [][3]string // kind, apiVersion, JSON
	for _, r := range m.Resources() {
		j, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, [3]string{r.GetKind(), r.GetApiVersion(), string(j)})
	}
	return out
}

func TestKubernetes(t *testing.T) {
	schemas := crdSchemas(t)
	fs := filesys.MakeFsOnDisk()
	base := build(t, fs, "kubernetes/base")
	strimzi := build(t, fs, "kubernetes/strimzi")
	for name, objs := range map[string][][3]string{"base": base, "strimzi": strimzi} {
		for _, o := range objs {
			if err := validate([]byte(o[2]), o[0], o[1], schemas); err != nil {
				t.Errorf("%s: %s %s: %v", name, o[1], o[0], err)
			}
		}
	}
	kinds := func(objs [][3]string) []string {
		var out []string
		for _, o := range objs {
			out = append(out, o[0])
		}
		slices.Sort(out)
		return out
	}
	if got, want := kinds(base), []string{"ConfigMap", "Deployment", "PodDisruptionBudget", "Service"}; !slices.Equal(got, want) {
		t.Errorf("base: %v, want %v", got, want)
	}
	for _, want := range []string{"Kafka", "KafkaNodePool", "KafkaTopic", "PrometheusRule", "ServiceMonitor"} {
		if !slices.Contains(kinds(strimzi), want) {
			t.Errorf("strimzi overlay has no %s: %v", want, kinds(strimzi))
		}
	}

	// What the Deployment promises.
	var d appsv1.Deployment
	var cm corev1.ConfigMap
	for _, o := range strimzi {
		switch o[0] {
		case "Deployment":
			strictJSON(t, []byte(o[2]), &d)
		case "ConfigMap":
			strictJSON(t, []byte(o[2]), &cm)
		}
	}
	c := d.Spec.Template.Spec.Containers[0]
	pod := d.Spec.Template.Spec.SecurityContext
	switch {
	case c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz":
		t.Error("no liveness probe on /healthz")
	case c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz":
		t.Error("no readiness probe on /readyz")
	case pod == nil || pod.RunAsNonRoot == nil || !*pod.RunAsNonRoot:
		t.Error("the pod may run as root")
	case c.SecurityContext == nil || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem:
		t.Error("the root filesystem is writable")
	case c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero():
		t.Error("no CPU request or memory limit")
	}
	secret := false
	for _, e := range c.Env {
		if e.Name == "SEISMO_ADMIN_TOKEN" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			secret = true
		}
	}
	if !secret {
		t.Error("the admin token does not come from a Secret")
	}
	if got := cm.Data["SEISMO_KAFKA_BROKERS"]; got != "seismo-kafka-bootstrap:9092" {
		t.Errorf("the overlay's brokers %q, want Strimzi's bootstrap service of the Kafka named seismo", got)
	}
	// Every SEISMO_* variable names a flag of seismo run.
	help := runHelp(t)
	for k := range cm.Data {
		if !strings.Contains(help, "[$"+k+"]") {
			t.Errorf("ConfigMap sets %s, which is no flag of seismo run", k)
		}
	}

	// A misspelt field fails the build's validation.
	mem := filesys.MakeFsInMemory()
	for _, dir := range []string{"kubernetes/base", "kubernetes/strimzi"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := mem.WriteFile(filepath.Join("/", dir, e.Name()), b); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, typo := range []struct{ file, from, to string }{
		{"kubernetes/base/deployment.yaml", "readOnlyRootFilesystem", "readOnlyRootFileSystem"},
		{"kubernetes/strimzi/kafka.yaml", "deleteClaim", "deleteClaims"},
		{"kubernetes/strimzi/topics.yaml", "partitions:", "partition:"},
		{"kubernetes/strimzi/prometheusrule.yaml", "annotations:", "anotations:"},
	} {
		orig, err := mem.ReadFile("/" + typo.file)
		if err != nil {
			t.Fatal(err)
		}
		if err := mem.WriteFile("/"+typo.file, bytes.Replace(orig, []byte(typo.from), []byte(typo.to), 1)); err != nil {
			t.Fatal(err)
		}
		var failed bool
		for _, o := range build(t, mem, "/kubernetes/strimzi") {
			failed = failed || validate([]byte(o[2]), o[0], o[1], schemas) != nil
		}
		if !failed {
			t.Errorf("%s with %s for %s passed validation", typo.file, typo.to, typo.from)
		}
		if err := mem.WriteFile("/"+typo.file, orig); err != nil {
			t.Fatal(err)
		}
	}
}

var helpText string

func runHelp(t *testing.T) string {
	t.Helper()
	if helpText == "" {
		out, _ := exec.Command("go", "run", "../cmd/seismo", "run", "--help").CombinedOutput()
		helpText = string(out)
		if !strings.Contains(helpText, "--kafka-brokers") {
			t.Fatalf("seismo run --help:\n%s", helpText)
		}
	}
	return helpText
}

// TestDockerfile parses the Dockerfile with BuildKit's own parser, checks
// what it promises (stages, a non-root user, seismo run as the entrypoint,
// a health check), and builds seismo with the build stage's flags and
// environment to show they give a static binary that runs.
func TestDockerfile(t *testing.T) {
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ast, err := parser.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ast.Warnings {
		t.Errorf("Dockerfile: %s", w.Short)
	}
	stages, _, err := instructions.Parse(ast.AST, linter.New(&linter.Config{ReturnAsError: true}))
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 {
		t.Fatalf("%d stages, want a build stage and a runtime one", len(stages))
	}
	var env []string
	var buildArgs []string
	for _, cmd := range stages[0].Commands {
		switch c := cmd.(type) {
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				env = append(env, kv.Key+"="+kv.Value)
			}
		case *instructions.RunCommand:
			words, err := shell.NewLex('\\').ProcessWords(strings.Join(c.CmdLine, " "), shell.EnvsFromSlice(env))
			if err != nil {
				t.Fatal(err)
			}
			if len(words) > 2 && words[0] == "go" && words[1] == "build" {
				buildArgs = words[2:]
			}
		}
	}
	if !slices.Contains(env, "CGO_ENABLED=0") {
		t.Errorf("the build stage's environment %v lacks CGO_ENABLED=0", env)
	}
	if buildArgs == nil {
		t.Fatal("no go build in the build stage")
	}
	var user, healthcheck string
	var entrypoint []string
	for _, cmd := range stages[1].Commands {
		switch c := cmd.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EntrypointCommand:
			entrypoint = c.CmdLine
		case *instructions.HealthCheckCommand:
			healthcheck = strings.Join(c.Health.Test, " ")
		}
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("the image runs as %q, want a non-root user", user)
	}
	if !slices.Equal(entrypoint, []string{"/usr/local/bin/seismo", "run"}) {
		t.Errorf("entrypoint %v, want seismo run", entrypoint)
	}
	if !strings.Contains(healthcheck, "seismo healthcheck") {
		t.Errorf("health check %q does not use seismo healthcheck", healthcheck)
	}

	// The same flags, here.
	bin := filepath.Join(t.TempDir(), "seismo")
	for i, a := range buildArgs {
		if a == "-o" && i+1 < len(buildArgs) {
			buildArgs[i+1] = bin
		}
	}
	cmd := exec.Command("go", append([]string{"build"}, buildArgs...)...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", buildArgs, err, out)
	}
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader: not static")
		}
	}
	if libs, _ := ef.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs %v: not static", libs)
	}
	if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil {
		t.Errorf("seismo version: %v\n%s", err, out)
	}
	// The health check, against a live server and a failing one.
	for _, tt := range []struct {
		status int
		ok     bool
	}{{http.StatusOK, true}, {http.StatusServiceUnavailable, false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tt.status) }))
		err := exec.Command(bin, "healthcheck", "--url", srv.URL+"/healthz").Run()
		srv.Close()
		if (err == nil) != tt.ok {
			t.Errorf("seismo healthcheck against %d: %v", tt.status, err)
		}
	}
}
