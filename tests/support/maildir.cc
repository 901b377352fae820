#include "tests/support/maildir.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace backinstock::testing {
namespace {

// The value of header `name` in the header block (before the first empty line).
std::string Header(const std::string& text, absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) break;
    if (line.size() > name.size() && line[name.size()] == ':' &&
        absl::StartsWithIgnoreCase(line, name)) {
      return std::string(absl::StripAsciiWhitespace(line.substr(name.size() + 1)));
    }
  }
  return "";
}

}  // namespace

std::vector<MaildirMessage> ReadMaildir(const std::string& dir) {
  std::vector<MaildirMessage> messages;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/new", error)) {
    std::ifstream in(entry.path());
    std::stringstream contents;
    contents << in.rdbuf();
    MaildirMessage message;
    message.file = entry.path().string();
    message.text = contents.str();
    message.delivered_to = Header(message.text, "Delivered-To");
    message.message_id = Header(message.text, "Message-ID");
    message.subject = Header(message.text, "Subject");
    messages.push_back(std::move(message));
  }
  return messages;
}

size_t MaildirTmpFiles(const std::string& dir) {
  size_t count = 0;
  std::error_code error;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(dir + "/tmp", error)) {
    ++count;
  }
  return count;
}

void RemoveTree(const std::string& dir) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace backinstock::testing
