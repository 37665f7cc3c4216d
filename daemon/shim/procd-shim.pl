#!/usr/bin/perl
# procd-shim: starts one job, owns its output, records its exit status on disk.
#
#   perl procd-shim.pl <jobDir>
#   perl procd-shim.pl --check      loads everything the shim needs, prints one line, exits 0
#   perl procd-shim.pl --serve      the fork server: see "Fork server" below
#
# This header is the file contract of both job shims: this script and the native one
# (daemon/shim/native/*.c, compiled into dist/shim/procd-shim by `npm run build` where a C compiler
# is present; the daemon prefers it, see daemon/shim-choice.ts and PROCD_SHIM). The same contract
# tests run against both (test/unit/output/shim-native.test.ts). Only "Clock", the modules and the
# select timeout in "Child exit" are Perl's own; the native shim reads CLOCK_REALTIME and
# CLOCK_MONOTONIC, its `--check` prints "ok native <version> clock=monotonic", and it copies
# pipe -> file with splice(2) on Linux (PROCD_SHIM_NO_SPLICE=1: read/write), same bytes, same files.
#
# The daemon starts one shim per job (detached, stdout = event channel, stderr = <jobDir>/shim.log).
# The shim never depends on the daemon: it ignores SIGHUP/SIGINT/SIGTERM/SIGPIPE (and SIGXFSZ, see
# "Disk errors"), a dead channel is ignored, and everything the daemon needs is in files, so a
# restarted daemon re-reads them.
# Only modules of Debian's perl-base are required (strict, warnings, Errno, Fcntl; POSIX and
# IO::Handle where Sys.pm has no syscall numbers; Time::HiRes when present, see "Clock"), so slim images such as node:20-slim, which
# ship perl-base alone, run it; the shim stays a few MB of RSS.
# The code is in daemon/shim/perl/*.pm next to this file (one package, ProcdShim, loaded by path):
# Clock.pm, Sys.pm (setsid, dup2, fsync, _exit, pipes as fd numbers … without POSIX on Linux), Files.pm (events, JSON
# files, the end), Spawn.pm (the spec and the job's start),
# Output.pm (the output loop), Server.pm (--serve).
#
# ---- Clock -----------------------------------------------------------------------------------
# Times are epoch ms (files, events, index) and monotonic ms (intervals), from the best of:
#   hires    Time::HiRes (Debian's perl package, not perl-base): 1 ms.
#   syscall  perl-base alone on Linux x86_64/aarch64: gettimeofday and clock_gettime(MONOTONIC)
#            through perl's syscall() (numbers picked by perl's ELF machine, checked against
#            time() at start): 1 ms.
#   uptime   other Linux: monotonic from /proc/uptime (10 ms steps); epoch = that + an offset
#            learned from time(), at first up to 1 s early, then within ~10 ms once the shim has
#            seen time()'s second change. The offset only grows (time never runs backwards), so
#            a duration measured across that change can be up to 1 s long.
#   seconds  no /proc: whole seconds.
# Sleeps use select(), which needs no module. `--check` prints "ok perl <version> clock=<name>".
#
# ---- Input: <jobDir>/spawn.spec (written by daemon/output/spawn-spec.ts) ----------------------
# NUL-terminated fields:  "procd-spawn-spec" "1" maxOutputBytes segmentBytes cwd
#                         argc argv[0] .. argv[argc-1]  envc "KEY=VALUE" x envc
# Version 2 (written only when the job gets a cgroup) has one more field after segmentBytes:
#                         "procd-spawn-spec" "2" maxOutputBytes segmentBytes cgroup cwd ...(as 1)
# cgroup is the absolute path of the job's cgroup v2 directory (created by the daemon). The child
# writes "0" to <cgroup>/cgroup.procs first thing after the fork, before anything else runs (the
# Perl shim on Linux 5.7+ x86_64/aarch64 forks it straight into the cgroup instead: clone3 with
# CLONE_INTO_CGROUP, see Sys.pm; it falls back to the write where that is refused), so
# nothing of the job ever runs outside it; if that fails the job is not run: spawn_error with the
# errno and "cannot join the job's cgroup <cgroup>: <reason>". The shim itself stays outside (so
# cgroup.kill never reaches the process that drains the pipes and writes the exit file).
# argv[0] is looked up in the PATH of the job's environment (execvp); no shell is involved.
# The job gets exactly the spec's environment and nothing of the shim's.
#
# ---- Claim: one shim per job directory ----------------------------------------------------------
# A job directory is run by one shim, once. First thing, the shim opens <jobDir>/spawn.spec and
# takes an exclusive non-blocking flock(2) on it, held until the shim exits (the fd is close-on-
# exec). A shim that finds it locked, or that gets the lock but finds a `started` or `exit` regular
# file (a shim ran here before), ends at once with exit status 75, writing no file, no event and no log
# line: another shim runs (or ran) this job. The daemon starts a shim itself when its fork server
# died before saying the pid of the one it forked; see daemon/jobs/shim-claim.ts. A lock rather
# than a new file: an inode allocation costs more than the rest of a shim's start on some file
# systems. (A spec that cannot be opened is reported by the spec reader, as before.)
#
# ---- Event channel (stdout, one line each, fields separated by one space) ---------------------
#   started <pid> <epochMs>
#   spawn_error <ERRNO_NAME> <epochMs> <message>      (CR/LF in message replaced by spaces)
#   (a command that is a directory is reported as EISDIR, not execve's EACCES; E2BIG's message
#   gives the sizes of the arguments and the environment and the one item over 128 KiB, if any)
#   exited <exitCode|-> <signalNumber|-> <epochMs>
#   closed <epochMs>
# spawn_error or started comes first; closed is always last (also after a spawn error).
#
# ---- Files in <jobDir> (JSON ones are written to a temp file and renamed into place) ----------
#   started  {"pid":P,"shimPid":S,"at":ms}                  once exec succeeded
#   exit     {"pid":P,"shimPid":S,"exitCode":N,"signal":N|null,"coreDumped":B,"startedAt":ms,"at":ms}
#            exitCode is 128+N for a death by signal N (never 0 then); fsync'ed before the rename.
#            exitCode and signal are both null only if waitpid failed (status unknowable).
#         or {"pid":P|null,"shimPid":S,"spawnError":{"code":"ENOENT","message":"..."},"at":ms}
#   closed   {"at":ms,"stdoutBytes":N,"stderrBytes":N,"lostBytes":N,"stdoutLostBytes":N,"stderrLostBytes":N}
#            both pipes hit EOF; the shim exits. stdoutBytes/stderrBytes count stored bytes only.
#   lost     {"at":ms,"lostBytes":N,"stdoutLostBytes":N,"stderrLostBytes":N}  while the job runs, once
#            bytes were lost (rewritten at most once a second while the count grows; closed is final).
#   lostBytes: bytes read from the job but not stored because the disk refused them (see "Disk
#   errors" below, and shim.log).
# A temp file (<name>.tmp.<shimPid>) is removed again when its write fails. A file the disk refuses
# is retried about once a second while the shim runs, in order (exit before closed), and at the end
# for up to a minute before the shim gives up and says so in shim.log.
#
# ---- Output: <jobDir>/out/ ---------------------------------------------------------------------
# stdout.<offset> / stderr.<offset>: segment files named by the stream's global byte offset of
#   their first byte (16 decimal digits). A segment holds at most segmentBytes (clamped to
#   maxOutputBytes); a read that crosses the boundary is split exactly there. Bytes are written
#   exactly as read. After each write, while a stream's kept bytes (its offset minus the first
#   kept segment's start) exceed maxOutputBytes, its oldest segment is deleted. So a stream keeps
#   between maxOutputBytes-segmentBytes and maxOutputBytes of its newest bytes, and the dropped
#   amount is the name of its first remaining segment. Segments are created lazily: a stream that
#   never wrote has no file. The total written is last segment's start + its size.
# index.<offset>: lines "<epochMs> <o|e> <offset>\n": "bytes of stream o(ut)/e(rr) from global
#   offset <offset> on arrived at <epochMs>". An entry is written BEFORE the chunk's bytes, when a
#   chunk comes from the other stream than the previous chunk, or when >= 100 ms (monotonic) have
#   passed since the last entry. Hence between two consecutive entries only one stream wrote, and
#   all bytes of an entry's run arrived within [epochMs, epochMs + 100): that is the arrival time
#   `procd logs` gives each chunk (and `--timestamps` each line). Shims before this rule wrote the
#   time entries 1000 ms apart, so readers bound a run by 1000 ms where a bound matters (--since);
#   the cost is at most 10 entries (~250 bytes) a second of continuous output. The interleaved view: for
#   each entry in order, its stream's bytes from its offset up to the offset of that stream's next
#   entry (or the stream's end). The index is cut into segments of max(4 KiB, min(1 MiB,
#   maxOutputBytes/16)) bytes (a segment is closed once it reaches that size) and at most 4 are
#   kept, the oldest deleted first. Bytes older than the oldest kept entry are shown stdout first,
#   then stderr.
#
# ---- Disk errors (ENOSPC, no free inode, EFBIG under `ulimit -f`, EIO) -------------------------
# Bytes the disk refuses are lost, never re-ordered or duplicated. A stream's offsets count stored
# bytes only: after a failure the segment is closed, and the next read opens a segment named by the
# offset where the stored bytes end (so a full disk or a missing inode is retried with every read,
# and the files stay contiguous). Each gap is counted (lostBytes) and logged in shim.log as
# "<stream>: N bytes lost at offset X" (X: the stored offset where the missing bytes belonged; at
# most 100 lines about disk trouble, then only the totals). An index entry is all or nothing (a
# partly written line is cut off again). When the entry that marks a change of stream cannot be
# written, the chunk it announces is dropped and counted as lost: stored without it, those bytes
# would be shown before output of the other stream that came first. A missing time entry only
# makes arrival times and --since coarser; those bytes are kept. SIGXFSZ is ignored, so a file-size limit is an
# EFBIG write error, not the shim's death.
#
# ---- Child exit ------------------------------------------------------------------------------
# The child is reaped by waitpid(WNOHANG) on every wake-up; SIGCHLD wakes select() both by EINTR
# and through a self-pipe. Perl's signal handlers are deferred, so a SIGCHLD landing in the few ops
# just before select() is only seen at the next wake-up; a 1 s select timeout bounds that rare case
# while the child lives. After the child is reaped select() blocks with no timeout (no idle cost):
# orphaned grandchildren may still hold the pipes, and their output is kept until EOF.
#
# ---- Fork server -----------------------------------------------------------------------------
# `procd-shim.pl --serve` speaks the native fork server's protocol (daemon/shim/native/server.c)
# and is what the daemon runs when the Perl shim is its choice (PROCD_FORK_SERVER=off: it is not
# used). It loads this code once and forks a shim per request without an exec: each starts as an
# exec'd one would (see daemon/shim/perl/Server.pm), then runs exactly the code above; only its
# parent and its command line are the server's, and it ends with _exit.

