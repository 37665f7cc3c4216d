/* procd-shim (native): starts one job, owns its output, records its exit status on disk.
 *
 *   procd-shim <jobDir>
 *   procd-shim --check      prints "ok native <version> clock=monotonic", exits 0
 *   procd-shim --serve program [args...]   the daemon's fork server (server.c)
 *
 * The file contract (spawn.spec, the event channel, the started/exit/closed/lost files, output
 * segments and index, disk errors, signals) is written down once, in the header comment of the
 * Perl shim daemon/shim/procd-shim.pl; both shims pass the same contract tests
 * (test/unit/output/shim-native.test.ts runs them here). */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int self_w = -1; /* the self-pipe SIGCHLD writes to: wakes poll() */

static void on_chld(int sig) {
  int e = errno;
  (void)sig;
  (void)!write(self_w, "x", 1);
  errno = e;
}

char **process_args;
int process_argc;

static pid_t child_pid;
static int64_t started_at;
static int reaped;

static void record_exit(int known, int status) {
  reaped = 1;
  int64_t at = now_ms();
  char code[16] = "null", sig[16] = "null";
  const char *core = "false";
  if (known && WIFSIGNALED(status)) {
    snprintf(sig, sizeof sig, "%d", WTERMSIG(status));
    snprintf(code, sizeof code, "%d", 128 + WTERMSIG(status));
#ifdef WCOREDUMP
    if (WCOREDUMP(status)) core = "true";
#endif
  } else if (known) {
    snprintf(code, sizeof code, "%d", WEXITSTATUS(status));
  }
  struct str s = {0};
  s_fmt(&s, "{\"pid\":%ld,\"shimPid\":%ld,\"exitCode\":%s,\"signal\":%s,\"coreDumped\":%s,\"startedAt\":%lld,\"at\":%lld}\n", (long)child_pid, (long)getpid(), code, sig, core,
        (long long)started_at, (long long)at);
  persist("exit", s.p, 1, 0);
  s_free(&s);
  event("exited %s %s %lld", known ? code : "-", strcmp(sig, "null") ? sig : "-", (long long)at);
  signal(SIGCHLD, SIG_DFL);
}

static void try_reap(int flags) {
  for (;;) {
    int status = 0;
    pid_t r = waitpid(child_pid, &status, flags);
    if (r == child_pid) {
      record_exit(1, status);
      return;
    }
    if (r == 0) return;
    if (errno == EINTR) continue;
    logmsg("waitpid(%ld) failed: %s; the exit status is lost", (long)child_pid, strerror(errno));
    record_exit(0, 0);
    return;
  }
}

/* fds 0-2 open, so that no pipe or file opened later lands on them (an event written to fd 1
 * must never go into a job's output file). */
static void keep_std_fds_open(void) {
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0 && null > 2) close(null); /* lands on the lowest free fd, which is this one */
  }
}

/* The job directory is this shim's alone: it holds an exclusive flock(2) on <jobDir>/spawn.spec for
 * its whole life (the fd is close-on-exec: the job does not inherit it), and a directory whose
 * started or exit file exists has had its shim already. A second shim on the same directory (the
 * daemon's fallback after a fork server died before its pid line arrived) ends with
 * SHIM_CLAIMED_STATUS without touching anything. A lock, not a new file: creating a file costs an
 * inode allocation, which was ~0.6 ms per start here. Without a readable spec there is nothing to
 * claim: read_spec() reports that. */
