package sandbox

import (
	"time"
)

// Profile names.
const (
	ProfileText  = "text"  // PDF text layers, DOCX/ODT: no program, no file, no socket
	ProfileTools = "tools" // OCR and LibreOffice: programs confined by Landlock, writes in a private directory
)

// Profile is how much a child of a pool may use, per file and in all.
type Profile struct {
	Name string // ProfileText or ProfileTools
	// Mem bounds the child's memory. Text: the address space (and data segment) it may add to
	// what it has mapped at start, and the Go memory limit (4/5 of it). Tools: the address space
	// of the child and of each program it starts (at least its start size plus 256 MiB).
	Mem int64
	// CPU is the CPU time one file may take; the parent kills a child that passes it
	// (too_complex). The child's own RLIMIT_CPU is CPU × (MaxFiles+1), a backstop.
	CPU time.Duration
	// Timeout is the wall clock one file may take (too_complex).
	Timeout time.Duration
	// MaxFiles is how many files a child reads before it is replaced.
	MaxFiles int
	// MaxRSS: a child whose resident memory passes it after a file is replaced.
	MaxRSS int64
}

// Defaults of the profiles (the text profile's as the ingest worker's of old).
const (
	DefaultTextMem      = 512 << 20
	DefaultTextCPU      = 30 * time.Second
	DefaultTextTimeout  = 45 * time.Second
	DefaultToolsMem     = 2 << 30 // LibreOffice needs about 450 MB of address space for a one-page letter
	DefaultToolsCPU     = 120 * time.Second
	DefaultToolsTimeout = 180 * time.Second
	DefaultMaxFiles     = 200
)

// TextProfile is the text profile with its defaults.
func TextProfile() Profile {
	return Profile{Name: ProfileText, Mem: DefaultTextMem, CPU: DefaultTextCPU, Timeout: DefaultTextTimeout, MaxFiles: DefaultMaxFiles}
}

// ToolsProfile is the tools profile with its defaults.
func ToolsProfile() Profile {
	return Profile{Name: ProfileTools, Mem: DefaultToolsMem, CPU: DefaultToolsCPU, Timeout: DefaultToolsTimeout, MaxFiles: 50}
}

func (p Profile) withDefaults() Profile {
	def := TextProfile()
	if p.Name == ProfileTools {
		def = ToolsProfile()
	} else {
		p.Name = ProfileText
	}
	if p.Mem <= 0 {
		p.Mem = def.Mem
	}
	if p.CPU <= 0 {
		p.CPU = def.CPU
	}
	if p.Timeout <= 0 {
		p.Timeout = def.Timeout
	}
	if p.MaxFiles <= 0 {
		p.MaxFiles = def.MaxFiles
	}
	if p.MaxRSS <= 0 {
		// A Go heap rarely gives memory back: a child that once read a huge file stays big.
		p.MaxRSS = min(p.Mem/2, 256<<20)
	}
	return p
}

// Resource limits of the children, beyond memory and CPU.
const (
	textNoFile    = 16        // the pipes, and what the Go runtime opens for itself
	toolsNoFile   = 256       // LibreOffice opens its libraries, fonts and profile
	toolsFileSize = 512 << 20 // the largest file a program of the tools profile may write
)

// Frame bounds.
const (
	maxHeader    = 128 << 20 // a header: the request, or the result with every page's text
	DefaultMaxIn = 256 << 20 // a file sent to a child
	maxRendering = 256 << 20 // a PDF rendering sent back
	maxTexts     = 128 << 20 // a result's texts sent back, before a rendering
	maxPages     = 100_000   // page texts of one result
)
