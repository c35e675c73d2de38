package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// podState is what a stand-in records about a static Pod so the next one
// can adopt its processes.
type podState struct {
	Hash       string                    `json:"hash"`
	Containers map[string]containerState `json:"containers"`
}

type containerState struct {
	Proc      procID    `json:"proc"`
	StartedAt time.Time `json:"startedAt"`
	Restarts  int       `json:"restarts"`
}

func (m *podManager) stateFile() string { return filepath.Join(m.stateDir, "pods.json") }

// save records the running processes; the caller holds m.mu.
func (m *podManager) save() {
	state := map[string]podState{}
	for file, sp := range m.pods {
		ps := podState{Hash: sp.hash, Containers: map[string]containerState{}}
		for _, c := range sp.containers {
			if c.proc.PID != 0 {
				ps.Containers[c.name] = containerState{Proc: c.proc, StartedAt: c.startedAt, Restarts: c.restarts}
			}
		}
		state[file] = ps
	}
	b, err := json.MarshalIndent(state, "", "  ")
	if err == nil {
		tmp := m.stateFile() + ".tmp"
		if err = os.WriteFile(tmp, b, 0o644); err == nil {
			err = os.Rename(tmp, m.stateFile())
		}
	}
	if err != nil {
		m.log.Printf("static pods: save state: %v", err)
	}
}

// adopt takes over the processes an earlier stand-in started for manifests
// that have not changed since, and stops those whose manifest changed or went.
func (m *podManager) adopt() {
	b, err := os.ReadFile(m.stateFile())
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	var state map[string]podState
	if err == nil {
		err = json.Unmarshal(b, &state)
	}
	if err != nil {
		m.log.Printf("static pods: ignoring state %s: %v", m.stateFile(), err)
		return
	}
	manifests := m.readManifests()
	m.mu.Lock()
	defer m.mu.Unlock()
	for file, ps := range state {
		var sp *staticPod
		if d, ok := manifests[file]; ok && d.hash == ps.Hash {
			sp = m.newStaticPod(file, d)
		}
		var stale []procID
		for name, cs := range ps.Containers {
			if !cs.Proc.alive() {
				continue
			}
			if c := sp.container(name); c != nil {
				c.proc, c.startedAt, c.restarts = cs.Proc, cs.StartedAt, cs.Restarts
				m.log.Printf("static pod %s: adopted running container %s (pid %d)", sp.pod.Name, name, cs.Proc.PID)
				continue
			}
			stale = append(stale, cs.Proc)
		}
		if len(stale) > 0 {
			m.log.Printf("static pods: stopping %d process(es) of the former %s", len(stale), file)
			if err := stopAll(stale, maxGrace); err != nil {
				m.log.Printf("static pods: %v", err)
			}
		}
		if sp != nil {
			m.pods[file] = sp
		}
	}
}

func (sp *staticPod) container(name string) *container {
	if sp == nil {
		return nil
	}
	for _, c := range sp.containers {
		if c.name == name {
			return c
		}
	}
	return nil
}

// podView is a copy of a static Pod's state for the mirror Pod.
type podView struct {
	file       string
	hash       string
	pod        *corev1.Pod
	seen       time.Time
	containers []containerView
}

type containerView struct {
	name      string
	image     string
	running   bool
	pid       int
	startedAt time.Time
	restarts  int
	lastErr   string
}

// snapshot returns the static Pods in file name order.
func (m *podManager) snapshot() []podView {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]podView, 0, len(m.pods))
	for _, sp := range m.pods {
		v := podView{file: sp.file, hash: sp.hash, pod: sp.pod.DeepCopy(), seen: sp.seen}
		for _, c := range sp.containers {
			v.containers = append(v.containers, containerView{
				name: c.name, image: c.image, running: c.running(), pid: c.proc.PID,
				startedAt: c.startedAt, restarts: c.restarts, lastErr: c.lastErr,
			})
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].file < out[j].file })
	return out
}
