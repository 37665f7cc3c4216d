/* procd-shim --serve <program> [args...]: the daemon's resident fork server.
 *
 * Starting a shim from Node costs a fork of the whole daemon (~8 ms here, synchronous); this small
 * process forks instead (well under a millisecond) and execs `<program> [args...] <jobDir>` (PATH
 * searched, as for `perl`) for
 * every request, so 100 concurrent starts are not 100 forks of the daemon. It also relays each
 * shim's event channel, so the daemon reads one pipe for all shims, in order.
 *
 * stdin (daemon -> server): one job directory per line: start its shim.
 * stdout (server -> daemon), one record per line:
 *   R <version>                   ready (once, first)
 *   P <pid>                       the shim for the oldest unanswered request runs as <pid>
 *   F <ERRNO> <message>           ... could not be forked (the request is answered, in order)
 *   E <pid> <n>\n<n bytes>        bytes the shim wrote to its event channel (its stdout)
 *   G <pid> <code|-> <signal|->   the shim ended (after its last E): exit code or signal number
 * The shim runs in its own session with stdin /dev/null and stderr appended to <jobDir>/shim.log,
 * exactly as when the daemon starts it itself. The server ends when its stdin closes (the daemon
 * went away); running shims do not depend on it: they keep their jobs and files. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct shim {
  pid_t pid;
  int fd; /* read end of its event channel; -1 once closed */
};

/* Requests started per turn of the loop, between relays of the shims' channels: with 100 at once,
 * the first shims' `started` reach the daemon while later ones are still being forked, so the
 * daemon's work overlaps the forks instead of following them all. */
#define REQUESTS_PER_TURN 4

static struct shim *shims;
static size_t n_shims, cap_shims;
static int wake_w = -1;
static struct str pending; /* request bytes not yet ended by a newline */
static struct pollfd *pf;
#if SHIM_LINUX
/* The program to serve is this very binary: a served shim runs shim_main() in the forked child
 * instead of exec'ing it again (an exec and its dynamic loading cost more than the fork here). */
static int serve_self;
#endif

static void on_chld(int sig) {
  int e = errno;
  (void)sig;
  (void)!write(wake_w, "x", 1);
  errno = e;
}

/* Everything to the daemon goes through here; a daemon that is gone ends the server. */
static void reply(const char *p, size_t n) {
  if (write_all(1, p, n) != n) _exit(0);
}

static void replyf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static void replyf(const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n > sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  reply(line, (size_t)n);
}

