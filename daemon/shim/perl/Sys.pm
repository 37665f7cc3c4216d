# procd-shim's system calls beyond perl's builtins: setsid, dup2, close of an fd number, an empty
# signal mask, fsync and _exit. On Linux x86_64 and aarch64 they go through perl's syscall(), so
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
  62  => { getpid => 39,  setsid => 112, dup2 => 33, close => 3,  rt_sigprocmask => 14,  fsync => 74, exit_group => 231 },
  183 => { getpid => 172, setsid => 157, dup3 => 24, close => 57, rt_sigprocmask => 135, fsync => 82, exit_group => 94 },
);
my $SIG_SETMASK = 2;    # Linux, both machines

# The table in use, or undef (POSIX then). A number that does not do what we expect is caught
# here: getpid through it must say $$.
our $SYS = do {
  my $nrs = ($ENV{PROCD_SHIM_SYSCALLS} // '') eq 'off' ? undef : $NUMBERS{ elf_machine() // '' };
  $nrs && syscall($nrs->{getpid}) == $$ ? $nrs : undef;
};

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
  return syscall($SYS->{close}, $fd + 0) if $SYS;
  load_posix();
  return POSIX::close($fd) // -1;
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
