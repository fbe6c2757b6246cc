#include "adapters/sqlite/sqlite_database.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lethe {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Syncs the directory holding `path`, so a file just created in it (the
// WAL) survives power loss.
Status SyncParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  if (dir.empty()) dir = "/";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Internal(Errno("open " + dir));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::Internal(Errno("fsync " + dir));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path,
                                                             SqliteOptions options) {
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase());
  db->path_ = path;
  LETHE_ASSIGN_OR_RETURN(db->writer_, SqliteConnection::Open(path));
  // SQLite makes the WAL on first use; make sure it exists now, so the
  // group sync below has a file to hold on to. A write transaction with no
  // change creates it without touching the data.
  LETHE_RETURN_IF_ERROR(db->writer_->ExecScript("BEGIN IMMEDIATE; COMMIT;"));
  std::string wal = path + "-wal";
  db->wal_fd_ = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (db->wal_fd_ < 0) return Status::Internal(Errno("open " + wal));
  LETHE_RETURN_IF_ERROR(SyncParentDir(path));
  // The WAL stays the same file while any connection is open (checkpoints
  // truncate or overwrite it in place), so syncing this descriptor syncs
  // whatever the writer appended to it.
  int fd = db->wal_fd_;
  db->group_ = std::make_unique<GroupSync>([fd, wal]() -> Status {
    if (::fdatasync(fd) != 0) return Status::Internal(Errno("fdatasync " + wal));
    return Status::Ok();
  });
  for (int i = 0; i < std::max(1, options.readers); ++i) {
    LETHE_ASSIGN_OR_RETURN(auto reader, SqliteConnection::Open(path));
    LETHE_RETURN_IF_ERROR(reader->ExecScript("PRAGMA query_only=ON"));
    db->idle_readers_.push_back(reader.get());
    db->readers_.push_back(std::move(reader));
  }
  return db;
}

SqliteDatabase::~SqliteDatabase() {
  // Connections close before the descriptor, so SQLite's last close (which
  // checkpoints and removes the WAL) finds nothing of ours in the way.
  readers_.clear();
  writer_.reset();
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

Status SqliteDatabase::Write(Durability durability,
                             const std::function<Status(SqlConnection&)>& fn) {
  uint64_t ticket = 0;
  Status st;
  {
    std::lock_guard lock(write_mu_);
    // IMMEDIATE takes SQLite's write lock now, so no statement in fn can
    // fail later for want of it. Writers are serial: serializable.
    LETHE_RETURN_IF_ERROR(writer_->ExecScript("BEGIN IMMEDIATE"));
    st = fn(*writer_);
    if (st.ok()) st = writer_->ExecScript("COMMIT");
    if (!st.ok()) {
      (void)writer_->ExecScript("ROLLBACK");
      return st;
    }
    if (durability == Durability::kPowerLoss) ticket = group_->Written();
  }
  if (ticket == 0) return Status::Ok();
  Status synced = group_->WaitDurable(ticket);
  if (!synced.ok()) {
    return Status::Internal("committed, but the commit may not survive power loss: " +
                            synced.message());
  }
  return Status::Ok();
}

Status SqliteDatabase::Read(const std::function<Status(SqlConnection&)>& fn) {
  SqliteConnection* conn = nullptr;
  {
    std::unique_lock lock(read_mu_);
    reader_free_.wait(lock, [this] { return !idle_readers_.empty(); });
    conn = idle_readers_.back();
    idle_readers_.pop_back();
  }
  // One read transaction: every statement in fn sees the same snapshot.
  Status st = conn->ExecScript("BEGIN");
  if (st.ok()) {
    st = fn(*conn);
    Status end = conn->ExecScript(st.ok() ? "COMMIT" : "ROLLBACK");
    if (st.ok()) st = end;
  }
  {
    std::lock_guard lock(read_mu_);
    idle_readers_.push_back(conn);
  }
  reader_free_.notify_one();
  return st;
}

Status SqliteDatabase::Forget() {
  std::lock_guard lock(write_mu_);
  return writer_->CheckpointTruncate();
}

}  // namespace lethe
