package kubernetes_test

import (
	"flag"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	yamlv3 "gopkg.in/yaml.v3"

	"github.com/trafficsim/trafficsim/harness"
)

// Names the manifests share; the tests check that they agree.
const (
	jobName       = "trafficsim-populate"
	loadContainer = "loadtest"
	binaryPath    = "/trafficsim/loadtests.test"
	workflowPath  = "../../.github/workflows/sharded-load-test.yml"
)

// extraVariables are the TRAFFICSIM_ variables that are not harness flags:
// the shard count of an Indexed Job (harness/config/flags.go) and the admin account
// of loadtests (-admin-email, -admin-password).
var extraVariables = []string{"TRAFFICSIM_SHARDS", "TRAFFICSIM_ADMIN_EMAIL", "TRAFFICSIM_ADMIN_PASSWORD"}

func TestManifests_DecodeStrictly(t *testing.T) {
	m := loadManifests(t)
	assert.Len(t, m.jobs, 1, "jobs")
	assert.Len(t, m.configMaps, 2, "config maps: the run's flags and Prometheus' configuration")
	assert.Len(t, m.deployments, 2, "deployments: Pushgateway and Prometheus")
	assert.Len(t, m.services, 2, "services: Pushgateway and Prometheus")

	// The strictness itself: a misspelled field, a duplicate key or an
	// unknown kind must fail, or the checks above prove nothing.
	tests := []struct{ name, doc string }{
		{"misspelled field", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: x}\nspec: {completionsMode: Indexed}\n"},
		{"misspelled nested field", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{prot: 80}]}\n"},
		{"duplicate key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {A: '1'}\ndata: {B: '2'}\n"},
		{"unknown kind", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"},
		{"wrong API version", "apiVersion: batch/v1beta1\nkind: Job\nmetadata: {name: x}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Error(t, (&manifestSet{}).decodeDocument([]byte(tt.doc)))
		})
	}
}

func TestJob_IsIndexedWithOneShardPerCompletion(t *testing.T) {
	m := loadManifests(t)
	require.Len(t, m.jobs, 1)
	j := m.jobs[0]
	spec, pod := j.Spec, j.Spec.Template.Spec
	c := containerNamed(t, pod.Containers, loadContainer)
	env := literalEnv(c.Env)

	assert.Equal(t, jobName, j.Metadata.Name)
	assert.Equal(t, "Indexed", spec.CompletionMode)
	require.NotNil(t, spec.Completions)
	require.NotNil(t, spec.Parallelism)
	shards, err := strconv.Atoi(env["TRAFFICSIM_SHARDS"])
	require.NoError(t, err, "TRAFFICSIM_SHARDS is a number")
	assert.EqualValues(t, shards, *spec.Completions, "completions == TRAFFICSIM_SHARDS")
	assert.EqualValues(t, shards, *spec.Parallelism, "parallelism == TRAFFICSIM_SHARDS")
	require.NotNil(t, spec.BackoffLimitPerIndex)
	assert.Zero(t, *spec.BackoffLimitPerIndex, "a failed shard is not rerun: it would double its traffic")
	assert.Equal(t, "Never", pod.RestartPolicy)
	assert.Equal(t, []string{binaryPath}, c.Command)
	assert.Equal(t, []string{"-test.run", "^TestPopulate$", "-test.v"}, c.Args)

	runID := envNamed(t, c.Env, "TRAFFICSIM_RUN_ID")
	require.NotNil(t, runID.ValueFrom, "run id from the downward API")
	require.NotNil(t, runID.ValueFrom.FieldRef)
	assert.Equal(t, "metadata.labels['batch.kubernetes.io/controller-uid']", runID.ValueFrom.FieldRef.FieldPath)
	password := envNamed(t, c.Env, "TRAFFICSIM_ADMIN_PASSWORD")
	require.NotNil(t, password.ValueFrom, "the admin password comes from a Secret")
	assert.NotNil(t, password.ValueFrom.SecretKeyRef)
	assert.NotEmpty(t, env["TRAFFICSIM_TARGET"])
	assert.Equal(t, "1", env["TRAFFICSIM_ALLOW_REMOTE"])

	// The Pushgateway URL names the Service of pushgateway.yaml and its port.
	gw, err := url.Parse(env["TRAFFICSIM_PUSHGATEWAY"])
	require.NoError(t, err)
	assert.Equal(t, "http://pushgateway:9091", gw.String())
	assertServicePort(t, m.services, gw.Hostname(), gw.Port())

	// envFrom names the ConfigMap of configmap.yaml.
	require.Len(t, c.EnvFrom, 1)
	require.NotNil(t, c.EnvFrom[0].ConfigMapRef)
	configMapNamed(t, m.configMaps, c.EnvFrom[0].ConfigMapRef.Name)

	// Reports go to an emptyDir mounted in the load test container and in
	// the container that keeps them for collection.
	reportDir := env["TRAFFICSIM_REPORT_DIR"]
	for _, ct := range pod.Containers {
		v := mountedVolume(t, pod, ct, reportDir)
		assert.NotNil(t, v.EmptyDir, "%s: %s is an emptyDir", ct.Name, reportDir)
	}
	keeper := containerNamed(t, pod.Containers, "reports")
	assert.Contains(t, strings.Join(keeper.Args, "\n"), "pidof "+path.Base(binaryPath), "the keeper waits for the load test process")
	require.NotNil(t, pod.ShareProcessNamespace)
	assert.True(t, *pod.ShareProcessNamespace, "the keeper can see the load test process")

	for _, ct := range pod.Containers {
		assertResources(t, ct)
	}
	require.NotNil(t, pod.SecurityContext)
	require.NotNil(t, pod.SecurityContext.RunAsNonRoot)
	assert.True(t, *pod.SecurityContext.RunAsNonRoot)
}

