/* procd-shim (native): reads spawn.spec and starts the job: its own session and process group,
 * default signal dispositions, fds 0-2 only, the spec's cwd and exactly the spec's environment,
 * argv[0] looked up in that environment's PATH (contract: daemon/shim/procd-shim.pl, "Input"). */
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if SHIM_LINUX
#include <sys/syscall.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* A field is "[1-9][0-9]{0,15}" (positive, at most 16 digits), as the Perl shim checks it. */
static int positive(const char *f, long long *out) {
  size_t n = strlen(f);
  if (n == 0 || n > 16 || f[0] < '1' || f[0] > '9') return 0;
  long long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (f[i] < '0' || f[i] > '9') return 0;
    v = v * 10 + (f[i] - '0');
  }
  *out = v;
  return 1;
}

/* "0|[1-9][0-9]*" no larger than limit. */
static int count(const char *f, size_t limit, size_t *out) {
  size_t n = strlen(f), v = 0;
  if (n == 0 || (f[0] == '0' && n > 1)) return 0;
  for (size_t i = 0; i < n; i++) {
    if (f[i] < '0' || f[i] > '9') return 0;
    if (v > (limit + 9) / 10) return 0; /* already too large: no overflow */
    v = v * 10 + (size_t)(f[i] - '0');
  }
  if (v > limit) return 0;
  *out = v;
  return 1;
}

int read_spec(struct spec *sp, struct str *why) {
  struct str path = {0};
  s_fmt(&path, "%s/spawn.spec", job_dir);
  int fd = open(path.p, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    s_fmt(why, "cannot open %s: %s", path.p, strerror(errno));
    return 0;
  }
  struct str data = {0};
  char chunk[65536];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      s_fmt(why, "cannot read %s: %s", path.p, strerror(errno));
      close(fd);
      return 0;
    }
    if (n == 0) break;
    s_add(&data, chunk, (size_t)n);
  }
  close(fd);
  if (data.len == 0 || data.p[data.len - 1] != '\0') {
    s_fmt(why, "%s does not end with NUL", path.p);
    return 0;
  }
  /* Split at NULs: the fields point into data (kept for the shim's life). */
  size_t nf = 0;
  for (size_t i = 0; i < data.len; i++) nf += data.p[i] == '\0';
  char **f = xmalloc(sizeof *f * (nf + 1));
  for (size_t i = 0, k = 0, start = 0; i < data.len; i++)
    if (data.p[i] == '\0') f[k++] = data.p + start, start = i + 1;
  size_t at = 0;
#define NEXT() (at < nf ? f[at++] : NULL)
  const char *magic = NEXT(), *version = NEXT();
  if (!magic || strcmp(magic, "procd-spawn-spec") != 0) {
    s_fmt(why, "%s is not a procd spawn spec", path.p);
    return 0;
  }
  if (!version || (strcmp(version, "1") != 0 && strcmp(version, "2") != 0)) {
    s_fmt(why, "%s has version %s; this shim reads versions 1 and 2", path.p, version ? version : "");
    return 0;
  }
  const char *keys[2] = {"maxOutputBytes", "segmentBytes"};
  long long *vals[2] = {&sp->max_output, &sp->seg_bytes};
  for (int i = 0; i < 2; i++) {
    const char *v = NEXT();
    if (!v || !positive(v, vals[i])) {
      s_fmt(why, "%s: %s '%s' is not a positive integer", path.p, keys[i], v ? v : "");
      return 0;
    }
  }
  sp->cgroup = NULL;
  if (version[0] == '2') {
    sp->cgroup = NEXT();
    if (!sp->cgroup || sp->cgroup[0] != '/') {
      s_fmt(why, "%s: cgroup '%s' is not an absolute path", path.p, sp->cgroup ? sp->cgroup : "");
      return 0;
    }
  }
  sp->cwd = NEXT();
  if (!sp->cwd) {
    s_fmt(why, "%s: no cwd", path.p);
    return 0;
  }
  const char *argc_s = NEXT();
  size_t argc = 0;
  if (!argc_s || !count(argc_s, nf - at, &argc) || argc == 0) {
    s_fmt(why, "%s: bad argc '%s'", path.p, argc_s ? argc_s : "");
    return 0;
  }
  sp->argv = xmalloc(sizeof(char *) * (argc + 1));
  for (size_t i = 0; i < argc; i++) sp->argv[i] = f[at++];
  sp->argv[argc] = NULL;
  const char *envc_s = NEXT();
  size_t envc = 0;
  if (!envc_s || !count(envc_s, nf - at, &envc) || envc != nf - at) {
    s_fmt(why, "%s: bad envc '%s'", path.p, envc_s ? envc_s : "");
    return 0;
  }
