// Package bootstraptoken builds the objects that let nodes join with a bootstrap token:
// the token Secrets, the RBAC bindings for bootstrapping nodes, and the public cluster-info ConfigMap.
package bootstraptoken
