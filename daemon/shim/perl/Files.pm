# procd-shim's small helpers and its files in the job directory: events, shim.log lines, JSON
# values, atomic writes retried while the disk refuses them, and the shim's end (see "Files in
# <jobDir>" and "Disk errors" in procd-shim.pl). Part of package ProcdShim.
package ProcdShim;
use strict;
use warnings;
use Fcntl qw(O_WRONLY O_CREAT O_TRUNC F_GETFL F_SETFL O_NONBLOCK);

our $JOB_DIR;        # the job directory this shim runs (set by run_job)
our $SERVED = 0;     # 1 in a shim forked by the fork server: it ends with _exit (see quit)

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
  my $path = "$JOB_DIR/$name";
  my $tmp = "$path.tmp.$$";
  my $why;
  if (sysopen(my $fh, $tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) {
    $why = "$!" unless write_all($fh, \$content, 0, length $content) == length $content;
    # A failed fsync (some file systems refuse it) is logged but must not keep the file from appearing.
    logmsg("fsync $tmp: " . ($@ || $!)) if !defined $why && $sync && !eval { sys_fsync($fh) };
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

our @pending;          # [name, content, sync]: files not written yet, retried in this order
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
  quit(0);
}

# Ends the shim. A served shim is a fork of the server: _exit, so nothing of the server's (its
# buffers, its handles, END blocks) runs or is flushed on the way out.
sub quit {
  my ($code) = @_;
  sys_exit($code) if $SERVED;
  exit $code;
}

1;
