//go:build !linux

package sandbox

import (
	"errors"
	"fmt"
)

type lockdown struct {
	Profile    string
	Mem        int64
	CPUSeconds int
	FileSize   int64
	WorkDir    string
	Exec       []string
	Read       []string
}

// Report says what a lockdown achieved.
type Report struct {
	Seccomp    bool `json:"seccomp"`
	NoNewPrivs bool `json:"no_new_privs"`
	Landlock   int  `json:"landlock"`
}

func (r Report) String() string {
	return fmt.Sprintf("seccomp=%v no_new_privs=%v landlock_abi=%d", r.Seccomp, r.NoNewPrivs, r.Landlock)
}

// apply refuses: the sandbox is built on Linux's seccomp and Landlock.
func (l lockdown) apply() (Report, error) {
	return Report{}, errors.New("sandbox: the extraction sandbox needs Linux (seccomp, Landlock)")
}

var systemReadDirs []string

func toolPaths(programs ...string) []string { return nil }