#if SHIM_LINUX
/* program (as given: an absolute path for the native shim) is the file this process runs. */
static int is_this_binary(const char *program) {
  struct stat a, b;
  return program[0] == '/' && stat(program, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Makes the command line read `<argv[0]> <dir>`, as for an exec'd shim, in place (the memory of
 * main()'s arguments is what /proc/PID/cmdline shows; the rest of it is cleared). 0: it does not
 * fit, nothing changed. */
static int set_command_line(const char *dir) {
  if (!process_args || process_argc < 1) return 0;
  char *start = process_args[0], *end = start;
  for (int i = 0; i < process_argc; i++) {
    if (process_args[i] != end) return 0; /* not one contiguous block: leave it */
    end += strlen(process_args[i]) + 1;
  }
  size_t a0 = strlen(start) + 1, d = strlen(dir) + 1;
  if (a0 + d > (size_t)(end - start)) return 0;
  memcpy(start + a0, dir, d);
  memset(start + a0 + d, 0, (size_t)(end - start) - a0 - d);
  return 1;
}

/* A served shim in the forked child (fds 0-2 only, default signal handlers: become_shim) keeps
 * no server memory in use. */
static void drop_server_state(void) {
  free(shims);
  shims = NULL;
  n_shims = cap_shims = 0;
  s_free(&pending);
  free(pf);
  pf = NULL;
  wake_w = -1;
}
#endif

/* The child between fork and exec. The server is single-threaded, so the child may call what it
 * likes (opendir, malloc): no other thread held a lock at the fork. */
static void become_shim(char *const *argv, const char *log_path, int event_w, const char *cannot_run, const char *dir) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGCHLD, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  setsid();
  int null = open("/dev/null", O_RDWR);
  int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (null >= 0) dup2(null, 0);
  dup2(event_w, 1);
  dup2(log >= 0 ? log : null, 2);
  /* Nothing else of the server's into the shim (null and log, fds it inherited without
   * close-on-exec): the shim would hold them all its life. */
  close_fds_above_2(-1);
#if SHIM_LINUX
  if (serve_self && set_command_line(dir)) {
    char *own = xstrdup(dir); /* dir points into the request buffer, freed next */
    drop_server_state();
    shim_main(own);
    _exit(70); /* shim_main ends the process itself */
  }
#else
  (void)dir;
#endif
  execvp(argv[0], argv); /* `perl` is looked up in PATH, as the daemon would */
  /* "procd-shim server: cannot run <program>: <ERRNO> <message>": the daemon reads it back (fork-server.ts). */
  int e = errno;
  const char *name = errno_name(e), *text = strerror(e);
  (void)!write(2, cannot_run, strlen(cannot_run));
  (void)!write(2, name, strlen(name));
  (void)!write(2, " ", 1);
  (void)!write(2, text, strlen(text));
  (void)!write(2, "\n", 1);
  _exit(127);
}

static void start_shim(char **program, int n_program, const char *dir) {
  int p[2];
#if SHIM_LINUX
  int ok = pipe2(p, O_CLOEXEC) == 0;
#else
  int ok = pipe(p) == 0;
  if (ok) fcntl(p[0], F_SETFD, FD_CLOEXEC), fcntl(p[1], F_SETFD, FD_CLOEXEC);
#endif
  if (!ok) {
    int e = errno;
    replyf("F %s cannot create a pipe: %s", errno_name(e), strerror(e));
    return;
  }
  char **argv = xmalloc(sizeof(char *) * (size_t)(n_program + 2));
  for (int i = 0; i < n_program; i++) argv[i] = program[i];
  argv[n_program] = (char *)dir;
  argv[n_program + 1] = NULL;
  struct str log = {0}, cannot_run = {0};
  s_fmt(&log, "%s/shim.log", dir);
  s_fmt(&cannot_run, "procd-shim server: cannot run %s: ", program[0]);
  pid_t pid = fork();
  if (pid == 0) become_shim(argv, log.p, p[1], cannot_run.p, dir);
  int e = errno;
  free(argv);
  s_free(&log);
  s_free(&cannot_run);
  close(p[1]);
  if (pid < 0) {
    close(p[0]);
    replyf("F %s cannot fork: %s", errno_name(e), strerror(e));
    return;
  }
  set_nonblock(p[0]);
  if (n_shims == cap_shims) {
    cap_shims = cap_shims ? cap_shims * 2 : 64;
    struct shim *grown = realloc(shims, sizeof *shims * cap_shims);
    if (!grown) {
      logmsg("out of memory");
      _exit(1);
    }
    shims = grown;
  }
  shims[n_shims].pid = pid;
  shims[n_shims].fd = p[0];
  n_shims++;
  replyf("P %ld", (long)pid);
}

/* Relays what the shim's channel holds now; 0 once it is at its end (or broken). */
static int relay(struct shim *s) {
  char buf[16384];
  for (;;) {
    ssize_t n = read(s->fd, buf, sizeof buf);
    if (n > 0) {
      replyf("E %ld %ld", (long)s->pid, (long)n);
      reply(buf, (size_t)n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 1;
    close(s->fd);
    s->fd = -1;
    return 0;
  }
}

/* Reaps ended shims: what each wrote last is relayed first, then its end. */
static void reap(void) {
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;
    for (size_t i = 0; i < n_shims; i++) {
      if (shims[i].pid != pid) continue;
      if (shims[i].fd >= 0) {
        relay(&shims[i]); /* the shim is gone: everything it wrote is in the pipe now */
        if (shims[i].fd >= 0) close(shims[i].fd);
      }
      if (WIFSIGNALED(status)) replyf("G %ld - %d", (long)pid, WTERMSIG(status));
      else replyf("G %ld %d -", (long)pid, WEXITSTATUS(status));
      shims[i] = shims[--n_shims];
      break;
    }
  }
}

int serve_main(int argc, char **argv) {
  if (argc < 1 || !argv[0][0]) {
    fprintf(stderr, "usage: procd-shim --serve program [args...]\n");
    return 2;
  }
#if SHIM_LINUX
  serve_self = argc == 1 && is_this_binary(argv[0]) && getenv("PROCD_SHIM_SERVE_EXEC") == NULL;
#endif
  int ignored[] = {SIGHUP, SIGINT, SIGPIPE};
  for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) signal(ignored[i], SIG_IGN);
  int wake[2];
  if (pipe(wake) != 0) return 1;
  fcntl(wake[0], F_SETFD, FD_CLOEXEC);
  fcntl(wake[1], F_SETFD, FD_CLOEXEC);
  set_nonblock(wake[0]);
  set_nonblock(wake[1]);
  wake_w = wake[1];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_chld;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigaction(SIGCHLD, &sa, NULL);
  replyf("R %s", SHIM_VERSION);

  size_t cap_pf = 0;
  for (;;) {
    if (cap_pf < n_shims + 2) {
      cap_pf = (n_shims + 2) * 2;
      pf = realloc(pf, sizeof *pf * cap_pf);
      if (!pf) return 1;
    }
    size_t n = 0;
    pf[n].fd = 0, pf[n].events = POLLIN, n++;
    pf[n].fd = wake[0], pf[n].events = POLLIN, n++;
    for (size_t i = 0; i < n_shims; i++) pf[n].fd = shims[i].fd, pf[n].events = POLLIN, n++; /* -1: skipped */
    /* Requests already read wait for the next turn without blocking (see REQUESTS_PER_TURN). */
    int queued = pending.len && memchr(pending.p, '\n', pending.len) != NULL;
    if (poll(pf, (nfds_t)n, queued ? 0 : -1) < 0) {
      if (errno == EINTR) continue;
      logmsg("poll failed: %s", strerror(errno));
      return 1;
    }
    if (pf[1].revents) {
      char junk[64];
      while (read(wake[0], junk, sizeof junk) > 0) {
      }
      reap();
    }
    /* Channels before requests: n_shims may have shrunk in reap(), so match by fd. */
    for (size_t k = 2; k < n; k++) {
      if (!pf[k].revents || pf[k].fd < 0) continue;
      for (size_t i = 0; i < n_shims; i++)
        if (shims[i].fd == pf[k].fd) relay(&shims[i]);
    }
    if (pf[0].revents) {
      char buf[8192];
      ssize_t r = read(0, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return 0; /* the daemon is gone: so is the server; shims run on */
      s_add(&pending, buf, (size_t)r);
    }
    char *line = pending.p, *nl;
    for (int k = 0; k < REQUESTS_PER_TURN && pending.len && (nl = memchr(line, '\n', pending.len - (size_t)(line - pending.p))); k++) {
      *nl = '\0';
      if (line[0] == '/') start_shim(argv, argc, line);
      else replyf("F EINVAL the job directory must be an absolute path");
      line = nl + 1;
    }
    if (pending.len) {
      size_t rest = pending.len - (size_t)(line - pending.p);
      memmove(pending.p, line, rest);
      pending.len = rest;
    }
  }
}
