package bench

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// binaries returns the kadm and kubeadm binaries under test, or skips: make
// bench builds both and passes them in KADM_BIN and KUBEADM_BIN.
func binaries(b *testing.B) (kadm, kubeadm string) {
	kadm, kubeadm = os.Getenv("KADM_BIN"), os.Getenv("KUBEADM_BIN")
	if kadm == "" || kubeadm == "" {
		b.Skip("KADM_BIN and KUBEADM_BIN are not set; run make bench")
	}
	return kadm, kubeadm
}

// run executes bin once and returns its wall time and peak resident memory.
func run(b *testing.B, bin string, args ...string) (time.Duration, int64) {
	cmd := exec.Command(bin, args...)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v\n%s", bin, args, err, out)
	}
	elapsed := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return elapsed, ru.Maxrss
}

// BenchmarkVersion runs `version -o short` of kadm and kubeadm alternately,
// so both see the same machine load, and reports kadm's time and peak memory
// as fractions of kubeadm's (target: under 0.5 each).
func BenchmarkVersion(b *testing.B) {
	kadm, kubeadm := binaries(b)
	var kadmTime, kubeadmTime time.Duration
	var kadmRSS, kubeadmRSS int64
	for b.Loop() {
		t, rss := run(b, kadm, "version", "-o", "short")
		kadmTime += t
		kadmRSS = max(kadmRSS, rss)
		t, rss = run(b, kubeadm, "version", "-o", "short")
		kubeadmTime += t
		kubeadmRSS = max(kubeadmRSS, rss)
	}
	b.ReportMetric(float64(kadmTime.Microseconds())/float64(b.N), "kadm-µs/run")
	b.ReportMetric(float64(kubeadmTime.Microseconds())/float64(b.N), "kubeadm-µs/run")
	b.ReportMetric(float64(kadmTime)/float64(kubeadmTime), "time-ratio")
	b.ReportMetric(float64(kadmRSS), "kadm-maxrss-KiB")
	b.ReportMetric(float64(kubeadmRSS), "kubeadm-maxrss-KiB")
	b.ReportMetric(float64(kadmRSS)/float64(kubeadmRSS), "rss-ratio")
}

// BenchmarkBinarySize reports the size of the stripped kadm binary as a
// fraction of stripped kubeadm's (target: well under 0.5).
func BenchmarkBinarySize(b *testing.B) {
	kadm, kubeadm := binaries(b)
	size := func(path string) int64 {
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		return fi.Size()
	}
	var k, u int64
	for b.Loop() {
		k, u = size(kadm), size(kubeadm)
	}
	b.ReportMetric(float64(k)/(1<<20), "kadm-MiB")
	b.ReportMetric(float64(u)/(1<<20), "kubeadm-MiB")
	b.ReportMetric(float64(k)/float64(u), "size-ratio")
}
