# procd-shim.pl --serve: the Perl shim's resident fork server. It speaks the protocol of the native
# one exactly (daemon/shim/native/server.c describes it in its header; the daemon's side is
# daemon/jobs/fork-server.ts), so the daemon has one protocol for both:
#   stdin:  one absolute job directory per line: start its shim.
#   stdout: R <version> | P <pid> | F <ERRNO> <message> | E <pid> <n>\n<n bytes> | G <pid> <code|-> <signal|->
# Where the native server forks and execs `perl procd-shim.pl <jobDir>` (~35 ms of CPU each: perl's
# start-up and the modules), this one has the shim's code and modules loaded once; per request it
# forks, and the child becomes that job's shim without an exec (become_shim): the signal
# dispositions and mask of a new process, its own session, stdin /dev/null, stdout its event
# channel, stderr appended to <jobDir>/shim.log, no other fd, nothing of the server's state in use.
# The server ends when its stdin closes; the shims it started do not depend on it.
package ProcdShim;
use strict;
use warnings;
use Fcntl qw(O_WRONLY O_CREAT O_APPEND);

our ($SERVED, @SHIM_IGNORES);

# Every pipe of the server is an fd number (Sys.pm's sys_pipe), not a perl handle: a forked shim
# then drops them all with one close_range(2) instead of closing each through perl.
my %shims;          # pid => read fd of the shim's event channel (undef once at its end) until reaped
my %by_fd;          # fd of an open channel => its shim's pid
my $watched = '';   # select() bits: stdin, the wake pipe and every open channel, kept up to date
my ($wake_r, $wake_w);
# The requests of one read are forked first, then run: each child waits for the gate (a pipe) to
# close before it does anything. Forking a perl costs the server a few ms, and a shim running
# meanwhile (each in its own session, so its own scheduling group) starves the server's next fork:
# 100 starts took 4.7 s that way, 2.6 s gated (bench/serve100.mjs, load 20-30).
my ($gate_r, $gate_w);

sub watch {
  my ($pid, $fd) = @_;
  $shims{$pid} = $fd;
  $by_fd{$fd} = $pid;
  vec($watched, $fd, 1) = 1;
}

sub close_channel {
  my ($pid) = @_;
  my $fd = $shims{$pid} // return;
  vec($watched, $fd, 1) = 0;
  delete $by_fd{$fd};
  sys_close($fd);
  $shims{$pid} = undef;
}

# Everything to the daemon goes through here; a daemon that is gone ends the server.
sub reply {
  my ($bytes) = @_;
  my $off = 0;
  while ($off < length $bytes) {
    my $n = syswrite(STDOUT, $bytes, length($bytes) - $off, $off);
    if (!defined $n) { next if $!{EINTR}; sys_exit(0) }
    $off += $n;
  }
}

# Relays what the shim's channel holds now; at its end (or broken) the channel is closed.
sub relay {
  my ($pid) = @_;
  my $fd = $shims{$pid} // return;
  for (;;) {
    my $n = sys_read($fd, my $buf, 16384);
    if ($n) { reply("E $pid $n\n$buf"); next }
    if (!defined $n) {
      next if $!{EINTR};
      return if $!{EAGAIN};
    }
    return close_channel($pid);
  }
}

# Reaps ended shims: what each wrote last is relayed first, then its end.
sub reap {
  for (;;) {
    my $pid = waitpid(-1, 1);    # WNOHANG: 1 on Linux, macOS and the BSDs
    if ($pid < 0) { next if $!{EINTR}; return }
    return if $pid == 0;
    my $status = $?;
    next unless exists $shims{$pid};
    relay($pid);    # the shim is gone: everything it wrote is in the pipe now
    close_channel($pid);
    delete $shims{$pid};
    reply($status & 127 ? "G $pid - " . ($status & 127) . "\n" : "G $pid " . ($status >> 8) . " -\n");
  }
}

# Forks the shim of one request (a line without its newline): [pid, channel fd], or the F record
# to answer. Only that: every page the server writes between two forks is copied again after the
# next one, so the bookkeeping waits until the whole read is forked (see serve).
sub start_shim {
  return "F EINVAL the job directory must be an absolute path\n" unless $_[0] =~ m{^/};
  # Close-on-exec, both ends non-blocking (the shim makes its stdout so anyway); dup2 onto fd 1
  # gives the child a plain copy.
  my ($r, $w) = sys_pipe(1);
  return 'F ' . errno_name($! + 0) . " cannot create a pipe: $!\n" unless defined $w;
  my $pid = fork();
  if (!defined $pid) {
    my ($code, $why) = (errno_name($! + 0), "$!");
    sys_close($_) for $r, $w;
    return "F $code cannot fork: $why\n";
  }
  if ($pid == 0) {
    if (defined $gate_r) {
      sys_close($gate_w);    # the server's copy is the one that opens the gate
      1 while !defined sys_read($gate_r, my $x, 1) && $!{EINTR};
    }
    become_shim($_[0], $w);
  }
  sys_close($w);
  return [$pid, $r];
}