func TestManifests_VariablesAreFlags(t *testing.T) {
	byEnv := flagsByEnv()
	m := loadManifests(t)
	vars := manifestVariables(t, m)
	require.NotEmpty(t, vars)
	for name, value := range vars {
		t.Run(name, func(t *testing.T) {
			f, isFlag := byEnv[name]
			if !isFlag {
				assert.Contains(t, extraVariables, name, "%s is neither a harness flag's variable nor one loadtests reads", name)
				return
			}
			if value != nil {
				assert.NoError(t, f.Value.Set(*value), "-%s parses %q", f.Name, *value)
			}
		})
	}
}

// TestManifests_ConfigValidates gives the harness the variables of one pod
// (index 3 of the Job) and checks the configuration it builds from them.
func TestManifests_ConfigValidates(t *testing.T) {
	m := loadManifests(t)
	for name, value := range manifestVariables(t, m) {
		if value != nil {
			t.Setenv(name, *value)
		}
	}
	t.Setenv("TRAFFICSIM_RUN_ID", "0b6f3c1e-8a4e-4c1e-9d7a-2f0e5b3c9a11") // a Job uid
	t.Setenv("JOB_COMPLETION_INDEX", "3")

	fs := flag.NewFlagSet("loadtests", flag.ContinueOnError)
	flags := harness.RegisterFlags(fs)
	require.NoError(t, fs.Parse(nil))
	cfg, err := flags.Config()
	require.NoError(t, err)
	assert.Equal(t, harness.Shard{Index: 3, Count: 4}, cfg.Shard)
	assert.True(t, cfg.AllowRemote)
	assert.False(t, cfg.Cleanup, "a shard's cleanup would delete the users of shards still running")
	assert.Equal(t, "/reports", cfg.ReportDir)
	assert.Equal(t, path.Join(path.Dir(binaryPath), "budgets.yaml"), cfg.BudgetFile, "the budgets the Dockerfile puts beside the binary")
}

func TestDockerfile_BuildsTheBinaryTheJobRuns(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	require.NoError(t, err)
	var stages [][]string // instructions per stage, continuation lines joined
	for _, ins := range instructions(string(data)) {
		if strings.HasPrefix(strings.ToUpper(ins), "FROM ") {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], ins)
		}
	}
	require.GreaterOrEqual(t, len(stages), 2, "a multi-stage build")
	build, final := strings.Join(stages[0], "\n"), stages[len(stages)-1]
	assert.Regexp(t, `(?m)^RUN .*go test -c .*-o /out/loadtests\.test \./loadtests\b`, build, "the build stage compiles the loadtests test binary")
	assert.Contains(t, build, "loadtests/budgets.yaml", "budgets.yaml is copied beside it")
	assert.Contains(t, strings.Join(final, "\n"), "/trafficsim/", "the runtime stage holds /trafficsim")

	var user, entry string
	for _, ins := range final {
		if u, ok := strings.CutPrefix(ins, "USER "); ok {
			user = u
		}
		if e, ok := strings.CutPrefix(ins, "ENTRYPOINT "); ok {
			entry = e
		}
	}
	require.NotEmpty(t, user, "the runtime stage sets a USER")
	name, _, _ := strings.Cut(user, ":")
	assert.NotContains(t, []string{"0", "root"}, name, "runs as non-root")
	assert.Equal(t, `["`+binaryPath+`"]`, entry, "the entrypoint is the binary job.yaml runs")
}

