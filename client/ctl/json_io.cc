#include "client/ctl/json_io.h"

#include <google/protobuf/util/json_util.h>

#include <iostream>
#include <iterator>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/ctl/connection_flags.h"
#include "nlohmann/json.hpp"

namespace backinstock::ctl {

absl::Status ReadRequest(const Args& args, absl::string_view positional_field,
                         const std::string& positional, google::protobuf::Message* request) {
  if (auto json = args.Get("request")) {
    std::string text = *json;
    if (text == "@-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else if (absl::StartsWith(text, "@")) {
      absl::StatusOr<std::string> contents = ReadFile(text.substr(1), "--request file");
      if (!contents.ok()) return contents.status();
      text = *std::move(contents);
    }
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;  // a typo must not silently drop a field
    const auto parsed = google::protobuf::util::JsonStringToMessage(text, request, options);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--request is not a valid ",
                                                     request->GetDescriptor()->full_name(), ": ",
                                                     std::string(parsed.message())));
    }
  }
  if (!positional_field.empty()) {
    const google::protobuf::FieldDescriptor* field =
        request->GetDescriptor()->FindFieldByName(std::string(positional_field));
    request->GetReflection()->SetString(request, field, positional);
  }
  return absl::OkStatus();
}

std::string ToJson(const google::protobuf::Message& message, bool multiline) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  // Printing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!multiline) return json;
  // Re-indented with two spaces; ordered_json keeps the fields in proto order.
  return nlohmann::ordered_json::parse(json).dump(2);
}

}  // namespace backinstock::ctl
