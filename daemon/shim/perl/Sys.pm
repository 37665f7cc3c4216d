# procd-shim's system calls beyond perl's builtins: setsid, dup2, close of an fd number, an empty
# signal mask, fsync and _exit; pipes as fd numbers, closing every fd above 2, default signal
# dispositions and a fork into a cgroup. On Linux x86_64 and aarch64 they go through perl's syscall(), so
# neither the shim nor its fork server loads POSIX or IO::Handle (with what they pull in, ~1.7 MB
# of the server's 3.5 MB heap, which every fork of it shares copy-on-write and faults back in page
# by page: see "Fork server" in procd-shim.pl). Elsewhere, when the numbers fail their check at
# load, or with PROCD_SHIM_SYSCALLS=off (tests), POSIX and IO::Handle do it, loaded on first use.
# Part of package ProcdShim.
package ProcdShim;
use strict;
use warnings;

# Linux numbers by ELF machine (Clock.pm's elf_machine). aarch64 has no dup2 (dup3 with flags 0).
my %NUMBERS = (
  62  => { getpid => 39,  setsid => 112, dup2 => 33, close => 3,  rt_sigprocmask => 14,  fsync => 74, exit_group => 231,
           read => 0,  write => 1,  pipe2 => 293, close_range => 436, rt_sigaction => 13, openat => 257, clone3 => 435 },
  183 => { getpid => 172, setsid => 157, dup3 => 24, close => 57, rt_sigprocmask => 135, fsync => 82, exit_group => 94,
           read => 63, write => 64, pipe2 => 59,  close_range => 436, rt_sigaction => 134, openat => 56, clone3 => 435 },
);
my $SIG_SETMASK = 2;    # Linux, both machines
my ($O_NONBLOCK, $O_CLOEXEC) = (0x800, 0x80000);    # Linux, both machines

