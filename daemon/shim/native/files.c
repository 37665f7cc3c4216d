/* procd-shim (native): clock, shim.log, the event channel, JSON text and the files written by
 * temp file + rename, with the retry queue for what the disk refuses (contract: the header of
 * daemon/shim/procd-shim.pl). */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *job_dir;

int64_t now_ms(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return (int64_t)time(NULL) * 1000;
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t mono_ms(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return now_ms();
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    static const char msg[] = "procd-shim: out of memory\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(70);
  }
  return p;
}

char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

size_t write_all(int fd, const char *p, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, p + done, len - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (n == 0) {
      errno = EIO;
      break;
    }
    done += (size_t)n;
  }
  return done;
}

void set_nonblock(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void s_add(struct str *s, const char *p, size_t n) {
  if (s->len + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 128;
    while (cap < s->len + n + 1) cap *= 2;
    char *q = xmalloc(cap);
    if (s->p) memcpy(q, s->p, s->len);
    free(s->p);
    s->p = q;
    s->cap = cap;
  }
  memcpy(s->p + s->len, p, n);
  s->len += n;
  s->p[s->len] = '\0';
}

static void s_vfmt(struct str *s, const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n < 0) return;
  char *tmp = xmalloc((size_t)n + 1);
  vsnprintf(tmp, (size_t)n + 1, fmt, ap);
  s_add(s, tmp, (size_t)n);
  free(tmp);
}

void s_fmt(struct str *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  s_vfmt(s, fmt, ap);
  va_end(ap);
}

void s_free(struct str *s) {
  free(s->p);
  s->p = NULL;
  s->len = s->cap = 0;
}

/* Whether p[0..n) is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int valid_utf8(const unsigned char *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = p[i];
    size_t k;
    unsigned min, cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      k = 1, min = 0x80, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      k = 2, min = 0x800, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      k = 3, min = 0x10000, cp = c & 0x07;
    } else {
      return 0;
    }
    if (n - i <= k) return 0;
    for (size_t j = 1; j <= k; j++) {
      if ((p[i + j] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (p[i + j] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    i += k + 1;
  }
  return 1;
}

/* As the Perl shim: quotes and backslashes escaped, control characters as \u00XX, and bytes of
 * text that is not valid UTF-8 as \u00XX (Latin-1), so the file always parses. */
void s_json(struct str *s, const char *text) {
  size_t n = strlen(text);
  int latin1 = !valid_utf8((const unsigned char *)text, n);
  s_add(s, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      s_add(s, e, 2);
    } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && latin1)) {
      s_fmt(s, "\\u%04x", c);
    } else {
      s_add(s, (const char *)&text[i], 1);
    }
  }
  s_add(s, "\"", 1);
}