#undef NEXT
  sp->env = xmalloc(sizeof(char *) * (envc + 1));
  for (size_t i = 0; i < envc; i++) {
    char *kv = f[at++];
    char *eq = strchr(kv, '=');
    if (!eq || eq == kv) {
      s_fmt(why, "%s: bad environment entry", path.p);
      return 0;
    }
    sp->env[i] = kv;
  }
  sp->env[envc] = NULL;
  if (sp->seg_bytes > sp->max_output) sp->seg_bytes = sp->max_output;
  free(f);
  s_free(&path);
  return 1;
}

/* In the child: reports "CODE\0message" on the close-on-exec status pipe and exits 127. */
static void child_fail(int st_w, const char *code, const char *msg) {
  struct str s = {0};
  s_add(&s, code, strlen(code) + 1);
  s_add(&s, msg, strlen(msg));
  write_all(st_w, s.p, s.len);
  _exit(127);
}

/* Closes every fd above 2 but keep (the status pipe): fds the shim inherited without
 * close-on-exec must not leak into the job (nor the fork server's into a served shim). */
void close_fds_above_2(int keep) {
#if SHIM_LINUX && defined(SYS_close_range)
  /* One syscall instead of reading /dev/fd (Linux 5.9+); ENOSYS (older kernel, seccomp): the loop. */
  int low = keep > 3 ? (int)syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) : 0;
  int high = (int)syscall(SYS_close_range, keep >= 3 ? (unsigned)keep + 1 : 3u, ~0u, 0u);
  if (low == 0 && high == 0) return;
#endif
  DIR *d = opendir("/dev/fd");
  if (!d) {
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
      if (fd != keep) close((int)fd);
    return;
  }
  int fds[256], n = 0, own = dirfd(d), more = 1;
  while (more) { /* closing while reading the directory is unsafe: collect, close, read again */
    struct dirent *e;
    more = 0;
    n = 0;
    rewinddir(d);
    while ((e = readdir(d)) != NULL) {
      char *end;
      long fd = strtol(e->d_name, &end, 10);
      if (*end || end == e->d_name || fd <= 2 || fd == keep || fd == own) continue;
      if (n == 256) {
        more = 1;
        break;
      }
      fds[n++] = (int)fd;
    }
    for (int i = 0; i < n; i++) close(fds[i]);
  }
  closedir(d);
}

/* Orders KEY=VALUE entries by key, as Perl's `sort keys %ENV`. */
static int by_key(const void *a, const void *b) {
  const char *x = *(char *const *)a, *y = *(char *const *)b;
  size_t nx = strcspn(x, "="), ny = strcspn(y, "=");
  int c = memcmp(x, y, nx < ny ? nx : ny);
  return c ? c : (nx > ny) - (nx < ny);
}

/* E2BIG: which part is too large and what to do (the limits are Linux's; sizes are bytes). The
 * same words as the Perl shim's too_big_message. */
static void too_big_message(struct str *m, const struct spec *sp) {
  unsigned long long abytes = 0, ebytes = 0;
  size_t argc = 0, envc = 0;
  struct str big = {0};
  for (; sp->argv[argc]; argc++) {
    size_t n = strlen(sp->argv[argc]) + 1;
    abytes += n;
    if (!big.len && n > 131072) s_fmt(&big, "argument %zu is %zu bytes, over the 128 KiB one argument may have (MAX_ARG_STRLEN); ", argc, n);
  }
  while (sp->env[envc]) envc++;
  char **sorted = xmalloc(sizeof(char *) * (envc + 1));
  memcpy(sorted, sp->env, sizeof(char *) * envc);
  qsort(sorted, envc, sizeof(char *), by_key);
  for (size_t i = 0; i < envc; i++) {
    size_t n = strlen(sorted[i]) + 1; /* KEY=VALUE and its NUL: key + value + 2 */
    ebytes += n;
    if (!big.len && n > 131072) s_fmt(&big, "variable %.*s is %zu bytes, over the 128 KiB one variable may have (MAX_ARG_STRLEN); ", (int)strcspn(sorted[i], "="), sorted[i], n);
  }
  const char *fix = ebytes > abytes ? "start the job with --clean-env and pass what it needs with --env K=V" : "pass long argument lists through a file (a script that reads it, or xargs)";
  s_fmt(m, "cannot execute '%s': too large for the system's exec limit (ARG_MAX): %sarguments %llu bytes in %zu %s, environment %llu bytes in %zu %s; %s", sp->argv[0], big.len ? big.p : "", abytes, argc,
        argc == 1 ? "item" : "items", ebytes, envc, envc == 1 ? "variable" : "variables", fix);
}

