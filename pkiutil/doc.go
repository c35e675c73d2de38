// Package pkiutil makes and checks the cluster's keys and certificates: RSA
// and ECDSA keys, CAs, leaf certificates, CSRs and SPKI pin hashes.
package pkiutil
