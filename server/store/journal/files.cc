#include "server/store/journal/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace backinstock::store::journal {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path, int error = errno) {
  const std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM) return absl::PermissionDeniedError(message);
  return absl::InternalError(message);
}

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.release();
  }
  return *this;
}

File::~File() {
  if (fd_ >= 0) close(fd_);
}

int File::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

absl::Status CreateDirectories(const std::string& dir) {
  struct stat info;
  if (stat(dir.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode))
      return absl::FailedPreconditionError(absl::StrCat(dir, " is not a directory"));
    return absl::OkStatus();
  }
  const std::string parent = Parent(dir);
  if (parent != dir) {
    if (absl::Status made = CreateDirectories(parent); !made.ok()) return made;
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Errno("cannot create directory", dir);
  return SyncDir(parent);
}

absl::StatusOr<File> LockDirectory(const std::string& dir) {
  const std::string path = absl::StrCat(dir, "/LOCK");
  File file(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!file.is_open()) return Errno("cannot open", path);
  if (flock(file.fd(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory ", dir, " is in use by another process (", path, " is locked)"));
    }
    return Errno("cannot lock", path);
  }
  return file;
}

absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir) {
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return Errno("cannot list", dir);
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = readdir(handle)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  const int error = errno;
  closedir(handle);
  if (error != 0) return Errno("cannot list", dir, error);
  return names;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  File file(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file.is_open()) return Errno("cannot open", path);
  std::string contents;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = read(file.fd(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read", path);
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  return contents;
}

absl::StatusOr<File> OpenForWrite(const std::string& path, OpenMode mode) {
  const int flags =
      mode == OpenMode::kCreate ? O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC : O_WRONLY | O_CLOEXEC;
  File file(open(path.c_str(), flags, 0600));
  if (!file.is_open()) return Errno("cannot open for writing", path);
  if (mode == OpenMode::kAppend && lseek(file.fd(), 0, SEEK_END) < 0) {
    return Errno("cannot seek", path);
  }
  return file;
}

absl::Status WriteAll(const File& file, absl::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = write(file.fd(), bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status SyncData(const File& file, const std::string& path) {
  if (fdatasync(file.fd()) != 0) return Errno("cannot fdatasync", path);
  return absl::OkStatus();
}

absl::Status SyncDir(const std::string& dir) {
  File file(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!file.is_open()) return Errno("cannot open directory", dir);
  if (fsync(file.fd()) != 0) return Errno("cannot fsync directory", dir);
  return absl::OkStatus();
}

absl::Status Truncate(const File& file, int64_t size, const std::string& path) {
  if (ftruncate(file.fd(), size) != 0) return Errno("cannot truncate", path);
  if (lseek(file.fd(), size, SEEK_SET) < 0) return Errno("cannot seek", path);
  return absl::OkStatus();
}

absl::Status RenameFile(const std::string& from, const std::string& to) {
  if (rename(from.c_str(), to.c_str()) != 0)
    return Errno(absl::StrCat("cannot rename to ", to), from);
  return absl::OkStatus();
}

absl::Status RemoveFile(const std::string& path) {
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("cannot remove", path);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> FileSize(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return Errno("cannot stat", path);
  return static_cast<int64_t>(info.st_size);
}

}  // namespace backinstock::store::journal
