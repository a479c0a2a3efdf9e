package kubernetes_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// The types below mirror the parts of the Kubernetes API (batch/v1 Job,
// apps/v1 Deployment, v1 ConfigMap and Service) that the manifests use,
// with the API's JSON field names. Decoding with yaml.UnmarshalStrict into
// them fails on any field they do not know, so a misspelled field in a
// manifest fails the test — what decoding into k8s.io/api types would do,
// without compiling k8s.io/api (76 s cold here, 17 more modules). A field
// added to a manifest must be added here, spelled as in the API reference.

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

type objectMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type job struct {
	typeMeta
	Metadata objectMeta `json:"metadata"`
	Spec     struct {
		CompletionMode          string          `json:"completionMode"`
		Completions             *int32          `json:"completions"`
		Parallelism             *int32          `json:"parallelism"`
		BackoffLimit            *int32          `json:"backoffLimit"`
		BackoffLimitPerIndex    *int32          `json:"backoffLimitPerIndex"`
		MaxFailedIndexes        *int32          `json:"maxFailedIndexes"`
		ActiveDeadlineSeconds   *int64          `json:"activeDeadlineSeconds"`
		TTLSecondsAfterFinished *int32          `json:"ttlSecondsAfterFinished"`
		Template                podTemplateSpec `json:"template"`
	} `json:"spec"`
}

type deployment struct {
	typeMeta
	Metadata objectMeta `json:"metadata"`
	Spec     struct {
		Replicas *int32          `json:"replicas"`
		Selector labelSelector   `json:"selector"`
		Template podTemplateSpec `json:"template"`
	} `json:"spec"`
}

type configMap struct {
	typeMeta
	Metadata objectMeta        `json:"metadata"`
	Data     map[string]string `json:"data"`
}

type service struct {
	typeMeta
	Metadata objectMeta `json:"metadata"`
	Spec     struct {
		Type     string            `json:"type,omitempty"`
		Selector map[string]string `json:"selector"`
		Ports    []struct {
			Name       string `json:"name"`
			Port       int32  `json:"port"`
			TargetPort any    `json:"targetPort"` // a number or a port name
			Protocol   string `json:"protocol"`
		} `json:"ports"`
	} `json:"spec"`
}

type labelSelector struct {
	MatchLabels map[string]string `json:"matchLabels"`
}

type podTemplateSpec struct {
	Metadata objectMeta `json:"metadata"`
	Spec     podSpec    `json:"spec"`
}

