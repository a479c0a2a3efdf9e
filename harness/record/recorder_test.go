package record_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/harness/kind"
	"github.com/trafficsim/trafficsim/harness/record"
	"github.com/trafficsim/trafficsim/reports"
)

func TestRecorder_Login(t *testing.T) {
	rec := record.New([]string{"a"}, nil)
	var s reports.Summary
	require.NoError(t, rec.Fill(&s))
	assert.Nil(t, s.LoginAttempts, "no login, no login_attempts")

	rec.Login(kind.LoginSuccess)
	rec.Login(kind.LoginSuccess)
	rec.Login(kind.LoginLocked)
	rec.Login(kind.Login(200)) // converted, out of range: an error
	require.NoError(t, rec.Fill(&s))
	assert.Equal(t, map[string]int64{"success": 2, "locked": 1, "error": 1}, s.LoginAttempts)
}

func TestRecorder_kindsAndBlocked(t *testing.T) {
	rec := record.New([]string{"a", "b"}, nil)
	e := rec.Endpoint("GET", "/api/users/{id}")
	assert.Same(t, e, rec.Endpoint("GET", "/api/users/{id}"), "one recording per route")
	rec.Observe(e, &record.Outcome{Arch: 1, Status: 200, Latency: time.Millisecond})
	rec.Observe(e, &record.Outcome{Arch: 1, Kind: kind.Timeout, Latency: time.Second})
	rec.Observe(e, &record.Outcome{Arch: 0, Kind: kind.Interrupted, Latency: time.Second})
	rec.DecodeError(e, 1)
	rec.Blocked(e)
	rec.Check("has id", true)
	rec.Check("has id", false)
	var s reports.Summary
	require.NoError(t, rec.Fill(&s))
	assert.EqualValues(t, 2, s.Requests, "an interrupted request is no request")
	assert.EqualValues(t, 1, s.Interrupted)
	assert.EqualValues(t, 2, s.ErrorsUnexpected, "the timeout and the decode error")
	assert.Equal(t, map[string]int64{"timeout": 1, "decode": 1}, s.ErrorsByKind)
	assert.EqualValues(t, 1, s.Blocked)
	require.Len(t, s.Endpoints, 1)
	assert.EqualValues(t, 1, s.Endpoints[0].Blocked)
	require.Len(t, s.Archetypes, 2)
	assert.EqualValues(t, 2, s.Archetypes[1].ErrorsUnexpected)
	assert.Equal(t, []reports.Check{{Name: "has id", Passes: 1, Fails: 1}}, rec.Checks())
}
