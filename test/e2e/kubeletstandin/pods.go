package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// maxGrace caps a Pod's termination grace period so a restart stays quick.
const maxGrace = 10 * time.Second

// podManager runs the static Pods of one directory as local processes: it
// starts each container, restarts it when it exits (with back-off) or when
// its manifest changes, and stops it when the manifest goes. Processes
// outlive a restart of the stand-in, as containers outlive the kubelet's; the
// next stand-in adopts them from the state file.
type podManager struct {
	manifestDir   string
	componentsDir string
	stateDir      string
	log           *log.Logger

	// rejected remembers, per file, the content hash of a manifest already
	// reported as unusable, so it is reported once. Only run uses it.
	rejected map[string]string

	mu   sync.Mutex
	pods map[string]*staticPod // by manifest file name
}

type staticPod struct {
	file       string
	hash       string
	pod        *corev1.Pod
	seen       time.Time
	containers []*container
}

type container struct {
	name     string
	image    string
	argv     []string
	env      []string
	dir      string
	logPath  string
	setupErr error // set when the container cannot run at all

	proc      procID
	child     *childWait // nil for an adopted process
	startedAt time.Time
	restarts  int
	backoff   time.Duration
	notBefore time.Time
	lastErr   string
}

// childWait collects the exit of a process this stand-in started.
type childWait struct {
	done chan struct{}
	err  error
}

func newPodManager(manifestDir, componentsDir, stateDir string, logger *log.Logger) *podManager {
	return &podManager{
		manifestDir:   manifestDir,
		componentsDir: componentsDir,
		stateDir:      stateDir,
		log:           logger,
		rejected:      map[string]string{},
		pods:          map[string]*staticPod{},
	}
}

// run adopts what an earlier stand-in left running, then keeps the processes
// in line with the manifests until ctx ends; the processes keep running.
func (m *podManager) run(ctx context.Context) {
	if err := os.MkdirAll(filepath.Join(m.stateDir, "pods"), 0o755); err != nil {
		m.log.Printf("static pods: %v", err)
	}
	m.adopt()
	for {
		m.sync()
		if !sleepCtx(ctx, time.Second) {
			m.mu.Lock()
			m.save()
			m.mu.Unlock()
			return
		}
	}
}

func (m *podManager) readManifests() map[string]manifest {
	out := map[string]manifest{}
	if m.manifestDir == "" {
		return out
	}
	entries, err := os.ReadDir(m.manifestDir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			m.log.Printf("static pods: read %s: %v", m.manifestDir, err)
		}
		return out
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(m.manifestDir, e.Name()))
		if err != nil {
			m.log.Printf("static pods: %v", err)
			continue
		}
		d, err := decodeManifest(b)
		if err != nil {
			if key := fmt.Sprintf("%x", sha256.Sum256(b)); m.rejected[e.Name()] != key {
				m.rejected[e.Name()] = key
				m.log.Printf("static pods: ignoring %s: %v", e.Name(), err)
			}
			continue
		}
		delete(m.rejected, e.Name())
		out[e.Name()] = d
	}
	return out
}

func (m *podManager) newStaticPod(file string, d manifest) *staticPod {
	sp := &staticPod{file: file, hash: d.hash, pod: d.pod, seen: time.Now()}
	for _, w := range mountWarnings(d.pod) {
		m.log.Printf("static pod %s: %s", d.pod.Name, w)
	}
	if len(d.pod.Spec.InitContainers) > 0 {
		m.log.Printf("static pod %s: init containers are not run by the stand-in", d.pod.Name)
	}
	for _, ctr := range d.pod.Spec.Containers {
		argv, err := commandLine(m.componentsDir, ctr)
		env, unsupported := containerEnv(ctr)
		if len(unsupported) > 0 {
			m.log.Printf("static pod %s: container %s: env %s reference other objects and are left unset", d.pod.Name, ctr.Name, strings.Join(unsupported, ", "))
		}
		dir := ctr.WorkingDir
		if dir == "" {
			dir = "/"
		}
		c := &container{
			name:     ctr.Name,
			image:    ctr.Image,
			argv:     argv,
			env:      env,
			dir:      dir,
			logPath:  filepath.Join(m.stateDir, "pods", d.pod.Name+"_"+ctr.Name+".log"),
			setupErr: err,
		}
		if err != nil {
			c.lastErr = err.Error()
			m.log.Printf("static pod %s: container %s cannot run: %v", d.pod.Name, ctr.Name, err)
		}
		sp.containers = append(sp.containers, c)
	}
	return sp
}

