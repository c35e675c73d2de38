// Package tokens creates, lists and deletes bootstrap tokens in a running cluster for
// `kadm token`; what it lists never carries a token's secret.
package tokens
