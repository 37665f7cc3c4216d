/* procd-shim (native): the job's output into segment files and the index, with rotation and the
 * lost-bytes accounting for disk errors (contract: daemon/shim/procd-shim.pl, "Output" and
 * "Disk errors").
 * On Linux the bytes go pipe -> file with splice(2) (no copy through this process); the
 * portable read/write path is used elsewhere, when PROCD_SHIM_NO_SPLICE is set, and for bytes
 * that must be counted as lost. Both store exactly the same bytes in the same files. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define READ_SIZE (1 << 20)
#define INDEX_SEGMENTS 4
#define DISK_NOTES 100 /* shim.log lines about disk trouble; a long outage must not fill the log */
#define BIG_PIPE (1 << 20)
#define TIME_STEP_MS 100 /* a new index entry at least this often: arrival times to 0.1 s */

static char buf[READ_SIZE]; /* untouched pages cost no memory: an idle job's shim stays small */

/* Offsets of the segment files kept, oldest first. */
struct segs {
  long long *v;
  size_t head, n, cap;
};

struct stream {
  char tag;
  const char *name;
  int fd;  /* the pipe, -1 once at EOF */
  int cur; /* the open segment, -1 when none */
  long long off, cur_start, lost, gap, gap_at;
  struct segs segs;
  int grown; /* pipe buffer raised once this stream filled it */
};

static struct stream streams[2] = {
    {'o', "stdout", -1, -1, 0, 0, 0, 0, 0, {0}, 0},
    {'e', "stderr", -1, -1, 0, 0, 0, 0, 0, {0}, 0},
};
static struct {
  int cur, failing;
  long long off, cur_start;
  struct segs segs;
} ix = {-1, 0, 0, 0, {0}};

static long long max_out, seg_bytes, index_seg_bytes, lost_total;
static char last_tag;
static int64_t last_entry_mono;
static int disk_notes;
#if SHIM_LINUX
static int use_splice;
#endif

static long long segs_first(const struct segs *s) { return s->v[s->head]; }
static long long segs_last(const struct segs *s) { return s->v[s->head + s->n - 1]; }
static void segs_push(struct segs *s, long long off) {
  if (s->n && segs_last(s) == off) return;
  if (s->head + s->n == s->cap) {
    if (s->head > s->cap / 2) { /* mostly consumed: slide down instead of growing */
      memmove(s->v, s->v + s->head, sizeof *s->v * s->n);
      s->head = 0;
    } else {
      size_t cap = s->cap ? s->cap * 2 : 8;
      long long *v = xmalloc(sizeof *v * cap);
      if (s->n) memcpy(v, s->v + s->head, sizeof *v * s->n);
      free(s->v);
      s->v = v;
      s->cap = cap;
      s->head = 0;
    }
  }
  s->v[s->head + s->n++] = off;
}
static long long segs_shift(struct segs *s) {
  s->n--;
  return s->v[s->head++];
}

static void seg_path(struct str *p, const char *name, long long off) {
  s_fmt(p, "%s/out/%s.%016lld", job_dir, name, off);
}

static void unlink_seg(const char *name, long long off) {
  struct str p = {0};
  seg_path(&p, name, off);
  unlink(p.p);
  s_free(&p);
}

static void disk_note(const char *msg) {
  if (disk_notes > DISK_NOTES) return;
  if (++disk_notes > DISK_NOTES) logmsg("more disk errors and gaps are not logged; the totals are in the lost and closed files");
  else logmsg("%s", msg);
}

void output_lost_json(struct str *s) {
  s_fmt(s, ",\"lostBytes\":%lld,\"stdoutLostBytes\":%lld,\"stderrLostBytes\":%lld", lost_total, streams[0].lost, streams[1].lost);
}

/* n bytes the disk refused: counted (the lost file is rewritten soon), the gap logged once
 * output is stored again. */
static void lose(struct stream *st, long long n, const char *why) {
  if (n <= 0) return;
  if (!st->gap) {
    st->gap_at = st->off;
    struct str m = {0};
    s_fmt(&m, "%s: %s; output is lost from offset %lld on until the disk takes it again", st->name, why, st->off);
    disk_note(m.p);
    s_free(&m);
  }
  st->gap += n;
  st->lost += n;
  lost_total += n;
  struct str j = {0};
  s_fmt(&j, "{\"at\":%lld", (long long)now_ms());
  output_lost_json(&j);
  s_add(&j, "}\n", 2);
  persist("lost", j.p, 0, 1);
  s_free(&j);
}

static void end_gap(struct stream *st, const char *how) {
  struct str m = {0};
  s_fmt(&m, "%s: %lld bytes lost at offset %lld (%s)", st->name, st->gap, st->gap_at, how);
  disk_note(m.p);
  s_free(&m);
  st->gap = 0;
}

