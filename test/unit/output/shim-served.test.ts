// The shim's contract tests again, with every shim the harness starts forked by the Perl shim's
// own fork server (`perl procd-shim.pl --serve`, daemon/shim/perl/Server.pm) instead of exec'd:
// a served shim must keep the whole file contract (shim.test.ts, segments.test.ts, bulk.test.ts,
// shim-cgroup.test.ts: where the kernel has clone3, its job is forked straight into its cgroup).
// Tests that spawn the shim in a way of their own (under a wrapper, a ulimit) run it exec'd.

process.env.PROCD_TEST_SHIM = 'perl-served';
await import('./shim.test.js');
await import('./segments.test.js');
await import('./bulk.test.js');
await import('./shim-cgroup.test.js');
