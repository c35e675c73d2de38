// Package objects is kadm's one create-or-update engine for the API objects it
// owns (Secrets, ConfigMaps, RBAC, ServiceAccounts, Services, Deployments,
// DaemonSets): every call bounded by a deadline, transient errors retried,
// anything else failed at once, or only listed on --dry-run.
package objects