# The table in use, or undef (POSIX then). A number that does not do what we expect is caught
# here: getpid through it must say $$.
our $SYS = do {
  my $nrs = ($ENV{PROCD_SHIM_SYSCALLS} // '') eq 'off' ? undef : $NUMBERS{ elf_machine() // '' };
  $nrs && syscall($nrs->{getpid}) == $$ ? $nrs : undef;
};

my %HANDLE_OF;    # fd => its perl handle behind sys_pipe's numbers (only without syscall numbers)

sub syscalls_name { $SYS ? 'syscall' : 'posix' }

# The fallback's modules, loaded once (the fork server calls this before it forks anything).
sub load_posix {
  require POSIX;
  require IO::Handle;
}

sub sys_setsid {
  return syscall($SYS->{setsid}) if $SYS;
  load_posix();
  return POSIX::setsid() // -1;
}

# Makes fd $to a copy of fd $from (not close-on-exec); nothing to do when they are the same fd.
sub sys_dup2 {
  my ($from, $to) = map { $_ + 0 } @_;
  return $to if $from == $to;
  if ($SYS) { return $SYS->{dup2} ? syscall($SYS->{dup2}, $from, $to) : syscall($SYS->{dup3}, $from, $to, 0) }
  load_posix();
  return POSIX::dup2($from, $to) // -1;
}

sub sys_close {
  my ($fd) = @_;
  if (my $fh = delete $HANDLE_OF{$fd}) { return close($fh) ? 0 : -1 }
  return syscall($SYS->{close}, $fd + 0) if $SYS;
  load_posix();
  return POSIX::close($fd) // -1;
}

# A pipe as two fd numbers, close-on-exec, both ends non-blocking if asked: (read fd, write fd), or
# () with $! set. A perl handle costs every later fork of the fork server ~20 more pages touched
# and copied, and each forked shim would have to close every one of them through perl. Without
# syscall numbers they are perl handles behind the numbers.
sub sys_pipe {
  my ($nonblock) = @_;
  if ($SYS) {
    my $fds = "\0" x 8;
    return () if syscall($SYS->{pipe2}, $fds, $O_CLOEXEC | ($nonblock ? $O_NONBLOCK : 0)) < 0;
    return unpack('i2', $fds);
  }
  pipe(my $r, my $w) or return ();
  if ($nonblock) { nonblock($_) for $r, $w }
  $HANDLE_OF{ fileno $_ } = $_ for $r, $w;
  return (fileno($r), fileno($w));
}

# Like sysread on an fd number: the count (0 at EOF) with the bytes in $_[1], or undef with $! set.
sub sys_read {
  my ($fd, undef, $len) = @_;
  return sysread($HANDLE_OF{$fd}, $_[1], $len) unless $SYS;
  $_[1] = "\0" x $len;    # syscall() writes into the string's own buffer
  my $n = syscall($SYS->{read}, $fd + 0, $_[1], $len + 0);
  substr($_[1], $n < 0 ? 0 : $n) = '';
  return $n < 0 ? undef : $n;
}

# Like syswrite on an fd number.
sub sys_write {
  my ($fd, $bytes) = @_;
  return syswrite($HANDLE_OF{$fd}, $bytes) unless $SYS;
  my $n = syscall($SYS->{write}, $fd + 0, $bytes, length($bytes) + 0);
  return $n < 0 ? undef : $n;
}

# Closes every fd above 2: call it only while perl has no handle there but sys_pipe's (a
# forked shim, an exec'd shim at its start). Perl counts handles per fd and keeps an fd open
# while a handle it knows of has it: a stale handle would pin a number the shim reuses.
sub close_fds_above_2 {
  close $_ for values %HANDLE_OF;
  %HANDLE_OF = ();
  return if $SYS && syscall($SYS->{close_range}, 3, 0xFFFFFFFF, 0) == 0;    # Linux 5.9+
  my $dh;
  return unless opendir($dh, '/proc/self/fd') || opendir($dh, '/dev/fd');
  my @fds = grep { /^[0-9]+$/ && $_ > 2 } readdir $dh;
  closedir $dh;
  sys_close($_) for @fds;
}

# Default dispositions for these signals. Through rt_sigaction directly where it can: %SIG's magic
# touches a dozen pages more, and this runs between the job's fork and its exec (where perl's own
# idea of %SIG no longer matters).
my %SIGNAL_NUMBER = (HUP => 1, INT => 2, PIPE => 13, TERM => 15, CHLD => 17, XFSZ => 25);    # Linux, both machines
sub sys_default_signals {
  unless ($SYS) { $SIG{$_} = 'DEFAULT' for @_; return }
  my $dfl = "\0" x 32;    # struct sigaction: SIG_DFL, no flags, no restorer, empty mask
  syscall($SYS->{rt_sigaction}, $SIGNAL_NUMBER{$_}, $dfl, 0, 8) for @_;
}

# Forks a child that starts inside the cgroup v2 directory $cg: clone3 with CLONE_INTO_CGROUP
# (Linux 5.7+). Joining afterwards through cgroup.procs takes a system-wide lock and waits for an
# RCU grace period: 4-260 ms a write here under load (median 30), one start after the other.
# Returns as fork does (the pid; 0 in the child), or undef where the kernel or the directory
# refuses it: the caller then forks and the child joins through cgroup.procs, reporting any error.
my ($CLONE_INTO_CGROUP, $SIGCHLD, $AT_FDCWD) = (1 << 33, 17, -100);    # Linux, both machines
sub sys_fork_into_cgroup {
  my ($cg) = @_;
  return undef unless $SYS;
  my $path = "$cg";    # syscall() passes a string's own buffer
  my $fd = syscall($SYS->{openat}, $AT_FDCWD, $path, $O_CLOEXEC, 0);    # O_RDONLY
  return undef if $fd < 0;
  # struct clone_args (88 bytes): flags, pidfd, child_tid, parent_tid, exit_signal, stack,
  # stack_size, tls, set_tid, set_tid_size, cgroup.
  my $args = pack('Q11', $CLONE_INTO_CGROUP, 0, 0, 0, $SIGCHLD, 0, 0, 0, 0, 0, $fd);
  my $pid = syscall($SYS->{clone3}, $args, 88);
  syscall($SYS->{close}, $fd + 0);
  return $pid < 0 ? undef : $pid;
}

# The signal mask of a new process: nothing blocked.
sub sys_unblock_signals {
  if ($SYS) {
    my $none = "\0" x 8;
    return syscall($SYS->{rt_sigprocmask}, $SIG_SETMASK, $none, 0, 8);
  }
  load_posix();
  return POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new()) ? 0 : -1;
}

# True when the file's data is on disk; false with $! set.
sub sys_fsync {
  my ($fh) = @_;
  return syscall($SYS->{fsync}, fileno($fh) + 0) == 0 if $SYS;
  load_posix();
  return $fh->sync;
}

# Ends the process at once: no END blocks, no destructors, no buffers flushed.
sub sys_exit {
  my ($code) = @_;
  syscall($SYS->{exit_group}, $code + 0) if $SYS;
  load_posix();
  POSIX::_exit($code);
}

1;
