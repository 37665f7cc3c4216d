/* procd-shim (native): shared declarations. The file contract is the header comment of
 * daemon/shim/procd-shim.pl; this program implements the same one. */
#ifndef PROCD_SHIM_H
#define PROCD_SHIM_H

/* Linux extras (splice, F_SETPIPE_SZ, pipe2, FIONREAD) where available; everything else is POSIX
 * (XSI for SIGXFSZ). -DPROCD_SHIM_PORTABLE builds the portable code on Linux too, to test it. */
#if defined(__linux__) && !defined(PROCD_SHIM_PORTABLE)
#define SHIM_LINUX 1
#define _GNU_SOURCE
#else
#define SHIM_LINUX 0
#define _XOPEN_SOURCE 700
#endif

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef SHIM_VERSION
#define SHIM_VERSION "dev"
#endif

/* ---- files.c: clock, log, events, JSON, atomic files ---- */
int64_t now_ms(void);
int64_t mono_ms(void);
void sleep_ms(int ms);
void logmsg(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* One event line on stdout; CR/LF inside become spaces; errors ignored (the files are the truth). */
void event(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
const char *errno_name(int err);
/* Writes len bytes unless an error stops it (EINTR retried); returns the bytes written. */
size_t write_all(int fd, const char *p, size_t len);
void set_nonblock(int fd);
void *xmalloc(size_t n);
char *xstrdup(const char *s);

/* A growable string for JSON and messages. */
struct str {
  char *p;
  size_t len, cap;
};
void s_add(struct str *s, const char *p, size_t n);
void s_fmt(struct str *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void s_json(struct str *s, const char *text); /* a JSON string literal */
void s_free(struct str *s);

extern const char *job_dir;
/* Queues <jobDir>/<name> behind every file queued before it; writes the queue now unless later. */
int persist(const char *name, const char *content, int sync, int later);
int flush_pending(int now);
void drop_pending(const char *name);
int pending_count(void);
/* Writes closed (after all waiting files, retried for a minute), sends `closed`, exits 0. */
void finish(int64_t at, const char *closed_json);
/* Records a spawn failure (exit file + events) and ends the shim. pid < 0: null. */
void spawn_failed(const char *code, const char *message, pid_t pid);

/* ---- spawn.c: the spec and the child ---- */
struct spec {
  long long max_output, seg_bytes;
  char *cwd;
  char *cgroup; /* spec version 2: the job's cgroup directory; NULL: none */
  char **argv; /* NULL-terminated */
  char **env;  /* NULL-terminated KEY=VALUE */
};
/* Reads <jobDir>/spawn.spec; on failure returns 0 with a message in *why. */
int read_spec(struct spec *sp, struct str *why);
/* Forks and execs the job with fds 1/2 on out_w/err_w. Returns the pid; a failure to start is
 * reported through spawn_failed (never returns then). */
pid_t start_child(const struct spec *sp, int out_w, int err_w);

/* ---- output.c: segments and index ---- */
void output_init(long long max_output, long long seg_bytes, int out_fd, int err_fd);
/* Handles a readable stream: one chunk read (or spliced) and stored; 0 once it hit EOF. */
int output_pump(int which);
int output_open(int which);
int output_fd(int which);
void output_end(void);
void output_lost_json(struct str *s); /* ,"lostBytes":N,"stdoutLostBytes":N,"stderrLostBytes":N */
long long output_stored(int which);
long long output_lost_total(void);

/* ---- main.c: the shim for one job (exits, never returns) ---- */
/* The exit status of a shim that found its job directory claimed by another shim (it wrote nothing). */
#define SHIM_CLAIMED_STATUS 75
int shim_main(const char *dir);
/* main()'s argv and argc (set for --serve): the fork server rewrites a served shim's command line. */
extern char **process_args;
extern int process_argc;

/* Closes every fd above 2 but keep (-1: none). */
void close_fds_above_2(int keep);

/* ---- server.c: the daemon's fork server (procd-shim --serve) ---- */
int serve_main(int argc, char **argv);

#endif
