// The few POSIX file operations durability needs, with errors as statuses
// that name the path. Nothing here buffers: a successful SyncData/SyncDir
// means the bytes (or the directory entry) are on stable storage.
#ifndef BACKINSTOCK_SERVER_STORE_JOURNAL_FILES_H_
#define BACKINSTOCK_SERVER_STORE_JOURNAL_FILES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace backinstock::store::journal {

// An owned file descriptor, closed on destruction.
class File {
 public:
  File() = default;
  explicit File(int fd) : fd_(fd) {}
  File(File&& other) noexcept : fd_(other.release()) {}
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  int release();

 private:
  int fd_ = -1;
};

// Creates `dir` (and missing parents) and makes the new entries durable.
absl::Status CreateDirectories(const std::string& dir);

// Takes an exclusive advisory lock on `dir`/LOCK for as long as the returned
// file stays open; FAILED_PRECONDITION when another process holds it.
absl::StatusOr<File> LockDirectory(const std::string& dir);

// Names of the entries of `dir` (not . and ..).
absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir);

// The whole file.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// Opens for writing: kCreate makes a new file (failing if it exists), kAppend
// opens an existing one positioned at its end.
enum class OpenMode { kCreate, kAppend };
absl::StatusOr<File> OpenForWrite(const std::string& path, OpenMode mode);

// Writes all of `bytes` at the current position (retrying short writes).
absl::Status WriteAll(const File& file, absl::string_view bytes, const std::string& path);

// fdatasync: the file's data (and the size needed to read it back).
absl::Status SyncData(const File& file, const std::string& path);

// fsync of a directory, so that created, renamed and removed entries persist.
absl::Status SyncDir(const std::string& dir);

absl::Status Truncate(const File& file, int64_t size, const std::string& path);
absl::Status RenameFile(const std::string& from, const std::string& to);
absl::Status RemoveFile(const std::string& path);
absl::StatusOr<int64_t> FileSize(const std::string& path);

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_SERVER_STORE_JOURNAL_FILES_H_
