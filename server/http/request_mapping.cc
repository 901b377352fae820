#include "server/http/request_mapping.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "backinstock/errors/error.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace backinstock::http {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

absl::Status Malformed(absl::string_view message) {
  return errors::Error(absl::StatusCode::kInvalidArgument, "MALFORMED_REQUEST", message);
}

absl::Status ParseJsonInto(absl::string_view json, Message* message, absl::string_view what) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (!parsed.ok()) {
    return Malformed(absl::StrCat(what, " is not a JSON ", message->GetDescriptor()->name(), ": ",
                                  parsed.message().as_string()));
  }
  return absl::OkStatus();
}

const FieldDescriptor* FindField(const google::protobuf::Descriptor* type, absl::string_view name) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (field->name() == name || field->json_name() == name) return field;
  }
  return nullptr;
}

// Walks "a.b.c" to the message holding the last field; nullptr (and an
// error) when a segment is not a singular message field.
absl::Status Resolve(Message* root, absl::string_view path, Message** holder,
                     const FieldDescriptor** leaf) {
  std::vector<absl::string_view> names = absl::StrSplit(path, '.');
  Message* message = root;
  for (size_t i = 0; i < names.size(); ++i) {
    const FieldDescriptor* field = FindField(message->GetDescriptor(), names[i]);
    if (field == nullptr) {
      return Malformed(
          absl::StrCat("\"", path, "\" is not a field of ", root->GetDescriptor()->name()));
    }
    if (i + 1 == names.size()) {
      *holder = message;
      *leaf = field;
      return absl::OkStatus();
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
      return Malformed(absl::StrCat("\"", path, "\": \"", names[i], "\" has no fields"));
    }
    message = message->GetReflection()->MutableMessage(message, field);
  }
  return Malformed("empty parameter name");
}

