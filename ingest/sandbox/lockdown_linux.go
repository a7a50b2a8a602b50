package sandbox

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"tinnhiem/internal/rlimit"
	"unsafe"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// lockdown is what a process does to itself before it reads a hostile file.
type lockdown struct {
	Profile    string
	Mem        int64
	CPUSeconds int    // RLIMIT_CPU, 0 none
	FileSize   int64  // RLIMIT_FSIZE
	WorkDir    string // tools: the one directory programs may write in
	Exec       []string
	Read       []string
}

// Report says what a lockdown achieved.
type Report struct {
	Seccomp    bool `json:"seccomp"`
	NoNewPrivs bool `json:"no_new_privs"`
	Landlock   int  `json:"landlock"` // Landlock ABI version applied to the reading thread, 0 none
}

func (r Report) String() string {
	return fmt.Sprintf("seccomp=%v no_new_privs=%v landlock_abi=%d", r.Seccomp, r.NoNewPrivs, r.Landlock)
}

// apply locks the calling goroutine to its thread for good (Landlock binds that thread, and the
// programs it starts), sets the resource limits, confines the thread with Landlock (tools
// profile) and installs the seccomp filter on every thread. It fails rather than run half
// confined: no seccomp, or no Landlock for the tools profile, is an error.
func (l lockdown) apply() (Report, error) {
	runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
	var rep Report
	if err := l.limits(); err != nil {
		return rep, fmt.Errorf("sandbox: resource limits: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return rep, fmt.Errorf("sandbox: no_new_privs: %w", err)
	}
	if l.Profile == ProfileTools {
		abi, err := l.landlock()
		if err != nil {
			return rep, fmt.Errorf("sandbox: landlock: %w", err)
		}
		rep.Landlock = abi
		// A root child keeps no capability on the thread that starts programs, so that they
		// inherit none (with no_new_privs, root gains none on exec).
		if err := dropCapabilities(); err != nil {
			return rep, fmt.Errorf("sandbox: capabilities: %w", err)
		}
	}
	if err := loadSeccomp(l.Profile, os.Getpid()); err != nil {
		return rep, fmt.Errorf("sandbox: seccomp: %w", err)
	}
	rep.Seccomp = true
	nnp, _ := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
	rep.NoNewPrivs = nnp == 1
	return rep, nil
}

func (l lockdown) limits() error {
	if l.Mem > 0 {
		if l.Profile == ProfileTools {
			// The programs inherit this limit: it is theirs as much as the child's.
			vm, _ := rlimit.Sizes()
			if err := rlimit.Set(unix.RLIMIT_AS, uint64(max(l.Mem, int64(vm)+256<<20))); err != nil {
				return err
			}
			debug.SetMemoryLimit(256 << 20)
		} else {
			// A Go process reserves over a gigabyte of address space at start (the race
			// detector far more): the limit is what it may add to that.
			debug.SetMemoryLimit(l.Mem / 5 * 4)
			if err := rlimit.Growth(l.Mem); err != nil {
				return err
			}
		}
	}
	if l.CPUSeconds > 0 {
		// Soft and hard equal: Go ignores SIGXCPU, so the end is the SIGKILL at the hard limit.
		if err := rlimit.CPU(l.CPUSeconds); err != nil {
			return err
		}
	}
	nofile := uint64(textNoFile)
	if l.Profile == ProfileTools {
		nofile = toolsNoFile
	}
	if err := rlimit.Set(unix.RLIMIT_NOFILE, nofile); err != nil {
		return err
	}
	if err := rlimit.Set(unix.RLIMIT_FSIZE, uint64(max(l.FileSize, 0))); err != nil {
		return err
	}
	return rlimit.Set(unix.RLIMIT_CORE, 0)
}

// Syscalls denied (EPERM) to both profiles: what no reader needs and an exploit would want —
// tracing and reading other processes, the kernel's administrative and namespace calls, io_uring
// (whose operations seccomp cannot see), bpf, perf, keyrings, file handles.
var deniedAlways = []string{
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
	"mount", "umount2", "pivot_root", "chroot", "setns", "unshare", "move_mount", "open_tree",
	"fsopen", "fsmount", "fspick", "mount_setattr",
	"reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"swapon", "swapoff", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"sethostname", "setdomainname", "iopl", "ioperm", "quotactl", "lookup_dcookie",
	"keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"name_to_handle_at", "open_by_handle_at", "fanotify_init", "mknod", "mknodat",
}

// Denied to the text profile besides: starting programs or processes, every socket, opening
// any file (the file comes over the pipe), changing the file system, and signals to others.
var deniedText = []string{
	"execve", "execveat", "fork", "vfork",
	"socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
	"open", "openat", "openat2", "creat",
	"unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat",
	"mkdir", "mkdirat", "rmdir", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown",
	"lchown", "fchownat", "truncate", "utime", "utimes", "utimensat", "futimesat",
	"setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
	"pidfd_open", "pidfd_send_signal", "tkill",
}

const afUnix = 1

// rule denies (EPERM) a syscall unless its first argument passes a test: the checks on
// arguments go-seccomp-bpf cannot make correctly (see loadSeccomp).
type rule struct {
	name string
	// unless: the call is allowed when arg0's low 32 bits are equal to value (bits false) or
	// have all of value's bits set (bits true), and its high 32 bits are zero (equal) or
	// anything (bits).
	value uint32
	bits  bool
}

// policy is the unconditional part of a profile's seccomp filter.
func policy(profile string) (seccomp.Policy, error) {
	info, err := arch.GetInfo("")
	if err != nil {
		return seccomp.Policy{}, err
	}
	names := deniedAlways
	if profile != ProfileTools {
		names = append(append([]string(nil), deniedAlways...), deniedText...)
	}
	var known []string
	for _, n := range names {
		if _, ok := info.SyscallNames[n]; ok {
			known = append(known, n)
		}
	}
	groups := []seccomp.SyscallGroup{{Action: seccomp.ActionErrno, Names: known}}
	if profile != ProfileTools {
		// ENOSYS, not EPERM: the C library (cgo's threads) then falls back to clone, which the
		// rules allow for threads.
		groups = append(groups, seccomp.SyscallGroup{Action: seccomp.ActionErrno | seccomp.Action(unix.ENOSYS), Names: []string{"clone3"}})
	}
	return seccomp.Policy{DefaultAction: seccomp.ActionAllow, Syscalls: groups}, nil
}

// rules are the conditional part: in the text profile new threads only (clone with
// CLONE_THREAD; the Go runtime grows so) and signals to itself only (the runtime preempts its
// threads with tgkill); in the tools profile Unix sockets only (LibreOffice's own pipe).
func rules(profile string, pid int) []rule {
	if profile == ProfileTools {
		return []rule{{name: "socket", value: afUnix}}
	}
	return []rule{
		{name: "clone", value: unix.CLONE_THREAD, bits: true},
		{name: "kill", value: uint32(pid)},
		{name: "tgkill", value: uint32(pid)},
		{name: "rt_sigqueueinfo", value: uint32(pid)},
		{name: "rt_tgsigqueueinfo", value: uint32(pid)},
	}
}

// loadSeccomp installs the profile's filters on every thread (TSYNC): the list of denied calls,
// assembled by go-seccomp-bpf, and the rules on arguments, assembled here. go-seccomp-bpf v1.6.0
// leaves an argument in the accumulator when a condition fails and goes on comparing it with
// syscall numbers, so that every call listed after a conditional one escapes its filter; the
// library is used for what it does right. A call of another architecture (int 0x80) is killed:
// the library would let it through to the default action.
func loadSeccomp(profile string, pid int) error {
	info, err := arch.GetInfo("")
	if err != nil {
		return err
	}
	guard := []bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4}, // seccomp_data.arch
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(info.ID), SkipTrue: 1},
		bpf.RetConstant{Val: uint32(seccomp.ActionKillProcess)},
	}
	p, err := policy(profile)
	if err != nil {
		return err
	}
	insts, err := p.Assemble()
	if err != nil {
		return err
	}
	if err := install(append(guard, insts...)); err != nil {
		return err
	}
	prog := append([]bpf.Instruction(nil), guard...)
	const eperm = uint32(seccomp.ActionErrno) | uint32(unix.EPERM)
	for _, r := range rules(profile, pid) {
		nr, ok := info.SyscallNames[r.name]
		if !ok {
			continue
		}
		// Each rule starts from the syscall number and ends in allow or deny; "next" is the
		// start of the following rule (or the final allow).
		block := []bpf.Instruction{bpf.LoadAbsolute{Off: 0, Size: 4}}
		var checks []bpf.Instruction
		if r.bits {
			checks = []bpf.Instruction{
				bpf.LoadAbsolute{Off: argLow, Size: 4},
				bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: r.value},
				bpf.JumpIf{Cond: bpf.JumpEqual, Val: r.value, SkipTrue: 1},
				bpf.RetConstant{Val: eperm},
			}
		} else {
			checks = []bpf.Instruction{
				bpf.LoadAbsolute{Off: argHigh, Size: 4},
				bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: 1},
				bpf.RetConstant{Val: eperm},
				bpf.LoadAbsolute{Off: argLow, Size: 4},
				bpf.JumpIf{Cond: bpf.JumpEqual, Val: r.value, SkipTrue: 1},
				bpf.RetConstant{Val: eperm},
			}
		}
		block = append(block, bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr), SkipFalse: uint8(len(checks))})
		prog = append(append(prog, block...), checks...)
	}
	prog = append(prog, bpf.RetConstant{Val: uint32(seccomp.ActionAllow)})
	return install(prog)
}

