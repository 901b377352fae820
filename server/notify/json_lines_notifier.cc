#include "server/notify/json_lines_notifier.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "server/errors/error.h"

namespace backinstock::notify {
namespace {

using Json = nlohmann::json;

// A message in its proto3 JSON form (API names), as a JSON value.
Json ToJson(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options).ok()) return nullptr;
  return Json::parse(text, nullptr, false);
}

}  // namespace

absl::StatusOr<std::unique_ptr<JsonLinesNotifier>> JsonLinesNotifier::Open(
    const std::string& path) {
  if (path == "-") {
    return std::unique_ptr<JsonLinesNotifier>(new JsonLinesNotifier(STDOUT_FILENO, false, "stdout"));
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open notification outbox ", path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<JsonLinesNotifier>(new JsonLinesNotifier(fd, true, path));
}

JsonLinesNotifier::~JsonLinesNotifier() {
  if (owns_) ::close(fd_);
}

std::string JsonLinesNotifier::Line(const Notification& notification) {
  const v1::BackInStockNotificationRequest& request = notification.request;
  const v1::BackInStockItemDetails& details = notification.item_details;
  Json item = {
      {"catalogReference", ToJson(request.catalog_reference())},
      {"name", details.name()},
      {"price", details.price()},
  };
  if (details.has_image()) item["image"] = ToJson(details.image());
  if (!request.item_url().empty()) item["itemUrl"] = request.item_url();
  Json parameters = Json::object();
  for (const auto& [key, value] : notification.template_parameters) parameters[key] = value;
  const Json line = {
      {"type", "BACK_IN_STOCK"},
      {"site", notification.site},
      {"requestId", request.id()},
      {"recipient", {{"email", request.email()}, {"contactId", request.contact_id()}}},
      {"item", std::move(item)},
      {"templateParameters", std::move(parameters)},
      {"time", absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())},
  };
  // Invalid UTF-8 is replaced rather than thrown on: a line is always written.
  return line.dump(-1, ' ', false, Json::error_handler_t::replace);
}

absl::Status JsonLinesNotifier::Notify(const Notification& notification) {
  const std::string line = absl::StrCat(Line(notification), "\n");
  absl::MutexLock lock(&mu_);
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      return errors::Error(absl::StatusCode::kUnavailable, "NOTIFIER_FAILED",
                           absl::StrCat("cannot write the notification to ", path_, ": ",
                                        std::strerror(error)));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace backinstock::notify
