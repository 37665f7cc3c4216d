#!/usr/bin/perl
# procd-shim: starts one job, owns its output, records its exit status on disk.
#
#   perl procd-shim.pl <jobDir>
#   perl procd-shim.pl --check      loads everything the shim needs, prints one line, exits 0
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
# Only modules of Debian's perl-base are required (strict, warnings, Errno, Fcntl, POSIX,
# IO::Handle; Time::HiRes when present, see "Clock"), so slim images such as node:20-slim, which
# ship perl-base alone, run it; the shim stays a few MB of RSS.
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
# writes "0" to <cgroup>/cgroup.procs first thing after the fork, before anything else runs, so
# nothing of the job ever runs outside it; if that fails the job is not run: spawn_error with the
# errno and "cannot join the job's cgroup <cgroup>: <reason>". The shim itself stays outside (so
# cgroup.kill never reaches the process that drains the pipes and writes the exit file).
# argv[0] is looked up in the PATH of the job's environment (execvp); no shell is involved.
# The job gets exactly the spec's environment and nothing of the shim's.
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

use strict;
use warnings;
use Errno ();
use Fcntl qw(O_WRONLY O_CREAT O_TRUNC F_GETFL F_SETFL O_NONBLOCK);
# Time::HiRes is optional (see "Clock").
my $HIRES = eval { require Time::HiRes; 1 };
# POSIX and IO::Handle are deliberately not loaded up front: together they would triple the
# shim's start time and add ~1.5 MB of RSS. The child loads POSIX (setsid, dup2, _exit) after the
# fork; IO::Handle (fsync) is loaded when the exit file is written.

my $READ_SIZE = 256 * 1024;    # pipes rarely hold more than 64 KiB; never the bottleneck
my $IDLE_TIMEOUT = 1.0;        # backstop for the deferred-SIGCHLD race, see above
my $WNOHANG = 1;               # the same on Linux, macOS and the BSDs (saves loading POSIX)
my $INDEX_SEGMENTS = 4;
my $TIME_STEP_MS = 100;        # a new index entry at least this often: output's arrival time to 0.1 s

my $job_dir = shift @ARGV;
die "usage: procd-shim.pl <jobDir> | --check\n" unless defined $job_dir && length $job_dir;
my $out_dir = "$job_dir/out";

# ---- the clock (see "Clock" above) ----------------------------------------------------------

# /proc/uptime's first field: seconds since boot in hundredths, monotonic; undef where unreadable.
sub uptime_ms {
  open(my $fh, '<', '/proc/uptime') or return undef;
  my $line = <$fh> // '';
  close $fh;
  return $line =~ /^([0-9]+)\.([0-9]{2})/ ? $1 * 1000 + $2 * 10 : undef;
}

# Linux numbers of gettimeofday and clock_gettime for perl's own ELF machine (64-bit little-endian
# ABIs only, where both structs are two 64-bit integers); undef elsewhere.
my %SYSCALLS = (62 => [96, 228], 183 => [169, 113]);    # x86_64, aarch64
sub syscall_numbers {
  return undef unless $^O eq 'linux' && open(my $fh, '<:raw', '/proc/self/exe');
  my $n = sysread($fh, my $elf, 20) // 0;
  close $fh;
  return undef unless $n == 20 && substr($elf, 0, 6) eq "\x7fELF\x02\x01";
  return $SYSCALLS{ unpack('v', substr($elf, 18, 2)) };
}

my ($SYS_GETTIMEOFDAY, $SYS_CLOCK_GETTIME);
sub sys_epoch_ms {
  my $tv = "\0" x 16;
  return undef unless syscall($SYS_GETTIMEOFDAY, $tv, 0) == 0;
  my ($sec, $usec) = unpack('q q', $tv);
  return $sec * 1000 + int($usec / 1000);
}
sub sys_mono_ms {
  my $ts = "\0" x 16;
  return undef unless syscall($SYS_CLOCK_GETTIME, 1, $ts) == 0;    # CLOCK_MONOTONIC
  my ($sec, $nsec) = unpack('q q', $ts);
  return $sec * 1000 + $nsec / 1e6;
}