void logmsg(const char *fmt, ...) {
  struct str s = {0};
  time_t t = time(NULL);
  struct tm tm;
  if (!localtime_r(&t, &tm)) memset(&tm, 0, sizeof tm);
  s_fmt(&s, "%04d-%02d-%02d %02d:%02d:%02d procd-shim[%ld]: ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)getpid());
  va_list ap;
  va_start(ap, fmt);
  s_vfmt(&s, fmt, ap);
  va_end(ap);
  s_add(&s, "\n", 1);
  write_all(2, s.p, s.len);
  s_free(&s);
}

void event(const char *fmt, ...) {
  struct str s = {0};
  va_list ap;
  va_start(ap, fmt);
  s_vfmt(&s, fmt, ap);
  va_end(ap);
  for (size_t i = 0; i < s.len; i++)
    if (s.p[i] == '\r' || s.p[i] == '\n') s.p[i] = ' ';
  s_add(&s, "\n", 1);
  (void)!write(1, s.p, s.len); /* EPIPE/EAGAIN ignored: a daemon that stops reading never blocks us */
  s_free(&s);
}

/* The first name in alphabetical order for the number, as Perl's %! gives it (EAGAIN, not EWOULDBLOCK). */
const char *errno_name(int err) {
  static const struct {
    int num;
    const char *name;
  } names[] = {
#define E(x) {x, #x},
      E(E2BIG) E(EACCES) E(EADDRINUSE) E(EADDRNOTAVAIL) E(EAGAIN) E(EALREADY) E(EBADF) E(EBUSY) E(ECHILD)
      E(EDEADLK) E(EDQUOT) E(EEXIST) E(EFAULT) E(EFBIG) E(EINTR) E(EINVAL) E(EIO) E(EISDIR) E(ELOOP)
      E(EMFILE) E(EMLINK) E(ENAMETOOLONG) E(ENFILE) E(ENODEV) E(ENOENT) E(ENOEXEC) E(ENOMEM) E(ENOSPC)
      E(ENOSYS) E(ENOTDIR) E(ENOTEMPTY) E(ENOTSUP) E(ENXIO) E(EOPNOTSUPP) E(EOVERFLOW) E(EPERM) E(EPIPE)
      E(EROFS) E(ESPIPE) E(ESRCH) E(ETXTBSY) E(EWOULDBLOCK) E(EXDEV)
#ifdef ELIBBAD
      E(ELIBBAD) /* Linux: a bad ELF interpreter */
#endif
#undef E
  };
  static char other[24];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (names[i].num == err) return names[i].name;
  snprintf(other, sizeof other, "E%d", err);
  return other;
}

/* ---- files written by temp file + rename ---- */

#define MAX_PENDING 8
static struct {
  char name[16];
  char *content;
  int sync;
} pending[MAX_PENDING];
static int npending;
static int64_t pending_at;
static char write_failed[MAX_PENDING][16]; /* names whose last write failed: logged once per streak */

static int failed_index(const char *name, int add) {
  for (int i = 0; i < MAX_PENDING; i++)
    if (strcmp(write_failed[i], name) == 0) return i;
  if (!add) return -1;
  for (int i = 0; i < MAX_PENDING; i++)
    if (!write_failed[i][0]) {
      snprintf(write_failed[i], sizeof write_failed[i], "%s", name);
      return i;
    }
  return -1;
}

/* True when <jobDir>/<name> is in place; after a failure the temp file is removed again (a full
 * disk must not also collect half-written files). */
static int write_atomic(const char *name, const char *content, int sync) {
  struct str path = {0}, tmp = {0};
  s_fmt(&path, "%s/%s", job_dir, name);
  s_fmt(&tmp, "%s.tmp.%ld", path.p, (long)getpid());
  int err = 0;
  int fd = open(tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    err = errno;
  } else {
    size_t len = strlen(content);
    if (write_all(fd, content, len) != len) err = errno;
    /* A failed fsync (some file systems refuse it) is logged but does not keep the file out. */
    if (!err && sync && fsync(fd) != 0) logmsg("fsync %s: %s", tmp.p, strerror(errno));
    if (close(fd) != 0 && !err) err = errno;
    if (!err && rename(tmp.p, path.p) != 0) err = errno;
    if (err) unlink(tmp.p);
  }
  int i = failed_index(name, 0);
  if (!err) {
    if (i >= 0) {
      write_failed[i][0] = '\0';
      logmsg("wrote %s after all", path.p);
    }
  } else if (i < 0) {
    failed_index(name, 1);
    logmsg("cannot write %s: %s (retrying)", path.p, strerror(err));
  }
  s_free(&path);
  s_free(&tmp);
  return !err;
}

void drop_pending(const char *name) {
  int j = 0;
  for (int i = 0; i < npending; i++) {
    if (strcmp(pending[i].name, name) == 0) {
      free(pending[i].content);
      continue;
    }
    pending[j++] = pending[i];
  }
  npending = j;
}

int persist(const char *name, const char *content, int sync, int later) {
  drop_pending(name); /* newer content for the same name replaces the waiting one */
  if (npending == MAX_PENDING) abort(); /* four names exist: cannot happen */
  snprintf(pending[npending].name, sizeof pending[npending].name, "%s", name);
  pending[npending].content = xstrdup(content);
  pending[npending].sync = sync;
  npending++;
  return later ? 0 : flush_pending(1);
}

int flush_pending(int now) {
  if (!npending) return 1;
  if (!now && mono_ms() - pending_at < 1000) return 0;
  pending_at = mono_ms();
  while (npending) {
    if (!write_atomic(pending[0].name, pending[0].content, pending[0].sync)) return 0;
    free(pending[0].content);
    memmove(&pending[0], &pending[1], sizeof pending[0] * (size_t)(npending - 1));
    npending--;
  }
  return 1;
}

int pending_count(void) { return npending; }

#define FINAL_RETRY_MS 60000

void finish(int64_t at, const char *closed_json) {
  persist("closed", closed_json, 0, 1);
  int64_t deadline = mono_ms() + FINAL_RETRY_MS;
  while (!flush_pending(1)) {
    if (mono_ms() >= deadline) {
      struct str names = {0};
      for (int i = 0; i < npending; i++) s_fmt(&names, "%s%s", i ? " " : "", pending[i].name);
      logmsg("giving up; not written: %s", names.p);
      s_free(&names);
      break;
    }
    sleep_ms(1000);
  }
  event("closed %lld", (long long)at);
  exit(0);
}

void spawn_failed(const char *code, const char *message, pid_t pid) {
  int64_t at = now_ms();
  logmsg("spawn error %s: %s", code, message);
  struct str s = {0};
  if (pid > 0) s_fmt(&s, "{\"pid\":%ld", (long)pid);
  else s_fmt(&s, "{\"pid\":null");
  s_fmt(&s, ",\"shimPid\":%ld,\"spawnError\":{\"code\":", (long)getpid());
  s_json(&s, code);
  s_add(&s, ",\"message\":", 11);
  s_json(&s, message);
  s_fmt(&s, "},\"at\":%lld}\n", (long long)at);
  persist("exit", s.p, 1, 0);
  s_free(&s);
  event("spawn_error %s %lld %s", code, (long long)at, message);
  int64_t closed_at = now_ms();
  struct str c = {0};
  s_fmt(&c, "{\"at\":%lld,\"stdoutBytes\":0,\"stderrBytes\":0,\"lostBytes\":0,\"stdoutLostBytes\":0,\"stderrLostBytes\":0}\n", (long long)closed_at);
  finish(closed_at, c.p);
}
