package cri

import (
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// The CRI messages kadm sends and reads, encoded by hand with protowire
// from the field numbers of k8s.io/cri-api's api.proto (runtime.v1).
// cri-api's generated package would link gRPC into every kadm command; its
// types serve the tests' CRI server instead, which checks this encoding.

// appendString appends a string field, leaving it out when empty as proto3
// does.
func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendMessage appends an embedded message field, present even when empty.
func appendMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func appendBool(b []byte, num protowire.Number, v bool) []byte {
	if !v {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, 1)
}

// imageSpec is an ImageSpec naming image (field 1).
func imageSpec(image string) []byte { return appendString(nil, 1, image) }

// errMalformed is an answer that is not the message it should be.
var errMalformed = errors.New("malformed answer from the container runtime")

// field is one field of a message: its number, and its value as a varint
// or as the bytes of a length-delimited field.
type field struct {
	num    protowire.Number
	varint uint64
	bytes  []byte
}

// walk calls f for every varint and length-delimited field of msg and skips
// the others, as a reader of a newer message version must.
func walk(msg []byte, f func(field) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return errMalformed
		}
		msg = msg[n:]
		fd := field{num: num}
		switch typ {
		case protowire.VarintType:
			fd.varint, n = protowire.ConsumeVarint(msg)
		case protowire.BytesType:
			fd.bytes, n = protowire.ConsumeBytes(msg)
		default:
			n = protowire.ConsumeFieldValue(num, typ, msg)
			if n < 0 {
				return errMalformed
			}
			msg = msg[n:]
			continue
		}
		if n < 0 {
			return errMalformed
		}
		msg = msg[n:]
		if err := f(fd); err != nil {
			return err
		}
	}
	return nil
}

// strings reads the string fields of msg into the variables fields names by
// field number.
func stringFields(msg []byte, fields map[protowire.Number]*string) error {
	return walk(msg, func(f field) error {
		if dst, ok := fields[f.num]; ok && f.bytes != nil {
			*dst = string(f.bytes)
		}
		return nil
	})
}

// condition is a RuntimeCondition.
type condition struct {
	typ     string
	status  bool
	reason  string
	message string
}

// statusResponse is the part of a StatusResponse kadm reads: the
// conditions of its RuntimeStatus (field 1) and the verbose info map (2).
type statusResponse struct {
	conditions []condition
	info       map[string]string
}

func decodeStatus(msg []byte) (statusResponse, error) {
	r := statusResponse{info: map[string]string{}}
	err := walk(msg, func(f field) error {
		switch f.num {
		case 1:
			return walk(f.bytes, func(c field) error {
				if c.num != 1 {
					return nil
				}
				var cond condition
				err := walk(c.bytes, func(cf field) error {
					switch cf.num {
					case 1:
						cond.typ = string(cf.bytes)
					case 2:
						cond.status = cf.varint != 0
					case 3:
						cond.reason = string(cf.bytes)
					case 4:
						cond.message = string(cf.bytes)
					}
					return nil
				})
				r.conditions = append(r.conditions, cond)
				return err
			})
		case 2:
			var k, v string
			if err := stringFields(f.bytes, map[protowire.Number]*string{1: &k, 2: &v}); err != nil {
				return err
			}
			r.info[k] = v
		}
		return nil
	})
	return r, err
}

// hasField reports whether msg holds field num, as an ImageStatusResponse
// holds its Image (field 1) only for an image the runtime has.
func hasField(msg []byte, num protowire.Number) (bool, error) {
	found := false
	err := walk(msg, func(f field) error {
		found = found || f.num == num
		return nil
	})
	return found, err
}

// decodePodSandboxes reads a ListPodSandboxResponse: its items (field 1),
// each PodSandbox's id (1) and the name (1) and namespace (3) of its
// metadata (2).
func decodePodSandboxes(msg []byte) ([]PodSandbox, error) {
	var pods []PodSandbox
	err := walk(msg, func(f field) error {
		if f.num != 1 {
			return nil
		}
		var p PodSandbox
		var metadata []byte
		err := walk(f.bytes, func(pf field) error {
			switch pf.num {
			case 1:
				p.ID = string(pf.bytes)
			case 2:
				metadata = pf.bytes
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := stringFields(metadata, map[protowire.Number]*string{1: &p.Name, 3: &p.Namespace}); err != nil {
			return err
		}
		pods = append(pods, p)
		return nil
	})
	return pods, err
}
