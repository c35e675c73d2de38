package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
)

// apiRetry is how long the stand-in waits before retrying API work, such
// as while its own static Pods bring the API server up.
const apiRetry = 2 * time.Second

func runKubelet(args []string) int {
	o, err := parseKubeletFlags(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubelet: %v\n", err)
		return 2
	}
	if o.version {
		fmt.Println("Kubernetes " + kubeletVersion)
		return 0
	}
	logger := log.New(os.Stderr, "kubelet-standin: ", log.LstdFlags|log.Lmicroseconds)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	k := &kubelet{o: o, log: logger, reported: map[string]reported{}}
	if err := k.run(ctx); err != nil {
		logger.Print(err)
		return 1
	}
	return 0
}

type kubelet struct {
	o   *kubeletOptions
	log *log.Logger

	mu       sync.Mutex
	reported map[string]reported
}

type reported struct {
	msg string
	at  time.Time
}

// report logs a failure of the named activity when it differs from the last
// one logged for it, or every 30s while it persists, so retry loops stay
// readable.
func (k *kubelet) report(what string, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	last := k.reported[what]
	if last.msg == err.Error() && time.Since(last.at) < 30*time.Second {
		return
	}
	k.reported[what] = reported{msg: err.Error(), at: time.Now()}
	k.log.Printf("%s: %v (retrying)", what, err)
}

func (k *kubelet) run(ctx context.Context) error {
	cfg, err := k.waitForConfig(ctx)
	if err != nil {
		return err
	}
	nodeName, err := k.o.nodeName()
	if err != nil {
		return err
	}
	ip, err := k.o.hostIP()
	if err != nil {
		return err
	}
	taints, err := k.o.taints(cfg)
	if err != nil {
		return err
	}
	k.log.Printf("kubelet %s stand-in for node %s (%s): static pods from %q, healthz on %s, components from %s",
		kubeletVersion, nodeName, ip, cfg.StaticPodPath, cfg.healthzAddress(), k.o.componentsDir)
	pods := newPodManager(cfg.StaticPodPath, k.o.componentsDir, k.o.stateDir, k.log)
	agent := &nodeAgent{
		name: nodeName, hostname: nodeName, ip: ip,
		labels: nodeLabels(nodeName, k.o.nodeLabels), taints: taints,
		maxPods: cfg.MaxPods, leaseSec: cfg.NodeLeaseDurationSeconds,
	}
	var wg sync.WaitGroup
	wg.Go(func() { pods.run(ctx) })
	wg.Go(func() { k.serveHealthz(ctx, cfg.healthzAddress()) })
	wg.Go(func() { k.runAPI(ctx, cfg, agent, pods) })
	wg.Wait()
	k.log.Print("stopped; static pod processes keep running")
	return nil
}

// waitForConfig waits for the configuration file: before kubeadm's
// kubelet-start phase writes it, a real kubelet crash-loops under systemd.
func (k *kubelet) waitForConfig(ctx context.Context) (*kubeletConfig, error) {
	for {
		cfg, err := loadKubeletConfig(k.o.configFile)
		if err == nil {
			return cfg, nil
		}
		k.report("kubelet configuration", err)
		if !sleepCtx(ctx, time.Second) {
			return nil, fmt.Errorf("stopped while waiting for %s", k.o.configFile)
		}
	}
}

func (k *kubelet) serveHealthz(ctx context.Context, addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	var ln net.Listener
	for {
		var err error
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		k.report("healthz listener", err)
		if !sleepCtx(ctx, 500*time.Millisecond) {
			return
		}
	}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		k.log.Printf("healthz: %v", err)
	}
}

// runAPI gets the node's credentials, registers the Node, then keeps its
// status, Lease and mirror Pods current, retrying whatever fails.
func (k *kubelet) runAPI(ctx context.Context, cfg *kubeletConfig, agent *nodeAgent, pods *podManager) {
	for agent.client == nil {
		client, err := nodeClient(ctx, k.o, cfg, agent.name, k.log)
		if err != nil {
			k.report("API client", err)
			if !sleepCtx(ctx, apiRetry) {
				return
			}
			continue
		}
		agent.client = client
	}
	mirrors := &mirrorSync{client: agent.client, nodeName: agent.name, hostIP: agent.ip, posted: map[types.UID]string{}}
	var node *corev1.Node
	var lastBeat time.Time
	for {
		switch {
		case node == nil:
			n, err := agent.register(ctx)
			if err != nil {
				k.report("node registration", err)
				break
			}
			node, lastBeat = n, time.Now()
			k.log.Printf("registered Node %s", agent.name)
		case time.Since(lastBeat) >= cfg.NodeStatusUpdateFrequency.Duration:
			n, err := agent.heartbeat(ctx)
			if apierrors.IsNotFound(err) {
				k.log.Printf("Node %s was deleted: registering again", agent.name)
				node = nil
				continue
			}
			if err != nil {
				k.report("node status", err)
				break
			}
			node, lastBeat = n, time.Now()
		}
		if node != nil {
			if err := agent.renewLeaseEvery(ctx, node, cfg.NodeStatusUpdateFrequency.Duration); err != nil {
				k.report("node lease", err)
			}
			if err := mirrors.sync(ctx, node, pods.snapshot()); err != nil {
				k.report("mirror pods", err)
			}
		}
		if !sleepCtx(ctx, apiRetry) {
			return
		}
	}
}
