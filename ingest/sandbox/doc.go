// Package sandbox reads uploaded files in long-lived, locked-down child processes of the same
// binary, so that what a hostile file does to a reader — a fatal out-of-memory, a stack overflow,
// an endless loop, an exploit of a C library behind OCR or LibreOffice — ends one child and fails
// one file, never the server.
//
// A Pool keeps N children of one Profile; each reads one file at a time, sent over a pipe in
// length-prefixed, bounded frames, and is replaced after MaxFiles files, after any file it refused
// or overran its budget on, when its resident memory passes a bound, and when it dies. A child
// that dies fails only its file: too_complex when it ran out of CPU or wall-clock time, corrupt
// otherwise.
//
// Two profiles:
//   - text, for PDF text layers and DOCX/ODT read natively: no program may be started, no file
//     opened (the file arrives over the pipe), no socket, no ptrace, signals to itself only;
//     RLIMIT_FSIZE 0, RLIMIT_CORE 0, a small RLIMIT_NOFILE, memory and CPU limits; an empty
//     environment and an empty working directory.
//   - tools, for OCR (tesseract, pdftoppm) and LibreOffice conversions: programs run from a
//     thread confined by Landlock — they may execute only system programs and the tools' own
//     directories, write only in the child's private work directory, read only system
//     directories, connect to no TCP port and signal nothing outside the sandbox — and seccomp
//     denies every socket but a Unix one, ptrace and the administrative calls; a larger memory
//     limit and a longer wall clock; HOME and TMPDIR inside the work directory, OMP_THREAD_LIMIT=1.
//
// Both set no_new_privs. The seccomp filter is installed on every thread of the Go child at once
// (SECCOMP_FILTER_FLAG_TSYNC) and inherited by every thread it starts later and by every program;
// Landlock, which binds only the calling thread, confines the one locked thread that reads and
// starts the programs, so that each program inherits it.
//
// Extractor routes a file by its format to the right pool: PDFs to text (and to tools again when
// pages need OCR), DOCX/ODT to tools when LibreOffice can render them (text otherwise),
// .doc/.rtf and images to tools. Main is `tinnhiem extract`: the pool's child with --serve, and,
// run by hand, one process that locks itself down the same way before it reads.
package sandbox
