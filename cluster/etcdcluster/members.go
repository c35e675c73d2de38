package etcdcluster

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
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

func memberOf(m *etcdserverpb.Member) Member {
	return Member{
		ID:         m.ID,
		Name:       m.Name,
		PeerURLs:   slices.Clone(m.PeerURLs),
		ClientURLs: slices.Clone(m.ClientURLs),
		IsLearner:  m.IsLearner,
	}
}

func membersOf(ms []*etcdserverpb.Member) []Member {
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, memberOf(m))
	}
	return out
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
	resp, err := c.cli.MemberList(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the etcd members through %s: %w", strings.Join(c.endpoints, ","), err)
	}
	return membersOf(resp.Members), nil
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
		resp, err := c.cli.MemberList(ctx)
		if err != nil {
			return err
		}
		all = membersOf(resp.Members)
		if m, ok := withPeerURL(all, peerURL); ok {
			klog.V(2).Infof("[etcd] member %s (%s) exists already; not adding it", peerURL, m.hexID())
			self = m
			return nil
		}
		klog.V(2).Infof("[etcd] adding learner %s (%s)", peerURL, name)
		added, err := c.cli.MemberAddAsLearner(ctx, []string{peerURL})
		if tooManyLearners(err) && waiting != nil && !told {
			told = true
			waiting()
		}
		if err != nil {
			// ErrPeerURLExist: an earlier attempt got through; the next
			// attempt finds the member.
			return err
		}
		self, all = memberOf(added.Member), membersOf(added.Members)
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
func (c *Client) Promote(ctx context.Context, id uint64) error {
	who := strconv.FormatUint(id, 16)
	err := retry(ctx, "promote etcd learner "+who, func(ctx context.Context) error {
		resp, err := c.cli.MemberList(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(resp.Members, func(m *etcdserverpb.Member) bool { return m.ID == id })
		if i < 0 {
			return permanent(errors.New("it is not a member of the cluster (removed?)"))
		}
		m := memberOf(resp.Members[i])
		if len(m.PeerURLs) > 0 {
			who = m.PeerURLs[0]
		}
		if !m.IsLearner {
			return nil
		}
		_, err = c.cli.MemberPromote(ctx, id)
		if errors.Is(err, rpctypes.ErrMemberNotLearner) {
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
func tooManyLearners(err error) bool {
	return err != nil && (errors.Is(err, rpctypes.ErrTooManyLearners) ||
		strings.Contains(err.Error(), rpctypes.ErrTooManyLearners.Error()))
}

// learnerNotReady tells whether etcd refused a promotion because the
// learner is behind the leader. The message is matched too: an error that
// went through a proxy keeps only its text.
func learnerNotReady(err error) bool {
	return errors.Is(err, rpctypes.ErrMemberLearnerNotReady) ||
		strings.Contains(err.Error(), rpctypes.ErrMemberLearnerNotReady.Error())
}

// Remove removes the member at peerURL from the cluster. removed is false
// when there is no such member, so a rerun after a removal succeeds.
func (c *Client) Remove(ctx context.Context, peerURL string) (removed bool, err error) {
	// sent: a removal request went out and its answer was lost (the member
	// being removed may be the one that was asked, and stop at once); a
	// member gone afterwards was removed by this call.
	var sent bool
	err = retry(ctx, "remove etcd member "+peerURL, func(ctx context.Context) error {
		resp, err := c.cli.MemberList(ctx)
		if err != nil {
			return err
		}
		m, ok := withPeerURL(membersOf(resp.Members), peerURL)
		if !ok {
			removed = sent
			return nil
		}
		klog.V(2).Infof("[etcd] removing member %s (%s)", peerURL, m.hexID())
		_, err = c.cli.MemberRemove(ctx, m.ID)
		if errors.Is(err, rpctypes.ErrMemberNotFound) {
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
