#include "server/email/maildir_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "backinstock/errors/error.h"

namespace backinstock::email {
namespace {

absl::Status Unavailable(absl::string_view what, absl::string_view path, int error) {
  return errors::Error(
      absl::StatusCode::kUnavailable, "SMTP_UNAVAILABLE",
      absl::StrCat("maildir: cannot ", what, " ", path, ": ", std::strerror(error)));
}

absl::Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) return absl::OkStatus();
    return Unavailable("use", path, ENOTDIR);
  }
  return Unavailable("create", path, errno);
}

absl::Status SyncDir(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Unavailable("open", path, errno);
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) return Unavailable("sync", path, error);
  return absl::OkStatus();
}

absl::Status WriteAll(int fd, absl::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return Unavailable("write", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

// Unique within this host: seconds, microseconds, process id and a counter
// shared by every writer of the process (the naming Maildir describes).
std::string UniqueName() {
  static std::atomic<uint64_t> counter{0};
  static const std::string host = [] {
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0')
      return std::string("localhost");
    // '/' and ':' have meanings in Maildir names.
    return absl::StrReplaceAll(std::string(name), {{"/", "\\057"}, {":", "\\072"}});
  }();
  const absl::Time now = absl::Now();
  const int64_t micros = absl::ToUnixMicros(now);
  return absl::StrCat(micros / 1000000, ".M", micros % 1000000, "P", ::getpid(), "Q",
                      counter.fetch_add(1) + 1, ".", host);
}

class MaildirWriter final : public MailSender {
 public:
  explicit MaildirWriter(std::string dir) : dir_(std::move(dir)) {}

  absl::Status Send(absl::string_view envelope_from, absl::string_view recipient,
                    absl::string_view message) override {
    std::string file = absl::StrCat("Return-Path: <", envelope_from, ">\nDelivered-To: ", recipient,
                                    "\n", absl::StrReplaceAll(message, {{"\r\n", "\n"}}));
    const std::string name = UniqueName();
    const std::string tmp = absl::StrCat(dir_, "/tmp/", name);
    const std::string ready = absl::StrCat(dir_, "/new/", name);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Unavailable("create", tmp, errno);
    absl::Status written = WriteAll(fd, file, tmp);
    if (written.ok() && ::fsync(fd) != 0) written = Unavailable("sync", tmp, errno);
    if (::close(fd) != 0 && written.ok()) written = Unavailable("close", tmp, errno);
    if (written.ok() && ::rename(tmp.c_str(), ready.c_str()) != 0) {
      written = Unavailable("move into new/", tmp, errno);
    }
    if (!written.ok()) {
      ::unlink(tmp.c_str());
      return written;
    }
    return SyncDir(absl::StrCat(dir_, "/new"));
  }

 private:
  const std::string dir_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<MailSender>> OpenMaildir(const std::string& dir) {
  for (const std::string& path :
       {dir, absl::StrCat(dir, "/tmp"), absl::StrCat(dir, "/new"), absl::StrCat(dir, "/cur")}) {
    if (absl::Status made = MakeDir(path); !made.ok()) return made;
  }
  return std::make_unique<MaildirWriter>(dir);
}

namespace {

absl::Status EraseFailed(absl::string_view what, absl::string_view path, int error) {
  return errors::Error(
      absl::StatusCode::kUnavailable, "STORAGE_UNAVAILABLE",
      absl::StrCat("maildir: cannot ", what, " ", path, ": ", std::strerror(error)));
}

// Whether the message in `path` has a Delivered-To header equal to `address`
// (ignoring ASCII case). Only the header block is read: the writer puts
// Delivered-To second, and headers end at the first empty line.
bool DeliveredTo(const std::string& path, absl::string_view address) {
  std::ifstream file(path, std::ios::binary);
  std::string line;
  for (int lines = 0; lines < 200 && std::getline(file, line); ++lines) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return false;
    constexpr absl::string_view kHeader = "delivered-to:";
    if (line.size() >= kHeader.size() &&
        absl::EqualsIgnoreCase(absl::string_view(line).substr(0, kHeader.size()), kHeader)) {
      const absl::string_view value =
          absl::StripAsciiWhitespace(absl::string_view(line).substr(kHeader.size()));
      if (absl::EqualsIgnoreCase(value, address)) return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<int> EraseFromMaildir(const std::string& dir, absl::string_view address) {
  int erased = 0;
  for (const char* sub : {"new", "cur", "tmp"}) {
    const std::string path = absl::StrCat(dir, "/", sub);
    DIR* listing = ::opendir(path.c_str());
    if (listing == nullptr) {
      if (errno == ENOENT) continue;
      return EraseFailed("read", path, errno);
    }
    std::vector<std::string> matching;
    while (const dirent* entry = ::readdir(listing)) {
      if (entry->d_name[0] == '.') continue;
      std::string file = absl::StrCat(path, "/", entry->d_name);
      if (DeliveredTo(file, address)) matching.push_back(std::move(file));
    }
    ::closedir(listing);
    for (const std::string& file : matching) {
      if (::unlink(file.c_str()) != 0 && errno != ENOENT) return EraseFailed("remove", file, errno);
    }
    if (!matching.empty()) {
      if (absl::Status synced = SyncDir(path); !synced.ok()) return synced;
      erased += static_cast<int>(matching.size());
    }
  }
  return erased;
}

}  // namespace backinstock::email
