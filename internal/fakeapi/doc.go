// Package fakeapi is a Kubernetes API server for unit tests: real HTTPS on
// 127.0.0.1, objects kept in memory, enough of the REST API for what kadm
// reads and writes (create, get, list, update, merge-patch and delete of
// namespaced and cluster-scoped objects; SelfSubjectReview), and a hook to
// slow down or hang chosen requests. Only tests import it; the e2e suite
// runs the real kube-apiserver.
package fakeapi
