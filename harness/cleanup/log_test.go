package cleanup

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trafficsim/trafficsim/reports"
)

func TestLog_noCleanupNoVerdict(t *testing.T) {
	var l Log
	assert.Nil(t, l.Verdict())
	assert.Empty(t, l.Notes())
	assert.NoError(t, l.Err("r1"))
}

func TestLog_allSucceeded(t *testing.T) {
	var l Log
	l.Record(false, nil)
	l.Record(true, nil)
	assert.Equal(t, []reports.Budget{{Name: "cleanup", Expr: "cleanup failures == 0", Passed: true,
		Samples: 2, Message: "all 2 cleanups succeeded"}}, l.Verdict())
	assert.Empty(t, l.Notes())
	assert.NoError(t, l.Err("r1"))
}

func TestLog_failuresAreNamedAndRedacted(t *testing.T) {
	var l Log
	l.Record(false, errors.New("DELETE http://admin:hunter22@127.0.0.1/runs/r1: refused"))
	l.Record(false, nil)
	l.Record(true, errors.New("status 500"))

	assert.Equal(t, []string{
		"cleanup failed: periodic cleanup: DELETE http://xxxxx@127.0.0.1/runs/r1: refused",
		"cleanup failed: final cleanup: status 500",
	}, l.Notes())
	v := l.Verdict()
	require.Len(t, v, 1)
	assert.False(t, v[0].Passed)
	assert.Equal(t, 2.0, v[0].Measured)
	assert.EqualValues(t, 3, v[0].Samples)
	assert.Equal(t, "2 of 3 cleanups failed; what they did not delete is still on the target: "+
		"periodic cleanup: DELETE http://xxxxx@127.0.0.1/runs/r1: refused; final cleanup: status 500", v[0].Message)
	assert.EqualError(t, l.Err("r1"), "cleanup failed 2 of 3 times; what it did not delete of run r1 is still on the target:\n"+
		"  periodic cleanup: DELETE http://xxxxx@127.0.0.1/runs/r1: refused\n  final cleanup: status 500")
	assert.NotContains(t, l.Err("r1").Error(), "hunter22")
}