# The child: from the server's state to a fresh shim's, then the shim itself (never returns).
sub become_shim {
  my ($dir, $w) = @_;
  $SERVED = 1;
  # Setting a handler first runs a SIGCHLD the server had not handled yet, with the server's
  # handler (a byte into its wake pipe: harmless). Then the dispositions a shim has once run_job
  # set them (that step is skipped for a served shim): what the server ignores already stays
  # ignored, the rest is set here once. And the mask of a new process.
  $SIG{CHLD} = 'DEFAULT';
  $SIG{$_} = 'IGNORE' for grep { ($SIG{$_} // '') ne 'IGNORE' } @SHIM_IGNORES;
  sys_unblock_signals();
  sys_setsid();    # its own session, as when the daemon spawns it (detached)
  open(STDIN, '<', '/dev/null');
  sys_dup2($w, 1);
  my $log;
  sysopen($log, "$dir/shim.log", O_WRONLY | O_CREAT | O_APPEND, 0600) or open($log, '>', '/dev/null');
  sys_dup2(fileno($log), 2) if $log;
  close $log if $log;
  # The server's pipes (the gate, the wake pipe, every shim's channel, this one's write end) and
  # anything it inherited without close-on-exec: none of them is the shim's. The server's tables
  # are left as they are: freeing them would touch (and copy, page by page) every entry.
  close_fds_above_2();
  my $ok = eval { run_job($dir); 1 };    # run_job ends the process
  syswrite(STDERR, $@) unless $ok;       # as perl does for a die in an exec'd shim
  sys_exit(255);
}

# Serves until the daemon closes stdin. A served shim keeps the server's command line (`perl
# procd-shim.pl --serve`): renaming it through $0 would overwrite its environment block.
sub serve {
  load_posix() unless $ProcdShim::SYS;    # once here, not in each shim (see Sys.pm)
  # Each job's process replaces its environment with the spec's: clearing the server's first (all
  # but TZ, which shim.log's local times read) spares every job the freeing of the daemon's
  # variables between its fork and its exec. Nothing reads the environment after loading.
  %ENV = map { exists $ENV{$_} ? ($_ => $ENV{$_}) : () } qw(TZ);
  $SIG{$_} = 'IGNORE' for qw(HUP INT PIPE);
  ($wake_r, $wake_w) = sys_pipe(1);
  die "procd-shim server: cannot create a pipe: $!\n" unless defined $wake_w;
  my $x = 'x';
  $SIG{CHLD} = sub { sys_write($wake_w, $x) };    # deferred handler: wakes select via the pipe
  reply("R perl\n");
  my $pending = '';    # request bytes not yet ended by a newline
  vec($watched, 0, 1) = 1;
  vec($watched, $wake_r, 1) = 1;
  for (;;) {
    # Perl runs signal handlers between ops, so a SIGCHLD just before select() is seen at the next
    # wake-up: the timeout bounds that (short when a channel ended but its shim is not reaped yet).
    my $draining = keys(%shims) > keys(%by_fd);
    my $n = select(my $rout = $watched, undef, undef, $draining ? 0.05 : %shims ? 1 : undef);
    if ($n < 0) {
      die "procd-shim server: select failed: $!\n" unless $!{EINTR};
      $rout = '';
    }
    if (vec($rout, $wake_r, 1)) { 1 while (sys_read($wake_r, my $junk, 64) // 0) > 0 }
    reap();
    # Channels before requests: only the ready ones, found by index() over the bits (with a hundred
    # shims running, a loop over all of them at every wake-up was most of the server's time).
    my $bits = unpack('b*', $rout);
    for (my $fd = index($bits, '1', 1); $fd >= 0; $fd = index($bits, '1', $fd + 1)) {
      my $pid = $by_fd{$fd};
      relay($pid) if defined $pid;
    }
    next unless vec($rout, 0, 1);
    my $got = sysread(STDIN, my $buf, 8192);
    next if !defined $got && $!{EINTR};
    exit 0 unless $got;    # the daemon is gone: so is the server; shims run on
    $pending .= $buf;
    my $last = rindex($pending, "\n");
    next if $last < 0;
    my @requests = split /\n/, substr($pending, 0, $last + 1, ''), -1;
    pop @requests;    # what follows the last newline: nothing
    ($gate_r, $gate_w) = sys_pipe(0);    # no pipe: ungated
    my @started = map { start_shim($_) } @requests;
    if (defined $gate_w) { sys_close($_) for $gate_r, $gate_w; ($gate_r, $gate_w) = () }
    # Then the answers, in the order of the requests, in one write (before any shim's events).
    my $answers = '';
    for (@started) {
      if (ref) { watch(@$_); $answers .= "P $_->[0]\n" } else { $answers .= $_ }
    }
    reply($answers);
  }
}

1;
