package config

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// NewRunID returns the id of a run without -run-id: its start, UTC, to
// the second, and three random bytes, so runs sort by time and two started
// in the same second differ.
func NewRunID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// ReportDirOf is where the reports of run runID go: -report-dir when set,
// else DefaultReportRoot/<runID> under the nearest folder above the
// working directory with a go.mod, so they land in <module>/reports/out
// whichever package runs.
func (c *Config) ReportDirOf(runID string) string {
	if c.ReportDir != "" {
		return c.ReportDir
	}
	return filepath.Join(moduleRoot(), DefaultReportRoot, runID)
}

// moduleRoot is the nearest folder above the working directory with a
// go.mod, or the working directory when there is none.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// Logger is the log of run runID, as text to w: at debug level with
// -debug, and every line naming the simulation, the run and, when sharded,
// the shard, so the lines of many runs and shards can be told apart.
func (c *Config) Logger(w io.Writer, runID string) *slog.Logger {
	level := slog.LevelInfo
	if c.Debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})).With("sim", c.Name, "run_id", runID)
	if !c.Shard.Whole() {
		log = log.With("shard", c.Shard.String())
	}
	return log
}