type podSpec struct {
	RestartPolicy                 string `json:"restartPolicy,omitempty"`
	ShareProcessNamespace         *bool  `json:"shareProcessNamespace,omitempty"`
	AutomountServiceAccountToken  *bool  `json:"automountServiceAccountToken,omitempty"`
	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`
	SecurityContext               *struct {
		RunAsNonRoot   *bool  `json:"runAsNonRoot"`
		RunAsUser      *int64 `json:"runAsUser"`
		RunAsGroup     *int64 `json:"runAsGroup"`
		FSGroup        *int64 `json:"fsGroup"`
		SeccompProfile *struct {
			Type string `json:"type"`
		} `json:"seccompProfile"`
	} `json:"securityContext,omitempty"`
	TopologySpreadConstraints []struct {
		MaxSkew           int32         `json:"maxSkew"`
		TopologyKey       string        `json:"topologyKey"`
		WhenUnsatisfiable string        `json:"whenUnsatisfiable"`
		LabelSelector     labelSelector `json:"labelSelector"`
	} `json:"topologySpreadConstraints,omitempty"`
	Containers []container `json:"containers"`
	Volumes    []volume    `json:"volumes,omitempty"`
}

type container struct {
	Name            string   `json:"name"`
	Image           string   `json:"image"`
	ImagePullPolicy string   `json:"imagePullPolicy,omitempty"`
	Command         []string `json:"command,omitempty"`
	Args            []string `json:"args,omitempty"`
	WorkingDir      string   `json:"workingDir,omitempty"`
	Ports           []struct {
		Name          string `json:"name"`
		ContainerPort int32  `json:"containerPort"`
		Protocol      string `json:"protocol"`
	} `json:"ports,omitempty"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `json:"name"`
		} `json:"configMapRef"`
	} `json:"envFrom,omitempty"`
	Env             []envVar      `json:"env,omitempty"`
	Resources       resources     `json:"resources"`
	VolumeMounts    []volumeMount `json:"volumeMounts,omitempty"`
	ReadinessProbe  *probe        `json:"readinessProbe,omitempty"`
	LivenessProbe   *probe        `json:"livenessProbe,omitempty"`
	SecurityContext *struct {
		AllowPrivilegeEscalation *bool `json:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool `json:"readOnlyRootFilesystem"`
		Capabilities             *struct {
			Drop []string `json:"drop"`
		} `json:"capabilities"`
	} `json:"securityContext,omitempty"`
}

// resources holds quantities, which the API accepts as strings or numbers.
type resources struct {
	Requests map[string]any `json:"requests"`
	Limits   map[string]any `json:"limits"`
}

type envVar struct {
	Name      string `json:"name"`
	Value     string `json:"value,omitempty"`
	ValueFrom *struct {
		FieldRef *struct {
			FieldPath string `json:"fieldPath"`
		} `json:"fieldRef,omitempty"`
		SecretKeyRef *struct {
			Name string `json:"name"`
			Key  string `json:"key"`
		} `json:"secretKeyRef,omitempty"`
	} `json:"valueFrom,omitempty"`
}

type volumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
	ReadOnly  bool   `json:"readOnly,omitempty"`
}

type volume struct {
	Name     string `json:"name"`
	EmptyDir *struct {
		SizeLimit string `json:"sizeLimit,omitempty"`
	} `json:"emptyDir,omitempty"`
	ConfigMap *struct {
		Name string `json:"name"`
	} `json:"configMap,omitempty"`
}

type probe struct {
	HTTPGet *struct {
		Path string `json:"path"`
		Port any    `json:"port"`
	} `json:"httpGet"`
	InitialDelaySeconds int32 `json:"initialDelaySeconds,omitempty"`
	PeriodSeconds       int32 `json:"periodSeconds,omitempty"`
}

// apiVersions maps each kind the manifests may hold to its API version.
var apiVersions = map[string]string{
	"Job": "batch/v1", "Deployment": "apps/v1", "ConfigMap": "v1", "Service": "v1",
}

// manifestSet is every object of the manifests, by kind.
type manifestSet struct {
	jobs        []job
	deployments []deployment
	configMaps  []configMap
	services    []service
}

// documentSep separates the documents of a multi-document YAML file.
var documentSep = regexp.MustCompile(`(?m)^---[ \t]*$`)

// documents splits a YAML file into its documents, leaving out those that
// hold only comments or nothing.
func documents(data []byte) [][]byte {
	var out [][]byte
	for _, d := range documentSep.Split(string(data), -1) {
		for _, line := range strings.Split(d, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
				out = append(out, []byte(d))
				break
			}
		}
	}
	return out
}

// decodeDocument strictly decodes one document into the set, by its kind.
func (m *manifestSet) decodeDocument(doc []byte) error {
	var tm typeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	if want, ok := apiVersions[tm.Kind]; !ok || tm.APIVersion != want {
		return fmt.Errorf("unexpected kind %q of apiVersion %q", tm.Kind, tm.APIVersion)
	}
	var into any
	switch tm.Kind {
	case "Job":
		m.jobs = append(m.jobs, job{})
		into = &m.jobs[len(m.jobs)-1]
	case "Deployment":
		m.deployments = append(m.deployments, deployment{})
		into = &m.deployments[len(m.deployments)-1]
	case "ConfigMap":
		m.configMaps = append(m.configMaps, configMap{})
		into = &m.configMaps[len(m.configMaps)-1]
	case "Service":
		m.services = append(m.services, service{})
		into = &m.services[len(m.services)-1]
	}
	return yaml.UnmarshalStrict(doc, into)
}

// loadManifests decodes every *.yaml file of this directory strictly.
func loadManifests(tb testing.TB) *manifestSet {
	tb.Helper()
	files, err := filepath.Glob("*.yaml")
	require.NoError(tb, err)
	require.NotEmpty(tb, files, "no manifests")
	m := &manifestSet{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(tb, err)
		for i, doc := range documents(data) {
			require.NoError(tb, m.decodeDocument(doc), "%s, document %d", f, i+1)
		}
	}
	return m
}
