// The reference for the small-upload comparison: what one thread can make
// durable, one small file at a time, on a disk. Each file is written to a
// temporary name, fdatasync'ed, renamed to its final name and the directory
// fsync'ed, so that after each step the file is on the disk under its
// name: the least any server must do per upload it acknowledges.
//
//   fsync_loop DIR FILE SECONDS
//
// Writes the bytes of FILE again and again as DIR/NNN for SECONDS, then
// prints "files seconds cpu_seconds" (cpu = user + system of this process).
// Exits 1 on any I/O error.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int Fail(const char* what, const char* path) {
  fprintf(stderr, "fsync_loop: %s %s: %s\n", what, path, strerror(errno));
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: fsync_loop DIR FILE SECONDS\n");
    return 2;
  }
  const char* dir = argv[1];
  double seconds = atof(argv[3]);

  static char body[1 << 20];
  int in = open(argv[2], O_RDONLY);
  if (in < 0) return Fail("open", argv[2]);
  ssize_t size = read(in, body, sizeof body);
  if (size <= 0) return Fail("read", argv[2]);
  close(in);

  int dir_fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (dir_fd < 0) return Fail("open", dir);

  char tmp[4096], final[4096];
  long files = 0;
  double start = Now(), end = start;
  while (end - start < seconds) {
    snprintf(tmp, sizeof tmp, "%s/%ld.tmp", dir, files);
    snprintf(final, sizeof final, "%s/%ld", dir, files);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Fail("open", tmp);
    if (write(fd, body, size) != size) return Fail("write", tmp);
    if (fdatasync(fd) != 0) return Fail("fdatasync", tmp);
    if (close(fd) != 0) return Fail("close", tmp);
    if (rename(tmp, final) != 0) return Fail("rename", tmp);
    if (fsync(dir_fd) != 0) return Fail("fsync", dir);
    files++;
    end = Now();
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
               ru.ru_stime.tv_usec / 1e6;
  printf("%ld %.6f %.6f\n", files, end - start, cpu);
  return 0;
}