# PROCD_SHIM_CLOCK=syscall|uptime|seconds forces a weaker clock than the best one found (for tests).
my $CLOCK = do {
  my $want = $ENV{PROCD_SHIM_CLOCK} // '';
  my %rank = (hires => 0, syscall => 1, uptime => 2, seconds => 3);
  my $min = $rank{$want} // 0;
  my $nrs = $min <= 1 ? syscall_numbers() : undef;
  ($SYS_GETTIMEOFDAY, $SYS_CLOCK_GETTIME) = @$nrs if $nrs;
  # A syscall number that does not do what we expect is caught here: the result must match time().
  my $sys_ok = $nrs && eval { my $e = sys_epoch_ms(); defined $e && abs($e / 1000 - time()) <= 2 && defined sys_mono_ms() };
    $HIRES && $min == 0 ? 'hires'
  : $sys_ok ? 'syscall'
  : $min <= 2 && defined uptime_ms() ? 'uptime'
  : 'seconds';
};
my $monotonic = $CLOCK eq 'hires' && eval { Time::HiRes::clock_gettime(Time::HiRes::CLOCK_MONOTONIC()); 1 };
my $epoch_offset = 0;    # uptime clock: the largest lower bound of (epoch ms - uptime ms) seen so far

sub mono_ms {
  if ($CLOCK eq 'hires') { return $monotonic ? Time::HiRes::clock_gettime(Time::HiRes::CLOCK_MONOTONIC()) * 1000 : Time::HiRes::time() * 1000 }
  if ($CLOCK eq 'syscall') { return sys_mono_ms() // time() * 1000 }
  if ($CLOCK eq 'uptime') { return uptime_ms() // time() * 1000 }
  return time() * 1000;
}

sub now_ms {
  return int(Time::HiRes::time() * 1000) if $CLOCK eq 'hires';
  if ($CLOCK eq 'syscall') { return sys_epoch_ms() // time() * 1000 }
  my $up = $CLOCK eq 'uptime' ? uptime_ms() : undef;
  return time() * 1000 unless defined $up;
  # time() * 1000 <= the true epoch ms: every reading raises the lower bound of the offset, which
  # never goes down, so the clock never runs backwards.
  my $low = time() * 1000 - $up;
  $epoch_offset = $low if $low > $epoch_offset;
  return $epoch_offset + $up;
}

sub sleep_s { select(undef, undef, undef, $_[0]) }

if (defined $job_dir && $job_dir eq '--check') {
  # Everything the shim loads later, loaded now: a missing module fails here, not in a job.
  require POSIX;
  require IO::Handle;
  printf "ok perl %vd clock=%s\n", $^V, $CLOCK;
  exit 0;
}

# Make sure fds 0-2 are open so that no pipe or file we open later lands on them (an event
# written to fd 1 must never go into a job's output file).
my @keep_open;
for my $fd (0 .. 2) {
  next if open(my $dup, '<&', $fd);
  my $null;
  push @keep_open, $null if open($null, '+<', '/dev/null');
}

$SIG{$_} = 'IGNORE' for qw(HUP INT TERM PIPE XFSZ);
nonblock(\*STDOUT);    # a daemon that stops reading must never block the shim

sub logmsg {
  my @t = localtime;
  syswrite(STDERR, sprintf("%04d-%02d-%02d %02d:%02d:%02d procd-shim[%d]: %s\n", $t[5] + 1900, $t[4] + 1, @t[3, 2, 1, 0], $$, join(' ', @_)));
}

sub event {
  my $line = join(' ', @_);
  $line =~ s/[\r\n]/ /g;
  syswrite(STDOUT, "$line\n");    # EPIPE/EAGAIN ignored: the files are the truth
}

sub nonblock {
  my ($fh) = @_;
  my $flags = fcntl($fh, F_GETFL, 0);
  fcntl($fh, F_SETFL, $flags | O_NONBLOCK) if defined $flags;
}

# E2BIG: say which part is too large and what to do (the limits are Linux's; sizes are bytes).
sub too_big_message {
  my ($cmd, $argv, $env) = @_;
  my ($abytes, $ebytes, $big) = (0, 0, '');
  for my $i (0 .. $#$argv) {
    my $n = length($argv->[$i]) + 1;
    $abytes += $n;
    $big ||= "argument $i is $n bytes, over the 128 KiB one argument may have (MAX_ARG_STRLEN); " if $n > 131072;
  }
  for my $k (sort keys %$env) {
    my $n = length($k) + length($env->{$k}) + 2;
    $ebytes += $n;
    $big ||= "variable $k is $n bytes, over the 128 KiB one variable may have (MAX_ARG_STRLEN); " if $n > 131072;
  }
  my $fix = $ebytes > $abytes
    ? 'start the job with --clean-env and pass what it needs with --env K=V'
    : 'pass long argument lists through a file (a script that reads it, or xargs)';
  my $argc = @$argv;
  my $envc = keys %$env;
  my $items = $argc == 1 ? 'item' : 'items';
  my $vars = $envc == 1 ? 'variable' : 'variables';
  return "cannot execute '$cmd': too large for the system's exec limit (ARG_MAX): ${big}arguments $abytes bytes in $argc $items, environment $ebytes bytes in $envc $vars; $fix";
}

sub errno_name {
  my ($num) = @_;
  local $! = $num;
  my ($name) = sort { $a cmp $b } grep { $!{$_} } keys %!;
  return $name // "E$num";
}

# JSON string: escapes quotes, backslashes and control characters; bytes that are not valid UTF-8
# are written as \u00XX (Latin-1) so that the file always parses.
sub jstr {
  my ($s) = @_;
  $s =~ s/(["\\])/\\$1/g;
  $s =~ s/([\x00-\x1f\x7f])/sprintf('\\u%04x', ord $1)/ge;
  my $copy = $s;
  $s =~ s/([\x80-\xff])/sprintf('\\u%04x', ord $1)/ge unless utf8::decode($copy);
  return "\"$s\"";
}

sub jnum { defined $_[0] ? $_[0] : 'null' }

sub write_all {    # returns the number of bytes written (less than asked only on an error)
  my ($fh, $ref, $off, $len) = @_;
  my $done = 0;
  while ($done < $len) {
    my $n = syswrite($fh, $$ref, $len - $done, $off + $done);
    if (!defined $n) { next if $!{EINTR}; last }
    $done += $n;
  }
  return $done;
}

my %write_failed;    # name => 1 while writing that file fails: logged once per streak

# Writes <jobDir>/<name> through a temp file and a rename. Returns true when it is in place; after
# a failure the temp file is removed again (a full disk must not also collect half-written files).
sub write_atomic {
  my ($name, $content, $sync) = @_;
  my $path = "$job_dir/$name";
  my $tmp = "$path.tmp.$$";
  my $why;
  if (sysopen(my $fh, $tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) {
    $why = "$!" unless write_all($fh, \$content, 0, length $content) == length $content;
    # A failed fsync (some file systems refuse it) is logged but must not keep the file from appearing.
    logmsg("fsync $tmp: " . ($@ || $!)) if !defined $why && $sync && !eval { require IO::Handle; $fh->sync };
    $why //= "$!" unless close($fh);
    $why = "$!" if !defined $why && !rename($tmp, $path);
    unlink $tmp if defined $why;
  } else {
    $why = "$!";
  }
  if (!defined $why) {
    logmsg("wrote $path after all") if delete $write_failed{$name};
    return 1;
  }
  logmsg("cannot write $path: $why (retrying)") unless $write_failed{$name}++;
  return 0;
}

my @pending;           # [name, content, sync]: files not written yet, retried in this order
my $pending_at = 0;    # mono_ms() of the last attempt

# Writes <jobDir>/<name> (at once, unless $later) once every file queued before it is written;
# what the disk refuses waits in @pending (newer content for the same name replaces the waiting one).
sub persist {
  my ($name, $content, $sync, $later) = @_;
  @pending = grep { $_->[0] ne $name } @pending;
  push @pending, [$name, $content, $sync];
  return $later ? 0 : flush_pending(1);
}

# Writes the waiting files in order, stopping at the first one refused; at most once a second
# unless $now. True when nothing waits any more.
sub flush_pending {
  my ($now) = @_;
  return 1 unless @pending;
  return 0 unless $now || mono_ms() - $pending_at >= 1000;
  $pending_at = mono_ms();
  while (@pending) {
    return 0 unless write_atomic(@{ $pending[0] });
    shift @pending;
  }
  return 1;
}

my $FINAL_RETRY_MS = 60_000;

# Writes the closed file (after everything still waiting), sends `closed` and ends the shim. What
# the disk refuses is retried every second for a minute: for a daemon that was not listening, the
# exit file is the only record of the exit status.
sub finish {
  my ($at, $content) = @_;
  persist('closed', $content, 0, 1);
  my $deadline = mono_ms() + $FINAL_RETRY_MS;
  until (flush_pending(1)) {
    if (mono_ms() >= $deadline) {
      logmsg('giving up; not written: ' . join(' ', map { $_->[0] } @pending));
      last;
    }
    sleep_s(1);
  }
  event('closed', $at);
  exit 0;
}

# ---- the spec ------------------------------------------------------------------------------

sub read_spec {
  my $path = "$job_dir/spawn.spec";
  open(my $fh, '<:raw', $path) or die "cannot open $path: $!\n";
  local $/;
  my $data = <$fh> // '';
  close $fh;
  my @f = split /\0/, $data, -1;
  die "$path does not end with NUL\n" unless @f && pop(@f) eq '';
  my $magic = shift @f // '';
  my $version = shift @f // '';
  die "$path is not a procd spawn spec\n" unless $magic eq 'procd-spawn-spec';
  die "$path has version $version; this shim reads versions 1 and 2\n" unless $version eq '1' || $version eq '2';
  my %spec;
  for my $k (qw(maxOutputBytes segmentBytes)) {
    my $v = shift @f // '';
    die "$path: $k '$v' is not a positive integer\n" unless $v =~ /^[1-9][0-9]{0,15}$/;
    $spec{$k} = $v + 0;
  }
  if ($version eq '2') {
    $spec{cgroup} = shift @f // '';
    die "$path: cgroup '$spec{cgroup}' is not an absolute path\n" unless $spec{cgroup} =~ m{^/};
  }
  $spec{cwd} = shift @f // die "$path: no cwd\n";
  my $argc = shift @f // '';
  die "$path: bad argc '$argc'\n" unless $argc =~ /^[1-9][0-9]*$/ && $argc <= @f;
  $spec{argv} = [splice @f, 0, $argc];
  my $envc = shift @f // '';
  die "$path: bad envc '$envc'\n" unless $envc =~ /^(0|[1-9][0-9]*)$/ && $envc == @f;
  $spec{env} = {};
  for my $kv (@f) {
    my ($k, $v) = split /=/, $kv, 2;
    die "$path: bad environment entry\n" unless defined $v && length $k;
    $spec{env}{$k} = $v;
  }
  $spec{segmentBytes} = $spec{maxOutputBytes} if $spec{segmentBytes} > $spec{maxOutputBytes};
  return \%spec;
}

# Records a failure to start (exit file + events) and ends the shim.
sub spawn_failed {
  my ($code, $message, $pid) = @_;
  my $at = now_ms();
  logmsg("spawn error $code: $message");
  persist('exit', '{"pid":' . jnum($pid) . ',"shimPid":' . $$ . ',"spawnError":{"code":' . jstr($code) . ',"message":' . jstr($message) . '},"at":' . $at . "}\n", 1);
  event('spawn_error', $code, $at, $message);
  my $closed_at = now_ms();
  finish($closed_at, '{"at":' . $closed_at . ',"stdoutBytes":0,"stderrBytes":0,"lostBytes":0,"stdoutLostBytes":0,"stderrLostBytes":0}' . "\n");
}

my $spec = eval { read_spec() };
unless ($spec) { chomp(my $why = $@); spawn_failed('EINVAL', "bad spawn spec: $why") }
$@ = '';
unless (-d $out_dir || mkdir($out_dir, 0700) || -d $out_dir) {
  spawn_failed(errno_name($! + 0), "cannot create $out_dir: $!");
}

# ---- start the child -------------------------------------------------------------------------

# Perl marks every fd above $^F (2) close-on-exec, so the job inherits only the dup2'ed 0-2.
my ($out_r, $out_w, $err_r, $err_w, $st_r, $st_w, $self_r, $self_w);
for my $pair ([\$out_r, \$out_w], [\$err_r, \$err_w], [\$st_r, \$st_w], [\$self_r, \$self_w]) {
  pipe(${ $pair->[0] }, ${ $pair->[1] }) or spawn_failed(errno_name($! + 0), "cannot create a pipe: $!");
}
nonblock($_) for $self_r, $self_w, $out_r, $err_r;
$SIG{CHLD} = sub { syswrite($self_w, 'x') };    # deferred handler: wakes select via the self-pipe

my $started_at = now_ms();
my $pid = fork();
spawn_failed(errno_name($! + 0), "cannot fork: $!") unless defined $pid;

if ($pid == 0) {
  # The child. Any failure is reported as "ERRNO\0message" on the close-on-exec status pipe.
  my ($code, $msg);
  eval {
    require POSIX;
    if (defined(my $cg = $spec->{cgroup})) {    # first: nothing of the job may run outside its cgroup
      my $ok = sysopen(my $cgfh, "$cg/cgroup.procs", O_WRONLY);
      $ok &&= defined syswrite($cgfh, '0');
      unless ($ok) {
        ($code, $msg) = (errno_name($! + 0), "cannot join the job's cgroup $cg: $!");
        return;
      }
      close $cgfh;
    }
    POSIX::setsid();    # own session and process group: the daemon kills -pid
    $SIG{$_} = 'DEFAULT' for qw(HUP INT TERM PIPE CHLD XFSZ);
    POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new());
    open(STDIN, '<', '/dev/null');    # reopening STDIN keeps fd 0
    POSIX::dup2(fileno($out_w), 1);
    POSIX::dup2(fileno($err_w), 2);
    # Fds the shim itself inherited without close-on-exec must not leak into the job.
    if (opendir(my $dh, '/dev/fd')) {
      my @fds = grep { /^[0-9]+$/ && $_ > 2 && $_ != fileno($st_w) } readdir $dh;
      closedir $dh;
      POSIX::close($_) for @fds;
    }
    my $cwd = $spec->{cwd};
    unless (chdir $cwd) {
      ($code, $msg) = (errno_name($! + 0), "cannot change directory to '$cwd': $!");
      return;
    }
    %ENV = %{ $spec->{env} };
    my @argv = @{ $spec->{argv} };
    { no warnings; exec { $argv[0] } @argv; }
    my $errno = $! + 0;
    ($code, $msg) = (errno_name($errno), "cannot execute '$argv[0]': $!");
    if ($code eq 'ENOENT' && $argv[0] !~ m{/}) {
      $msg = defined $ENV{PATH} ? "command not found: '$argv[0]' (searched PATH=$ENV{PATH})" : "command not found: '$argv[0]' (the job's environment has no PATH)";
    } elsif ($code eq 'ENOENT' && -e $argv[0]) {
      $msg = "cannot execute '$argv[0]': its interpreter (the #! line) was not found";
    } elsif ($code eq 'E2BIG') {
      $msg = too_big_message($argv[0], \@argv, $spec->{env});
    } elsif ($code eq 'EACCES' && $argv[0] =~ m{/} && -d $argv[0]) {
      # execve says EACCES for a directory; the user needs to hear which it is.
      ($code, $msg) = ('EISDIR', "cannot execute '$argv[0]': it is a directory");
    }
  };
  ($code, $msg) = ('EPROCD', "procd-shim child failed: $@") if $@ && !$code;
  my $report = ($code // 'EPROCD') . "\0" . ($msg // 'unknown error');
  syswrite($st_w, $report);
  defined &POSIX::_exit ? POSIX::_exit(127) : CORE::exit(127);
}

close $out_w;
close $err_w;
close $st_w;

# Exec success closes the status pipe with nothing in it; a failure report arrives first.
my $report = '';
for (;;) {
  my $n = sysread($st_r, my $buf, 4096);
  if (!defined $n) { next if $!{EINTR}; last }
  last if $n == 0;
  $report .= $buf;
}
close $st_r;
if (length $report) {
  my ($code, $msg) = split /\0/, $report, 2;
  1 while waitpid($pid, 0) == -1 && $!{EINTR};
  spawn_failed($code, $msg // '', $pid);
}
persist('started', '{"pid":' . $pid . ',"shimPid":' . $$ . ',"at":' . $started_at . "}\n", 0);
event('started', $pid, $started_at);

# ---- the output loop -------------------------------------------------------------------------

my $max = $spec->{maxOutputBytes};
my $seg_bytes = $spec->{segmentBytes};
my $index_seg_bytes = $max / 16;
$index_seg_bytes = 1 << 20 if $index_seg_bytes > 1 << 20;
$index_seg_bytes = 4096 if $index_seg_bytes < 4096;
$index_seg_bytes = int $index_seg_bytes;

my $lost = 0;
my %streams = (
  o => { tag => 'o', name => 'stdout', fh => $out_r, off => 0, segs => [], cur => undef, cur_start => 0, lost => 0, gap => 0, gap_at => 0 },
  e => { tag => 'e', name => 'stderr', fh => $err_r, off => 0, segs => [], cur => undef, cur_start => 0, lost => 0, gap => 0, gap_at => 0 },
);
my %index = (off => 0, segs => [], cur => undef, cur_start => 0, failing => 0);
my ($last_tag, $last_entry_mono) = ('', 0);
my $DISK_NOTES = 100;    # shim.log lines about disk trouble; a long outage must not fill the log
my $disk_notes = 0;

sub seg_path { sprintf('%s/%s.%016d', $out_dir, $_[0], $_[1]) }

sub disk_note {
  my ($msg) = @_;
  return if $disk_notes > $DISK_NOTES;
  logmsg(++$disk_notes > $DISK_NOTES ? 'more disk errors and gaps are not logged; the totals are in the lost and closed files' : $msg);
}

sub lost_counts { ',"lostBytes":' . $lost . ',"stdoutLostBytes":' . $streams{o}{lost} . ',"stderrLostBytes":' . $streams{e}{lost} }

# $n bytes of a stream that the disk refused: counted (the lost file is rewritten soon), and the
# gap they leave is logged with its offset once output is stored again.
sub lose {
  my ($st, $n, $why) = @_;
  return if $n <= 0;
  unless ($st->{gap}) {
    $st->{gap_at} = $st->{off};
    disk_note("$st->{name}: $why; output is lost from offset $st->{off} on until the disk takes it again");
  }
  $st->{gap} += $n;
  $st->{lost} += $n;
  $lost += $n;
  persist('lost', '{"at":' . now_ms() . lost_counts() . "}\n", 0, 1);
}

sub end_gap {
  my ($st, $how) = @_;
  disk_note("$st->{name}: $st->{gap} bytes lost at offset $st->{gap_at} ($how)");
  $st->{gap} = 0;
}

# Appends one index entry: true when it is in the index, false when the disk refused it (then no
# part of it is: a partly written line is cut off again, or the segment ends before it).
sub write_index {
  my ($line) = @_;
  my $ix = \%index;
  unless ($ix->{cur}) {
    my $path = seg_path('index', $ix->{off});
    unless (sysopen($ix->{cur}, $path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) {
      my $why = "$!";
      $ix->{cur} = undef;    # a failed sysopen leaves a closed handle behind: the next entry tries again
      disk_note("cannot create $path: $why; output that needs a new index entry is lost until it works") unless $ix->{failing}++;
      return 0;
    }
    $ix->{cur_start} = $ix->{off};
    push @{ $ix->{segs} }, $ix->{off} unless @{ $ix->{segs} } && $ix->{segs}[-1] == $ix->{off};
    while (@{ $ix->{segs} } > $INDEX_SEGMENTS) { unlink seg_path('index', shift @{ $ix->{segs} }) }
  }
  my $done = write_all($ix->{cur}, \$line, 0, length $line);
  if ($done < length $line) {
    my $why = "$!";
    # Half a line would be glued to the next entry and misread: cut it off again (if even that
    # fails, it stays the segment's unterminated last line, which readers ignore). The segment
    # ends here; the next entry opens one named by this offset (which also gets past a limit on
    # one file's size).
    $ix->{off} += $done unless $done == 0 || truncate($ix->{cur}, $ix->{off} - $ix->{cur_start});
    close $ix->{cur};
    $ix->{cur} = undef;
    my $path = seg_path('index', $ix->{cur_start});
    disk_note("cannot write $path: $why; output that needs a new index entry is lost until it works") unless $ix->{failing}++;
    return 0;
  }
  $ix->{failing} = 0;
  $ix->{off} += $done;
  if ($ix->{off} - $ix->{cur_start} >= $index_seg_bytes) { close $ix->{cur}; $ix->{cur} = undef }
  return 1;
}

sub store {
  my ($st, $ref, $len) = @_;
  my $mono = mono_ms();
  my $switch = $st->{tag} ne $last_tag;
  if ($switch || $mono - $last_entry_mono >= $TIME_STEP_MS) {
    if (write_index(now_ms() . " $st->{tag} $st->{off}\n")) {
      ($last_tag, $last_entry_mono) = ($st->{tag}, $mono);
    } elsif ($switch) {
      # Stored without the entry that marks the change of stream, these bytes would be shown
      # before the other stream's output that came first: lost (and counted) rather than misplaced.
      return lose($st, $len, 'its index entry could not be written');
    }
  }
  my $pos = 0;
  while ($pos < $len) {
    if ($st->{cur} && $st->{off} - $st->{cur_start} >= $seg_bytes) { close $st->{cur}; $st->{cur} = undef }
    unless ($st->{cur}) {
      # O_TRUNC loses nothing: a segment is named by the offset of its first byte, and every byte
      # stored advances the offset, so a file of this name is new or empty.
      my $path = seg_path($st->{name}, $st->{off});
      unless (sysopen($st->{cur}, $path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) {
        my $why = "$!";
        $st->{cur} = undef;    # a failed sysopen leaves a closed handle behind: the next read tries again
        lose($st, $len - $pos, "cannot create $path: $why");
        last;
      }
      $st->{cur_start} = $st->{off};
      push @{ $st->{segs} }, $st->{off} unless @{ $st->{segs} } && $st->{segs}[-1] == $st->{off};
    }
    my $room = $seg_bytes - ($st->{off} - $st->{cur_start});
    my $n = $len - $pos < $room ? $len - $pos : $room;
    my $done = write_all($st->{cur}, $ref, $pos, $n);
    my $why = $done < $n ? "$!" : '';
    end_gap($st, 'output resumes there') if $done > 0 && $st->{gap};
    $st->{off} += $done;
    $pos += $done;
    if ($done < $n) {
      # The segment ends here; the next read opens a new one at this offset (that also gets past a
      # limit on one file's size).
      close $st->{cur};
      $st->{cur} = undef;
      lose($st, $len - $pos, "cannot write $st->{name} at offset $st->{off}: $why");
      last;
    }
  }
  my $segs = $st->{segs};
  while (@$segs > 1 && $st->{off} - $segs->[0] > $max) { unlink seg_path($st->{name}, shift @$segs) }
}

my ($exit_code, $exit_signal);    # set once the child is reaped
my $reaped = 0;

sub reaped {
  my ($status) = @_;    # undef: the status is unknowable (waitpid failed)
  $reaped = 1;
  my $at = now_ms();
  my $core = 'false';
  if (!defined $status) {
    ($exit_code, $exit_signal) = (undef, undef);
  } elsif ($status & 127) {
    $exit_signal = $status & 127;
    $exit_code = 128 + $exit_signal;
    $core = 'true' if $status & 128;
  } else {
    $exit_code = $status >> 8;
  }
  persist('exit', '{"pid":' . $pid . ',"shimPid":' . $$ . ',"exitCode":' . jnum($exit_code) . ',"signal":' . jnum($exit_signal) . ',"coreDumped":' . $core . ',"startedAt":' . $started_at . ',"at":' . $at . "}\n", 1);
  event('exited', $exit_code // '-', $exit_signal // '-', $at);
  $SIG{CHLD} = 'DEFAULT';
}

sub try_reap {
  my ($flags) = @_;
  for (;;) {
    my $r = waitpid($pid, $flags);
    return reaped($?) if $r == $pid;
    return if $r == 0;
    next if $!{EINTR};
    logmsg("waitpid($pid) failed: $!; the exit status is lost");
    return reaped(undef);
  }
}

my $buf = '';
for (;;) {
  try_reap($WNOHANG) unless $reaped;
  flush_pending(0);    # files the disk refused so far (and the lost file), at most once a second
  my @open = grep { $_->{fh} } @streams{qw(o e)};
  last if !@open && $reaped;
  if (!@open && !@pending) {    # both pipes closed, nothing else to wait for: block in waitpid
    try_reap(0);
    next;
  }
  my $rin = '';
  vec($rin, fileno($_->{fh}), 1) = 1 for @open;
  vec($rin, fileno($self_r), 1) = 1 unless $reaped;
  my $n = select(my $rout = $rin, undef, undef, $reaped && !@pending ? undef : $IDLE_TIMEOUT);
  if ($n < 0) {
    next if $!{EINTR};
    logmsg("select failed: $!");
    sleep_s(0.05);
    next;
  }
  next if $n == 0;
  if (!$reaped && vec($rout, fileno($self_r), 1)) { 1 while (sysread($self_r, my $junk, 64) // 0) > 0 }
  for my $st (@open) {
    next unless vec($rout, fileno($st->{fh}), 1);
    my $got = sysread($st->{fh}, $buf, $READ_SIZE);
    if (!defined $got) {
      next if $!{EINTR} || $!{EAGAIN};
      logmsg("reading $st->{name} failed: $!");
      $got = 0;
    }
    if ($got == 0) {
      close $st->{fh};
      $st->{fh} = undef;
      close $st->{cur} if $st->{cur};
      $st->{cur} = undef;
      next;
    }
    store($st, \$buf, $got);
  }
}

close $index{cur} if $index{cur};
for my $st (@streams{qw(o e)}) { end_gap($st, 'up to the end of the output') if $st->{gap} }
logmsg("$lost bytes of output were lost (stdout $streams{o}{lost}, stderr $streams{e}{lost}); see above") if $lost;
@pending = grep { $_->[0] ne 'lost' } @pending;    # the closed file has the final count
my $closed_at = now_ms();
finish($closed_at, '{"at":' . $closed_at . ',"stdoutBytes":' . $streams{o}{off} . ',"stderrBytes":' . $streams{e}{off} . lost_counts() . "}\n");
