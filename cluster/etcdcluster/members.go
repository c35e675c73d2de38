package etcdcluster

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"k8s.io/klog/v2"

	"github.com/kadm-project/kadm/node/etcd"
)

// Member is an etcd cluster member as the cluster lists it. A member that
// was added but has not started yet has no Name and no ClientURLs.
type Member struct {
	ID         uint64
	Name       string
	PeerURLs   []string
	ClientURLs []string
	IsLearner  bool
}

func (m Member) hexID() string { return strconv.FormatUint(m.ID, 16) }

// apiMember is a member as etcd's JSON API gives it.
type apiMember struct {
	ID         id       `json:"ID"`
	Name       string   `json:"name"`
	PeerURLs   []string `json:"peerURLs"`
	ClientURLs []string `json:"clientURLs"`
	IsLearner  bool     `json:"isLearner"`
}

// id is a 64-bit etcd ID, which the JSON API writes as a decimal string.
type id uint64

func (i id) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatUint(uint64(i), 10))
}

func (i *id) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseUint(strings.Trim(string(b), `"`), 10, 64)
	if err != nil {
		return fmt.Errorf("etcd ID %s: %w", b, err)
	}
	*i = id(n)
	return nil
}

// membersAnswer is the answer of every member call: the members after it,
// and for an addition the added one.
type membersAnswer struct {
	Member  *apiMember  `json:"member"`
	Members []apiMember `json:"members"`
}

func memberOf(m apiMember) Member {
	return Member{
		ID:         uint64(m.ID),
		Name:       m.Name,
		PeerURLs:   slices.Clone(m.PeerURLs),
		ClientURLs: slices.Clone(m.ClientURLs),
		IsLearner:  m.IsLearner,
	}
}

func membersOf(ms []apiMember) []Member {
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, memberOf(m))
	}
	return out
}

// The member calls of etcd's JSON API.
const (
	pathMemberList    = "/v3/cluster/member/list"
	pathMemberAdd     = "/v3/cluster/member/add"
	pathMemberPromote = "/v3/cluster/member/promote"
	pathMemberRemove  = "/v3/cluster/member/remove"
)

// etcd's messages for the answers kadm acts on.
const (
	msgTooManyLearners  = "etcdserver: too many learner members in cluster"
	msgLearnerNotReady  = "etcdserver: can only promote a learner member which is in sync with leader"
	msgMemberNotLearner = "etcdserver: can only promote a learner member"
	msgMemberNotFound   = "etcdserver: member not found"
)

// answered tells whether etcd answered err with message msg.
func answered(err error, msg string) bool {
	apiErr, ok := errors.AsType[*APIError](err)
	return ok && apiErr.Message == msg
}

func (c *Client) memberList(ctx context.Context) ([]Member, error) {
	var a membersAnswer
	if err := c.clusterCall(ctx, pathMemberList, struct{}{}, &a); err != nil {
		return nil, err
	}
	return membersOf(a.Members), nil
}

// withPeerURL finds the member that talks to its peers at peerURL.
func withPeerURL(all []Member, peerURL string) (Member, bool) {
	for _, m := range all {
		if slices.Contains(m.PeerURLs, peerURL) {
			return m, true
		}
	}
	return Member{}, false
}

// Members lists the cluster's members, as the leader knows them.
func (c *Client) Members(ctx context.Context) ([]Member, error) {
	all, err := c.memberList(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the etcd members through %s: %w", strings.Join(c.Endpoints(), ","), err)
	}
	return all, nil
}

// AddLearner adds a member at peerURL as a learner: it takes part in no vote
// until Promote, so a member that never starts cannot cost the cluster its
// quorum. A rerun finds the member it added before and adds nothing. It
// returns that member and the members after the change.
//
// etcd takes one learner at a time: while another joining member is one,
// AddLearner waits for its promotion, and calls waiting (when not nil) once
// so that the caller can say why nothing happens.
func (c *Client) AddLearner(ctx context.Context, name, peerURL string, waiting func()) (self Member, all []Member, err error) {
	if err := checkPeerURL(peerURL); err != nil {
		return Member{}, nil, err
	}
	told := false
	err = retry(ctx, "add etcd learner "+peerURL, func(ctx context.Context) error {
		var err error
		if all, err = c.memberList(ctx); err != nil {
			return err
		}
		if m, ok := withPeerURL(all, peerURL); ok {
			klog.V(2).Infof("[etcd] member %s (%s) exists already; not adding it", peerURL, m.hexID())
			self = m
			return nil
		}
		klog.V(2).Infof("[etcd] adding learner %s (%s)", peerURL, name)
		var added membersAnswer
		err = c.clusterCall(ctx, pathMemberAdd, map[string]any{"peerURLs": []string{peerURL}, "isLearner": true}, &added)
		if tooManyLearners(err) && waiting != nil && !told {
			told = true
			waiting()
		}
		if err != nil {
			// ErrPeerURLExist: an earlier attempt got through; the next
			// attempt finds the member.
			return err
		}
		if added.Member == nil {
			return permanent(errors.New("etcd's answer names no added member"))
		}
		self, all = memberOf(*added.Member), membersOf(added.Members)
		return nil
	})
	if err != nil {
		return Member{}, nil, fmt.Errorf("add the etcd learner %s: %w", peerURL, err)
	}
	return self, all, nil
}

