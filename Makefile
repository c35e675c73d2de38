# kadm's developer entry points. `make demo` and `make test` are the two
# commands the README promises a newcomer.

GO        ?= go
BIN       ?= bin
VERSION   ?= v1.37.2
COMMIT    := $(shell git rev-parse HEAD 2>/dev/null)
TREESTATE := $(shell test -z "$$(git status --porcelain 2>/dev/null)" && echo clean || echo dirty)
# The build date, as Kubernetes stamps it: SOURCE_DATE_EPOCH when set (a
# reproducible build), else now, in UTC.
BUILDDATE := $(shell date $${SOURCE_DATE_EPOCH:+--date=@$$SOURCE_DATE_EPOCH} -u +%Y-%m-%dT%H:%M:%SZ)
PKG       := github.com/kadm-project/kadm/app
LDFLAGS   := -s -w -X $(PKG).gitVersion=$(VERSION) -X $(PKG).gitCommit=$(COMMIT) -X $(PKG).gitTreeState=$(TREESTATE) -X $(PKG).buildDate=$(BUILDDATE)
E2E_BIN   ?= $(or $(KADM_E2E_BIN_DIR),$(HOME)/.cache/kadm/e2e-bin/$(VERSION))
FUZZTIME  ?= 30s
BENCHTIME ?= 3x

.PHONY: build test lint fuzz e2e bench demo demo-clean e2e-bins package

## build: the stripped static kadm binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/kadm ./cmd/kadm

## test: unit tests and whole-CLI script tests (fuzz tests run on their seed corpora; the help-tree conformance test also runs when upstream kubeadm is in $(E2E_BIN)), and the packages' tests (packaging/tools, its own module)
test:
	KADM_E2E_BIN_DIR=$(E2E_BIN) $(GO) test -count=1 ./...
	cd packaging/tools && GOWORK=off $(GO) test -count=1 ./...

## fuzz: every fuzz test for FUZZTIME each (default 30s); findings go to the package's testdata/fuzz
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) hack/fuzz.sh

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd packaging/tools && GOWORK=off $(GO) vet ./...

## package: bin/kadm_<version>_amd64.deb and bin/kadm-<version>-1.x86_64.rpm (/usr/bin/kadm and the kubelet drop-in), built with nfpm
package: build
	cd packaging/tools && GOWORK=off $(GO) run . -binary $(abspath $(BIN)/kadm) -version $(VERSION) -out $(abspath $(BIN))

## e2e-bins: the upstream binaries the e2e hosts run (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, CoreDNS, crictl) and kubeadm, built once into $(E2E_BIN)
e2e-bins:
	hack/build-e2e-bins.sh $(E2E_BIN)

## e2e: end-to-end tests on simulated hosts with real kubelets and containerd (needs root and Debian's containerd, runc, containernetworking-plugins, iptables, nftables)
e2e:
	KADM_E2E_BIN_DIR=$(E2E_BIN) hack/e2e.sh

## bench: start-up, memory and size of kadm against upstream kubeadm and the Go micro-benchmarks; then, as root, init and joins side by side with kubeadm on real-kubelet hosts (else the command is printed)
bench: build e2e-bins
	KADM_BIN=$(abspath $(BIN)/kadm) KUBEADM_BIN=$(E2E_BIN)/kubeadm $(GO) test -count=1 -run '^$$' -bench . -benchmem ./...
	@if [ "$$(id -u)" -eq 0 ]; then \
		set -e; \
		KADM_E2E_BIN_DIR=$(E2E_BIN) hack/e2e.sh -run '^$$' -bench '^Benchmark(Init|Join|JoinControlPlane)$$' -benchtime $(BENCHTIME) ; \
		KADM_E2E_BIN_DIR=$(E2E_BIN) hack/e2e.sh -run '^$$' -bench '^BenchmarkJoinConcurrent$$' -benchtime 1x ; \
	else \
		echo "make bench: the real-node benchmarks need root; run:"; \
		echo "  sudo KADM_E2E_BIN_DIR=$(E2E_BIN) hack/e2e.sh -run '^\$$' -bench '^Benchmark(Init|Join|JoinControlPlane)\$$' -benchtime $(BENCHTIME)"; \
		echo "  sudo KADM_E2E_BIN_DIR=$(E2E_BIN) hack/e2e.sh -run '^\$$' -bench '^BenchmarkJoinConcurrent\$$' -benchtime 1x"; \
	fi

## demo: kadm init on a local control-plane host and the join command it prints on a worker host, then the nodes and kube-system Pods; the hosts stay up (needs root)
demo:
	KADM_E2E_BIN_DIR=$(E2E_BIN) $(GO) run ./test/e2e/cmd/sandbox up

## demo-clean: remove the sandbox hosts of make demo
demo-clean:
	$(GO) run ./test/e2e/cmd/sandbox down