// Offsets in struct seccomp_data of the halves of args[0] (at 16, a 64-bit word).
var argLow, argHigh = func() (uint32, uint32) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return 16, 20
	}
	return 20, 16
}()

// install loads one filter program on every thread of the process.
func install(insts []bpf.Instruction) error {
	raw, err := bpf.Assemble(insts)
	if err != nil {
		return err
	}
	filter := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		filter[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	const seccompSetModeFilter, filterFlagTSync = 1, 1
	if _, _, e := unix.Syscall(unix.SYS_SECCOMP, seccompSetModeFilter, filterFlagTSync, uintptr(unsafe.Pointer(&prog))); e != 0 {
		return e
	}
	runtime.KeepAlive(filter)
	return nil
}

// Landlock access rights by ABI version.
const (
	llFileRights = unix.LANDLOCK_ACCESS_FS_EXECUTE | unix.LANDLOCK_ACCESS_FS_WRITE_FILE | unix.LANDLOCK_ACCESS_FS_READ_FILE
	llReadRights = unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_READ_DIR
	llV1         = 1<<13 - 1 // EXECUTE … MAKE_SYM
)

func landlockABI() int {
	v, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if e != 0 {
		return 0
	}
	return int(v)
}

// landlock confines the calling thread: execute only l.Exec, read only l.Read, write only in
// l.WorkDir; with ABI 4 no TCP bind or connect; with ABI 6 no abstract Unix socket and no
// signal outside the sandbox. The thread's children (the programs) inherit it.
func (l lockdown) landlock() (int, error) {
	abi := landlockABI()
	if abi < 1 {
		return 0, errors.New("Landlock is not available in this kernel (Linux 5.13 or later with landlock in the lsm= list)")
	}
	fs := uint64(llV1)
	if abi >= 2 {
		fs |= unix.LANDLOCK_ACCESS_FS_REFER
	}
	if abi >= 3 {
		fs |= unix.LANDLOCK_ACCESS_FS_TRUNCATE
	}
	if abi >= 5 {
		fs |= unix.LANDLOCK_ACCESS_FS_IOCTL_DEV
	}
	attr := unix.LandlockRulesetAttr{Handled_access_fs: fs}
	size := uintptr(8)
	if abi >= 4 {
		attr.Handled_access_net = unix.LANDLOCK_ACCESS_NET_BIND_TCP | unix.LANDLOCK_ACCESS_NET_CONNECT_TCP
		size = 16
	}
	if abi >= 6 {
		attr.Scoped = unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | unix.LANDLOCK_SCOPE_SIGNAL
		size = 24
	}
	// Connecting to a Unix socket by its path (a D-Bus or container daemon's) is confined too
	// where the kernel knows how; where it does not, the ruleset is made without.
	attr.Handled_access_fs |= unix.LANDLOCK_ACCESS_FS_RESOLVE_UNIX
	rfd, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), size, 0)
	if e == unix.EINVAL {
		attr.Handled_access_fs &^= unix.LANDLOCK_ACCESS_FS_RESOLVE_UNIX
		rfd, _, e = unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), size, 0)
	}
	if e != 0 {
		return 0, fmt.Errorf("create ruleset: %w", e)
	}
	fs = attr.Handled_access_fs
	ruleset := int(rfd)
	defer unix.Close(ruleset)
	add := func(path string, access uint64) error {
		fd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
			return nil // not on this system
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer unix.Close(fd)
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		access &= fs
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			access &= llFileRights | unix.LANDLOCK_ACCESS_FS_TRUNCATE | unix.LANDLOCK_ACCESS_FS_IOCTL_DEV
		}
		if access == 0 {
			return nil
		}
		rule := unix.LandlockPathBeneathAttr{Allowed_access: access, Parent_fd: int32(fd)}
		if _, _, e := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, uintptr(ruleset), unix.LANDLOCK_RULE_PATH_BENEATH,
			uintptr(unsafe.Pointer(&rule)), 0, 0, 0); e != 0 {
			return fmt.Errorf("rule %s: %w", path, e)
		}
		return nil
	}
	for _, p := range l.Read {
		if err := add(p, llReadRights); err != nil {
			return 0, err
		}
	}
	for _, p := range l.Exec {
		if err := add(p, llReadRights|unix.LANDLOCK_ACCESS_FS_EXECUTE); err != nil {
			return 0, err
		}
	}
	if err := add("/dev/null", unix.LANDLOCK_ACCESS_FS_READ_FILE|unix.LANDLOCK_ACCESS_FS_WRITE_FILE); err != nil {
		return 0, err
	}
	// LibreOffice's single-instance pipe is a Unix socket it makes, and removes, in /tmp
	// whatever TMPDIR says.
	if err := add("/tmp", unix.LANDLOCK_ACCESS_FS_MAKE_SOCK|unix.LANDLOCK_ACCESS_FS_REMOVE_FILE|unix.LANDLOCK_ACCESS_FS_RESOLVE_UNIX); err != nil {
		return 0, err
	}
	if l.WorkDir != "" {
		if err := add(l.WorkDir, fs&^(unix.LANDLOCK_ACCESS_FS_EXECUTE|unix.LANDLOCK_ACCESS_FS_IOCTL_DEV|
			unix.LANDLOCK_ACCESS_FS_MAKE_CHAR|unix.LANDLOCK_ACCESS_FS_MAKE_BLOCK)); err != nil {
			return 0, err
		}
	}
	if _, _, e := unix.Syscall(unix.SYS_LANDLOCK_RESTRICT_SELF, uintptr(ruleset), 0, 0); e != 0 {
		return 0, fmt.Errorf("restrict self: %w", e)
	}
	return abi, nil
}