// checkPeerURL refuses a URL etcd would refuse, before anything is changed.
func checkPeerURL(peerURL string) error {
	u, err := url.Parse(peerURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Port() == "" {
		return fmt.Errorf("add an etcd member: %q is not a peer URL such as %s", peerURL, etcd.PeerURL("10.0.0.2"))
	}
	return nil
}

// Promote makes learner id a voting member once it has caught up with the
// leader, which etcd checks; until then it retries. A member that votes
// already, after a rerun, is success.
func (c *Client) Promote(ctx context.Context, memberID uint64) error {
	who := strconv.FormatUint(memberID, 16)
	err := retry(ctx, "promote etcd learner "+who, func(ctx context.Context) error {
		all, err := c.memberList(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(all, func(m Member) bool { return m.ID == memberID })
		if i < 0 {
			return permanent(errors.New("it is not a member of the cluster (removed?)"))
		}
		m := all[i]
		if len(m.PeerURLs) > 0 {
			who = m.PeerURLs[0]
		}
		if !m.IsLearner {
			return nil
		}
		err = c.clusterCall(ctx, pathMemberPromote, map[string]any{"ID": id(memberID)}, &membersAnswer{})
		if answered(err, msgMemberNotLearner) {
			return nil
		}
		return err
	})
	if err == nil {
		return nil
	}
	if learnerNotReady(err) {
		return fmt.Errorf("promote the etcd learner %s: it never caught up with the leader; check that etcd runs on that node and reaches the other members: %w", who, err)
	}
	return fmt.Errorf("promote the etcd learner %s: %w", who, err)
}

// tooManyLearners tells whether etcd refused a learner because it has one.
func tooManyLearners(err error) bool { return answered(err, msgTooManyLearners) }

// learnerNotReady tells whether etcd refused a promotion because the
// learner is behind the leader.
func learnerNotReady(err error) bool { return answered(err, msgLearnerNotReady) }

// Remove removes the member at peerURL from the cluster. removed is false
// when there is no such member, so a rerun after a removal succeeds.
func (c *Client) Remove(ctx context.Context, peerURL string) (removed bool, err error) {
	// sent: a removal request went out and its answer was lost (the member
	// being removed may be the one that was asked, and stop at once); a
	// member gone afterwards was removed by this call.
	var sent bool
	err = retry(ctx, "remove etcd member "+peerURL, func(ctx context.Context) error {
		all, err := c.memberList(ctx)
		if err != nil {
			return err
		}
		m, ok := withPeerURL(all, peerURL)
		if !ok {
			removed = sent
			return nil
		}
		klog.V(2).Infof("[etcd] removing member %s (%s)", peerURL, m.hexID())
		err = c.clusterCall(ctx, pathMemberRemove, map[string]any{"ID": id(m.ID)}, &membersAnswer{})
		if answered(err, msgMemberNotFound) {
			removed = sent
			return nil
		}
		sent = true
		removed = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("remove the etcd member %s: %w", peerURL, err)
	}
	return removed, nil
}

// InitialCluster is the --initial-cluster of a member joining the cluster
// of all: every member with its first peer URL, sorted by name. The joining
// member, at peerURL, has no name until it starts and gets name; another
// member without one (added by a concurrent join) is listed under its ID,
// as kubeadm does, since etcd matches the others by peer URL.
func InitialCluster(all []Member, name, peerURL string) []etcd.Member {
	out := make([]etcd.Member, 0, len(all))
	for _, m := range all {
		if len(m.PeerURLs) == 0 {
			continue
		}
		n := m.Name
		switch {
		case n != "":
		case slices.Contains(m.PeerURLs, peerURL):
			n = name
		default:
			n = m.hexID()
		}
		out = append(out, etcd.Member{Name: n, PeerURL: m.PeerURLs[0]})
	}
	slices.SortFunc(out, func(a, b etcd.Member) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.PeerURL, b.PeerURL))
	})
	return out
}