use strict;
use warnings;

# The modules' directory: perl/ beside this file, from the path perl was given (worked out at
# compile time, before anything could chdir).
my $LIB;
BEGIN {
  ($LIB = __FILE__) =~ s{[^/]*\z}{perl};
  $LIB = "./$LIB" unless $LIB =~ m{^/};
}
require "$LIB/$_.pm" for qw(Clock Sys Files Spawn Output);
# POSIX and IO::Handle are deliberately not loaded: together they would triple an exec'd shim's
# start time, add ~1.5 MB of RSS, and make every fork of the fork server copy and fault in ~1.7 MB
# more. Sys.pm makes the few calls they were for (setsid, dup2, close, the signal mask, fsync,
# _exit) through syscall() on Linux x86_64/aarch64, and loads them on first use elsewhere (the fork
# server then loads them once, before it forks).

my $arg = shift @ARGV;
die "usage: procd-shim.pl <jobDir> | --check | --serve\n" unless defined $arg && length $arg;

if ($arg eq '--check') {
  # Everything the shim loads later, loaded now: a missing module fails here, not in a job.
  require POSIX;
  require IO::Handle;
  require "$LIB/Server.pm";
  printf "ok perl %vd clock=%s\n", $^V, ProcdShim::clock_name();
  exit 0;
}

if ($arg eq '--serve') {
  require "$LIB/Server.pm";
  ProcdShim::serve();
}

ProcdShim::run_job($arg);