// dropCapabilities empties the calling thread's capability sets, when it has any (a child of a
// server run as root).
func dropCapabilities() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err
	}
	if data[0].Permitted == 0 && data[1].Permitted == 0 {
		return nil
	}
	for c := 0; c <= unix.CAP_LAST_CAP; c++ {
		_ = unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0)
	}
	data = [2]unix.CapUserData{}
	return unix.Capset(&hdr, &data[0])
}

// System directories the programs of the tools profile may read: their libraries, data
// (fonts, tessdata, LibreOffice), configuration (fontconfig), and /proc, /sys, /dev for what a
// C library asks of the system. Nothing under /home, /root, /var (but fontconfig's cache),
// /tmp or /run.
var systemReadDirs = []string{"/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin", "/etc",
	"/opt", "/proc", "/sys", "/dev", "/var/cache/fontconfig", "/var/lib/libreoffice", "/var/spool/libreoffice"}

// toolPaths are the files and directories the programs of the tools profile may execute: the
// programs themselves, the directories they live in (the LibreOffice launcher is a shell script
// that runs the utilities beside /bin/sh, and soffice.bin beside itself) and their ELF
// interpreters.
func toolPaths(programs ...string) []string {
	seen := map[string]bool{}
	var out []string
	addPath := func(p string) {
		if p == "" || seen[p] {
			return
		}
		seen[p] = true
		out = append(out, p)
	}
	interp := func(p string) {
		f, err := elf.Open(p)
		if err != nil {
			return
		}
		defer f.Close()
		for _, prog := range f.Progs {
			if prog.Type != elf.PT_INTERP {
				continue
			}
			b := make([]byte, prog.Filesz)
			if _, err := prog.ReadAt(b, 0); err == nil {
				if real, err := filepath.EvalSymlinks(strings.TrimRight(string(b), "\x00")); err == nil {
					addPath(real)
				}
			}
		}
	}
	for _, p := range append([]string{"/bin/sh"}, programs...) {
		if p == "" {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			continue
		}
		addPath(filepath.Dir(real))
		interp(real)
		if strings.HasSuffix(real, "/soffice") {
			interp(filepath.Join(filepath.Dir(real), "soffice.bin"))
			interp(filepath.Join(filepath.Dir(real), "oosplash"))
		}
	}
	return out
}
