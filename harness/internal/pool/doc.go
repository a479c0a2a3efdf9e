// Package pool makes thinking users' HTTP exchanges on goroutines of its
// own, as many as there are requests in flight and never more than
// -max-in-flight, and counts the waits that bound causes (the run's
// saturation figures).
//
// It exists apart from the engine because its one job is a memory design
// that is easy to break by accident: an exchange runs deep (TLS, HTTP, body
// reading, JSON decoding), and a goroutine keeps its grown stack after it.
// If users made their requests themselves, a hundred thousand thinking
// users would each hold a 4 KiB stack or more; handing the job to a worker
// keeps a user's goroutine at the runtime's 2 KiB minimum, and the deep
// stacks belong to the few workers that are busy. Its dispatcher, workers
// and counters are read and tested here, with a fake job, away from the
// users they serve.
//
// The pool knows nothing of users, requests or responses: a Pool[J] moves
// jobs of type J (for the harness, *VU), and what it needs of one, when it
// was asked for and how to serve it, is given to New.
//
//	p := pool.New(pool.Config[*job]{
//		Timeout: time.Second, MaxInFlight: 8,
//		Asked:   func(j *job) time.Time { return j.asked },
//		Serve:   func(j *job, d *deadline.Deadline) { j.done <- j.run(d) },
//	})
//	p.Start()
//	defer p.Close()
//	j.asked = time.Now()
//	p.HandOver(j)
//	<-j.done
package pool
