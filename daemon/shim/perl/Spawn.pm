# procd-shim's start of the job: reads <jobDir>/spawn.spec, forks the job's process and reports
# started or spawn_error (see "Input" and "Event channel" in procd-shim.pl). Part of package ProcdShim.
package ProcdShim;
use strict;
use warnings;
use Fcntl qw(O_WRONLY LOCK_EX LOCK_NB);    # names, not the :flock tag: a tag loads Exporter::Heavy (~0.5 MB of heap)

our $CLAIMED_STATUS = 75;    # the exit status of a shim whose job directory another shim claimed

our ($JOB_DIR, $OUT_DIR);
our @KEEP_OPEN;    # /dev/null handles that hold fds 0-2 open (see run_job)
our $SERVED;
our @SHIM_IGNORES = qw(HUP INT TERM PIPE XFSZ);    # the signals a shim ignores (see the header)

# Runs the shim for one job directory, from its spec to its closed file; never returns. A served
# shim comes with fds 0-2, its signals and no other fd already (Server.pm, become_shim).
sub run_job {
  ($JOB_DIR) = @_;
  $OUT_DIR = "$JOB_DIR/out";
  unless ($SERVED) {
    # Make sure fds 0-2 are open so that no pipe or file we open later lands on them (an event
    # written to fd 1 must never go into a job's output file).
    for my $fd (0 .. 2) {
      next if open(my $dup, '<&', $fd);
      my $null;
      push @KEEP_OPEN, $null if open($null, '+<', '/dev/null');
    }
    # Fds the shim inherited without close-on-exec must not leak into the job: closed here, once,
    # rather than between the job's fork and its exec.
    close_fds_above_2();
    $SIG{$_} = 'IGNORE' for @SHIM_IGNORES;
  }
  nonblock(\*STDOUT);    # a daemon that stops reading must never block the shim
  claim_job_dir();
  run_output(start_job());
}

# The job directory is this shim's alone: it holds an exclusive flock on <jobDir>/spawn.spec for
# its whole life (perl makes the handle close-on-exec: the job does not inherit it), and a
# directory whose started or exit file exists has had its shim already. A second shim on the same
# directory (the daemon's fallback after a fork server died before its pid line arrived) ends
# with $CLAIMED_STATUS, having touched nothing. Without a readable spec there is nothing to claim:
# read_spec reports that.
our $CLAIM;
sub claim_job_dir {
  open($CLAIM, '<', "$JOB_DIR/spawn.spec") or return;
  until (flock($CLAIM, LOCK_EX | LOCK_NB)) {
    next if $!{EINTR};
    quit($CLAIMED_STATUS) if $!{EWOULDBLOCK} || $!{EAGAIN};
    logmsg("cannot lock spawn.spec ($!); running without the claim");
    last;
  }
  quit($CLAIMED_STATUS) if -f "$JOB_DIR/started" || -f "$JOB_DIR/exit";
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

sub read_spec {
  my $path = "$JOB_DIR/spawn.spec";
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

# Reads the spec and starts the job. Returns what the output loop needs: the job's pid, when it
# started, its stdout/stderr read ends and the self-pipe SIGCHLD writes to; a failure ends the shim.
sub start_job {
  my $spec = eval { read_spec() };
  unless ($spec) { chomp(my $why = $@); spawn_failed('EINVAL', "bad spawn spec: $why") }
  $@ = '';
  unless (-d $OUT_DIR || mkdir($OUT_DIR, 0700) || -d $OUT_DIR) {
    spawn_failed(errno_name($! + 0), "cannot create $OUT_DIR: $!");
  }

  # Perl marks every fd above $^F (2) close-on-exec, and sys_pipe's are, so the job inherits only
  # the dup2'ed 0-2. The status pipe and the self-pipe are fd numbers (Sys.pm): each perl handle
  # is a few more pages this process and the job's touch.
  my ($out_r, $out_w, $err_r, $err_w, $st_r, $st_w, $self_r, $self_w);
  unless (pipe($out_r, $out_w) && pipe($err_r, $err_w) && (($st_r, $st_w) = sys_pipe(0)) && (($self_r, $self_w) = sys_pipe(1))) {
    spawn_failed(errno_name($! + 0), "cannot create a pipe: $!");
  }
  nonblock($_) for $out_r, $err_r;
  my $wake = 'x';
  $SIG{CHLD} = sub { sys_write($self_w, $wake) };    # deferred handler: wakes select via the self-pipe

  my $started_at = now_ms();
  # A job with a cgroup is forked straight into it where the kernel can (Sys.pm), else it joins
  # it first thing after the fork (run_child).
  my $pid = defined $spec->{cgroup} ? sys_fork_into_cgroup($spec->{cgroup}) : undef;
  my $in_cgroup = defined $pid;
  $pid //= fork();
  spawn_failed(errno_name($! + 0), "cannot fork: $!") unless defined $pid;
  run_child($spec, $out_w, $err_w, $st_w, $in_cgroup) if $pid == 0;

  close $out_w;
  close $err_w;
  sys_close($st_w);

  # Exec success closes the status pipe with nothing in it; a failure report arrives first.
  my $report = '';
  for (;;) {
    my $n = sys_read($st_r, my $buf, 4096);
    if (!defined $n) { next if $!{EINTR}; last }
    last if $n == 0;
    $report .= $buf;
  }
  sys_close($st_r);
  if (length $report) {
    my ($code, $msg) = split /\0/, $report, 2;
    1 while waitpid($pid, 0) == -1 && $!{EINTR};
    spawn_failed($code, $msg // '', $pid);
  }
  persist('started', '{"pid":' . $pid . ',"shimPid":' . $$ . ',"at":' . $started_at . "}\n", 0);
  event('started', $pid, $started_at);
  return { pid => $pid, started_at => $started_at, out_r => $out_r, err_r => $err_r, self_r => $self_r, self_w => $self_w, spec => $spec };
}

# The job's process between fork and exec. Any failure is reported as "ERRNO\0message" on the
# close-on-exec status pipe.
sub run_child {
  my ($spec, $out_w, $err_w, $st_w, $in_cgroup) = @_;
  my ($code, $msg);
  eval {
    if (!$in_cgroup && defined(my $cg = $spec->{cgroup})) {    # first: nothing of the job may run outside its cgroup
      my $ok = sysopen(my $cgfh, "$cg/cgroup.procs", O_WRONLY);
      $ok &&= defined syswrite($cgfh, '0');
      unless ($ok) {
        ($code, $msg) = (errno_name($! + 0), "cannot join the job's cgroup $cg: $!");
        return;
      }
      close $cgfh;
    }
    sys_setsid();    # own session and process group: the daemon kills -pid
    sys_default_signals(qw(HUP INT TERM PIPE CHLD XFSZ));
    sys_unblock_signals();
    open(STDIN, '<', '/dev/null');    # reopening STDIN keeps fd 0
    sys_dup2(fileno($out_w), 1);
    sys_dup2(fileno($err_w), 2);
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
  sys_write($st_w, $report);
  sys_exit(127);
}

1;