static void claim_job_dir(void) {
  struct str path = {0};
  s_fmt(&path, "%s/spawn.spec", job_dir);
  int fd;
  do fd = open(path.p, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  s_free(&path);
  if (fd < 0) return;
  int r;
  do r = flock(fd, LOCK_EX | LOCK_NB);
  while (r != 0 && errno == EINTR);
  if (r != 0 && (errno == EWOULDBLOCK || errno == EAGAIN)) _exit(SHIM_CLAIMED_STATUS);
  if (r != 0) logmsg("cannot lock spawn.spec (%s); running without the claim", strerror(errno));
  const char *done[] = {"started", "exit"};
  for (size_t i = 0; i < 2; i++) {
    struct str f = {0};
    s_fmt(&f, "%s/%s", job_dir, done[i]);
    struct stat st;
    int ran = stat(f.p, &st) == 0 && S_ISREG(st.st_mode);
    s_free(&f);
    if (ran) _exit(SHIM_CLAIMED_STATUS);
  }
  /* fd stays open (and locked) until the shim exits */
}

static void make_pipe(int p[2]) {
#if SHIM_LINUX
  if (pipe2(p, O_CLOEXEC) == 0) return;
#else
  if (pipe(p) == 0) {
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    return;
  }
#endif
  int e = errno;
  struct str m = {0};
  s_fmt(&m, "cannot create a pipe: %s", strerror(e));
  spawn_failed(errno_name(e), m.p, -1);
}

int main(int argc, char **argv) {
  if (argc < 2 || !argv[1][0]) {
    fprintf(stderr, "usage: procd-shim <jobDir> | --check | --serve program [args...]\n");
    return 2;
  }
  if (strcmp(argv[1], "--check") == 0) {
    printf("ok native %s clock=monotonic\n", SHIM_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "--serve") == 0) {
    process_args = argv;
    process_argc = argc;
    return serve_main(argc - 2, argv + 2);
  }
  return shim_main(argv[1]);
}

/* The shim proper, for <jobDir>: exec'd as `procd-shim <jobDir>`, or entered in a child of the
 * fork server (server.c) that was made exactly what such an exec leaves. Never returns. */
int shim_main(const char *dir) {
  job_dir = dir;
  keep_std_fds_open();
  int ignored[] = {SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGXFSZ};
  for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) signal(ignored[i], SIG_IGN);
  set_nonblock(1); /* a daemon that stops reading must never block the shim */
  claim_job_dir();

  struct spec sp;
  memset(&sp, 0, sizeof sp);
  struct str why = {0};
  if (!read_spec(&sp, &why)) {
    struct str m = {0};
    s_fmt(&m, "bad spawn spec: %s", why.p);
    spawn_failed("EINVAL", m.p, -1);
  }
  struct str out_dir = {0};
  s_fmt(&out_dir, "%s/out", job_dir);
  struct stat stb;
  if (!(stat(out_dir.p, &stb) == 0 && S_ISDIR(stb.st_mode)) && mkdir(out_dir.p, 0700) != 0 && !(stat(out_dir.p, &stb) == 0 && S_ISDIR(stb.st_mode))) {
    int e = errno;
    struct str m = {0};
    s_fmt(&m, "cannot create %s: %s", out_dir.p, strerror(e));
    spawn_failed(errno_name(e), m.p, -1);
  }

  int out[2], err[2], self[2];
  make_pipe(out);
  make_pipe(err);
  make_pipe(self);
  set_nonblock(self[0]);
  set_nonblock(self[1]);
  set_nonblock(out[0]);
  set_nonblock(err[0]);
  self_w = self[1];
#if SHIM_LINUX && defined(F_SETPIPE_SZ)
  /* The self-pipe only carries wake-ups: one page, not sixteen, of the user's pipe-user-pages quota. */
  fcntl(self[0], F_SETPIPE_SZ, 4096);
#endif
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_chld;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_NOCLDSTOP | SA_RESTART; /* poll() still wakes (it is never restarted); file calls are */
  sigaction(SIGCHLD, &sa, NULL);

  started_at = now_ms();
  child_pid = start_child(&sp, out[1], err[1]); /* pipes are close-on-exec: the job gets fds 0-2 only */
  struct str s = {0};
  s_fmt(&s, "{\"pid\":%ld,\"shimPid\":%ld,\"at\":%lld}\n", (long)child_pid, (long)getpid(), (long long)started_at);
  persist("started", s.p, 0, 0);
  s_free(&s);
  event("started %ld %lld", (long)child_pid, (long long)started_at);

  output_init(sp.max_output, sp.seg_bytes, out[0], err[0]);
  for (;;) {
    if (!reaped) try_reap(WNOHANG);
    flush_pending(0); /* files the disk refused so far (and the lost file), at most once a second */
    int open_n = output_open(0) + output_open(1);
    if (!open_n && reaped) break;
    if (!open_n && !pending_count()) { /* both pipes closed, nothing else to wait for */
      try_reap(0);
      continue;
    }
    struct pollfd pf[3];
    int which[3], n = 0;
    for (int i = 0; i < 2; i++)
      if (output_open(i)) pf[n].fd = output_fd(i), pf[n].events = POLLIN, which[n++] = i;
    if (!reaped) pf[n].fd = self[0], pf[n].events = POLLIN, which[n++] = -1;
    /* SIGCHLD always reaches the self-pipe (unlike Perl's deferred handlers), so poll() needs a
     * timeout only while a refused file waits for its once-a-second retry. */
    int r = poll(pf, (nfds_t)n, pending_count() ? 1000 : -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      logmsg("select failed: %s", strerror(errno));
      sleep_ms(50);
      continue;
    }
    if (r == 0) continue;
    for (int k = 0; k < n; k++) {
      if (!pf[k].revents) continue;
      if (which[k] < 0) {
        char junk[64];
        while (read(self[0], junk, sizeof junk) > 0) {
        }
      } else {
        output_pump(which[k]);
      }
    }
  }

  output_end();
  drop_pending("lost"); /* the closed file has the final count */
  int64_t closed_at = now_ms();
  struct str c = {0};
  s_fmt(&c, "{\"at\":%lld,\"stdoutBytes\":%lld,\"stderrBytes\":%lld", (long long)closed_at, output_stored(0), output_stored(1));
  output_lost_json(&c);
  s_add(&c, "}\n", 2);
  finish(closed_at, c.p);
  return 0;
}
