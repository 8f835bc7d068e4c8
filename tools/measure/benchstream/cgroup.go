package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cfsPeriod is the CPU quota's period: Linux's default CFS period. A
// process held to a share of a CPU runs at full speed until it has used
// that share of the period, then waits for the next.
const cfsPeriod = 100 * time.Millisecond

// cpuQuota is a cgroup that holds its processes to a share of one CPU, as
// Lambda holds a function to memory / 1,769 MB of a vCPU. It takes root
// and a writable cgroup file system, version 1 (the cpu controller's
// cpu.cfs_quota_us) or 2 (cpu.max).
type cpuQuota struct {
	dir string
	v2  bool
}

// newCPUQuota makes the cgroup name, or says why it cannot.
func newCPUQuota(name string) (*cpuQuota, error) {
	candidates := []cpuQuota{{dir: "/sys/fs/cgroup/cpu/" + name}, {dir: "/sys/fs/cgroup/" + name, v2: true}}
	var errs []error
	for _, q := range candidates {
		if !q.available() {
			continue
		}
		if err := os.Mkdir(q.dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			errs = append(errs, err)
			continue
		}
		if exists(filepath.Join(q.dir, q.file())) {
			return &q, nil
		}
		os.Remove(q.dir)
		errs = append(errs, fmt.Errorf("%s has no %s (is the cpu controller enabled?)", q.dir, q.file()))
	}
	if len(errs) == 0 {
		return nil, errors.New("no cgroup file system with a cpu controller under /sys/fs/cgroup")
	}
	return nil, errors.Join(errs...)
}

// available says whether the file system q would be made in has a cpu
// controller.
func (q *cpuQuota) available() bool {
	parent := filepath.Dir(q.dir)
	if !q.v2 {
		return exists(filepath.Join(parent, "cpu.cfs_quota_us"))
	}
	b, err := os.ReadFile(filepath.Join(parent, "cgroup.controllers"))
	return err == nil && slices.Contains(strings.Fields(string(b)), "cpu")
}

func (q *cpuQuota) file() string {
	if q.v2 {
		return "cpu.max"
	}
	return "cpu.cfs_quota_us"
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// set holds the cgroup to share of one CPU: share × the period of CPU
// time per period (more than one CPU's worth from share 1 on).
func (q *cpuQuota) set(share float64) error {
	period := cfsPeriod.Microseconds()
	quota := int64(share * float64(period))
	if q.v2 {
		return os.WriteFile(filepath.Join(q.dir, "cpu.max"), fmt.Appendf(nil, "%d %d", quota, period), 0o644)
	}
	if err := os.WriteFile(filepath.Join(q.dir, "cpu.cfs_period_us"), []byte(strconv.FormatInt(period, 10)), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(q.dir, "cpu.cfs_quota_us"), []byte(strconv.FormatInt(quota, 10)), 0o644)
}

// add moves processes into the cgroup; their children start in it.
func (q *cpuQuota) add(pids ...int) error {
	for _, pid := range pids {
		if err := os.WriteFile(filepath.Join(q.dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
			return fmt.Errorf("move %d into %s: %w", pid, q.dir, err)
		}
	}
	return nil
}

// throttled is how long the cgroup's processes have waited for quota.
func (q *cpuQuota) throttled() time.Duration {
	b, _ := os.ReadFile(filepath.Join(q.dir, "cpu.stat"))
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, " ")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "throttled_time": // v1, ns
			return time.Duration(n)
		case "throttled_usec": // v2
			return time.Duration(n) * time.Microsecond
		}
	}
	return 0
}

// remove deletes the cgroup, once its processes are gone.
func (q *cpuQuota) remove() error {
	var err error
	for range 50 {
		if err = os.Remove(q.dir); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}
