# procd-shim's clock (see "Clock" in procd-shim.pl): epoch ms and monotonic ms from the best source
# found when this file is loaded. Part of package ProcdShim (one package across daemon/shim/perl/).
package ProcdShim;
use strict;
use warnings;

# Time::HiRes is optional (perl-base does not ship it).
our $HIRES = eval { require Time::HiRes; 1 };

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
  my $machine = elf_machine();
  return defined $machine ? $SYSCALLS{$machine} : undef;
}

# The ELF machine of this perl on Linux (62 x86_64, 183 aarch64; 64-bit little-endian only), read
# once from /proc/self/exe; undef elsewhere. Sys.pm picks its syscall numbers by it too.
my $ELF_MACHINE;
sub elf_machine {
  return $ELF_MACHINE if defined $ELF_MACHINE;
  return undef unless $^O eq 'linux' && open(my $fh, '<:raw', '/proc/self/exe');
  my $n = sysread($fh, my $elf, 20) // 0;
  close $fh;
  return undef unless $n == 20 && substr($elf, 0, 6) eq "\x7fELF\x02\x01";
  return $ELF_MACHINE = unpack('v', substr($elf, 18, 2));
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
our $CLOCK = do {
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

sub clock_name { $CLOCK }

sub sleep_s { select(undef, undef, undef, $_[0]) }

1;