/* Appends one index entry: 1 when it is in the index, 0 when the disk refused it (then no part
 * of it is: a partly written line is cut off again, or the segment ends before it). */
static int write_index(const char *line) {
  size_t len = strlen(line);
  if (ix.cur < 0) {
    struct str p = {0};
    seg_path(&p, "index", ix.off);
    ix.cur = open(p.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (ix.cur < 0) {
      struct str m = {0};
      s_fmt(&m, "cannot create %s: %s; output that needs a new index entry is lost until it works", p.p, strerror(errno));
      if (!ix.failing++) disk_note(m.p);
      s_free(&m);
      s_free(&p);
      return 0;
    }
    s_free(&p);
    ix.cur_start = ix.off;
    segs_push(&ix.segs, ix.off);
    while (ix.segs.n > INDEX_SEGMENTS) unlink_seg("index", segs_shift(&ix.segs));
  }
  size_t done = write_all(ix.cur, line, len);
  if (done < len) {
    int e = errno;
    /* Half a line would be glued to the next entry and misread: cut it off again (if even that
     * fails it stays the segment's unterminated last line, which readers ignore). The segment
     * ends here; the next entry opens one named by this offset. */
    if (done != 0 && ftruncate(ix.cur, (off_t)(ix.off - ix.cur_start)) != 0) ix.off += (long long)done;
    close(ix.cur);
    ix.cur = -1;
    struct str p = {0}, m = {0};
    seg_path(&p, "index", ix.cur_start);
    s_fmt(&m, "cannot write %s: %s; output that needs a new index entry is lost until it works", p.p, strerror(e));
    if (!ix.failing++) disk_note(m.p);
    s_free(&p);
    s_free(&m);
    return 0;
  }
  ix.failing = 0;
  ix.off += (long long)done;
  if (ix.off - ix.cur_start >= index_seg_bytes) {
    close(ix.cur);
    ix.cur = -1;
  }
  return 1;
}

/* Reads and discards n bytes that are waiting in the pipe (a chunk being counted as lost). */
static void discard(int fd, long long n) {
  while (n > 0) {
    ssize_t r = read(fd, buf, (size_t)(n < READ_SIZE ? n : READ_SIZE));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return;
    n -= r;
  }
}

#if SHIM_LINUX
/* Reads exactly n bytes waiting in the pipe into buf at pos (FIONREAD said they are there). */
static size_t fill(int fd, size_t pos, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + pos + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  return got;
}
#endif

/* Moves n bytes of a chunk of len bytes into the open segment, from buf at pos or (when
 * *from_pipe) straight from the pipe. Returns the bytes written; less than n only on an error
 * (errno says which). A file system that cannot splice turns the chunk's rest into a copy. */
static size_t put(struct stream *st, int *from_pipe, size_t pos, size_t n, size_t len) {
  size_t done = 0;
#if SHIM_LINUX
  while (*from_pipe && done < n) {
    ssize_t r = splice(st->fd, NULL, st->cur, NULL, n - done, SPLICE_F_MOVE);
    if (r > 0) {
      done += (size_t)r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
      use_splice = 0;
      *from_pipe = 0;
      size_t want = len - pos - done;
      if (fill(st->fd, pos + done, want) < want) { /* cannot happen: the bytes were counted */
        errno = EIO;
        return done;
      }
    } else {
      if (r == 0) errno = EIO;
      return done;
    }
  }
#else
  (void)len, (void)from_pipe;
#endif
  return done + write_all(st->cur, buf + pos + done, n - done);
}

/* Stores one chunk of len bytes (in buf, or still in the pipe when from_pipe): its index entry
 * first when needed, then the bytes, split exactly at segment boundaries; then rotation. */
static void store(struct stream *st, size_t len, int from_pipe) {
  int64_t mono = mono_ms();
  int change = st->tag != last_tag;
  if (change || mono - last_entry_mono >= TIME_STEP_MS) {
    char line[96];
    snprintf(line, sizeof line, "%lld %c %lld\n", (long long)now_ms(), st->tag, st->off);
    if (write_index(line)) {
      last_tag = st->tag;
      last_entry_mono = mono;
    } else if (change) {
      /* Stored without the entry that marks the change of stream, these bytes would be shown
       * before the other stream's output that came first: lost (and counted), not misplaced. */
      if (from_pipe) discard(st->fd, (long long)len);
      lose(st, (long long)len, "its index entry could not be written");
      return;
    }
  }
  size_t pos = 0;
  while (pos < len) {
    if (st->cur >= 0 && st->off - st->cur_start >= seg_bytes) {
      close(st->cur);
      st->cur = -1;
    }
    if (st->cur < 0) {
      /* O_TRUNC loses nothing: a segment is named by the offset of its first byte, and every
       * byte stored advances the offset, so a file of this name is new or empty. */
      struct str p = {0};
      seg_path(&p, st->name, st->off);
      st->cur = open(p.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (st->cur < 0) {
        struct str why = {0};
        s_fmt(&why, "cannot create %s: %s", p.p, strerror(errno));
        if (from_pipe) discard(st->fd, (long long)(len - pos));
        lose(st, (long long)(len - pos), why.p);
        s_free(&why);
        s_free(&p);
        break;
      }
      s_free(&p);
      st->cur_start = st->off;
      segs_push(&st->segs, st->off);
    }
    long long room = seg_bytes - (st->off - st->cur_start);
    size_t n = len - pos < (unsigned long long)room ? len - pos : (size_t)room;
    size_t done = put(st, &from_pipe, pos, n, len);
    int e = errno;
    if (done > 0 && st->gap) end_gap(st, "output resumes there");
    st->off += (long long)done;
    pos += done;
    if (done < n) {
      /* The segment ends here; the next chunk opens a new one at this offset (that also gets
       * past a limit on one file's size). */
      close(st->cur);
      st->cur = -1;
      if (from_pipe) discard(st->fd, (long long)(len - pos));
      struct str why = {0};
      s_fmt(&why, "cannot write %s at offset %lld: %s", st->name, st->off, strerror(e));
      lose(st, (long long)(len - pos), why.p);
      s_free(&why);
      break;
    }
  }
  while (st->segs.n > 1 && st->off - segs_first(&st->segs) > max_out) unlink_seg(st->name, segs_shift(&st->segs));
}

void output_init(long long max_output, long long segment_bytes, int out_fd, int err_fd) {
  max_out = max_output;
  seg_bytes = segment_bytes;
  index_seg_bytes = max_out / 16;
  if (index_seg_bytes > 1 << 20) index_seg_bytes = 1 << 20;
  if (index_seg_bytes < 4096) index_seg_bytes = 4096;
  streams[0].fd = out_fd;
  streams[1].fd = err_fd;
#if SHIM_LINUX
  use_splice = getenv("PROCD_SHIM_NO_SPLICE") == NULL;
#endif
}

int output_open(int which) { return streams[which].fd >= 0; }
int output_fd(int which) { return streams[which].fd; }
long long output_stored(int which) { return streams[which].off; }
long long output_lost_total(void) { return lost_total; }

/* A busy stream gets a bigger pipe (fewer wake-ups, the job blocks less). Only then: every pipe
 * buffer counts against the user's pipe-user-pages limit, and most jobs write little. */
static void grow_pipe(struct stream *st, size_t got) {
#if SHIM_LINUX && defined(F_SETPIPE_SZ)
  if (st->grown) return;
  int size = fcntl(st->fd, F_GETPIPE_SZ);
  if (size > 0 && got >= (size_t)size) {
    st->grown = 1;
    fcntl(st->fd, F_SETPIPE_SZ, BIG_PIPE); /* refused (EPERM over the limit): the default stays */
  }
#else
  (void)st, (void)got;
#endif
}

int output_pump(int which) {
  struct stream *st = &streams[which];
  size_t avail = 0;
#if SHIM_LINUX && defined(FIONREAD)
  int n = 0;
  if (use_splice && ioctl(st->fd, FIONREAD, &n) == 0 && n > 0) avail = (size_t)n;
#endif
  if (avail > 0) {
    size_t len = avail < READ_SIZE ? avail : READ_SIZE;
    grow_pipe(st, avail);
    store(st, len, 1);
    return 1;
  }
  ssize_t got = read(st->fd, buf, READ_SIZE);
  if (got < 0) {
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) return 1;
    logmsg("reading %s failed: %s", st->name, strerror(errno));
    got = 0;
  }
  if (got == 0) {
    close(st->fd);
    st->fd = -1;
    if (st->cur >= 0) close(st->cur);
    st->cur = -1;
    return 0;
  }
  grow_pipe(st, (size_t)got);
  store(st, (size_t)got, 0);
  return 1;
}

/* After both pipes closed: the index segment, and the gaps still open, logged. */
void output_end(void) {
  if (ix.cur >= 0) close(ix.cur);
  ix.cur = -1;
  for (int i = 0; i < 2; i++)
    if (streams[i].gap) end_gap(&streams[i], "up to the end of the output");
  if (lost_total)
    logmsg("%lld bytes of output were lost (stdout %lld, stderr %lld); see above", lost_total, streams[0].lost, streams[1].lost);
}
