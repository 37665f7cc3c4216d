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

our $SERVED;

my %shims;          # pid => read end of the shim's event channel (undef once at its end) until reaped
my %by_fd;          # fd of an open channel => its shim's pid
my $watched = '';   # select() bits: stdin, the wake pipe and every open channel, kept up to date
my ($wake_r, $wake_w);
# The requests of one read are forked first, then run: each child waits for the gate (a pipe) to
# close before it does anything. Forking a perl costs the server a few ms, and a shim running
# meanwhile (each in its own session, so its own scheduling group) starves the server's next fork:
# 100 starts took 4.7 s that way, 2.6 s gated (bench/serve100.mjs, load 20-30).
my ($gate_r, $gate_w);

sub watch {
  my ($pid, $fh) = @_;
  $shims{$pid} = $fh;
  $by_fd{ fileno $fh } = $pid;
  vec($watched, fileno $fh, 1) = 1;
}

sub close_channel {
  my ($pid) = @_;
  my $fh = $shims{$pid} or return;
  vec($watched, fileno $fh, 1) = 0;
  delete $by_fd{ fileno $fh };
  close $fh;
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
  my $fh = $shims{$pid} or return;
  for (;;) {
    my $n = sysread($fh, my $buf, 16384);
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

sub start_shim {
  my ($dir) = @_;
  my ($r, $w);    # perl makes both close-on-exec; dup2 onto fd 1 gives the child a plain copy
  return reply('F ' . errno_name($! + 0) . " cannot create a pipe: $!\n") unless pipe($r, $w);
  my $pid = fork();
  if (!defined $pid) {
    my ($code, $why) = (errno_name($! + 0), "$!");
    close $r;
    close $w;
    return reply("F $code cannot fork: $why\n");
  }
  if ($pid == 0) {
    if ($gate_r) {
      close $gate_w;    # the server's copy is the one that opens the gate
      1 while !defined sysread($gate_r, my $x, 1) && $!{EINTR};
      close $gate_r;
    }
    become_shim($dir, $r, $w);
  }
  close $w;
  nonblock($r);
  watch($pid, $r);
  reply("P $pid\n");
}

# The child: from the server's state to a fresh shim's, then the shim itself (never returns).
sub become_shim {
  my ($dir, $r, $w) = @_;
  $SERVED = 1;
  # Setting a handler first runs a SIGCHLD the server had not handled yet, with the server's
  # handler (a byte into its wake pipe: harmless). Then: the dispositions and mask of a new process.
  $SIG{$_} = 'DEFAULT' for qw(CHLD HUP INT PIPE);
  sys_unblock_signals();
  # Every handle of the server is closed through perl: perl counts handles per fd and keeps an fd
  # open while a handle it knows of still has it, so a stale handle would pin a number the shim
  # reuses (a pipe whose write end never closes).
  close $_ for $wake_r, $wake_w, $r, grep { defined } values %shims;
  %shims = %by_fd = ();
  sys_setsid();    # its own session, as when the daemon spawns it (detached)
  open(STDIN, '<', '/dev/null');
  sys_dup2(fileno($w), 1);
  close $w;
  my $log;
  sysopen($log, "$dir/shim.log", O_WRONLY | O_CREAT | O_APPEND, 0600) or open($log, '>', '/dev/null');
  sys_dup2(fileno($log), 2) if $log;
  close $log if $log;
  # Anything else the server holds (an fd it inherited without close-on-exec) is not the shim's.
  my $dh;
  if (opendir($dh, '/proc/self/fd') || opendir($dh, '/dev/fd')) {
    my @fds = grep { /^[0-9]+$/ && $_ > 2 } readdir $dh;
    closedir $dh;
    sys_close($_) for @fds;
  }
  my $ok = eval { run_job($dir); 1 };    # run_job ends the process
  syswrite(STDERR, $@) unless $ok;       # as perl does for a die in an exec'd shim
  sys_exit(255);
}

# Serves until the daemon closes stdin. A served shim keeps the server's command line (`perl
# procd-shim.pl --serve`): renaming it through $0 would overwrite its environment block.
sub serve {
  load_posix() unless $ProcdShim::SYS;    # once here, not in each shim (see Sys.pm)
  $SIG{$_} = 'IGNORE' for qw(HUP INT PIPE);
  pipe($wake_r, $wake_w) or die "procd-shim server: cannot create a pipe: $!\n";
  nonblock($_) for $wake_r, $wake_w;
  $SIG{CHLD} = sub { syswrite($wake_w, 'x') };    # deferred handler: wakes select via the pipe
  reply("R perl\n");
  my $pending = '';    # request bytes not yet ended by a newline
  vec($watched, 0, 1) = 1;
  vec($watched, fileno($wake_r), 1) = 1;
  for (;;) {
    # Perl runs signal handlers between ops, so a SIGCHLD just before select() is seen at the next
    # wake-up: the timeout bounds that (short when a channel ended but its shim is not reaped yet).
    my $draining = keys(%shims) > keys(%by_fd);
    my $n = select(my $rout = $watched, undef, undef, $draining ? 0.05 : %shims ? 1 : undef);
    if ($n < 0) {
      die "procd-shim server: select failed: $!\n" unless $!{EINTR};
      $rout = '';
    }
    if (vec($rout, fileno($wake_r), 1)) { 1 while (sysread($wake_r, my $junk, 64) // 0) > 0 }
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
    ($gate_r, $gate_w) = () unless pipe($gate_r, $gate_w);    # no pipe: ungated
    while ((my $nl = index($pending, "\n")) >= 0) {
      my $line = substr($pending, 0, $nl + 1, '');
      chop $line;
      if ($line =~ m{^/}) { start_shim($line) } else { reply("F EINVAL the job directory must be an absolute path\n") }
    }
    if ($gate_r) { close $gate_r; close $gate_w; ($gate_r, $gate_w) = () }
  }
}

1;
