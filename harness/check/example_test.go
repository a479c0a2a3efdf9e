package check_test

import (
	"fmt"

	"github.com/trafficsim/trafficsim/harness/check"
)

func ExampleHasJSON() {
	hasID := check.HasJSON("data.items.0.id")
	fmt.Println(hasID([]byte(`{"data":{"items":[{"id":7}]}}`)))
	fmt.Println(hasID([]byte(`{"data":{"items":[]}}`)))
	// Output:
	// <nil>
	// no element data.items.0 (array of 0)
}