absl::Status SetScalar(Message* message, const FieldDescriptor* field, absl::string_view value,
                       absl::string_view name) {
  const auto* reflection = message->GetReflection();
  const bool repeated = field->is_repeated();
  auto bad = [&] {
    return Malformed(absl::StrCat("query parameter \"", name, "\": ", errors::Quoted(value),
                                  " is not a valid ", field->type_name()));
  };
#define BACKINSTOCK_SET(Setter, value_expr)                      \
  repeated ? reflection->Add##Setter(message, field, value_expr) \
           : reflection->Set##Setter(message, field, value_expr)
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string text(value);
      if (field->type() == FieldDescriptor::TYPE_BYTES &&
          !absl::WebSafeBase64Unescape(value, &text) && !absl::Base64Unescape(value, &text)) {
        return bad();
      }
      BACKINSTOCK_SET(String, std::move(text));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool b;
      if (!absl::SimpleAtob(value, &b)) return bad();
      BACKINSTOCK_SET(Bool, b);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t n;
      if (!absl::SimpleAtoi(value, &n)) return bad();
      BACKINSTOCK_SET(Int32, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t n;
      if (!absl::SimpleAtoi(value, &n)) return bad();
      BACKINSTOCK_SET(Int64, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t n;
      if (!absl::SimpleAtoi(value, &n)) return bad();
      BACKINSTOCK_SET(UInt32, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t n;
      if (!absl::SimpleAtoi(value, &n)) return bad();
      BACKINSTOCK_SET(UInt64, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double d;
      if (!absl::SimpleAtod(value, &d)) return bad();
      BACKINSTOCK_SET(Double, d);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      float f;
      if (!absl::SimpleAtof(value, &f)) return bad();
      BACKINSTOCK_SET(Float, f);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* enum_value = field->enum_type()->FindValueByName(std::string(value));
      int number;
      if (enum_value == nullptr && absl::SimpleAtoi(value, &number)) {
        enum_value = field->enum_type()->FindValueByNumber(number);
      }
      if (enum_value == nullptr) return bad();
      BACKINSTOCK_SET(Enum, enum_value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
#undef BACKINSTOCK_SET
  // A message (google.protobuf.Struct, Timestamp, a wrapper...): the value is
  // its JSON, or a JSON string written without quotes.
  Message* target = repeated ? reflection->AddMessage(message, field)
                             : reflection->MutableMessage(message, field);
  if (ParseJsonInto(value, target, "").ok()) return absl::OkStatus();
  const std::string quoted = nlohmann::json(std::string(value))
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return ParseJsonInto(quoted, target, absl::StrCat("query parameter \"", name, "\""));
}

}  // namespace

absl::Status PercentDecode(absl::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      int value = 0;
      if (i + 2 >= in.size()) return Malformed("a percent escape is cut short");
      for (int k = 1; k <= 2; ++k) {
        const char h = in[i + k];
        int digit;
        if (h >= '0' && h <= '9')
          digit = h - '0';
        else if (h >= 'a' && h <= 'f')
          digit = h - 'a' + 10;
        else if (h >= 'A' && h <= 'F')
          digit = h - 'A' + 10;
        else
          return Malformed("a percent escape is not hexadecimal");
        value = value * 16 + digit;
      }
      out->push_back(static_cast<char>(value));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return absl::OkStatus();
}

absl::Status BuildRequest(const RouteMatch& match, absl::string_view query, absl::string_view body,
                          Message* request) {
  const Route& route = *match.route;
  if (route.body == "*") {
    if (!body.empty()) {
      if (absl::Status parsed = ParseJsonInto(body, request, "the body"); !parsed.ok())
        return parsed;
    }
  } else {
    std::vector<std::pair<std::string, std::string>> params;
    for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(pair, absl::MaxSplits('=', 1));
      std::string key, value;
      if (absl::Status s = PercentDecode(kv.first, true, &key); !s.ok()) return s;
      if (absl::Status s = PercentDecode(kv.second, true, &value); !s.ok()) return s;
      params.emplace_back(std::move(key), std::move(value));
    }
    // `.r=`: the whole request as base64url JSON, as Wix's SDK sends requests
    // that do not flatten into parameters. It comes first; other parameters
    // are applied over it.
    for (const auto& [key, value] : params) {
      if (key != ".r") continue;
      std::string json;
      if (!absl::WebSafeBase64Unescape(value, &json)) {
        return Malformed("query parameter \".r\" is not base64url");
      }
      if (absl::Status parsed = ParseJsonInto(json, request, "query parameter \".r\"");
          !parsed.ok()) {
        return parsed;
      }
    }
    for (const auto& [key, value] : params) {
      if (key == ".r") continue;
      Message* holder = nullptr;
      const FieldDescriptor* field = nullptr;
      if (absl::Status s = Resolve(request, key, &holder, &field); !s.ok()) {
        // Unknown parameters are ignored, like unknown JSON fields.
        continue;
      }
      if (absl::Status s = SetScalar(holder, field, value, key); !s.ok()) return s;
    }
  }
  for (const auto& [path, value] : match.path_params) {
    Message* holder = nullptr;
    const FieldDescriptor* field = nullptr;
    if (absl::Status s = Resolve(request, path, &holder, &field); !s.ok()) return s;
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING || field->is_repeated()) {
      return absl::InternalError(absl::StrCat("path variable ", path, " is not a string field"));
    }
    const std::string current = holder->GetReflection()->GetString(*holder, field);
    if (!current.empty() && current != value) {
      return errors::InvalidField(path,
                                  absl::StrCat("the path says ", errors::Quoted(value),
                                               " but the request says ", errors::Quoted(current)),
                                  "PATH_PARAMETER_MISMATCH");
    }
    holder->GetReflection()->SetString(holder, field, value);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ToJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  auto printed = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!printed.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print the answer as JSON: ", printed.message().as_string()));
  }
  return json;
}

}  // namespace backinstock::http
