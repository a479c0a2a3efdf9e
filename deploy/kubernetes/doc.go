// Package kubernetes holds the manifests that run a trafficsim simulation
// split into shards on Kubernetes, and the tests that keep them honest. It
// has no code to import: the files are the product.
//
//	job.yaml          an Indexed Job of 4 pods, one shard each
//	configmap.yaml    the run's flags as TRAFFICSIM_* variables
//	pushgateway.yaml  the Pushgateway every shard pushes to
//	prometheus.yaml   a Prometheus scraping it with honor_labels
//	Dockerfile        the loadtests test binary in a non-root image
//
// A run, from the repository root (README.md has the details):
//
//	docker build -f deploy/kubernetes/Dockerfile -t $IMAGE . && docker push $IMAGE
//	kubectl create secret generic trafficsim-admin --from-literal=password=$ADMIN_PASSWORD
//	kubectl apply -f deploy/kubernetes/pushgateway.yaml -f deploy/kubernetes/prometheus.yaml
//	kubectl apply -f deploy/kubernetes/configmap.yaml -f deploy/kubernetes/job.yaml
//	# copy each pod's /reports out, then:
//	go run ./reports/cmd/trafficsim-merge shard-0 shard-1 shard-2 shard-3
//
// The tests decode every manifest strictly into typed mirrors of the
// Kubernetes objects (a misspelled field fails), and check that the Job is
// Indexed with completions == parallelism == TRAFFICSIM_SHARDS, that every
// TRAFFICSIM_* variable is a real harness flag whose value parses, that the
// Dockerfile builds the loadtests test binary the Job runs, and that
// Prometheus scrapes the Pushgateway with honor_labels.
package kubernetes