/* Writes "0" (this process) to <cgroup>/cgroup.procs; 0 with errno set on failure. */
static int join_cgroup(const char *cg) {
  struct str p = {0};
  s_fmt(&p, "%s/cgroup.procs", cg);
  int fd;
  do fd = open(p.p, O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  s_free(&p);
  if (fd < 0) return 0;
  ssize_t n;
  do n = write(fd, "0", 1);
  while (n < 0 && errno == EINTR);
  int e = errno;
  close(fd);
  errno = e;
  return n == 1;
}

/* Forks a child that starts inside the cgroup directory cg: clone3 with CLONE_INTO_CGROUP (Linux
 * 5.7+). Joining through cgroup.procs after a fork takes a system-wide lock and waits for an RCU
 * grace period (4-260 ms a write on a loaded VM), one start after the other. As fork() returns;
 * -1 where it is refused (no clone3, no such directory …): the caller forks, and the child joins
 * through cgroup.procs and reports any error. */
static pid_t fork_into_cgroup(const char *cg) {
#if SHIM_LINUX && defined(SYS_clone3)
  int fd;
  do fd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return -1;
  struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup; } args;
  memset(&args, 0, sizeof args);
  args.flags = 0x200000000ULL; /* CLONE_INTO_CGROUP */
  args.exit_signal = SIGCHLD;
  args.cgroup = (uint64_t)fd;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid != 0) close(fd); /* the child's copy is close-on-exec */
  return (pid_t)pid;
#else
  (void)cg;
  return -1;
#endif
}

static void child(const struct spec *sp, int out_w, int err_w, int st_w, int in_cgroup) {
  if (sp->cgroup && !in_cgroup && !join_cgroup(sp->cgroup)) { /* first: nothing of the job runs outside it */
    int e = errno;
    struct str m = {0};
    s_fmt(&m, "cannot join the job's cgroup %s: %s", sp->cgroup, strerror(e));
    child_fail(st_w, errno_name(e), m.p);
  }
  setsid(); /* own session and process group: the daemon kills -pid */
  int sigs[] = {SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGXFSZ};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  int null = open("/dev/null", O_RDONLY);
  if (null >= 0 && null != 0) {
    dup2(null, 0);
    close(null);
  }
  dup2(out_w, 1);
  dup2(err_w, 2);
  close_fds_above_2(st_w);
  struct str msg = {0};
  if (chdir(sp->cwd) != 0) {
    int e = errno;
    s_fmt(&msg, "cannot change directory to '%s': %s", sp->cwd, strerror(e));
    child_fail(st_w, errno_name(e), msg.p);
  }
  environ = sp->env; /* execvp searches this environment's PATH, and the job gets exactly it */
  execvp(sp->argv[0], sp->argv);
  int e = errno;
  const char *a0 = sp->argv[0];
  const char *path = getenv("PATH");
  struct stat stb;
  if (e == ENOENT && !strchr(a0, '/')) {
    if (path) s_fmt(&msg, "command not found: '%s' (searched PATH=%s)", a0, path);
    else s_fmt(&msg, "command not found: '%s' (the job's environment has no PATH)", a0);
  } else if (e == ENOENT && stat(a0, &stb) == 0) {
    s_fmt(&msg, "cannot execute '%s': its interpreter (the #! line) was not found", a0);
  } else if (e == E2BIG) {
    too_big_message(&msg, sp);
  } else if (e == EACCES && strchr(a0, '/') && stat(a0, &stb) == 0 && S_ISDIR(stb.st_mode)) {
    /* execve says EACCES for a directory; the user needs to hear which it is. */
    s_fmt(&msg, "cannot execute '%s': it is a directory", a0);
    child_fail(st_w, "EISDIR", msg.p);
  } else {
    s_fmt(&msg, "cannot execute '%s': %s", a0, strerror(e));
  }
  child_fail(st_w, errno_name(e), msg.p);
}

pid_t start_child(const struct spec *sp, int out_w, int err_w) {
  int st[2];
  if (pipe(st) != 0) {
    int e = errno;
    struct str m = {0};
    s_fmt(&m, "cannot create a pipe: %s", strerror(e));
    spawn_failed(errno_name(e), m.p, -1);
  }
  fcntl(st[0], F_SETFD, FD_CLOEXEC);
  fcntl(st[1], F_SETFD, FD_CLOEXEC);
  pid_t pid = sp->cgroup ? fork_into_cgroup(sp->cgroup) : -1;
  int in_cgroup = pid >= 0;
  if (pid < 0) pid = fork();
  if (pid < 0) {
    int e = errno;
    struct str m = {0};
    s_fmt(&m, "cannot fork: %s", strerror(e));
    spawn_failed(errno_name(e), m.p, -1);
  }
  if (pid == 0) {
    close(st[0]);
    child(sp, out_w, err_w, st[1], in_cgroup);
  }
  close(out_w);
  close(err_w);
  close(st[1]);
  /* Exec success closes the status pipe with nothing in it; a failure report arrives first. */
  struct str report = {0};
  char buf[4096];
  for (;;) {
    ssize_t n = read(st[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    s_add(&report, buf, (size_t)n);
  }
  close(st[0]);
  if (report.len) {
    size_t cl = strnlen(report.p, report.len);
    const char *msg = cl < report.len ? report.p + cl + 1 : "";
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    spawn_failed(report.p, msg, pid);
  }
  return pid;
}