func TestPrometheus_ScrapesThePushgatewayWithHonorLabels(t *testing.T) {
	m := loadManifests(t)
	var d *deployment
	for i := range m.deployments {
		if m.deployments[i].Metadata.Name == "prometheus" {
			d = &m.deployments[i]
		}
	}
	require.NotNil(t, d, "a prometheus Deployment")
	c := containerNamed(t, d.Spec.Template.Spec.Containers, "prometheus")
	var configFile string
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--config.file="); ok {
			configFile = v
		}
	}
	require.NotEmpty(t, configFile, "--config.file")
	v := mountedVolume(t, d.Spec.Template.Spec, c, path.Dir(configFile))
	require.NotNil(t, v.ConfigMap, "the configuration comes from a ConfigMap")
	cm := configMapNamed(t, m.configMaps, v.ConfigMap.Name)
	text, ok := cm.Data[path.Base(configFile)]
	require.True(t, ok, "ConfigMap %s has key %s", cm.Metadata.Name, path.Base(configFile))

	var cfg struct {
		Global        map[string]string `yaml:"global"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			HonorLabels   bool   `yaml:"honor_labels"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	dec := yamlv3.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&cfg), "prometheus.yml")
	found := false
	for _, sc := range cfg.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			if slices.Contains(st.Targets, "pushgateway:9091") {
				found = true
				assert.True(t, sc.HonorLabels, "job %s scrapes the gateway without honor_labels: the shards' instance labels would be lost", sc.JobName)
			}
		}
	}
	assert.True(t, found, "a scrape config targets pushgateway:9091")
	assertServicePort(t, m.services, "prometheus", "9090")
}

func TestWorkflow_ShardedLoadTest(t *testing.T) {
	data, err := os.ReadFile(workflowPath)
	require.NoError(t, err)
	var wf workflow
	require.NoError(t, yamlv3.Unmarshal(data, &wf), workflowPath)

	inputs := wf.On.WorkflowDispatch.Inputs
	require.Contains(t, inputs, "shards")
	require.Contains(t, inputs, "users")
	assert.Equal(t, 4, inputs["shards"].Default, "4 shards by default")

	shard, ok := wf.Jobs["shard"]
	require.True(t, ok, "a shard job")
	assert.Contains(t, shard.Strategy.Matrix, "index", "the shard job is a matrix over shard indexes")
	merge, ok := wf.Jobs["merge"]
	require.True(t, ok, "a merge job")
	assert.Contains(t, merge.Needs, "shard", "merge waits for every shard")
	assert.Contains(t, merge.If, "always()", "merge runs even when a shard job failed, so the gate sees it")

	shardRuns, shardUses := scripts(shard.Steps)
	assert.Contains(t, shardRuns, "go run ./fixtures/userservice/cmd/userservice")
	assert.Contains(t, shardRuns, "-addr 127.0.0.1:8080")
	assert.Regexp(t, `go test ./loadtests -run '\^TestPopulate\$'`, shardRuns)
	assert.Contains(t, shardRuns, `-shard "${{ matrix.index }}/${{ inputs.shards }}"`)
	assert.Contains(t, shardRuns, "-run-id")
	assert.Contains(t, shardUses, "actions/upload-artifact")
	mergeRuns, mergeUses := scripts(merge.Steps)
	assert.Contains(t, mergeUses, "actions/download-artifact")
	assert.Contains(t, mergeRuns, "go run ./reports/cmd/trafficsim-merge")
	for _, dir := range []string{"../../fixtures/userservice/cmd/userservice", "../../reports/cmd/trafficsim-merge"} {
		assert.DirExists(t, dir, "a program the workflow runs")
	}
	byEnv := flagsByEnv()
	for name := range shard.Env {
		if _, isFlag := byEnv[name]; strings.HasPrefix(name, harness.EnvPrefix) && !isFlag {
			assert.Contains(t, extraVariables, name, "%s is neither a harness flag's variable nor one loadtests reads", name)
		}
	}
}
