package kubernetes_test

import (
	"flag"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness"
)

// workflow is the part of a GitHub Actions workflow the tests read.
type workflow struct {
	Name string `yaml:"name"`
	On   struct {
		WorkflowDispatch struct {
			Inputs map[string]struct {
				Type    string `yaml:"type"`
				Default any    `yaml:"default"`
			} `yaml:"inputs"`
		} `yaml:"workflow_dispatch"`
	} `yaml:"on"`
	Jobs map[string]workflowJob `yaml:"jobs"`
}

type workflowJob struct {
	Needs    any               `yaml:"needs"`
	If       string            `yaml:"if"`
	Env      map[string]string `yaml:"env"`
	Strategy struct {
		Matrix map[string]any `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []workflowStep `yaml:"steps"`
}

type workflowStep struct {
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]any    `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

// scripts returns the steps' run scripts and uses lines, each joined.
func scripts(steps []workflowStep) (runs, uses string) {
	for _, s := range steps {
		runs += s.Run + "\n"
		uses += s.Uses + "\n"
	}
	return runs, uses
}

// flagsByEnv maps the TRAFFICSIM_ variable of every harness flag to it.
func flagsByEnv() map[string]*flag.Flag {
	fs := flag.NewFlagSet("loadtests", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	harness.RegisterFlags(fs)
	byEnv := map[string]*flag.Flag{}
	fs.VisitAll(func(f *flag.Flag) { byEnv[harness.EnvName(f.Name)] = f })
	return byEnv
}

// manifestVariables returns the TRAFFICSIM_ variables a load test pod
// sees: the ConfigMap it reads with envFrom, then its own env, which wins.
// A variable set from the downward API or a Secret has a nil value.
func manifestVariables(tb testing.TB, m *manifestSet) map[string]*string {
	tb.Helper()
	require.Len(tb, m.jobs, 1)
	c := containerNamed(tb, m.jobs[0].Spec.Template.Spec.Containers, loadContainer)
	vars := map[string]*string{}
	for _, from := range c.EnvFrom {
		require.NotNil(tb, from.ConfigMapRef, "envFrom of %s", c.Name)
		cm := configMapNamed(tb, m.configMaps, from.ConfigMapRef.Name)
		for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
			v := cm.Data[k]
			vars[k] = &v
		}
	}
	for _, e := range c.Env {
		if !strings.HasPrefix(e.Name, harness.EnvPrefix) {
			continue
		}
		if e.ValueFrom != nil {
			vars[e.Name] = nil
			continue
		}
		v := e.Value
		vars[e.Name] = &v
	}
	return vars
}

// literalEnv maps the env variables with literal values to them.
func literalEnv(env []envVar) map[string]string {
	out := map[string]string{}
	for _, e := range env {
		if e.ValueFrom == nil {
			out[e.Name] = e.Value
		}
	}
	return out
}

func envNamed(tb testing.TB, env []envVar, name string) envVar {
	tb.Helper()
	for _, e := range env {
		if e.Name == name {
			return e
		}
	}
	tb.Fatalf("no env variable %s", name)
	return envVar{}
}

func containerNamed(tb testing.TB, cs []container, name string) container {
	tb.Helper()
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	tb.Fatalf("no container %s", name)
	return container{}
}

func configMapNamed(tb testing.TB, cms []configMap, name string) configMap {
	tb.Helper()
	for _, cm := range cms {
		if cm.Metadata.Name == name {
			return cm
		}
	}
	tb.Fatalf("no ConfigMap %s in the manifests", name)
	return configMap{}
}

// mountedVolume returns the volume c mounts at dir.
func mountedVolume(tb testing.TB, pod podSpec, c container, dir string) volume {
	tb.Helper()
	for _, vm := range c.VolumeMounts {
		if vm.MountPath != dir {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == vm.Name {
				return v
			}
		}
		tb.Fatalf("container %s mounts undefined volume %s", c.Name, vm.Name)
	}
	tb.Fatalf("container %s mounts nothing at %s", c.Name, dir)
	return volume{}
}

// assertServicePort checks that a Service name exposes port.
func assertServicePort(tb testing.TB, services []service, name, port string) {
	tb.Helper()
	for _, s := range services {
		if s.Metadata.Name != name {
			continue
		}
		for _, p := range s.Spec.Ports {
			if port == strconv.Itoa(int(p.Port)) {
				return
			}
		}
		assert.Failf(tb, "service port", "Service %s has no port %s", name, port)
		return
	}
	assert.Failf(tb, "service", "no Service %s in the manifests", name)
}

// assertResources checks that a container requests and limits CPU and memory.
func assertResources(tb testing.TB, c container) {
	tb.Helper()
	for _, r := range []string{"cpu", "memory"} {
		assert.Contains(tb, c.Resources.Requests, r, "%s requests %s", c.Name, r)
		assert.Contains(tb, c.Resources.Limits, r, "%s limits %s", c.Name, r)
	}
}

// instructions returns a Dockerfile's instructions, continuation lines
// joined and comments dropped.
func instructions(dockerfile string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(dockerfile, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") || (t == "" && cur.Len() == 0) {
			continue
		}
		if body, cont := strings.CutSuffix(t, `\`); cont {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(t)
		out = append(out, strings.Join(strings.Fields(cur.String()), " "))
		cur.Reset()
	}
	return out
}
