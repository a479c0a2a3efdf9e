package reports

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable writes the end-of-run table a person reads in the test log: per
// endpoint requests, expected and unexpected errors and percentiles; per
// archetype users and requests; and the run's totals.
func WriteTable(w io.Writer, s *Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "endpoint\trequests\texpected err\tunexpected err\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	for _, e := range s.Endpoints {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n",
			e.Name, e.Requests, e.ErrorsExpected, e.ErrorsUnexpected, e.P50Ms, e.P95Ms, e.P99Ms, e.MaxMs)
	}
	fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t")
	fmt.Fprintln(tw, "archetype\tusers\trequests\tunexpected err\tp50 ms\tp95 ms\tp99 ms\t\t")
	for _, a := range s.Archetypes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t\t\n", a.Name, a.Users, a.Requests, a.ErrorsUnexpected, a.P50Ms, a.P95Ms, a.P99Ms)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	status := "complete"
	if s.Partial {
		status = "partial: " + s.PartialReason
	}
	extra := ""
	if s.Blocked > 0 {
		extra += fmt.Sprintf(", %d blocked by the breaker (not sent)", s.Blocked)
	}
	if s.Scheduled > 0 {
		extra += fmt.Sprintf(", %d of %d scheduled sessions not reached", s.NotReached, s.Scheduled)
	}
	_, err := fmt.Fprintf(w, "\n%d users, %d requests in %.1fs: %.0f req/s; %d expected errors (injected), %d unexpected, %d interrupted, %d dropped%s (%s)\n",
		s.Users, s.Requests, s.DurationSeconds, s.RPS, s.ErrorsExpected, s.ErrorsUnexpected, s.Interrupted, s.Dropped, extra, status)
	return err
}