// sync brings the processes in line with the manifests once.
func (m *podManager) sync() {
	manifests := m.readManifests()
	m.mu.Lock()
	defer m.mu.Unlock()
	changed := false
	for file, sp := range m.pods {
		if d, ok := manifests[file]; ok && d.hash == sp.hash {
			continue
		}
		if _, ok := manifests[file]; ok {
			m.log.Printf("static pod %s: manifest %s changed, restarting", sp.pod.Name, file)
		} else {
			m.log.Printf("static pod %s: manifest %s removed, stopping", sp.pod.Name, file)
		}
		m.stopPod(sp)
		delete(m.pods, file)
		changed = true
	}
	files := make([]string, 0, len(manifests))
	for f := range manifests {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, file := range files {
		sp, ok := m.pods[file]
		if !ok {
			sp = m.newStaticPod(file, manifests[file])
			m.pods[file] = sp
			changed = true
		}
		for _, c := range sp.containers {
			if m.reap(sp, c) {
				changed = true
			}
			if c.proc.PID == 0 && c.setupErr == nil && !time.Now().Before(c.notBefore) {
				m.start(sp, c)
				changed = true
			}
		}
	}
	if changed {
		m.save()
	}
}

func (c *container) running() bool {
	if c.proc.PID == 0 {
		return false
	}
	if c.child != nil {
		select {
		case <-c.child.done:
			return false
		default:
			return true
		}
	}
	return c.proc.alive()
}

// reap notices a container that exited and schedules its restart with a
// back-off of 1s doubling up to 10s (reset after 30s of running).
func (m *podManager) reap(sp *staticPod, c *container) bool {
	if c.proc.PID == 0 || c.running() {
		return false
	}
	how := "exited"
	if c.child != nil && c.child.err != nil {
		how = c.child.err.Error()
	}
	ran := time.Since(c.startedAt)
	m.log.Printf("static pod %s: container %s (pid %d) %s after %s", sp.pod.Name, c.name, c.proc.PID, how, ran.Round(time.Millisecond))
	c.lastErr = fmt.Sprintf("%s after %s; see %s", how, ran.Round(time.Second), c.logPath)
	c.proc, c.child = procID{}, nil
	c.restarts++
	switch {
	case ran > 30*time.Second || c.backoff == 0:
		c.backoff = time.Second
	case c.backoff < 10*time.Second:
		c.backoff *= 2
	}
	c.notBefore = time.Now().Add(c.backoff)
	return true
}

func (m *podManager) start(sp *staticPod, c *container) {
	logf, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		m.log.Printf("static pod %s: container %s: %v", sp.pod.Name, c.name, err)
		c.notBefore = time.Now().Add(time.Second)
		return
	}
	defer logf.Close()
	fmt.Fprintf(logf, "==== %s kubelet-standin: starting %s\n", time.Now().Format(time.RFC3339Nano), strings.Join(c.argv, " "))
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	cmd.Env, cmd.Dir = c.env, c.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		c.lastErr = err.Error()
		c.backoff = 10 * time.Second
		c.notBefore = time.Now().Add(c.backoff)
		m.log.Printf("static pod %s: container %s: %v", sp.pod.Name, c.name, err)
		return
	}
	id, err := identify(cmd.Process.Pid)
	if err != nil {
		id = procID{PID: cmd.Process.Pid}
	}
	w := &childWait{done: make(chan struct{})}
	go func() {
		w.err = cmd.Wait()
		close(w.done)
	}()
	c.proc, c.child, c.startedAt = id, w, time.Now()
	m.log.Printf("static pod %s: started container %s (pid %d): %s", sp.pod.Name, c.name, id.PID, strings.Join(c.argv, " "))
}

func (m *podManager) stopPod(sp *staticPod) {
	grace := maxGrace
	if g := sp.pod.Spec.TerminationGracePeriodSeconds; g != nil && time.Duration(*g)*time.Second < grace {
		grace = time.Duration(*g) * time.Second
	}
	var procs []procID
	for _, c := range sp.containers {
		if c.running() {
			procs = append(procs, c.proc)
		}
	}
	if err := stopAll(procs, grace); err != nil {
		m.log.Printf("static pod %s: %v", sp.pod.Name, err)
	}
	for _, c := range sp.containers {
		if c.child != nil {
			select {
			case <-c.child.done:
			case <-time.After(5 * time.Second):
				m.log.Printf("static pod %s: container %s (pid %d) did not end", sp.pod.Name, c.name, c.proc.PID)
			}
		}
		c.proc, c.child = procID{}, nil
	}
}
