// The shim's contract tests again, with the Perl shim's system calls made through POSIX and
// IO::Handle instead of syscall() (PROCD_SHIM_SYSCALLS=off, daemon/shim/perl/Sys.pm): what the shim
// does on systems where Sys.pm has no syscall numbers. Served shims, so both the fork server's
// setup of a shim (become_shim) and the job's start (run_child) take the fallback.

process.env.PROCD_SHIM_SYSCALLS = 'off';
process.env.PROCD_TEST_SHIM = 'perl-served';
await import('./shim.test.js');
await import('./shim-disk.test.js');
await import('./segments.test.js');
await import('./shim-cgroup.test.js');
