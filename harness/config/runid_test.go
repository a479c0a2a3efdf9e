package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRunID_isTimeAndRandom(t *testing.T) {
	a, b := NewRunID(), NewRunID()
	assert.Regexp(t, regexp.MustCompile(`^\d{8}-\d{6}-[0-9a-f]{6}$`), a)
	assert.NotEqual(t, a, b, "two ids of the same second differ")
	assert.NoError(t, checkRunID(a), "a generated id passes -run-id's own check")
}

func TestReportDirOf(t *testing.T) {
	c := Default()
	c.ReportDir = "/tmp/x"
	assert.Equal(t, "/tmp/x", c.ReportDirOf("r1"), "-report-dir wins")

	c.ReportDir = ""
	wd, err := os.Getwd()
	require.NoError(t, err)
	// This package's folder is harness/config: the module root is two up.
	root := filepath.Dir(filepath.Dir(wd))
	assert.FileExists(t, filepath.Join(root, "go.mod"))
	assert.Equal(t, filepath.Join(root, DefaultReportRoot, "r1"), c.ReportDirOf("r1"))

	t.Chdir(t.TempDir()) // no go.mod above: the working directory
	wd, err = os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(wd, DefaultReportRoot, "r1"), c.ReportDirOf("r1"))
}

func TestLogger(t *testing.T) {
	tests := []struct {
		name      string
		debug     bool
		shard     Shard
		want, not []string
	}{
		{"whole run", false, Shard{}, []string{"sim=TestX", "run_id=r1", "msg=info"}, []string{"shard=", "msg=debug"}},
		{"-debug, sharded", true, Shard{Index: 1, Count: 3}, []string{"shard=1/3", "msg=debug", "msg=info"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Name, c.Debug, c.Shard = "TestX", tt.debug, tt.shard
			var out strings.Builder
			log := c.Logger(&out, "r1")
			log.Debug("debug")
			log.Info("info")
			for _, w := range tt.want {
				assert.Contains(t, out.String(), w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, out.String(), n)
			}
		})
	}
}
