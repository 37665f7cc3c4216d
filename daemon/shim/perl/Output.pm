# procd-shim's output loop: drains the job's stdout and stderr into segment files and the index,
# reaps the job and writes its exit file (see "Output", "Disk errors" and "Child exit" in
# procd-shim.pl). Part of package ProcdShim.
package ProcdShim;
use strict;
use warnings;
use Fcntl qw(O_WRONLY O_CREAT O_TRUNC);

our ($OUT_DIR, @pending);

my $READ_SIZE = 256 * 1024;    # pipes rarely hold more than 64 KiB; never the bottleneck
my $IDLE_TIMEOUT = 1.0;        # backstop for the deferred-SIGCHLD race, see "Child exit"
my $WNOHANG = 1;               # the same on Linux, macOS and the BSDs (saves loading POSIX)
my $INDEX_SEGMENTS = 4;
my $TIME_STEP_MS = 100;        # a new index entry at least this often: output's arrival time to 0.1 s
my $DISK_NOTES = 100;          # shim.log lines about disk trouble; a long outage must not fill the log

# The running job's state (one job per shim process): set by run_output.
my ($pid, $started_at, $max, $seg_bytes, $index_seg_bytes, $lost, %streams, %index, $last_tag, $last_entry_mono, $disk_notes);

sub seg_path { sprintf('%s/%s.%016d', $OUT_DIR, $_[0], $_[1]) }

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

# Runs the job started by start_job (Spawn.pm) to its end: its output stored, its exit recorded,
# then the closed file; ends the shim.
sub run_output {
  my ($job) = @_;
  ($pid, $started_at) = @$job{qw(pid started_at)};
  my $self_r = $job->{self_r};
  $max = $job->{spec}{maxOutputBytes};
  $seg_bytes = $job->{spec}{segmentBytes};
  $index_seg_bytes = $max / 16;
  $index_seg_bytes = 1 << 20 if $index_seg_bytes > 1 << 20;
  $index_seg_bytes = 4096 if $index_seg_bytes < 4096;
  $index_seg_bytes = int $index_seg_bytes;
  $lost = 0;
  %streams = (
    o => { tag => 'o', name => 'stdout', fh => $job->{out_r}, off => 0, segs => [], cur => undef, cur_start => 0, lost => 0, gap => 0, gap_at => 0 },
    e => { tag => 'e', name => 'stderr', fh => $job->{err_r}, off => 0, segs => [], cur => undef, cur_start => 0, lost => 0, gap => 0, gap_at => 0 },
  );
  %index = (off => 0, segs => [], cur => undef, cur_start => 0, failing => 0);
  ($last_tag, $last_entry_mono, $disk_notes) = ('', 0, 0);

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
    vec($rin, $self_r, 1) = 1 unless $reaped;
    my $n = select(my $rout = $rin, undef, undef, $reaped && !@pending ? undef : $IDLE_TIMEOUT);
    if ($n < 0) {
      next if $!{EINTR};
      logmsg("select failed: $!");
      sleep_s(0.05);
      next;
    }
    next if $n == 0;
    if (!$reaped && vec($rout, $self_r, 1)) { 1 while (sys_read($self_r, my $junk, 64) // 0) > 0 }
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
}

1;
