/* The machine's floor for "start 100 jobs until all run" (not procd): one parent starts 100
 * shim-like processes, each of which forks and execs `sleep ARG` and reports once the exec happened
 * (a close-on-exec pipe closes). Prints the ms until all 100 sleeps run and the CPU each kind of
 * process used until then (/proc/PID/schedstat), then kills them all.
 *
 *   cc -O2 -o /tmp/start-floor bench/start-floor.c && /tmp/start-floor [N]
 *   FLOOR_NO_EXEC=1 /tmp/start-floor    shim-likes forked only, as procd's native fork server does
 *   FLOOR_ARG=412399 (default)          the sleeps' argument
 *
 * Linux only (pipe2, /proc). Run it alternately with the procd bench: the machine is shared. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *arg;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ms this process has run on a CPU so far */
static double cpu_ms(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
  FILE *f = fopen(path, "r");
  unsigned long long ns = 0;
  if (f) {
    if (fscanf(f, "%llu", &ns) != 1) ns = 0;
    fclose(f);
  }
  return ns / 1e6;
}

/* The shim-like: its own session, a fork + exec of sleep, the sleep's pid on fd 3 once it runs. */
static void shim_like(void) {
  setsid();
  int p[2];
  if (pipe2(p, O_CLOEXEC)) _exit(1);
  pid_t pid = fork();
  if (pid == 0) {
    execlp("sleep", "sleep", arg, (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  char c;
  while (read(p[0], &c, 1) > 0) {
  }
  if (write(3, &pid, sizeof pid) != sizeof pid) _exit(2);
  close(3);
  int st;
  waitpid(pid, &st, 0);
  _exit(0);
}

int main(int argc, char **argv) {
  arg = getenv("FLOOR_ARG") ? getenv("FLOOR_ARG") : "412399";
  if (argc > 1 && strcmp(argv[1], "child") == 0) shim_like();
  int no_exec = getenv("FLOOR_NO_EXEC") != NULL;
  int n = argc > 1 ? atoi(argv[1]) : 100;
  if (n < 1) n = 100;
  signal(SIGPIPE, SIG_IGN); /* a closed stdout must not stop the cleanup below */
  int note[2];
  if (pipe(note)) return 1;
  note[0] = fcntl(note[0], F_DUPFD_CLOEXEC, 100); /* above fd 3, which the children's dup2 fills */
  note[1] = fcntl(note[1], F_DUPFD, 101);
  pid_t *kids = calloc(n, sizeof *kids), *sleeps = calloc(n, sizeof *sleeps);
  double t0 = now_ms();
  for (int i = 0; i < n; i++) {
    pid_t c = fork();
    if (c == 0) {
      dup2(note[1], 3);
      close(note[0]);
      close(note[1]);
      if (no_exec) shim_like();
      execl("/proc/self/exe", argv[0], "child", (char *)NULL);
      _exit(127);
    }
    kids[i] = c;
  }
  close(note[1]);
  int got = 0;
  while (got < n) {
    pid_t pid;
    if (read(note[0], &pid, sizeof pid) != sizeof pid) break;
    sleeps[got++] = pid;
  }
  double t1 = now_ms();
  double kid_ms = 0, sleep_ms = 0, self_ms = cpu_ms(getpid());
  for (int i = 0; i < n; i++) kid_ms += cpu_ms(kids[i]);
  for (int i = 0; i < got; i++) sleep_ms += cpu_ms(sleeps[i]);
  for (int i = 0; i < got; i++) kill(sleeps[i], SIGKILL);
  while (wait(NULL) > 0) {
  }
  printf("%d sleeps running after %.1f ms (%s shim-likes); cpu: parent %.0f ms, shim-likes %.0f ms, sleeps %.0f ms\n", got, t1 - t0, no_exec ? "forked" : "exec'd", self_ms, kid_ms,
         sleep_ms);
  return got == n ? 0 : 1;
}
