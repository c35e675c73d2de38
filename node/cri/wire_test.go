package cri

import (
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// The hand-written encoding against cri-api's generated code: requests
// kadm encodes decode to what it meant, and answers the generated code
// encodes, fields kadm does not read included, decode to what they say.

func TestWireRequests(t *testing.T) {
	t.Parallel()
	var pull runtimeapi.PullImageRequest
	if err := proto.Unmarshal(appendMessage(nil, 1, imageSpec("registry.k8s.io/pause:3.10.2")), &pull); err != nil || pull.GetImage().GetImage() != "registry.k8s.io/pause:3.10.2" {
		t.Errorf("PullImageRequest = %v, %v", &pull, err)
	}
	var status runtimeapi.StatusRequest
	if err := proto.Unmarshal(appendBool(nil, 1, true), &status); err != nil || !status.GetVerbose() {
		t.Errorf("StatusRequest = %v, %v", &status, err)
	}
	var stop runtimeapi.StopPodSandboxRequest
	if err := proto.Unmarshal(appendString(nil, 1, "abc"), &stop); err != nil || stop.GetPodSandboxId() != "abc" {
		t.Errorf("StopPodSandboxRequest = %v, %v", &stop, err)
	}
}

func TestWireAnswers(t *testing.T) {
	t.Parallel()
	status, err := proto.Marshal(&runtimeapi.StatusResponse{
		Status: &runtimeapi.RuntimeStatus{Conditions: []*runtimeapi.RuntimeCondition{
			{Type: runtimeapi.RuntimeReady, Status: true},
			{Type: runtimeapi.NetworkReady, Status: false, Reason: "NetworkPluginNotReady", Message: "cni plugin not initialized"},
		}},
		Info:            map[string]string{"config": `{"sandboxImage":"p"}`, "golang": "go1.20"},
		RuntimeHandlers: []*runtimeapi.RuntimeHandler{{Name: "runc", Features: &runtimeapi.RuntimeHandlerFeatures{RecursiveReadOnlyMounts: true}}},
		Features:        &runtimeapi.RuntimeFeatures{SupplementalGroupsPolicy: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := decodeStatus(status)
	want := []condition{{typ: "RuntimeReady", status: true}, {typ: "NetworkReady", reason: "NetworkPluginNotReady", message: "cni plugin not initialized"}}
	if err != nil || !slices.Equal(s.conditions, want) || len(s.info) != 2 || s.info["config"] != `{"sandboxImage":"p"}` {
		t.Errorf("decodeStatus = %+v, %v", s, err)
	}

	list, err := proto.Marshal(&runtimeapi.ListPodSandboxResponse{Items: []*runtimeapi.PodSandbox{
		{Id: "a", Metadata: &runtimeapi.PodSandboxMetadata{Name: "etcd-cp", Uid: "u", Namespace: "kube-system", Attempt: 2},
			State: runtimeapi.PodSandboxState_SANDBOX_NOTREADY, CreatedAt: 1700000000, Labels: map[string]string{"k": "v"}, RuntimeHandler: "runc"},
		{Id: "b"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	pods, err := decodePodSandboxes(list)
	if wantPods := []PodSandbox{{ID: "a", Name: "etcd-cp", Namespace: "kube-system"}, {ID: "b"}}; err != nil || !slices.Equal(pods, wantPods) {
		t.Errorf("decodePodSandboxes = %+v, %v; want %+v", pods, err, wantPods)
	}

	for _, tc := range []struct {
		msg  proto.Message
		want bool
	}{
		{&runtimeapi.ImageStatusResponse{Image: &runtimeapi.Image{Id: "sha256:1", Size: 42}, Info: map[string]string{"a": "b"}}, true},
		{&runtimeapi.ImageStatusResponse{Image: &runtimeapi.Image{}}, true},
		{&runtimeapi.ImageStatusResponse{}, false},
	} {
		b, err := proto.Marshal(tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := hasField(b, 1); err != nil || got != tc.want {
			t.Errorf("hasField(%v) = %v, %v; want %v", tc.msg, got, err, tc.want)
		}
	}

	if _, err := decodeStatus([]byte{0x0a, 0x05, 0x01}); err == nil {
		t.Error("a truncated answer decoded")
	}
}
