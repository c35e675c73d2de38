// Package bootstraptoken is everything about the tokens nodes join with: the
// token Secrets (create, list, delete), the RBAC for bootstrapping nodes, the
// public cluster-info ConfigMap, and the join command lines that carry a
// token and the CA pins.
package bootstraptoken
